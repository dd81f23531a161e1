// Telegram bots end to end: long polling under session supervision, or webhook mode behind
// the secret-token check, against a local Bot API server that telegraf talks to for real.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchAttributes } from '../../temporal/search-attributes';
import {
  channelSessionWorkflowId,
  type ChannelSessionInput,
} from '../../workflows/channel-session-api';
import { FakeTelegramServer } from '../fakes/telegram-server';
import { createTenant, HttpClient, login, type TenantFixture } from '../support/http';
import { connectSocket, type EventRecorder } from '../support/socket';
import { startStack, type Stack } from '../support/stack';
import { eventually } from './support';

let stack: Stack;
let tenant: TenantFixture;
let telegram: FakeTelegramServer;
let socket: EventRecorder;
let botSeq = 0;

beforeAll(async () => {
  telegram = await new FakeTelegramServer().start();
  stack = await startStack({
    CHANNEL_SESSION_BACKOFF_MS: '300',
    CHANNEL_SESSION_MAX_BACKOFF_MS: '1500',
    CHANNEL_SESSION_HEARTBEAT_TIMEOUT_MS: '3000',
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
  await stack?.stop();
  await telegram?.stop();
});

function newBot(): string {
  botSeq += 1;
  const token = `${700000 + botSeq}:AAtest-${botSeq}`;
  telegram.addBot(token, `support_${botSeq}_bot`);
  return token;
}

async function status(channelId: number) {
  return (await tenant.admin.get(`/api/v1/channels/${channelId}/session`)).body;
}

async function waitForStatus(channelId: number, wanted: string) {
  return eventually(`channel ${channelId} to be ${wanted}`, async () => {
    const view = await status(channelId);
    return view.status === wanted ? view : undefined;
  });
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

describe('Telegram in polling mode', () => {
  it('receives every kind of message, answers, and keeps the bot token write-only', async () => {
    const token = newBot();
    const created = await tenant.admin.post('/api/v1/channels', {
      type: 'telegram',
      name: 'Bot',
      config: { token, apiRoot: telegram.url },
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain(token);
    const id = created.body.id as number;
    const connected = await waitForStatus(id, 'connected');
    expect(connected.reason).toMatch(/@support_\d+_bot/);

    const chat = 9001;
    const first = telegram.message(chat, { text: 'Olá!' }, 'Marta');
    telegram.pushUpdate(token, { message: first });
    const ticket = await ticketFor(id);
    expect(ticket.contact.name).toBe('Marta');

    const photo = telegram.putFile(token, Buffer.from('jpeg-data'), 'p.jpg');
    const doc = telegram.putFile(token, Buffer.from('%PDF-1.4'), 'nota.pdf');
    const voice = telegram.putFile(token, Buffer.from('OggS'), 'v.ogg');
    const sticker = telegram.putFile(token, Buffer.from('RIFF'), 's.webp');
    const pushed = [
      { caption: 'foto', photo: [{ file_id: photo, file_unique_id: 'ph', width: 10, height: 10 }] },
      {
        document: {
          file_id: doc,
          file_unique_id: 'dc',
          file_name: 'nota.pdf',
          mime_type: 'application/pdf',
        },
      },
      { voice: { file_id: voice, file_unique_id: 'vc', duration: 2, mime_type: 'audio/ogg' } },
      {
        sticker: {
          file_id: sticker,
          file_unique_id: 'st',
          width: 1,
          height: 1,
          is_animated: false,
          is_video: false,
          type: 'regular',
          emoji: '👍',
        },
      },
      { location: { latitude: -22.9, longitude: -43.2 } },
      { contact: { phone_number: '+5521999990000', first_name: 'João' } },
      { text: 'respondendo', reply_to_message: { ...first } },
    ].map((fields) => telegram.message(chat, fields, 'Marta'));
    for (const message of pushed) telegram.pushUpdate(token, { message });

    const stored = await eventually('eight stored messages', async () => {
      const rows = await messagesOf(ticket.id);
      return rows.length === 8 ? rows : undefined;
    });
    expect(stored.map((message) => message.kind).sort()).toEqual(
      ['contact', 'document', 'image', 'location', 'sticker', 'text', 'text', 'voice'].sort(),
    );
    const image = stored.find((message) => message.kind === 'image');
    expect(image.body).toBe('foto');
    const file = await fetch(`${stack.url}${image.mediaUrl}`, {
      headers: { authorization: `Bearer ${await loginToken()}` },
    });
    expect(Buffer.from(await file.arrayBuffer()).toString()).toBe('jpeg-data');
    expect(stored.find((message) => message.kind === 'document').mediaName).toBe('nota.pdf');
    expect(stored.find((message) => message.body === 'respondendo').quotedMessage.body).toBe(
      'Olá!',
    );

    telegram.pushUpdate(token, {
      edited_message: { ...first, text: 'Olá, bom dia!', edit_date: 1 },
    });
    await eventually('the edit', async () =>
      (await messagesOf(ticket.id)).find(
        (message) => message.body === 'Olá, bom dia!' && message.isEdited,
      ),
    );

    const quoted = stored.find((message) => message.body === 'respondendo');
    const reply = await tenant.admin.post(`/api/v1/tickets/${ticket.id}/messages`, {
      body: 'Oi Marta, tudo bem?',
      quotedMessageId: quoted.id,
    });
    expect(reply.status).toBe(201);
    const sent = await eventually('the reply at Telegram', () =>
      telegram.bot(token).sent.find((message) => message.text === 'Oi Marta, tudo bem?'),
    );
    expect(sent).toMatchObject({ chatId: String(chat), replyTo: pushed[6].message_id });
    await eventually('the reply marked sent', async () =>
      (await messagesOf(ticket.id)).find(
        (message) => message.id === reply.body.id && message.status === 'sent',
      ),
    );
  });

  it('shows a conflict when another program reads the same bot, then takes the updates back', async () => {
    const token = newBot();
    const created = await tenant.admin.post('/api/v1/channels', {
      type: 'telegram',
      name: 'Shared',
      config: { token, apiRoot: telegram.url },
    });
    const id = created.body.id as number;
    await waitForStatus(id, 'connected');
    await eventually('our long poll to be waiting', () => telegram.bot(token).waiting);

    // Someone else polls with the token: Telegram ends our waiting request with 409.
    await fetch(`${telegram.url}/bot${token}/getUpdates`, { method: 'POST' });
    await socket.waitFor(
      'channel:status',
      (event) => event.channelId === id && event.status === 'conflict',
    );
    await waitForStatus(id, 'connected');

    telegram.pushUpdate(token, { message: telegram.message(5150, { text: 'still there?' }) });
    await ticketFor(id);
  });

  it('reports a rejected token and keeps retrying with backoff', async () => {
    const created = await tenant.admin.post('/api/v1/channels', {
      type: 'telegram',
      name: 'Revoked',
      config: { token: '123:revoked-token', apiRoot: telegram.url },
    });
    const id = created.body.id as number;
    // Between attempts the channel shows the failure and when the next try comes.
    const view = await eventually('the failure with a retry', async () => {
      const current = await status(id);
      return current.supervisor?.failures >= 2 && current.status === 'disconnected'
        ? current
        : undefined;
    });
    expect(view.reason).toMatch(/rejected the bot token.*Retrying in/);
    await tenant.admin.post(`/api/v1/channels/${id}/stop`);
    await waitForStatus(id, 'stopped');
  });

  it('keeps the history of a failing supervisor small by continuing as new, still searchable', async () => {
    const created = await tenant.admin.post('/api/v1/channels', {
      type: 'telegram',
      name: 'Long failing',
      config: { token: '124:revoked-too', apiRoot: telegram.url },
    });
    const id = created.body.id as number;
    const workflowId = channelSessionWorkflowId(tenant.tenantId, id);
    const { workflow } = stack.services.temporal;
    await workflow.getHandle(workflowId).terminate('restarted with a small history limit');
    const input: ChannelSessionInput = {
      tenantId: tenant.tenantId,
      channelId: id,
      backoff: { initialMs: 100, maxMs: 200 },
      historyLimit: 40,
    };
    await workflow.start('channelSessionWorkflow', {
      workflowId,
      taskQueue: stack.config.temporalTaskQueue,
      args: [input],
      typedSearchAttributes: searchAttributes({ TenantId: tenant.tenantId, ChannelId: id }),
    });

    const runs = await eventually(
      'two runs that continued as new',
      async () => {
        const found: string[] = [];
        const query = `ChannelId = "${id}" AND TenantId = "${tenant.tenantId}" AND ExecutionStatus = "ContinuedAsNew"`;
        for await (const run of workflow.list({ query })) found.push(run.runId);
        return found.length >= 2 ? found : undefined;
      },
      60_000,
    );
    const current = await workflow.getHandle(workflowId).describe();
    expect(current.status.name).toBe('RUNNING');
    expect(current.historyLength).toBeLessThan(80);
    // Every run ended after a failure; the count travels on, so the backoff keeps growing.
    const view = await status(id);
    expect(view.supervisor.failures).toBeGreaterThanOrEqual(runs.length);
    await tenant.admin.post(`/api/v1/channels/${id}/stop`);
  });

  it('fails a reply to someone who blocked the bot, saying why', async () => {
    const token = newBot();
    const created = await tenant.admin.post('/api/v1/channels', {
      type: 'telegram',
      name: 'Blocked',
      config: { token, apiRoot: telegram.url },
    });
    const id = created.body.id as number;
    await waitForStatus(id, 'connected');
    telegram.pushUpdate(token, { message: telegram.message(6060, { text: 'bye' }) });
    const ticket = await ticketFor(id);
    telegram.bot(token).blocked.add('6060');
    const reply = await tenant.admin.post(`/api/v1/tickets/${ticket.id}/messages`, {
      body: 'wait!',
    });
    const failed = await eventually(
      'the reply to fail',
      async () =>
        (await messagesOf(ticket.id)).find(
          (message) => message.id === reply.body.id && message.status === 'failed',
        ),
      30_000,
    );
    expect(failed.error).toMatch(/blocked by the user/);
  });
});

describe('Telegram in webhook mode', () => {
  it('registers the webhook on start and accepts only updates carrying the secret', async () => {
    const token = newBot();
    const created = await tenant.admin.post('/api/v1/channels', {
      type: 'telegram',
      name: 'Hooked',
      config: { token, apiRoot: telegram.url, mode: 'webhook' },
    });
    const id = created.body.id as number;
    expect(telegram.bot(token).webhook).toBeUndefined();

    const started = await tenant.admin.post(`/api/v1/channels/${id}/start`);
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: 'connected', supervisor: null });
    const hook = telegram.bot(token).webhook!;
    expect(hook.url).toBe(`${stack.config.publicUrl}/api/v1/webhooks/telegram/${id}`);
    expect(hook.secret).toEqual(expect.any(String));

    const anonymous = new HttpClient(stack.url);
    const path = `/api/v1/webhooks/telegram/${id}`;
    const update = {
      update_id: 1,
      message: telegram.message(3030, { text: 'via webhook' }, 'Rui'),
    };
    expect((await anonymous.request('POST', path, update)).status).toBe(403);
    expect(
      (
        await anonymous.request('POST', path, update, {
          'x-telegram-bot-api-secret-token': 'guess',
        })
      ).status,
    ).toBe(403);
    const accepted = await anonymous.request('POST', path, update, {
      'x-telegram-bot-api-secret-token': hook.secret!,
    });
    expect(accepted.status).toBe(200);
    // Telegram may deliver the same update twice; it is stored once.
    await anonymous.request('POST', path, update, {
      'x-telegram-bot-api-secret-token': hook.secret!,
    });
    const ticket = await ticketFor(id);
    expect(ticket.contact.name).toBe('Rui');
    expect(await messagesOf(ticket.id)).toHaveLength(1);

    expect((await tenant.admin.post(`/api/v1/channels/${id}/stop`)).body.status).toBe('stopped');
    expect(telegram.bot(token).webhook).toBeUndefined();
  });
});

describe('switching modes', () => {
  it('stops polling when a bot moves to webhooks, and polls again when it moves back', async () => {
    const token = newBot();
    const created = await tenant.admin.post('/api/v1/channels', {
      type: 'telegram',
      name: 'Switcher',
      config: { token, apiRoot: telegram.url },
    });
    const id = created.body.id as number;
    await waitForStatus(id, 'connected');

    await tenant.admin.patch(`/api/v1/channels/${id}`, { config: { mode: 'webhook' } });
    await waitForStatus(id, 'stopped');
    await eventually('the poller to end', async () => (await status(id)).supervisor === null);
    expect((await tenant.admin.post(`/api/v1/channels/${id}/start`)).body.status).toBe('connected');
    expect(telegram.bot(token).webhook).toBeDefined();

    await tenant.admin.patch(`/api/v1/channels/${id}`, { config: { mode: 'polling' } });
    await eventually('polling to take over from the webhook', async () => {
      const view = await status(id);
      return view.supervisor?.phase === 'running' && !telegram.bot(token).webhook;
    });
  });
});

let cachedToken: string | undefined;
async function loginToken(): Promise<string> {
  cachedToken ??= (
    await new HttpClient(stack.url).post('/api/v1/auth/login', {
      email: tenant.adminUser.email,
      password: tenant.adminUser.password,
    })
  ).body.accessToken;
  return cachedToken!;
}
