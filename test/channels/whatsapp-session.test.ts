// WhatsApp under session supervision, end to end through the API, Temporal and the database,
// with a fake whatsapp-web.js client standing in for the browser and the phone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createWorker, type ProcessWorkers } from '../../temporal/worker';
import { channelSessionWorkflowId } from '../../workflows/channel-session-api';
import { FakeWhatsappNetwork, type FakeWhatsappClient } from '../fakes/whatsapp-client';
import { createTenant, HttpClient, login, type TenantFixture } from '../support/http';
import { connectSocket, type EventRecorder } from '../support/socket';
import { startStack, type Stack } from '../support/stack';
import { eventually } from './support';

const network = new FakeWhatsappNetwork();
const drivers = { whatsappClient: network.factory };
let stack: Stack;
let tenant: TenantFixture;
let managerSocket: EventRecorder;
let restartedWorkers: { workers: ProcessWorkers; running: Promise<void> } | undefined;

beforeAll(async () => {
  stack = await startStack(
    {
      CHANNEL_SESSION_BACKOFF_MS: '300',
      CHANNEL_SESSION_MAX_BACKOFF_MS: '1500',
      CHANNEL_SESSION_HEARTBEAT_TIMEOUT_MS: '3000',
      CHANNEL_SESSION_CONNECT_TIMEOUT_MS: '5000',
    },
    { channelDrivers: drivers },
  );
  const superClient = await login(stack.url, stack.superLogin.email, stack.superLogin.password);
  tenant = await createTenant(stack.url, superClient);
  const signIn = await new HttpClient(stack.url).post('/api/v1/auth/login', {
    email: tenant.adminUser.email,
    password: tenant.adminUser.password,
  });
  managerSocket = await connectSocket(stack.url, { token: signIn.body.accessToken });
});

afterAll(async () => {
  managerSocket?.close();
  if (restartedWorkers) {
    restartedWorkers.workers.shutdown();
    await restartedWorkers.running;
  }
  await stack?.stop();
});

const clientsOf = (channelId: number) =>
  network.clients.filter((client) => client.options.clientId === `channel-${channelId}`);
const liveClient = (channelId: number) => clientsOf(channelId).find((client) => !client.destroyed);

async function session(channelId: number) {
  return (await tenant.admin.get(`/api/v1/channels/${channelId}/session`)).body;
}

async function waitForStatus(channelId: number, status: string, timeoutMs = 40_000) {
  return eventually(
    `channel ${channelId} to be ${status}`,
    async () => {
      const view = await session(channelId);
      return view.status === status ? view : undefined;
    },
    timeoutMs,
  );
}

async function connectedChannel(name: string): Promise<{ id: number; client: FakeWhatsappClient }> {
  const created = await tenant.admin.post('/api/v1/channels', {
    type: 'whatsapp',
    name,
    config: {},
  });
  expect(created.status).toBe(201);
  const id = created.body.id as number;
  await waitForStatus(id, 'qrcode');
  liveClient(id)!.scanQr();
  await waitForStatus(id, 'connected');
  return { id, client: liveClient(id)! };
}

async function ticketOf(channelId: number) {
  return eventually('a ticket for the inbound message', async () => {
    const list = await tenant.admin.get(`/api/v1/tickets?channelId=${channelId}`);
    return list.body.data?.[0];
  });
}

async function messagesOf(ticketId: number) {
  return (await tenant.admin.get(`/api/v1/tickets/${ticketId}/messages?limit=200`)).body
    .data as any[];
}

describe('WhatsApp session supervision', () => {
  it('shows the QR code live, connects once scanned, and reconnects by itself after a drop', async () => {
    const created = await tenant.admin.post('/api/v1/channels', {
      type: 'whatsapp',
      name: 'Sales',
      config: {},
    });
    const id = created.body.id as number;

    const qr = await waitForStatus(id, 'qrcode');
    expect(qr.qrCode).toMatch(/^data:image\/png;base64,/);
    await managerSocket.waitFor(
      'channel:status',
      (event) => event.channelId === id && event.status === 'qrcode' && event.qrCode,
    );
    expect(qr.supervisor).toMatchObject({ phase: 'running', hostQueue: stack.worker.sessionQueue });

    const first = liveClient(id)!;
    first.scanQr();
    await managerSocket.waitFor(
      'channel:status',
      (event) => event.channelId === id && event.status === 'authenticated',
    );
    await waitForStatus(id, 'connected');

    first.disconnect('NAVIGATION');
    await managerSocket.waitFor(
      'channel:status',
      (event) =>
        event.channelId === id &&
        event.status === 'disconnected' &&
        /Retrying in/.test(event.reason),
    );
    const back = await waitForStatus(id, 'connected');
    expect(back.qrCode).toBeNull();
    expect(first.destroyed).toBe(true);
    expect(clientsOf(id)).toHaveLength(2);
    expect(clientsOf(id).filter((client) => !client.destroyed)).toHaveLength(1);
  });

  it('stores what arrives: text, media, location, contact card, replies, edits, deletions and receipts', async () => {
    const { id, client } = await connectedChannel('Inbound');
    const person = '5511955554444@c.us';
    const hello = client.receive({ from: person, body: 'Oi, preciso de ajuda', pushname: 'Bruna' });
    const ticket = await ticketOf(id);
    expect(ticket.contact).toMatchObject({ name: 'Bruna', phone: '5511955554444' });

    client.receive({
      from: person,
      body: 'comprovante',
      media: { mimetype: 'image/jpeg', data: Buffer.from('jpeg-bytes'), filename: 'c.jpg' },
    });
    client.receive({
      from: person,
      type: 'ptt',
      media: { mimetype: 'audio/ogg; codecs=opus', data: Buffer.from('ogg') },
    });
    client.receive({
      from: person,
      type: 'document',
      body: '',
      media: { mimetype: 'application/pdf', data: Buffer.from('%PDF'), filename: 'boleto.pdf' },
    });
    client.receive({
      from: person,
      type: 'sticker',
      media: { mimetype: 'image/webp', data: Buffer.from('webp') },
    });
    client.receive({
      from: person,
      type: 'location',
      location: { latitude: -23.5, longitude: -46.6, description: 'Loja' },
    });
    client.receive({
      from: person,
      type: 'vcard',
      body: 'BEGIN:VCARD\nFN:Carlos Souza\nEND:VCARD',
      vCards: ['BEGIN:VCARD\nFN:Carlos Souza\nEND:VCARD'],
    });
    const reply = client.receive({
      from: person,
      body: 'sobre aquilo',
      quotedId: hello.id._serialized,
    });
    const typo = client.receive({ from: person, body: 'obrigda' });

    const stored = await eventually('all nine messages', async () => {
      const rows = await messagesOf(ticket.id);
      return rows.length === 9 ? rows : undefined;
    });
    const kinds = stored.map((message) => message.kind).sort();
    expect(kinds).toEqual(
      [
        'contact',
        'document',
        'image',
        'location',
        'sticker',
        'text',
        'text',
        'text',
        'voice',
      ].sort(),
    );
    expect(stored.find((message) => message.kind === 'document')).toMatchObject({
      mediaName: 'boleto.pdf',
      mediaType: 'application/pdf',
    });
    expect(stored.find((message) => message.kind === 'location')).toMatchObject({
      body: 'Loja',
      payload: { latitude: -23.5, longitude: -46.6 },
    });
    expect(stored.find((message) => message.kind === 'contact')?.body).toBe('Carlos Souza');
    expect(stored.find((message) => message.body === 'sobre aquilo')?.quotedMessage?.body).toBe(
      'Oi, preciso de ajuda',
    );

    client.edit(typo.id._serialized, 'obrigada');
    client.revoke(reply.id._serialized);
    await eventually('the edit and the deletion', async () => {
      const rows = await messagesOf(ticket.id);
      const edited = rows.find((message) => message.body === 'obrigada');
      const deleted = rows.find((message) => message.isDeleted);
      return edited?.isEdited && deleted;
    });

    const sent = await tenant.admin.post(`/api/v1/tickets/${ticket.id}/messages`, {
      body: 'Claro, como posso ajudar?',
    });
    expect(sent.status).toBe(201);
    const outbound = await eventually('the reply to reach WhatsApp', () =>
      network.sent.find((message) => message.body === 'Claro, como posso ajudar?'),
    );
    expect(outbound.chatId).toBe(person);
    client.ack(outbound.id, 3);
    await eventually('the read receipt', async () =>
      (await messagesOf(ticket.id)).find(
        (message) => message.id === sent.body.id && message.status === 'read',
      ),
    );
    // WhatsApp echoes our own send as a created message; it must not be stored a second time.
    const copies = (await messagesOf(ticket.id)).filter(
      (message) => message.body === 'Claro, como posso ajudar?',
    );
    expect(copies).toHaveLength(1);
  });

  it('ignores groups and rejects calls with a message when the settings say so', async () => {
    await tenant.admin.put('/api/v1/settings', { ignoreGroups: true });
    const created = await tenant.admin.post('/api/v1/channels', {
      type: 'whatsapp',
      name: 'Calls',
      config: { rejectCalls: true, rejectCallMessage: 'We only answer by text.' },
    });
    const id = created.body.id as number;
    await waitForStatus(id, 'qrcode');
    const client = liveClient(id)!;
    client.scanQr();
    await waitForStatus(id, 'connected');

    client.receive({
      from: '120363000000000001@g.us',
      author: '5511911112222@c.us',
      body: 'group chatter',
      chatName: 'Family',
    });
    expect(await client.call('5511933334444@c.us')).toBe(true);
    await eventually('the call rejection message', () =>
      network.sent.find(
        (message) =>
          message.chatId === '5511933334444@c.us' && message.body === 'We only answer by text.',
      ),
    );
    const tickets = await tenant.admin.get(`/api/v1/tickets?channelId=${id}`);
    expect(tickets.body.data).toHaveLength(0);
    await tenant.admin.put('/api/v1/settings', { ignoreGroups: false });
  });

  it('delivers a reply sent while the session reconnects, exactly once', async () => {
    const { id, client } = await connectedChannel('Queued');
    const person = '5511977776666@c.us';
    client.receive({ from: person, body: 'Alguém aí?' });
    const ticket = await ticketOf(id);

    network.failInitialize = 'net::ERR_INTERNET_DISCONNECTED';
    client.disconnect('TIMEOUT');
    await waitForStatus(id, 'disconnected');
    const sent = await tenant.admin.post(`/api/v1/tickets/${ticket.id}/messages`, {
      body: 'Estamos aqui!',
    });
    expect(sent.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(network.sent.filter((message) => message.body === 'Estamos aqui!')).toHaveLength(0);

    network.failInitialize = undefined;
    await waitForStatus(id, 'connected');
    await eventually(
      'the queued reply to be sent',
      async () =>
        (await messagesOf(ticket.id)).find(
          (message) => message.id === sent.body.id && message.status === 'sent',
        ),
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(network.sent.filter((message) => message.body === 'Estamos aqui!')).toHaveLength(1);
  });

  it('restarts a session whose page stops answering the watchdog', async () => {
    const { id, client } = await connectedChannel('Hung');
    client.hang();
    await managerSocket.waitFor(
      'channel:status',
      (event) =>
        event.channelId === id &&
        event.status === 'disconnected' &&
        /stopped responding/.test(event.reason),
      15_000,
    );
    await waitForStatus(id, 'connected');
    expect(client.destroyed).toBe(true);
    expect(liveClient(id)).not.toBe(client);
  });

  it('logout forgets the login and asks for a new QR code; stop ends supervision until started again', async () => {
    const { id, client } = await connectedChannel('Lifecycle');

    const loggedOut = await tenant.admin.post(`/api/v1/channels/${id}/logout`);
    expect(loggedOut.status).toBe(202);
    await waitForStatus(id, 'qrcode');
    expect(client.loggedIn).toBe(false);
    expect(liveClient(id)).not.toBe(client);

    liveClient(id)!.scanQr();
    await waitForStatus(id, 'connected');
    expect((await tenant.admin.post(`/api/v1/channels/${id}/stop`)).status).toBe(202);
    const stopped = await waitForStatus(id, 'stopped');
    await eventually('the supervisor to end', async () => (await session(id)).supervisor === null);
    expect(stopped.reason).toMatch(/Stopped/);
    expect(liveClient(id)).toBeUndefined();

    await tenant.admin.post(`/api/v1/channels/${id}/start`);
    await waitForStatus(id, 'connected');

    const restarted = await tenant.admin.post(`/api/v1/channels/${id}/restart`);
    expect(restarted.status).toBe(202);
    await eventually('a new client after the restart', () => clientsOf(id).length >= 4);
    await waitForStatus(id, 'connected');
    expect(clientsOf(id).filter((each) => !each.destroyed)).toHaveLength(1);
  });

  it('lets only managers of the tenant control a channel', async () => {
    const { id } = await connectedChannel('Guarded');
    const superClient = await login(stack.url, stack.superLogin.email, stack.superLogin.password);
    const other = await createTenant(stack.url, superClient);
    expect((await other.admin.post(`/api/v1/channels/${id}/stop`)).status).toBe(404);
    expect((await other.admin.get(`/api/v1/channels/${id}/session`)).status).toBe(404);
    expect((await new HttpClient(stack.url).post(`/api/v1/channels/${id}/restart`)).status).toBe(
      401,
    );
    expect((await tenant.admin.post(`/api/v1/channels/${id}/logout`)).status).toBe(202);
  });

  it('tags every supervision run with TenantId and ChannelId for the Temporal Web UI', async () => {
    const { id } = await connectedChannel('Searchable');
    const workflowId = channelSessionWorkflowId(tenant.tenantId, id);
    const found = await eventually('the run in the visibility store', async () => {
      const ids: string[] = [];
      const query = `TenantId = "${tenant.tenantId}" AND ChannelId = "${id}" AND WorkflowType = "channelSessionWorkflow"`;
      for await (const run of stack.services.temporal.workflow.list({ query }))
        ids.push(run.workflowId);
      return ids.length ? ids : undefined;
    });
    expect(found).toContain(workflowId);
  });

  it('brings connected channels back by themselves after the whole stack restarts', async () => {
    const { id } = await connectedChannel('Survivor');
    const lost = await connectedChannel('Lost state');

    stack.worker.shutdown();
    await eventually(
      'the sessions to close with their worker',
      () => !liveClient(id) && !liveClient(lost.id),
    );
    expect((await session(id)).status).toBe('disconnected');
    // The second channel's supervisor is lost too, as with a Temporal server that kept no state.
    await stack.services.temporal.workflow
      .getHandle(channelSessionWorkflowId(tenant.tenantId, lost.id))
      .terminate();

    const workers = await createWorker(stack.services, {
      address: inject('temporalAddress'),
      taskQueue: stack.config.temporalTaskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      channelDrivers: drivers,
    });
    restartedWorkers = { workers, running: workers.run() };

    const survivor = await waitForStatus(id, 'connected', 40_000);
    expect(survivor.supervisor.hostQueue).toBe(workers.sessionQueue);
    await waitForStatus(lost.id, 'connected', 40_000);
  });
});
