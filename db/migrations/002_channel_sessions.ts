// Where a channel's live session runs: the worker-specific task queue that hosts it, and the id
// of the session that owns it, so a superseded session notices and steps down.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('channels', (table) => {
    table.string('session_queue', 200);
    table.string('session_id', 200);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('channels', (table) => {
    table.dropColumn('session_queue');
    table.dropColumn('session_id');
  });
}
