// The list/get/create/update/delete set shared by simple tenant resources (queues, tags, quick
// replies). Resources with rules of their own write their routes by hand.
import type { PartialModelObject } from 'objection';
import type { TenantTable } from '../../db/tenant-scope';
import { z, type ZodObject, type ZodRawShape } from 'zod';
import type { Role, TenantModel } from '../../db/models';
import { idParams, type ApiRegistry } from './route';
import { pageQuery, paginate } from './pagination';

export interface CrudOptions<M extends TenantModel> {
  path: string;
  tag: string;
  /** Singular name for messages, e.g. "Queue". */
  noun: string;
  model: TenantTable<M>;
  create: ZodObject<ZodRawShape>;
  readAccess: Role[];
  writeAccess: Role[];
  /** Column searched by `?q=`. */
  searchColumn: string;
}

export function crudRoutes<M extends TenantModel>(api: ApiRegistry, options: CrudOptions<M>) {
  const { path, tag, noun, model } = options;
  const table = model.tableName;
  const listQuery = pageQuery.extend({ q: z.string().trim().max(100).optional() });

  api.route({
    method: 'get',
    path,
    summary: `List ${tag}`,
    tag,
    access: options.readAccess,
    query: listQuery,
    handler: async ({ scope, query }) => {
      const rows = scope.query(model);
      if (query.q) rows.whereILike(`${table}.${options.searchColumn}`, `%${query.q}%`);
      return paginate(rows, query, `${table}.id`);
    },
  });

  api.route({
    method: 'get',
    path: `${path}/:id`,
    summary: `Get one ${noun.toLowerCase()}`,
    tag,
    access: options.readAccess,
    params: idParams,
    handler: ({ scope, params }) => scope.find(model, params.id, noun),
  });

  api.route({
    method: 'post',
    path,
    summary: `Create a ${noun.toLowerCase()}`,
    tag,
    access: options.writeAccess,
    body: options.create,
    status: 201,
    handler: ({ scope, body }) => scope.insert(model, body as PartialModelObject<M>),
  });

  api.route({
    method: 'patch',
    path: `${path}/:id`,
    summary: `Change a ${noun.toLowerCase()}`,
    tag,
    access: options.writeAccess,
    params: idParams,
    body: options.create.partial(),
    handler: async ({ scope, params, body }) => {
      await scope.find(model, params.id, noun);
      return scope.query(model).patchAndFetchById(params.id, body as PartialModelObject<M>);
    },
  });

  api.route({
    method: 'delete',
    path: `${path}/:id`,
    summary: `Delete a ${noun.toLowerCase()}`,
    tag,
    access: options.writeAccess,
    params: idParams,
    status: 204,
    handler: async ({ scope, params }) => {
      await scope.find(model, params.id, noun);
      await scope.query(model).deleteById(params.id);
    },
  });
}
