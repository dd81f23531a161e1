// The people a tenant talks to, with their channel identities, custom fields and tags.
import { z } from 'zod';
import { Contact, ContactIdentity, Tag, User } from '../../db/models';
import type { TenantScope } from '../../db/tenant-scope';
import type { Request } from 'express';
import { parseCsv, toCsv } from '../../lib/csv';
import { badRequest } from '../../lib/errors';
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

const CSV_HEADER = ['name', 'phone', 'email', 'tags', 'customFields'];
const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

async function readText(req: Request): Promise<string> {
  if (typeof req.body === 'string') return req.body;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_IMPORT_BYTES) throw badRequest('too_large', 'Import at most 5 MB at a time.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function withDetails(scope: TenantScope, contacts: Contact[]) {
  const ids = contacts.map((contact) => contact.id);
  const [identities, tagLinks] = await Promise.all([
    ContactIdentity.query().whereIn('contactId', ids).where('tenantId', scope.tenantId),
    scope
      .query(Tag)
      .join('contactTags', 'contactTags.tagId', 'tags.id')
      .whereIn('contactTags.contactId', ids)
      .select('tags.*', 'contactTags.contactId'),
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
    await scope
      .knex('contactTags')
      .insert(tagIds.map((tagId) => ({ tenantId: scope.tenantId, contactId, tagId })));
  }
}

async function assertOwner(scope: TenantScope, ownerUserId: number | null | undefined) {
  if (ownerUserId) await scope.assertOwned(User, [ownerUserId], 'User');
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
        contacts.where((where) =>
          where.whereILike('name', like).orWhereILike('phone', like).orWhereILike('email', like),
        );
      }
      if (query.tagId) {
        contacts.whereExists(
          db('contactTags')
            .whereRaw('contact_tags.contact_id = contacts.id')
            .where('tagId', query.tagId),
        );
      }
      const page = await paginate(contacts, query, 'contacts.id');
      return { ...page, data: await withDetails(scope, page.data) };
    },
  });

  api.route({
    method: 'get',
    path: '/contacts/export.csv',
    summary: 'All contacts as CSV (name, phone, email, tags, custom fields as JSON)',
    tag: 'contacts',
    access: ['admin'],
    raw: true,
    handler: async ({ scope, res }) => {
      const contacts = await withDetails(scope, await scope.query(Contact).orderBy('id'));
      const rows = contacts.map((contact) => [
        contact.name,
        contact.phone,
        contact.email,
        contact.tags.map((tag) => tag.name).join(';'),
        JSON.stringify(contact.customFields ?? {}),
      ]);
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader('content-disposition', 'attachment; filename="contacts.csv"');
      res.send(toCsv([CSV_HEADER, ...rows]));
    },
  });

  api.route({
    method: 'post',
    path: '/contacts/import',
    summary:
      'Import contacts from CSV with a header row (name, phone, email); one bad line does not stop the rest',
    tag: 'contacts',
    access: ['admin'],
    raw: true,
    handler: async ({ scope, req, res }) => {
      const text = await readText(req);
      const [header = [], ...lines] = parseCsv(text);
      const columns = header.map((name) => name.trim().toLowerCase());
      if (!columns.includes('name')) {
        throw badRequest('validation_failed', 'The CSV needs a header row with a name column.', [
          { path: 'name', message: 'missing column' },
        ]);
      }
      const errors: { line: number; message: string }[] = [];
      let imported = 0;
      for (const [index, cells] of lines.entries()) {
        const record = Object.fromEntries(
          columns.map((column, i) => [column, cells[i]?.trim() || undefined]),
        );
        const parsed = contactBody.pick({ name: true, phone: true, email: true }).safeParse(record);
        if (!parsed.success) {
          errors.push({
            line: index + 2,
            message: parsed.error.issues
              .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
              .join('; '),
          });
          continue;
        }
        await scope.insert(Contact, parsed.data);
        imported += 1;
      }
      res.json({ imported, errors });
    },
  });

  api.route({
    method: 'get',
    path: '/contacts/:id',
    summary: 'Get one contact',
    tag: 'contacts',
    access: ['admin', 'agent'],
    params: idParams,
    handler: async ({ scope, params }) =>
      (await withDetails(scope, [await scope.find(Contact, params.id, 'Contact')]))[0],
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
      await assertOwner(scope, fields.ownerUserId);
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
      await assertOwner(scope, fields.ownerUserId);
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
