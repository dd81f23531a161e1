// A worker hosting a WhatsApp session crashes (SIGKILL, no goodbye): the supervisor notices the
// missing heartbeats, waits out its backoff and places the session on the worker still alive,
// with never more than one live client for the channel.
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createSessionHostWorkers, type ProcessWorkers } from '../../temporal/worker';
import { channelSessionWorkflowId } from '../../workflows/channel-session-api';
import { FakeWhatsappNetwork } from '../fakes/whatsapp-client';
import { createTenant, HttpClient, login, type TenantFixture } from '../support/http';
import { connectSocket, type EventRecorder } from '../support/socket';
import { startStack, type Stack } from '../support/stack';
import { eventually } from './support';

const BACKOFF_MS = 1_500;
const hostScript = fileURLToPath(new URL('../fakes/session-host-process.ts', import.meta.url));

let stack: Stack;
let tenant: TenantFixture;
let socket: EventRecorder;
let crashing: ChildProcess | undefined;
let survivor: { workers: ProcessWorkers; running: Promise<void> } | undefined;

beforeAll(async () => {
  // The stack's own worker runs the workflows but hosts no sessions: the hosts are started below.
  stack = await startStack({
    CHANNEL_SESSIONS: 'false',
    CHANNEL_SESSION_BACKOFF_MS: String(BACKOFF_MS),
    CHANNEL_SESSION_MAX_BACKOFF_MS: '5000',
    CHANNEL_SESSION_HEARTBEAT_TIMEOUT_MS: '2000',
  });
  const superClient = await login(stack.url, stack.superLogin.email, stack.superLogin.password);
  tenant = await createTenant(stack.url, superClient);
  const signIn = await new HttpClient(stack.url).post('/api/v1/auth/login', {
    email: tenant.adminUser.email,
    password: tenant.adminUser.password,
  });
  socket = await connectSocket(stack.url, { token: signIn.body.accessToken });
});

afterAll(async () => {
  socket?.close();
  crashing?.kill('SIGKILL');
  if (survivor) {
    survivor.workers.shutdown();
    await survivor.running;
  }
  await stack?.stop();
});

/** The stack's database, as a URL another process can connect with. */
function databaseUrl(): string {
  const url = new URL(inject('databaseServerUrl'));
  url.pathname = `/${(stack.services.db.client.config.connection as { database: string }).database}`;
  return url.toString();
}

/** Starts the session host in its own process; resolves with its queue and the lines it prints. */
async function spawnHost(): Promise<{
  child: ChildProcess;
  queue: string;
  events: Record<string, unknown>[];
}> {
  const { config } = stack;
  const child = spawn(process.execPath, ['--import', 'tsx', hostScript], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl(),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: config.temporalTaskQueue,
      DATA_DIR: config.dataDir,
      JWT_SECRET: config.jwtSecret,
      ENCRYPTION_KEY: config.encryptionKey,
      CHANNEL_SESSION_HEARTBEAT_TIMEOUT_MS: String(config.sessionHeartbeatTimeoutMs),
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const events: Record<string, unknown>[] = [];
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.startsWith('{')) events.push(JSON.parse(line));
  });
  const ready = await eventually(
    'the session host process to start',
    () => events.find((event) => event.event === 'ready'),
    120_000,
  );
  return { child, queue: ready.queue as string, events };
}

async function session(channelId: number) {
  return (await tenant.admin.get(`/api/v1/channels/${channelId}/session`)).body;
}

it('moves the session of a crashed worker to another one after a backoff, without duplicates', async () => {
  const created = await tenant.admin.post('/api/v1/channels', {
    type: 'whatsapp',
    name: 'Failover',
    config: {},
  });
  const id = created.body.id as number;
  FakeWhatsappNetwork.rememberLogin(stack.config.dataDir, id);

  const first = await spawnHost();
  crashing = first.child;
  await eventually(
    'the session to connect on the first host',
    async () => {
      const view = await session(id);
      return view.status === 'connected' && view.supervisor?.hostQueue === first.queue;
    },
    120_000,
  );

  // A second host comes up; the session stays where it is.
  const network = new FakeWhatsappNetwork();
  const workers = await createSessionHostWorkers(stack.services, {
    address: inject('temporalAddress'),
    taskQueue: stack.config.temporalTaskQueue,
    channelDrivers: { whatsappClient: network.factory },
  });
  survivor = { workers, running: workers.run() };
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  expect(network.clients).toHaveLength(0);

  first.child.kill('SIGKILL');
  await socket.waitFor(
    'channel:status',
    (event) =>
      event.channelId === id &&
      event.status === 'disconnected' &&
      /stopped answering/.test(event.reason),
    20_000,
  );
  const moved = await eventually(
    'the session to connect on the second host',
    async () => {
      const view = await session(id);
      return view.status === 'connected' && view.supervisor?.hostQueue === workers.sessionQueue
        ? view
        : undefined;
    },
    30_000,
  );
  expect(moved.supervisor.failures).toBe(1);
  expect(network.clients).toHaveLength(1);
  expect(network.live()).toHaveLength(1);
  expect(first.events.filter((event) => event.event === 'client')).toHaveLength(1);

  // The history shows the lost heartbeat, then the backoff before the session was placed anew.
  const handle = stack.services.temporal.workflow.getHandle(
    channelSessionWorkflowId(tenant.tenantId, id),
  );
  const events = (await handle.fetchHistory()).events ?? [];
  const timedOut = events.find((event) => event.activityTaskTimedOutEventAttributes);
  expect(timedOut).toBeDefined();
  const timedOutAt =
    Number(timedOut!.eventTime!.seconds) * 1000 + (timedOut!.eventTime!.nanos ?? 0) / 1e6;
  const nextPlacement = events.find(
    (event) =>
      Number(event.eventId) > Number(timedOut!.eventId) &&
      event.activityTaskScheduledEventAttributes?.activityType?.name === 'claimSessionHost',
  );
  const placedAt =
    Number(nextPlacement!.eventTime!.seconds) * 1000 + (nextPlacement!.eventTime!.nanos ?? 0) / 1e6;
  expect(placedAt - timedOutAt).toBeGreaterThanOrEqual(BACKOFF_MS);

  // Sends now go to the surviving host.
  const channel = await tenant.admin.get(`/api/v1/channels/${id}`);
  expect(channel.body.sessionQueue).toBe(workers.sessionQueue);
}, 300_000);
