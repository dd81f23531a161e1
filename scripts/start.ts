// `npm start`: the whole platform on one machine. Services that are not configured (Temporal,
// PostgreSQL) are started embedded under DATA_DIR; the API and one worker run in this process,
// so realtime events travel in memory. Ctrl-C stops everything in reverse order.
import fs from 'node:fs';
import path from 'node:path';
import { startApiServer } from '../api/server';
import { startEmbeddedPostgres } from '../db/embedded';
import { ensureSuperUser } from '../db/super-user';
import { loadConfig } from '../lib/config';
import { logger } from '../lib/logger';
import { closeServices, connectServices } from '../lib/services';
import { startDevServer } from '../temporal/dev-server';
import { createWorker } from '../temporal/worker';

const config = loadConfig();
const log = logger;
const stops: (() => Promise<unknown>)[] = [];
const ready = (part: string, detail: string) =>
  process.stdout.write(`  ✔ ${part.padEnd(18)} ${detail}\n`);

async function main() {
  fs.mkdirSync(config.dataDir, { recursive: true });
  process.stdout.write(`TikTickets starting (data in ${config.dataDir})\n`);

  let temporalAddress = config.temporalAddress;
  if (!temporalAddress) {
    const server = await startDevServer({
      port: config.temporalPort,
      uiPort: config.temporalUiPort,
      dbFile: path.join(config.dataDir, 'temporal.db'),
      namespace: config.temporalNamespace,
      onLog: (line) => log.debug({ source: 'temporal' }, line),
    });
    stops.push(server.stop);
    temporalAddress = server.address;
    ready('Temporal', `${server.address}  (Web UI ${server.uiUrl})`);
  }

  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const database = await startEmbeddedPostgres(
      config.dataDir,
      config.embeddedPostgresPort,
      (line) => log.debug({ source: 'postgres' }, line),
    );
    stops.push(database.stop);
    databaseUrl = database.url;
    ready('PostgreSQL', `embedded on 127.0.0.1:${config.embeddedPostgresPort}`);
  }

  const services = await connectServices(config, log, { databaseUrl, temporalAddress });
  stops.push(() => closeServices(services));
  await ensureSuperUser(services.db, config.adminEmail, config.adminPassword, log);
  ready('Database', 'migrated to the latest schema');

  const worker = await createWorker(services, {
    address: temporalAddress,
    taskQueue: config.temporalTaskQueue,
  });
  const running = worker.run();
  stops.push(async () => {
    worker.shutdown();
    await running;
  });
  ready('Worker', `task queue "${config.temporalTaskQueue}"`);

  const api = await startApiServer(services, { port: config.port, host: config.host });
  stops.push(api.close);
  ready('API + web app', `${config.publicUrl}  (API docs ${config.publicUrl}/api/docs)`);
  process.stdout.write('Ready. Press Ctrl-C to stop.\n');
}

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nStopping…\n');
  for (const step of stops.reverse()) {
    await step().catch((error) => log.warn({ err: error }, 'while stopping'));
  }
  process.exit(code);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
main().catch((error) => {
  log.fatal({ err: error }, 'could not start');
  void stop(1);
});
