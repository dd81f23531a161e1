// Companies, managed by the SaaS admin (super).
import { z } from 'zod';
import { Channel, Tenant, User } from '../../db/models';
import { notFound } from '../../lib/errors';
import { hashPassword } from '../../lib/passwords';
import type { Services } from '../../lib/services';
import { commandSession } from '../../temporal/channel-sessions';
import { hasLiveSession } from '../../activities/channels/session-host';
import { businessHoursSchema, timeZoneSchema } from '../../lib/tenant-settings';
import { pageQuery, paginate } from '../http/pagination';
import { idParams, type ApiRegistry } from '../http/route';
import { presentTenant, presentUser } from '../../lib/presenters';
import { newUserBody } from './users';

const limit = z.number().int().min(0).max(100_000).nullable();

const tenantBody = z.object({
  name: z.string().trim().min(1).max(160),
  maxUsers: limit.optional(),
  maxChannels: limit.optional(),
  timeZone: timeZoneSchema.optional(),
  businessHours: businessHoursSchema.nullable().optional(),
});

export function tenantRoutes(api: ApiRegistry, services: Services) {
  const { db } = services;

  /** A suspended company's live channel sessions stop; its managers start them again later. */
  const stopSessions = async (tenantId: number) => {
    const channels = await Channel.query(db).where({ tenantId });
    for (const channel of channels.filter(hasLiveSession))
      await commandSession(services, channel, 'stop');
  };

  api.route({
    method: 'get',
    path: '/tenants',
    summary: 'List companies',
    tag: 'tenants',
    access: ['super'],
    query: pageQuery.extend({
      q: z.string().trim().max(100).optional(),
      status: z.enum(['active', 'suspended']).optional(),
    }),
    handler: async ({ query }) => {
      const tenants = Tenant.query(db);
      if (query.q) tenants.whereILike('name', `%${query.q}%`);
      if (query.status) tenants.where('status', query.status);
      const page = await paginate(tenants, query, 'id');
      return { ...page, data: page.data.map(presentTenant) };
    },
  });

  api.route({
    method: 'get',
    path: '/tenants/:id',
    summary: 'Get one company',
    tag: 'tenants',
    access: ['super'],
    params: idParams,
    handler: async ({ params }) => {
      const tenant = await Tenant.query(db).findById(params.id);
      if (!tenant) throw notFound('Tenant');
      return presentTenant(tenant);
    },
  });

  api.route({
    method: 'post',
    path: '/tenants',
    summary: 'Create a company, optionally with its first admin',
    tag: 'tenants',
    access: ['super'],
    body: tenantBody.extend({ admin: newUserBody.optional() }),
    status: 201,
    handler: async ({ body }) => {
      const { admin, ...fields } = body;
      const passwordHash = admin && (await hashPassword(admin.password));
      return db.transaction(async (trx) => {
        const tenant = await Tenant.query(trx).insert(fields).returning('*');
        const firstAdmin =
          admin &&
          (await User.query(trx)
            .insert({
              tenantId: tenant.id,
              name: admin.name,
              email: admin.email,
              passwordHash,
              role: 'admin',
            })
            .returning('*'));
        return {
          ...presentTenant(tenant),
          admin: firstAdmin ? presentUser(firstAdmin, []) : null,
        };
      });
    },
  });

  api.route({
    method: 'patch',
    path: '/tenants/:id',
    summary: 'Change a company: name, limits, or suspend it',
    tag: 'tenants',
    access: ['super'],
    params: idParams,
    body: tenantBody.partial().extend({ status: z.enum(['active', 'suspended']).optional() }),
    handler: async ({ params, body }) => {
      const tenant = await Tenant.query(db).findById(params.id);
      if (!tenant) throw notFound('Tenant');
      const updated = await Tenant.query(db).patchAndFetchById(params.id, body);
      if (tenant.status === 'active' && updated.status === 'suspended')
        await stopSessions(updated.id);
      return presentTenant(updated);
    },
  });
}
