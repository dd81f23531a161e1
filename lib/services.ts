// What the API and the worker share in one process: configuration, database, Temporal client,
// realtime publisher and media storage. Built once at start and handed to whoever needs it.
import type { Client } from '@temporalio/client';
import { createDb, migrateToLatest, type Db } from '../db/knex';
import { createTemporalClient } from '../temporal/client';
import type { Config } from './config';
import { SecretBox } from './crypto';
import type { Logger } from './logger';
import { RealtimePublisher } from './realtime';
import { loadSecrets, type Secrets } from './secrets';
import { DiskStorage, type MediaStorage } from './storage';

export interface Services {
  config: Config;
  db: Db;
  secrets: Secrets;
  secretBox: SecretBox;
  temporal: Client;
  publisher: RealtimePublisher;
  storage: MediaStorage;
  log: Logger;
}

export function createServices(parts: {
  config: Config;
  db: Db;
  secrets: Secrets;
  temporal: Client;
  log: Logger;
}): Services {
  return {
    ...parts,
    secretBox: new SecretBox(parts.secrets.encryptionKey),
    publisher: new RealtimePublisher(parts.db),
    storage: new DiskStorage(parts.config.dataDir),
  };
}

/** Opens the database (migrating it) and Temporal, and builds the shared services. */
export async function connectServices(
  config: Config,
  log: Logger,
  targets: { databaseUrl: string; temporalAddress: string },
): Promise<Services> {
  const db = createDb(targets.databaseUrl, { min: 0, max: config.databasePoolMax });
  await migrateToLatest(db);
  const temporal = await createTemporalClient({
    address: targets.temporalAddress,
    namespace: config.temporalNamespace,
  });
  return createServices({ config, db, secrets: loadSecrets(config), temporal, log });
}

export async function closeServices(services: Services): Promise<void> {
  await services.temporal.connection.close();
  await services.db.destroy();
}
