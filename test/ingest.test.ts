// The inbound path as channels use it: groups, quoted replies, edits, deletions and acks, and
// web chat's signed visitor identity.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ingest, type IngestResult } from '../activities/ingest';
import { hmacSha256 } from '../lib/crypto';
import { createTenant, HttpClient, login, type TenantFixture } from './support/http';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let tenant: TenantFixture;
let ingest: Ingest;
let channelId: number;
let counter = 0;

const nextId = () => `wamid-${Date.now()}-${(counter += 1)}`;

beforeAll(async () => {
  stack = await startStack({ WEBCHAT_RATE_LIMIT: '5' });
  const superClient = await login(stack.url, stack.superLogin.email, stack.superLogin.password);
  tenant = await createTenant(stack.url, superClient);
  channelId = (await tenant.admin.post('/api/v1/channels', { type: 'webchat', name: 'Entrada' }))
    .body.id;
  ingest = new Ingest(stack.services);
});
afterAll(() => stack?.stop());

const receive = (fields: Partial<Parameters<Ingest['inbound']>[0]>) =>
  ingest.inbound({
    tenantId: tenant.tenantId,
    channelId,
    channelMessageId: nextId(),
    from: { externalId: '5511999990000', name: 'Ana' },
    kind: 'text',
    body: 'oi',
    ...fields,
  }) as Promise<IngestResult>;

describe('group chats', () => {
  it('keeps one ticket per group, with each sender named on the message', async () => {
    const group = { externalId: '120363@g.us', name: 'Condomínio' };
    const first = await receive({
      group,
      from: { externalId: '5511911110000', name: 'Bia' },
      body: 'bom dia',
    });
    const second = await receive({
      group,
      from: { externalId: '5511922220000', name: 'Caio' },
      body: 'oi',
    });
    expect(second.ticketId).toBe(first.ticketId);
    const ticket = await tenant.admin.get(`/api/v1/tickets/${first.ticketId}`);
    expect(ticket.body).toMatchObject({ isGroup: true, contact: { name: 'Condomínio' } });
    const messages = await tenant.admin.get(`/api/v1/tickets/${first.ticketId}/messages`);
    expect(messages.body.data.map((m: { senderName: string }) => m.senderName)).toEqual([
      'Caio',
      'Bia',
    ]);
  });

  it('drops group messages when the tenant ignores groups', async () => {
    await tenant.admin.put('/api/v1/settings', { ignoreGroups: true });
    const outcome = await ingest.inbound({
      tenantId: tenant.tenantId,
      channelId,
      channelMessageId: nextId(),
      from: { externalId: '5511933330000' },
      group: { externalId: '999@g.us', name: 'Outro grupo' },
      kind: 'text',
      body: 'spam',
    });
    expect(outcome).toEqual({ ignored: true, reason: 'groups are ignored' });
    await tenant.admin.put('/api/v1/settings', { ignoreGroups: false });
  });
});

describe('message updates', () => {
  it('links replies to the quoted message and reflects edits, deletions and acks', async () => {
    const original = nextId();
    const first = await receive({ channelMessageId: original, body: 'qual o prazo?' });
    const reply = await receive({ body: 'e o valor?', quotedChannelMessageId: original });
    await ingest.update(tenant.tenantId, channelId, {
      type: 'edit',
      channelMessageId: original,
      body: 'qual o prazo de entrega?',
    });

    const page = await tenant.admin.get(`/api/v1/tickets/${first.ticketId}/messages`);
    const byId = new Map(page.body.data.map((m: { id: number }) => [m.id, m]));
    expect(byId.get(reply.messageId)).toMatchObject({
      quotedMessage: { id: first.messageId, body: 'qual o prazo de entrega?' },
    });
    expect(byId.get(first.messageId)).toMatchObject({
      isEdited: true,
      body: 'qual o prazo de entrega?',
    });

    await ingest.update(tenant.tenantId, channelId, { type: 'delete', channelMessageId: original });
    const sent = await tenant.admin.post(`/api/v1/tickets/${first.ticketId}/messages`, {
      body: 'até sexta',
    });
    await waitFor(
      async () =>
        (await stack.services.db('messages').where({ id: sent.body.id }).first()).status === 'sent',
    );
    const channelMessageId = (
      await stack.services.db('messages').where({ id: sent.body.id }).first()
    ).channelMessageId;
    await ingest.update(tenant.tenantId, channelId, {
      type: 'status',
      channelMessageId,
      status: 'read',
    });

    const after = await tenant.admin.get(`/api/v1/tickets/${first.ticketId}/messages`);
    const rows = new Map(after.body.data.map((m: { id: number }) => [m.id, m]));
    expect(rows.get(first.messageId)).toMatchObject({ isDeleted: true, body: '' });
    expect(rows.get(sent.body.id)).toMatchObject({ status: 'read' });
  });
});

describe('web chat identity', () => {
  it('trusts a signed site identity and refuses a forged one', async () => {
    const secret = 'a-long-enough-hmac-secret';
    const channel = await tenant.admin.post('/api/v1/channels', {
      type: 'webchat',
      name: 'Área do cliente',
      config: { hmacSecret: secret },
    });
    expect(channel.body.config.hmacSecret).toBeUndefined();
    expect(channel.body.secretsSet).toEqual(['hmacSecret']);
    const visitor = new HttpClient(stack.url);
    const post = (identifierHash: string) =>
      visitor.post(`/api/v1/public/webchat/${channel.body.widgetToken}/messages`, {
        visitorId: 'browser-1',
        text: 'olá',
        identifier: 'cliente-42',
        identifierHash,
      });
    expect((await post(hmacSha256('wrong', 'cliente-42'))).status).toBe(401);
    expect((await post(hmacSha256(secret, 'cliente-42'))).status).toBe(201);
    const identity = await stack.services
      .db('contactIdentities')
      .where({ channelId: channel.body.id })
      .first();
    expect(identity.externalId).toBe('id:cliente-42');
  });
});

describe('web chat limits', () => {
  it('refuses a flood from one IP with 429 and Retry-After', async () => {
    const channel = await tenant.admin.post('/api/v1/channels', { type: 'webchat', name: 'Promo' });
    const anonymous = new HttpClient(stack.url);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i += 1) {
      const reply = await anonymous.post(
        `/api/v1/public/webchat/${channel.body.widgetToken}/messages`,
        {
          visitorId: `flood-${i}`,
          text: 'oi',
        },
      );
      statuses.push(reply.status);
      retryAfter = reply.headers.get('retry-after');
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
