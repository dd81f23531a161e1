// Realtime across API processes: with Redis configured, an event published by one API server
// reaches the sockets connected to another, and readiness tells whether Redis answers.
// Machines without TEST_REDIS_URL skip the Redis cases and still run the unreachable one.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, createTenant, HttpClient, login, type TenantFixture } from './support/http';
import { connectSocket, type EventRecorder } from './support/socket';
import { startStack, type Stack } from './support/stack';
import { Visitor } from './support/webchat';

const redisUrl = process.env.TEST_REDIS_URL;
/** A key prefix of this run's own, so parallel runs on one Redis never see each other's events. */
const keyPrefix = `tt-test-${crypto.randomBytes(4).toString('hex')}`;

let stack: Stack;
let tenant: TenantFixture;
let widgetToken: string;
let agentToken: string;
let visitors = 0;
const sockets: EventRecorder[] = [];

const visitorOn = (url: string) =>
  new Visitor(url, widgetToken, `redis-visitor-${keyPrefix}-${(visitors += 1)}`);

async function agentSocket(url: string): Promise<EventRecorder> {
  const socket = await connectSocket(url, { token: agentToken });
  sockets.push(socket);
  return socket;
}

beforeAll(async () => {
  stack = await startStack(redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: keyPrefix } : {});
  const superClient = await login(stack.url, stack.superLogin.email, stack.superLogin.password);
  tenant = await createTenant(stack.url, superClient);
  const queue = await tenant.admin.post('/api/v1/queues', { name: 'Plantão' });
  const channel = await tenant.admin.post('/api/v1/channels', {
    type: 'webchat',
    name: 'Site',
    queueId: queue.body.id,
  });
  widgetToken = channel.body.widgetToken;
  agentToken = (await createAgent(stack.url, tenant.admin, [queue.body.id])).client.token as string;
});
afterAll(async () => {
  sockets.forEach((socket) => socket.close());
  await stack?.stop();
});

describe('realtime across API servers', () => {
  let peerUrl: string;

  beforeAll(async () => {
    if (redisUrl) peerUrl = await stack.startPeerApi();
  });

  it.skipIf(!redisUrl).each([
    { from: 'the first', to: 'the second', sender: () => stack.url, receiver: () => peerUrl },
    { from: 'the second', to: 'the first', sender: () => peerUrl, receiver: () => stack.url },
  ])(
    'delivers a visitor message posted to $from server to an agent on $to',
    async ({ sender, receiver }) => {
      const agent = await agentSocket(receiver());

      const said = await visitorOn(sender()).say('chegou pelo outro servidor?');

      expect(said.status).toBe(201);
      const event = await agent.waitFor('message:created', (p) => p.message.id === said.body.id);
      expect(event).toMatchObject({ seq: expect.any(Number), message: { direction: 'in' } });
    },
  );

  it.skipIf(!redisUrl)(
    'shows an agent on the second server what the worker did for the first',
    async () => {
      const agent = await agentSocket(peerUrl);
      const said = await visitorOn(stack.url).say('alguém aí?');
      const created = await agent.waitFor('message:created', (p) => p.message.id === said.body.id);

      const accepted = await new HttpClient(stack.url, agentToken).post(
        `/api/v1/tickets/${created.message.ticketId}/accept`,
      );

      expect(accepted.status).toBe(200);
      await agent.waitFor(
        'ticket:updated',
        (p) => p.ticket?.id === created.message.ticketId && p.ticket.status === 'open',
      );
    },
  );

  it.skipIf(!redisUrl)('keeps installations with another key prefix apart', async () => {
    const strangerUrl = await stack.startPeerApi({ redisKeyPrefix: `${keyPrefix}-other` });
    const stranger = await agentSocket(strangerUrl);
    const colleague = await agentSocket(peerUrl);

    const said = await visitorOn(stack.url).say('só para esta instalação');

    await colleague.waitFor('message:created', (p) => p.message.id === said.body.id);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(stranger.received.filter((entry) => entry.event === 'message:created')).toEqual([]);
  });
});

describe('readiness', () => {
  it.skipIf(!redisUrl)('reports Redis up when it answers', async () => {
    const ready = await new HttpClient(stack.url).get('/ready');

    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', database: 'up', temporal: 'up', redis: 'up' });
  });

  describe('with the configured Redis unreachable', () => {
    let url: string;

    beforeAll(async () => {
      url = await stack.startPeerApi({ redisUrl: 'redis://127.0.0.1:1' });
    });

    it('answers 503', async () => {
      const ready = await new HttpClient(url).get('/ready');

      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({
        status: 'not ready',
        database: 'up',
        temporal: 'up',
        redis: 'down',
      });
    });

    it('still stores messages and shows them to its own sockets', async () => {
      const agent = await agentSocket(url);

      const said = await visitorOn(url).say('o redis caiu?');

      expect(said.status).toBe(201);
      await agent.waitFor('message:created', (p) => p.message.id === said.body.id);
    });
  });
});
