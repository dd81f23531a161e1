// Messenger and Instagram end to end: Meta's webhook verification and signed events through
// the API, page-scoped people as contacts, replies through a local Graph API server, and the
// 24-hour window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hmacSha256 } from '../../lib/crypto';
import { FakeGraphServer, signedWebhook } from '../fakes/graph-server';
import { createTenant, HttpClient, login, type TenantFixture } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { eventually } from './support';

let stack: Stack;
let tenant: TenantFixture;
let graph: FakeGraphServer;
let anonymous: HttpClient;
let seq = 0;

beforeAll(async () => {
  graph = await new FakeGraphServer().start();
  stack = await startStack();
  const superClient = await login(stack.url, stack.superLogin.email, stack.superLogin.password);
  tenant = await createTenant(stack.url, superClient);
  anonymous = new HttpClient(stack.url);
});

afterAll(async () => {
  await stack?.stop();
  await graph?.stop();
});

interface Page {
  id: number;
  pageId: string;
  appSecret: string;
  verifyToken: string;
}

async function connectPage(type: 'messenger' | 'instagram'): Promise<Page> {
  seq += 1;
  const pageId = `${type}-page-${seq}-${Date.now()}`;
  const config = {
    pageId,
    pageAccessToken: `EAAtoken${seq}`,
    appSecret: `app-secret-${seq}`,
    verifyToken: `verify-${seq}`,
    graphApiUrl: graph.url,
  };
  graph.addPage(pageId, config.pageAccessToken, `Loja ${seq}`);
  const created = await tenant.admin.post('/api/v1/channels', {
    type,
    name: `${type} ${seq}`,
    config,
  });
  expect(created.status).toBe(201);
  const body = JSON.stringify(created.body);
  for (const secret of [config.pageAccessToken, config.appSecret, config.verifyToken])
    expect(body).not.toContain(secret);
  expect(created.body.secretsSet.sort()).toEqual(['appSecret', 'pageAccessToken', 'verifyToken']);
  return {
    id: created.body.id,
    pageId,
    appSecret: config.appSecret,
    verifyToken: config.verifyToken,
  };
}

function post(payload: unknown, appSecret: string) {
  const { body, signature } = signedWebhook(appSecret, payload);
  return fetch(`${stack.url}/api/v1/webhooks/meta`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
    body,
  });
}

function messageEvent(page: Page, psid: string, message: Record<string, unknown>) {
  return {
    object: 'page',
    entry: [
      {
        id: page.pageId,
        time: Date.now(),
        messaging: [
          { sender: { id: psid }, recipient: { id: page.pageId }, timestamp: Date.now(), message },
        ],
      },
    ],
  };
}

async function ticketFor(channelId: number) {
  return eventually(
    'a ticket on the channel',
    async () => (await tenant.admin.get(`/api/v1/tickets?channelId=${channelId}`)).body.data?.[0],
  );
}

async function messagesOf(ticketId: number): Promise<any[]> {
  return (await tenant.admin.get(`/api/v1/tickets/${ticketId}/messages?limit=200`)).body.data;
}

describe('Meta webhooks', () => {
  it('answers the verification challenge only for a known verify token', async () => {
    const page = await connectPage('messenger');
    const ok = await anonymous.get(
      `/api/v1/webhooks/meta?hub.mode=subscribe&hub.verify_token=${page.verifyToken}&hub.challenge=1158201444`,
    );
    expect(ok.status).toBe(200);
    expect(String(ok.body)).toBe('1158201444');
    const wrong = await anonymous.get(
      '/api/v1/webhooks/meta?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1',
    );
    expect(wrong.status).toBe(403);
  });

  it('rejects a payload whose signature does not match before reading it', async () => {
    const page = await connectPage('messenger');
    const forged = await fetch(`${stack.url}/api/v1/webhooks/meta`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': 'sha256=' + '0'.repeat(64),
      },
      body: '{not json at all',
    });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe(
      'invalid_signature',
    );
    const unsigned = await fetch(`${stack.url}/api/v1/webhooks/meta`, {
      method: 'POST',
      body: JSON.stringify(messageEvent(page, 'x', { mid: 'm1', text: 'hi' })),
    });
    expect(unsigned.status).toBe(401);
    // Signed with another app's secret: still refused.
    expect(
      (await post(messageEvent(page, 'x', { mid: 'm2', text: 'hi' }), 'someone-else')).status,
    ).toBe(401);
    const signature = `sha256=${hmacSha256(page.appSecret, '{not json')}`;
    const signedGarbage = await fetch(`${stack.url}/api/v1/webhooks/meta`, {
      method: 'POST',
      headers: { 'x-hub-signature-256': signature },
      body: '{not json',
    });
    expect(signedGarbage.status).toBe(400);
    expect((await tenant.admin.get(`/api/v1/tickets?channelId=${page.id}`)).body.data).toHaveLength(
      0,
    );
  });
});

describe('Messenger', () => {
  it('turns a page-scoped person into a contact, stores media, replies and follows receipts', async () => {
    const page = await connectPage('messenger');
    const started = await tenant.admin.post(`/api/v1/channels/${page.id}/start`);
    expect(started.body).toMatchObject({
      status: 'connected',
      reason: expect.stringContaining('Loja'),
    });
    expect(
      graph.subscriptions.find((subscription) => subscription.pageId === page.pageId),
    ).toBeDefined();

    const psid = `psid-${page.pageId}`;
    graph.profiles.set(psid, {
      first_name: 'Paula',
      last_name: 'Reis',
      profile_pic: 'https://example.com/p.jpg',
    });
    expect(
      (
        await post(
          messageEvent(page, psid, { mid: 'mid.1', text: 'Quero um orçamento' }),
          page.appSecret,
        )
      ).status,
    ).toBe(200);
    const ticket = await ticketFor(page.id);
    expect(ticket.contact).toMatchObject({
      name: 'Paula Reis',
      avatarUrl: 'https://example.com/p.jpg',
    });
    expect(ticket.windowClosesAt).toEqual(expect.any(String));

    const url = graph.hostFile('planta.png', 'image/png', Buffer.from('png-bytes'));
    await post(
      messageEvent(page, psid, {
        mid: 'mid.2',
        attachments: [{ type: 'image', payload: { url } }],
      }),
      page.appSecret,
    );
    // Meta retries a webhook it thinks failed; the message is stored once.
    await post(
      messageEvent(page, psid, {
        mid: 'mid.2',
        attachments: [{ type: 'image', payload: { url } }],
      }),
      page.appSecret,
    );
    const image = await eventually('the image', async () =>
      (await messagesOf(ticket.id)).find((message) => message.kind === 'image'),
    );
    expect(image.mediaType).toBe('image/png');
    expect(
      (await messagesOf(ticket.id)).filter((message) => message.kind === 'image'),
    ).toHaveLength(1);

    const reply = await tenant.admin.post(`/api/v1/tickets/${ticket.id}/messages`, {
      body: 'Claro! Qual o tamanho?',
    });
    expect(reply.status).toBe(201);
    const sent = await eventually('the reply at the Send API', () =>
      graph.sent.find(
        (message) =>
          message.recipientId === psid && message.message.text === 'Claro! Qual o tamanho?',
      ),
    );
    await eventually('the reply marked sent', async () =>
      (await messagesOf(ticket.id)).find(
        (message) => message.id === reply.body.id && message.status === 'sent',
      ),
    );
    const receipt = {
      object: 'page',
      entry: [
        {
          id: page.pageId,
          messaging: [
            {
              sender: { id: psid },
              recipient: { id: page.pageId },
              delivery: { mids: [sent.messageId] },
            },
          ],
        },
      ],
    };
    await post(receipt, page.appSecret);
    await eventually('the delivery receipt', async () =>
      (await messagesOf(ticket.id)).find(
        (message) => message.id === reply.body.id && message.status === 'delivered',
      ),
    );
  });

  it('tells the agent when the 24-hour window has closed', async () => {
    const page = await connectPage('messenger');
    const psid = `late-${page.pageId}`;
    await post(messageEvent(page, psid, { mid: 'mid.late', text: 'oi' }), page.appSecret);
    const ticket = await ticketFor(page.id);

    // Meta closed the window before we knew: the send fails with the reason.
    graph.windowClosed.add(psid);
    const refused = await tenant.admin.post(`/api/v1/tickets/${ticket.id}/messages`, {
      body: 'resposta tardia',
    });
    const failed = await eventually(
      'the reply to fail',
      async () =>
        (await messagesOf(ticket.id)).find(
          (message) => message.id === refused.body.id && message.status === 'failed',
        ),
      30_000,
    );
    expect(failed.error).toMatch(/24-hour window/);

    // A day after the last message the API refuses up front; private notes still work.
    await stack.services
      .db('tickets')
      .where({ id: ticket.id })
      .update({ lastInboundAt: new Date(Date.now() - 25 * 3_600_000) });
    const closed = await tenant.admin.post(`/api/v1/tickets/${ticket.id}/messages`, {
      body: 'ainda aí?',
    });
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe('messaging_window_closed');
    const note = await tenant.admin.post(`/api/v1/tickets/${ticket.id}/messages`, {
      body: 'ligar amanhã',
      isPrivate: true,
    });
    expect(note.status).toBe(201);
  });
});

describe('Instagram', () => {
  it('routes Instagram events to the Instagram channel, including deletions and read receipts', async () => {
    const page = await connectPage('instagram');
    const igsid = `igsid-${page.pageId}`;
    graph.profiles.set(igsid, { name: 'Léo Dias', username: 'leodias' });
    const event = (messaging: Record<string, unknown>) => ({
      object: 'instagram',
      entry: [
        {
          id: page.pageId,
          time: Date.now(),
          messaging: [
            {
              sender: { id: igsid },
              recipient: { id: page.pageId },
              timestamp: Date.now(),
              ...messaging,
            },
          ],
        },
      ],
    });
    await post(event({ message: { mid: 'ig.1', text: 'vi o post' } }), page.appSecret);
    await post(event({ message: { mid: 'ig.2', text: 'apaga isso' } }), page.appSecret);
    const ticket = await ticketFor(page.id);
    expect(ticket.contact.name).toBe('Léo Dias');

    await post(event({ message: { mid: 'ig.2', is_deleted: true } }), page.appSecret);
    await eventually('the deletion', async () =>
      (await messagesOf(ticket.id)).find((message) => message.isDeleted),
    );

    const reply = await tenant.admin.post(`/api/v1/tickets/${ticket.id}/messages`, {
      body: 'Obrigado!',
    });
    const sent = await eventually('the reply at the Send API', () =>
      graph.sent.find((message) => message.recipientId === igsid),
    );
    await post(event({ read: { mid: sent.messageId } }), page.appSecret);
    await eventually('the read receipt', async () =>
      (await messagesOf(ticket.id)).find(
        (message) => message.id === reply.body.id && message.status === 'read',
      ),
    );
  });

  it('ignores events for a stopped channel', async () => {
    const page = await connectPage('instagram');
    await tenant.admin.post(`/api/v1/channels/${page.id}/stop`);
    const event = {
      object: 'instagram',
      entry: [
        {
          id: page.pageId,
          messaging: [
            {
              sender: { id: 'ig-x' },
              recipient: { id: page.pageId },
              message: { mid: 'ig.stop', text: 'hello?' },
            },
          ],
        },
      ],
    };
    expect((await post(event, page.appSecret)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await tenant.admin.get(`/api/v1/tickets?channelId=${page.id}`)).body.data).toHaveLength(
      0,
    );
  });
});
