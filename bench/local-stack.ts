// A throwaway stack for one bench run: `scripts/start.ts` on its own data folder and ports, with
// the embedded Temporal dev server and PostgreSQL, stopped and deleted when the run ends.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../temporal/dev-server';

export interface LocalStack {
  url: string;
  adminEmail: string;
  adminPassword: string;
  stop(): Promise<void>;
}

const repoRoot = path.resolve(import.meta.dirname, '..');
const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 30_000;

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // The group is already empty.
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Forwards the stack's output to stderr, so stdout carries only the bench report. */
function relayOutput(child: ChildProcess): void {
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        process.stderr.write(`[stack] ${line}\n`);
      }
    });
  }
}

async function waitUntilReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the stack exited with code ${child.exitCode}`);
    const status = await fetch(`${url}/ready`)
      .then((response) => response.status)
      .catch(() => 0);
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the stack was not ready within ${READY_TIMEOUT_MS / 1000} s`);
}

export async function startLocalStack(): Promise<LocalStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiktickets-bench-'));
  const [port, temporalPort, temporalUiPort, postgresPort] = await distinctFreePorts(4);
  const adminEmail = 'bench-super@tiktickets.local';
  const adminPassword = crypto.randomBytes(12).toString('base64url');
  const url = `http://127.0.0.1:${port}`;

  // Its own process group, so a stop that hangs can take the dev server and PostgreSQL with it.
  const child = spawn(path.join(repoRoot, 'node_modules/.bin/tsx'), ['scripts/start.ts'], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: url,
      TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(temporalUiPort),
      EMBEDDED_POSTGRES_PORT: String(postgresPort),
      DATABASE_URL: '',
      REDIS_URL: '',
      TEMPORAL_ADDRESS: '',
      ADMIN_EMAIL: adminEmail,
      ADMIN_PASSWORD: adminPassword,
      WEBCHAT_RATE_LIMIT: '0',
      LOG_LEVEL: 'warn',
    },
  });
  relayOutput(child);

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const timedOut = await Promise.race([
        exited(child).then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), STOP_TIMEOUT_MS)),
      ]);
      if (timedOut) signalGroup(child, 'SIGKILL');
      await exited(child);
    }
    // Whatever the stack left running in its group (a dev server it did not wait for) goes too.
    signalGroup(child, 'SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await waitUntilReady(url, child);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, adminEmail, adminPassword, stop };
}
