// The people a tenant talks to, with their channel identities, custom fields and tags.
import { z } from 'zod';
import { Contact, ContactIdentity, Tag } from '../../db/models';
import type { TenantScope } from '../../db/tenant-scope';
import type { Services } from '../../lib/services';
import { pageQuery, paginate } from '../http/pagination';
import { idParams, type ApiRegistry } from '../http/route';

const contactBody = z.object({
  name: z.string().trim().min(1).max(200),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[\d\s().-]{5,30}$/, 'use digits, optionally starting with +')
    .nullable()
    .optional(),
  email: z.string().trim().email().nullable().optional(),
  customFields: z.record(z.string().max(60), z.string().max(1000)).optional(),
  tagIds: z.array(z.number().int().positive()).max(50).optional(),
  ownerUserId: z.number().int().positive().nullable().optional(),
});

async function withDetails(scope: TenantScope, contacts: Contact[]) {
  const ids = contacts.map((contact) => contact.id);
  const [identities, tagLinks] = await Promise.all([
    ContactIdentity.query().whereIn('contactId', ids).where('tenantId', scope.tenantId),
    scope.query(Tag).join('contactTags', 'contactTags.tagId', 'tags.id').whereIn('contactTags.contactId', ids).select('tags.*', 'contactTags.contactId'),
  ]);
  return contacts.map((contact) => ({
    ...contact,
    identities: identities
      .filter((identity) => identity.contactId === contact.id)
      .map(({ channelId, externalId }) => ({ channelId, externalId })),
    tags: (tagLinks as (Tag & { contactId: number })[])
      .filter((tag) => tag.contactId === contact.id)
      .map(({ id, name, color }) => ({ id, name, color })),
  }));
}

async function setTags(scope: TenantScope, contactId: number, tagIds: number[]) {
  await scope.assertOwned(Tag, tagIds, 'Tag');
  await scope.knex('contactTags').where({ contactId, tenantId: scope.tenantId }).delete();
  if (tagIds.length) {
    await scope.knex('contactTags').insert(tagIds.map((tagId) => ({ tenantId: scope.tenantId, contactId, tagId })));
  }
}

export function contactRoutes(api: ApiRegistry, services: Services) {
  const { db } = services;

  api.route({
    method: 'get',
    path: '/contacts',
    summary: 'List contacts; q searches name, phone and email',
    tag: 'contacts',
    access: ['admin', 'agent'],
    query: pageQuery.extend({
      q: z.string().trim().max(100).optional(),
      tagId: z.coerce.number().int().positive().optional(),
    }),
    handler: async ({ scope, query }) => {
      const contacts = scope.query(Contact);
      if (query.q) {
        const like = `%${query.q}%`;
        contacts.where((where) => where.whereILike('name', like).orWhereILike('phone', like).orWhereILike('email', like));
      }
      if (query.tagId) {
        contacts.whereExists(db('contactTags').whereRaw('contact_tags.contact_id = contacts.id').where('tagId', query.tagId));
      }
      const page = await paginate(contacts, query, 'contacts.id');
      return { ...page, data: await withDetails(scope, page.data) };
    },
  });

  api.route({
    method: 'get',
    path: '/contacts/:id',
    summary: 'Get one contact',
    tag: 'contacts',
    access: ['admin', 'agent'],
    params: idParams,
    handler: async ({ scope, params }) => (await withDetails(scope, [await scope.find(Contact, params.id, 'Contact')]))[0],
  });

  api.route({
    method: 'post',
    path: '/contacts',
    summary: 'Create a contact',
    tag: 'contacts',
    access: ['admin', 'agent'],
    body: contactBody,
    status: 201,
    handler: async ({ scope, body }) => {
      const { tagIds = [], ...fields } = body;
      return db.transaction(async (trx) => {
        const inTrx = scope.within(trx);
        const contact = await inTrx.insert(Contact, fields);
        await setTags(inTrx, contact.id, tagIds);
        return (await withDetails(inTrx, [contact]))[0];
      });
    },
  });

  api.route({
    method: 'patch',
    path: '/contacts/:id',
    summary: 'Change a contact',
    tag: 'contacts',
    access: ['admin', 'agent'],
    params: idParams,
    body: contactBody.partial(),
    handler: async ({ scope, params, body }) => {
      await scope.find(Contact, params.id, 'Contact');
      const { tagIds, ...fields } = body;
      return db.transaction(async (trx) => {
        const inTrx = scope.within(trx);
        const contact = Object.keys(fields).length
          ? await inTrx.query(Contact).patchAndFetchById(params.id, fields)
          : await inTrx.find(Contact, params.id, 'Contact');
        if (tagIds) await setTags(inTrx, params.id, tagIds);
        return (await withDetails(inTrx, [contact]))[0];
      });
    },
  });

  api.route({
    method: 'delete',
    path: '/contacts/:id',
    summary: 'Delete a contact and its conversations',
    tag: 'contacts',
    access: ['admin'],
    params: idParams,
    status: 204,
    handler: async ({ scope, params }) => {
      await scope.find(Contact, params.id, 'Contact');
      await scope.query(Contact).deleteById(params.id);
    },
  });
}
