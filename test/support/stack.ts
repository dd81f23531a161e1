// A whole TikTickets stack for one test file: its own database (copied from the migrated
// template), a worker on its own task queue against the shared Temporal dev server, and the
// API on a free port. Tests talk to it over real HTTP and sockets.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { inject } from 'vitest';
import { startApiServer, type ApiServer } from '../../api/server';
import type { ChannelDrivers } from '../../activities/channels/session-host';
import { createDb } from '../../db/knex';
import { loadConfig, type Config } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { createServices, type Services } from '../../lib/services';
import { createTemporalClient } from '../../temporal/client';
import { createWorker, type ProcessWorkers } from '../../temporal/worker';
import { ensureSuperUser } from '../../db/super-user';

export interface Stack {
  url: string;
  services: Services;
  config: Config;
  worker: ProcessWorkers;
  superLogin: { email: string; password: string };
  /**
   * Another API server on the same database and Temporal, as a second API process would be: its
   * own socket.io server and publisher, so its events reach other servers only through Redis.
   */
  startPeerApi(overrides?: Partial<Config>): Promise<string>;
  stop(): Promise<void>;
}

export const SUPER = { email: 'super@test.local', password: 'super-secret-pass' };

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export interface StackOptions {
  /** Fakes for the networks that need a live client (WhatsApp); the real ones otherwise. */
  channelDrivers?: ChannelDrivers;
}

export async function startStack(
  env: Record<string, string> = {},
  options: StackOptions = {},
): Promise<Stack> {
  const serverUrl = inject('databaseServerUrl');
  const database = `tt_test_${crypto.randomBytes(5).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: serverUrl });
  await admin.raw(`CREATE DATABASE ${database} TEMPLATE ${inject('templateDatabase')}`);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiktickets-stack-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    TEMPORAL_TASK_QUEUE: `test-${database}`,
    JWT_SECRET: crypto.randomBytes(32).toString('hex'),
    ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
    ...env,
  });
  const log = createLogger(config.logLevel);
  const db = createDb(withDatabase(serverUrl, database));
  // Workflow ids are built from tenant ids, and every test file shares one Temporal server: each
  // database numbers its tenants from its own random start, so runs of other files never collide.
  await db.raw(
    `ALTER SEQUENCE tenants_id_seq RESTART WITH ${crypto.randomInt(1_000, 1_000_000_000)}`,
  );
  const address = inject('temporalAddress');
  const temporal = await createTemporalClient({ address, namespace: config.temporalNamespace });
  const services = createServices({
    config,
    db,
    secrets: {
      jwtSecret: config.jwtSecret as string,
      encryptionKey: config.encryptionKey as string,
    },
    temporal,
    log,
  });
  await ensureSuperUser(db, SUPER.email, SUPER.password, log);

  const worker = await createWorker(services, {
    address,
    taskQueue: config.temporalTaskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    channelDrivers: options.channelDrivers,
  });
  const running = worker.run();
  const api = await startApiServer(services, { port: 0, host: '127.0.0.1' });
  const peers: ApiServer[] = [];

  return {
    url: api.url,
    services,
    config,
    worker,
    superLogin: SUPER,
    startPeerApi: async (overrides = {}) => {
      const peerServices = createServices({ ...services, config: { ...config, ...overrides } });
      const peer = await startApiServer(peerServices, { port: 0, host: '127.0.0.1' });
      peers.push(peer);
      return peer.url;
    },
    stop: async () => {
      await Promise.all(peers.map((peer) => peer.close()));
      await api.close();
      worker.shutdown();
      await running;
      await temporal.connection.close();
      await db.destroy();
      await admin.raw(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
