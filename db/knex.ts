import knexFactory, { type Knex } from 'knex';
import { knexSnakeCaseMappers, Model } from 'objection';
import pg from 'pg';
import { migrationSource } from './migrations';

// Ids are bigserial; they stay well below 2^53, so numbers are safe and friendlier in JSON.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Db = Knex;

export function createDb(connectionString: string, pool = { min: 0, max: 10 }): Db {
  const db = knexFactory({
    client: 'pg',
    connection: connectionString,
    pool,
    ...knexSnakeCaseMappers(),
  });
  Model.knex(db);
  return db;
}

export async function migrateToLatest(db: Db): Promise<void> {
  await db.migrate.latest({ migrationSource });
}
