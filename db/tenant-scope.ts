// The one way request code reaches tenant data: every query starts from a scope that already
// filters by tenant, and every insert is stamped with it. A row of another tenant is simply not
// there, so it answers 404 like an id that does not exist.
import type { Knex } from 'knex';
import {
  Model,
  type PartialModelObject,
  type QueryBuilder,
  type TransactionOrKnex,
} from 'objection';
import { notFound } from '../lib/errors';

type TenantOwned = Model & { tenantId: number | null };

/** A model class whose table has a tenant_id column. */
export interface TenantTable<M extends TenantOwned> {
  new (): M;
  tableName: string;
  query(trxOrKnex?: TransactionOrKnex): QueryBuilder<Model, Model[]>;
}

export class TenantScope {
  constructor(
    readonly tenantId: number,
    private readonly trx?: Knex.Transaction,
  ) {}

  /** The connection (or transaction) for link tables that have no model of their own. */
  get knex(): Knex {
    return this.trx ?? Model.knex();
  }

  /** The same scope, running inside a transaction. */
  within(trx: Knex.Transaction): TenantScope {
    return new TenantScope(this.tenantId, trx);
  }

  query<M extends TenantOwned>(model: TenantTable<M>): QueryBuilder<M, M[]> {
    return model
      .query(this.trx)
      .where(`${model.tableName}.tenantId`, this.tenantId) as unknown as QueryBuilder<M, M[]>;
  }

  /** The row with this id, or a 404 naming what was asked for. */
  async find<M extends TenantOwned>(model: TenantTable<M>, id: number, what: string): Promise<M> {
    if (!Number.isSafeInteger(id) || id <= 0) throw notFound(what);
    const row = await this.query(model).findById(id);
    if (!row) throw notFound(what);
    return row as M;
  }

  insert<M extends TenantOwned>(model: TenantTable<M>, data: PartialModelObject<M>): Promise<M> {
    return model
      .query(this.trx)
      .insert({ ...data, tenantId: this.tenantId })
      .returning('*') as unknown as Promise<M>;
  }

  /** Checks that every id belongs to the tenant; one foreign id fails the whole request. */
  async assertOwned<M extends TenantOwned>(
    model: TenantTable<M>,
    ids: number[],
    what: string,
  ): Promise<void> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return;
    const found = await this.query(model).whereIn(`${model.tableName}.id`, unique).resultSize();
    if (found !== unique.length) throw notFound(what);
  }
}
