// A tenant's users: its managers (admin) and agents.
import { z } from 'zod';
import { Queue, Tenant, User, UserQueue } from '../../db/models';
import type { TenantScope } from '../../db/tenant-scope';
import { conflict } from '../../lib/errors';
import { hashPassword } from '../../lib/passwords';
import type { Services } from '../../lib/services';
import { pageQuery, paginate } from '../http/pagination';
import { idParams, type ApiRegistry } from '../http/route';
import { presentUser } from '../../lib/presenters';

export const newUserBody = z.object({
  name: z.string().trim().min(1).max(160),
  email: z.string().trim().toLowerCase().email(),
  password: z.string().min(8, 'use at least 8 characters').max(200),
});

const userBody = newUserBody.extend({
  role: z.enum(['admin', 'agent']),
  queueIds: z.array(z.number().int().positive()).max(100).optional(),
  maxOpenTickets: z.number().int().min(1).max(1000).nullable().optional(),
});

const userPatch = userBody.omit({ password: true }).partial().extend({
  password: newUserBody.shape.password.optional(),
  active: z.boolean().optional(),
});

async function queueIdsOf(scope: TenantScope, userIds: number[]): Promise<Map<number, number[]>> {
  const rows = await scope.query(UserQueue).whereIn('userId', userIds);
  const byUser = new Map<number, number[]>();
  for (const row of rows) byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), row.queueId]);
  return byUser;
}

async function setQueues(scope: TenantScope, userId: number, queueIds: number[]) {
  await scope.assertOwned(Queue, queueIds, 'Queue');
  await scope.query(UserQueue).where({ userId }).delete();
  for (const queueId of queueIds) {
    await scope.insert(UserQueue, { userId, queueId });
  }
}

export function userRoutes(api: ApiRegistry, services: Services) {
  const { db } = services;

  api.route({
    method: 'get',
    path: '/users',
    summary: 'List the tenant users',
    tag: 'users',
    access: ['admin', 'agent'],
    query: pageQuery.extend({
      q: z.string().trim().max(100).optional(),
      role: z.enum(['admin', 'agent']).optional(),
      queueId: z.coerce.number().int().positive().optional(),
    }),
    handler: async ({ scope, query }) => {
      const users = scope.query(User);
      if (query.q)
        users.where((where) =>
          where.whereILike('name', `%${query.q}%`).orWhereILike('email', `%${query.q}%`),
        );
      if (query.role) users.where('role', query.role);
      if (query.queueId) {
        users.whereIn(
          'users.id',
          scope.query(UserQueue).where({ queueId: query.queueId }).select('userId'),
        );
      }
      const page = await paginate(users, query, 'users.id');
      const queues = await queueIdsOf(
        scope,
        page.data.map((user) => user.id),
      );
      return {
        ...page,
        data: page.data.map((user) => presentUser(user, queues.get(user.id) ?? [])),
      };
    },
  });

  api.route({
    method: 'get',
    path: '/users/:id',
    summary: 'Get one user',
    tag: 'users',
    access: ['admin', 'agent'],
    params: idParams,
    handler: async ({ scope, params }) => {
      const user = await scope.find(User, params.id, 'User');
      return presentUser(user, (await queueIdsOf(scope, [user.id])).get(user.id) ?? []);
    },
  });

  api.route({
    method: 'post',
    path: '/users',
    summary: 'Create a user',
    tag: 'users',
    access: ['admin'],
    body: userBody,
    status: 201,
    handler: async ({ scope, body }) => {
      const { queueIds = [], password, ...fields } = body;
      const tenant = await Tenant.query(db).findById(scope.tenantId).throwIfNotFound();
      return db.transaction(async (trx) => {
        const inTrx = scope.within(trx);
        const count = await inTrx.query(User).resultSize();
        if (tenant.maxUsers !== null && count >= tenant.maxUsers) {
          throw conflict(
            'limit_reached',
            `This company may have at most ${tenant.maxUsers} users.`,
            [{ path: 'maxUsers', message: String(tenant.maxUsers) }],
          );
        }
        const user = await inTrx.insert(User, {
          ...fields,
          passwordHash: await hashPassword(password),
        });
        await setQueues(inTrx, user.id, queueIds);
        return presentUser(user, queueIds);
      });
    },
  });

  api.route({
    method: 'patch',
    path: '/users/:id',
    summary: 'Change a user',
    tag: 'users',
    access: ['admin'],
    params: idParams,
    body: userPatch,
    handler: async ({ scope, params, body }) => {
      await scope.find(User, params.id, 'User');
      const { queueIds, password, ...fields } = body;
      return db.transaction(async (trx) => {
        const inTrx = scope.within(trx);
        const changes = password
          ? { ...fields, passwordHash: await hashPassword(password) }
          : fields;
        const user = await inTrx.query(User).patchAndFetchById(params.id, changes);
        if (queueIds) await setQueues(inTrx, params.id, queueIds);
        return presentUser(user, (await queueIdsOf(inTrx, [params.id])).get(params.id) ?? []);
      });
    },
  });

  api.route({
    method: 'delete',
    path: '/users/:id',
    summary: 'Delete a user',
    tag: 'users',
    access: ['admin'],
    params: idParams,
    status: 204,
    handler: async ({ scope, params, principal }) => {
      await scope.find(User, params.id, 'User');
      if (params.id === principal.userId) {
        throw conflict('cannot_delete_self', 'You cannot delete your own account.');
      }
      await scope.query(User).deleteById(params.id);
    },
  });
}
