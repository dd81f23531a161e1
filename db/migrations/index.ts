// Migrations are listed here rather than discovered on disk, so they load the same way under
// tsx, the test runner and a bundler.
import type { Knex } from 'knex';
import * as domain from './001_domain';
import * as channelSessions from './002_channel_sessions';

type Migration = Knex.Migration;

const migrations: Record<string, Migration> = {
  '001_domain': domain,
  '002_channel_sessions': channelSessions,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};
