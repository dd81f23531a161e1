import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, createTenant, login, type TenantFixture } from './support/http';
import { connectSocket, type EventRecorder } from './support/socket';
import { startStack, type Stack } from './support/stack';
import { eventually, Visitor } from './support/webchat';

let stack: Stack;
let tenant: TenantFixture;
let queueId: number;
let otherQueueId: number;
let widgetToken: string;
let agent: Awaited<ReturnType<typeof createAgent>>;
let agentSocket: EventRecorder;
let visitorCount = 0;

const newVisitor = (name?: string) =>
  new Visitor(stack.url, widgetToken, `visitor-${Date.now()}-${(visitorCount += 1)}`, name);

beforeAll(async () => {
  // Every visitor here writes from the same IP: the per-IP limit is tested in ingest.test.ts.
  stack = await startStack({ WEBCHAT_RATE_LIMIT: '0' });
  const superClient = await login(stack.url, stack.superLogin.email, stack.superLogin.password);
  tenant = await createTenant(stack.url, superClient);
  queueId = (await tenant.admin.post('/api/v1/queues', { name: 'Atendimento' })).body.id;
  otherQueueId = (await tenant.admin.post('/api/v1/queues', { name: 'Financeiro' })).body.id;
  const channel = await tenant.admin.post('/api/v1/channels', {
    type: 'webchat',
    name: 'Site',
    queueId,
    farewellMessage: '{{greeting}}, {{name}}! Protocolo {{protocol}}.',
  });
  expect(channel.status).toBe(201);
  widgetToken = channel.body.widgetToken;
  agent = await createAgent(stack.url, tenant.admin, [queueId]);
  const token = agent.client.token as string;
  agentSocket = await connectSocket(stack.url, { token });
});

afterAll(async () => {
  agentSocket?.close();
  await stack?.stop();
});

describe('the web chat loop', () => {
  it('takes a visitor from first message to close, live for the agent and the visitor', async () => {
    const visitor = newVisitor('Maria');
    const posted = await visitor.say('Olá, preciso de ajuda');
    expect(posted.status).toBe(201);

    const live = await agentSocket.waitFor(
      'message:created',
      (p) => p.message.body === 'Olá, preciso de ajuda',
    );
    const ticketId = live.message.ticketId;
    expect(live.seq).toEqual(expect.any(Number));

    const listed = await agent.client.get('/api/v1/tickets?status=pending');
    const ticket = listed.body.data.find((row: { id: number }) => row.id === ticketId);
    expect(ticket).toMatchObject({
      status: 'pending',
      queueId,
      unreadCount: 1,
      contact: { name: 'Maria' },
      channel: { type: 'webchat' },
    });

    const accepted = await agent.client.post(`/api/v1/tickets/${ticketId}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'open', userId: agent.id, unreadCount: 0 });

    const again = await agent.client.post(`/api/v1/tickets/${ticketId}/accept`);
    expect(again.status).toBe(409);
    expect(again.body.error.details).toEqual([{ path: 'status', message: 'open' }]);

    const reply = await agent.client.post(`/api/v1/tickets/${ticketId}/messages`, {
      body: 'Claro! Como posso ajudar?',
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ direction: 'out', status: 'pending', userId: agent.id });
    expect(new Date(reply.body.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    await agentSocket.waitFor(
      'message:updated',
      (p) => p.message.id === reply.body.id && p.message.status === 'sent',
    );
    const seen = await eventually(
      () => visitor.conversation(),
      (rows) => rows.some((row) => row.body === 'Claro! Como posso ajudar?'),
    );
    expect(seen.map((row) => row.direction)).toEqual(['in', 'out']);

    const note = await agent.client.post(`/api/v1/tickets/${ticketId}/messages`, {
      body: 'cliente VIP',
      isPrivate: true,
    });
    expect(note.body).toMatchObject({ isPrivate: true, status: 'sent' });

    const moved = await agent.client.post(`/api/v1/tickets/${ticketId}/transfer`, {
      queueId: otherQueueId,
      note: 'assunto financeiro',
    });
    expect(moved.body).toMatchObject({ status: 'pending', queueId: otherQueueId, userId: null });
    // The agent is not in the new queue, so the ticket is no longer theirs to see.
    expect((await agent.client.get(`/api/v1/tickets/${ticketId}`)).status).toBe(404);

    const closed = await tenant.admin.post(`/api/v1/tickets/${ticketId}/close`, {
      reason: 'resolvido',
    });
    expect(closed.body).toMatchObject({ status: 'closed', closeReason: 'resolvido' });
    const farewell = await eventually(
      () => visitor.conversation(),
      (rows) => rows.some((row) => row.body.includes('Protocolo')),
    );
    const last = farewell[farewell.length - 1];
    expect(last.body).toMatch(
      new RegExp(`^(Bom dia|Boa tarde|Boa noite), Maria! Protocolo ${ticket.number}\\.$`),
    );
    expect(farewell.some((row) => row.body === 'cliente VIP')).toBe(false);

    const events = await tenant.admin.get(`/api/v1/tickets/${ticketId}/events`);
    expect(
      events.body.data.map(
        (event: { type: string; toStatus: string }) => `${event.type}:${event.toStatus}`,
      ),
    ).toEqual(['accepted:open', 'transferred:pending', 'closed:closed']);
    expect(events.body.data[1].data).toMatchObject({
      note: 'assunto financeiro',
      toQueueId: otherQueueId,
    });

    const reopened = await tenant.admin.post(`/api/v1/tickets/${ticketId}/reopen`);
    expect(reopened.body).toMatchObject({ status: 'open', userId: tenant.adminUser.id });
  });

  it('stores a redelivered message once', async () => {
    const visitor = newVisitor();
    const first = await visitor.say('oi', 'client-1');
    const second = await visitor.say('oi', 'client-1');
    expect(second.body).toEqual({ id: first.body.id, duplicate: true });
    expect((await visitor.conversation()).length).toBe(1);
  });

  it('puts fifty simultaneous messages from one contact into one ticket', async () => {
    const visitor = newVisitor();
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => visitor.say(`foto ${i}`, `album-${i}`)),
    );
    expect(replies.every((reply) => reply.status === 201)).toBe(true);
    const rows = await stack.services
      .db('messages')
      .join('contactIdentities', 'contactIdentities.contactId', 'messages.contactId')
      .where('contactIdentities.externalId', visitor.visitorId)
      .select('messages.ticketId');
    expect(rows).toHaveLength(50);
    expect(new Set(rows.map((row: { ticketId: number }) => row.ticketId)).size).toBe(1);
  });

  it('names the field when a visitor posts nonsense, and 404s an unknown widget', async () => {
    const bad = await newVisitor().say('');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('text');
    const unknown = await new Visitor(stack.url, 'no-such-widget-token', 'v1').say('hi');
    expect(unknown.status).toBe(404);
  });
});

describe('ticket list', () => {
  it('pages through tickets that share a millisecond without skipping any', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const posted = await newVisitor().say(`mesmo instante ${i}`);
      ids.push(
        (await agentSocket.waitFor('message:created', (p) => p.message.id === posted.body.id))
          .message.ticketId,
      );
    }
    // Same millisecond, different microseconds, and later than everything else in the list.
    for (const [index, id] of ids.entries()) {
      await stack.services
        .db('tickets')
        .where({ id })
        .update({ lastMessageAt: `2099-01-01T00:00:00.000${index}00Z` });
    }
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: { id: number }[]; nextCursor: string | null } } =
        await agent.client.get(`/api/v1/tickets?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.data.map((ticket) => ticket.id));
      cursor = page.body.nextCursor;
    } while (cursor && seen.length < 5);
    expect(seen.slice(0, 5)).toEqual([...ids].reverse());
  });
});

describe('sending', () => {
  async function openTicket() {
    const visitor = newVisitor();
    const posted = await visitor.say('preciso de um boleto');
    const message = await agentSocket.waitFor(
      'message:created',
      (p) => p.message.id === posted.body.id,
    );
    return { visitor, ticketId: message.message.ticketId as number };
  }

  it('holds a scheduled message until its time, then delivers it', async () => {
    const { visitor, ticketId } = await openTicket();
    const at = new Date(Date.now() + 2_000).toISOString();
    const scheduled = await agent.client.post(`/api/v1/tickets/${ticketId}/messages`, {
      body: 'lembrete',
      scheduledAt: at,
    });
    expect(scheduled.body).toMatchObject({ status: 'pending', scheduledAt: at });
    expect(
      (await visitor.conversation()).some(
        (row) => row.body === 'lembrete' && row.status === 'sent',
      ),
    ).toBe(false);
    await agentSocket.waitFor(
      'message:updated',
      (p) => p.message.id === scheduled.body.id && p.message.status === 'sent',
      20_000,
    );

    const past = await agent.client.post(`/api/v1/tickets/${ticketId}/messages`, {
      body: 'x',
      scheduledAt: '2020-01-01T00:00:00Z',
    });
    expect(past.status).toBe(400);
    expect(past.body.error.details[0].path).toBe('scheduledAt');
  });

  it('uploads media within the limits and serves it only to its tenant', async () => {
    const { ticketId } = await openTicket();
    const form = new FormData();
    form.append('body', 'segue o comprovante');
    form.append(
      'file',
      new Blob([Buffer.from('%PDF-1.4 test')], { type: 'application/pdf' }),
      'comprovante.pdf',
    );
    const token = agent.client.token as string;
    const sent = await fetch(`${stack.url}/api/v1/tickets/${ticketId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    expect(sent.status).toBe(201);
    const message = (await sent.json()) as { mediaUrl: string };
    expect(message).toMatchObject({
      kind: 'document',
      mediaType: 'application/pdf',
      mediaName: 'comprovante.pdf',
    });

    const file = await fetch(`${stack.url}${message.mediaUrl}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await file.text()).toBe('%PDF-1.4 test');

    const superClient = await login(stack.url, stack.superLogin.email, stack.superLogin.password);
    const stranger = await createTenant(stack.url, superClient);
    expect((await stranger.admin.get(message.mediaUrl)).status).toBe(404);

    const exe = new FormData();
    exe.append(
      'file',
      new Blob([Buffer.from('MZ')], { type: 'application/x-msdownload' }),
      'virus.exe',
    );
    const refused = await fetch(`${stack.url}/api/v1/tickets/${ticketId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: exe,
    });
    expect(refused.status).toBe(415);
  });
});

describe('realtime catch-up', () => {
  it('lets a reconnecting client fetch the events it missed', async () => {
    const mark = agentSocket.received.at(-1)?.payload.seq ?? 0;
    const visitor = newVisitor();
    expect((await visitor.say('mensagem enquanto offline')).status).toBe(201);
    const missed = await eventually(
      () => agent.client.get(`/api/v1/events?after=${mark}`),
      (reply) =>
        reply.body.data.some(
          (event: any) => event.payload.message?.body === 'mensagem enquanto offline',
        ),
    );
    const seqs = missed.body.data.map((event: { seq: number }) => event.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  });
});
