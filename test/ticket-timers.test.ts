// Timers and distribution, with a "minute" shortened to 200 ms (TIMER_MINUTE_MS).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, createTenant, HttpClient, login, type TenantFixture } from './support/http';
import { connectSocket, type EventRecorder } from './support/socket';
import { startStack, type Stack } from './support/stack';
import { eventually, Visitor } from './support/webchat';

let stack: Stack;
let superClient: HttpClient;
const sockets: EventRecorder[] = [];
let visitors = 0;

beforeAll(async () => {
  stack = await startStack({ TIMER_MINUTE_MS: '200' });
  superClient = await login(stack.url, stack.superLogin.email, stack.superLogin.password);
});
afterAll(async () => {
  sockets.forEach((socket) => socket.close());
  await stack?.stop();
});

/** A tenant with one queue (with the given timer settings) and a web chat channel into it. */
async function desk(queue: Record<string, unknown>, settings?: Record<string, unknown>) {
  const tenant: TenantFixture = await createTenant(stack.url, superClient);
  if (settings) expect((await tenant.admin.put('/api/v1/settings', settings)).status).toBe(200);
  const queueId = (await tenant.admin.post('/api/v1/queues', { name: 'Fila', ...queue })).body
    .id as number;
  const channel = await tenant.admin.post('/api/v1/channels', {
    type: 'webchat',
    name: 'Site',
    queueId,
  });
  const adminSocket = await connectSocket(stack.url, { token: tenant.admin.token as string });
  sockets.push(adminSocket);
  const visitor = () =>
    new Visitor(stack.url, channel.body.widgetToken, `timer-visitor-${(visitors += 1)}`);
  const ticketOf = async (visitorToWrite: Visitor, text: string) => {
    const posted = await visitorToWrite.say(text);
    const event = await adminSocket.waitFor(
      'message:created',
      (p) => p.message.id === posted.body.id,
    );
    return event.message.ticketId as number;
  };
  return { tenant, queueId, adminSocket, visitor, ticketOf };
}

const eventTypes = async (admin: HttpClient, ticketId: number) =>
  (await admin.get(`/api/v1/tickets/${ticketId}/events`)).body.data.map(
    (event: { type: string }) => event.type,
  );

describe('SLA', () => {
  it('marks a waiting ticket breached and tells the queue when nobody answers in time', async () => {
    const { tenant, adminSocket, visitor, ticketOf } = await desk({ slaMinutes: 2 });
    const ticketId = await ticketOf(visitor(), 'alguém aí?');
    const breach = await adminSocket.waitFor(
      'ticket:sla_breached',
      (p) => p.ticket.id === ticketId,
    );
    expect(breach.ticket.slaBreachedAt).toEqual(expect.any(String));
    expect(await eventTypes(tenant.admin, ticketId)).toContain('sla_breached');
  });
});

describe('agent silence', () => {
  it('returns an open ticket to the queue when its agent does not answer', async () => {
    const { tenant, visitor, ticketOf } = await desk({ agentIdleMinutes: 3 });
    const customer = visitor();
    const ticketId = await ticketOf(customer, 'oi');
    await tenant.admin.post(`/api/v1/tickets/${ticketId}/accept`);
    await customer.say('ainda esperando');
    const returned = await eventually(
      () => tenant.admin.get(`/api/v1/tickets/${ticketId}`),
      (reply) => reply.body.status === 'pending',
    );
    expect(returned.body.userId).toBeNull();
    expect(await eventTypes(tenant.admin, ticketId)).toEqual(['accepted', 'returned']);
  });

  it('keeps the ticket with an agent who answers', async () => {
    const { tenant, visitor, ticketOf } = await desk({ agentIdleMinutes: 3 });
    const customer = visitor();
    const ticketId = await ticketOf(customer, 'oi');
    await tenant.admin.post(`/api/v1/tickets/${ticketId}/accept`);
    await tenant.admin.post(`/api/v1/tickets/${ticketId}/messages`, { body: 'olá!' });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await tenant.admin.get(`/api/v1/tickets/${ticketId}`)).body.status).toBe('open');
  });
});

describe('auto-close', () => {
  it('closes an idle ticket with its own message', async () => {
    const { tenant, visitor, ticketOf } = await desk(
      { autoCloseMinutes: 3 },
      { autoCloseMessage: 'Encerramos por inatividade, {{name}}.' },
    );
    const customer = visitor();
    const ticketId = await ticketOf(customer, 'oi');
    const closed = await eventually(
      () => tenant.admin.get(`/api/v1/tickets/${ticketId}`),
      (reply) => reply.body.status === 'closed',
    );
    expect(closed.body.closeReason).toBe('inactivity');
    const seen = await eventually(
      () => customer.conversation(),
      (rows) => rows.length === 2,
    );
    expect(seen[1].body).toBe(`Encerramos por inatividade, ${customer.name}.`);
  });
});

describe('out of hours', () => {
  it('answers once per closed period, not on every message', async () => {
    const { tenant, visitor } = await desk(
      {},
      {
        // Open one minute a week: closed whenever the test runs, bar that minute.
        businessHours: { sun: [{ start: '03:00', end: '03:01' }] },
        outOfHoursMessage: 'Estamos fechados agora.',
      },
    );
    const customer = visitor();
    // All three arrive together, before the ticket's new run has even loaded its state.
    const [first] = await Promise.all([
      customer.say('primeira'),
      customer.say('segunda'),
      customer.say('terceira'),
    ]);
    const ticketId = (await stack.services.db('messages').where({ id: first.body.id }).first())
      .ticketId;
    await eventually(
      () => customer.conversation(),
      (rows) => rows.some((row) => row.body === 'Estamos fechados agora.'),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const replies = (await customer.conversation()).filter(
      (row) => row.body === 'Estamos fechados agora.',
    );
    expect(replies).toHaveLength(1);
    expect((await tenant.admin.get(`/api/v1/tickets/${ticketId}`)).body.status).toBe('pending');
  });
});

describe('distribution', () => {
  it('hands tickets round robin to online agents under their cap, and waits for capacity', async () => {
    const { tenant, queueId, visitor, ticketOf } = await desk({
      distribution: 'round_robin',
      maxOpenPerAgent: 1,
    });
    const first = await createAgent(stack.url, tenant.admin, [queueId]);
    const second = await createAgent(stack.url, tenant.admin, [queueId]);
    for (const agent of [first, second])
      sockets.push(await connectSocket(stack.url, { token: agent.client.token as string }));

    const ticketA = await ticketOf(visitor(), 'a');
    const ticketB = await ticketOf(visitor(), 'b');
    const owner = async (ticketId: number) =>
      (
        await eventually(
          () => tenant.admin.get(`/api/v1/tickets/${ticketId}`),
          (reply) => reply.body.status === 'open',
        )
      ).body.userId;
    const owners = [await owner(ticketA), await owner(ticketB)];
    expect(new Set(owners)).toEqual(new Set([first.id, second.id]));

    const ticketC = await ticketOf(visitor(), 'c');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await tenant.admin.get(`/api/v1/tickets/${ticketC}`)).body.status).toBe('pending');

    const freed = owners[0] === first.id ? first : second;
    const freedTicket = owners[0] === first.id ? ticketA : ticketB;
    await freed.client.post(`/api/v1/tickets/${freedTicket}/close`);
    expect(await owner(ticketC)).toBe(freed.id);
  });
});
