// Tenant isolation, resource by resource: a user of one company gets the same plain 404 for
// another company's record as for an id that was never issued — asked for directly, guessed,
// named inside a request body, searched for, or broadcast on a socket.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, HttpClient, login } from './support/http';
import { connectSocket, type EventRecorder } from './support/socket';
import { startStack, type Stack } from './support/stack';
import { eventually, Visitor } from './support/webchat';

type Resource =
  'queue' | 'tag' | 'quickReply' | 'user' | 'channel' | 'contact' | 'ticket' | 'message';
type Role = 'admin' | 'agent';
type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

interface Company {
  /** Written into every name and text the company creates, so a leak shows up in any answer. */
  label: string;
  tenantId: number;
  admin: HttpClient;
  agent: HttpClient;
  visitor: Visitor;
  /** One record of each kind; `user` is the agent, `message` the agent's reply with a file. */
  ids: Record<Resource, number>;
}

const NEVER_ISSUED = 2_000_000_000;
const PASSWORD = 'tenancy-pass-123';
const run = crypto.randomBytes(3).toString('hex');

let stack: Stack;
let alpha: Company;
let bravo: Company;
let bravoBefore: unknown;

async function created(client: HttpClient, path: string, body: unknown) {
  const reply = await client.post(`/api/v1${path}`, body);
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body;
}

async function sendFile(client: HttpClient, ticketId: number, text: string) {
  const form = new FormData();
  form.append('body', text);
  form.append(
    'file',
    new Blob([Buffer.from(`%PDF-1.4 ${text}`)], { type: 'application/pdf' }),
    'recibo.pdf',
  );
  const reply = await fetch(`${stack.url}/api/v1/tickets/${ticketId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${client.token}` },
    body: form,
  });
  expect(reply.status).toBe(201);
  return (await reply.json()) as { id: number };
}

/** A company with one of everything; a web chat visitor opens its ticket, answered with a file. */
async function seedCompany(superClient: HttpClient, label: string): Promise<Company> {
  const { tenantId, admin } = await createTenant(stack.url, superClient, `${label} Ltda`);
  const queue = await created(admin, '/queues', { name: `${label} Suporte`, slaMinutes: 30 });
  const tag = await created(admin, '/tags', { name: `${label}-vip`, color: '#aa0000' });
  const quickReply = await created(admin, '/quick-replies', {
    shortcut: `${label}-oi`,
    body: `${label} olá, em que posso ajudar?`,
  });
  const settings = await admin.put('/api/v1/settings', { outOfHoursMessage: `${label} fechado` });
  expect(settings.status).toBe(200);

  const email = `${label}-agent@example.com`;
  const user = await created(admin, '/users', {
    name: `${label} Agente`,
    email,
    password: PASSWORD,
    role: 'agent',
    queueIds: [queue.id],
  });
  const agent = await login(stack.url, email, PASSWORD);

  const webchat = await created(admin, '/channels', {
    type: 'webchat',
    name: `${label} Site`,
    queueId: queue.id,
  });
  await created(admin, '/channels', {
    type: 'messenger',
    name: `${label} Página`,
    config: {
      pageId: '1001',
      pageAccessToken: 'page-token',
      appSecret: 'app-secret',
      verifyToken: 'verify',
    },
  });
  const contact = await created(admin, '/contacts', {
    name: `${label} Cliente`,
    phone: '+55 11 99999-0000',
    customFields: { plano: `${label} ouro` },
    tagIds: [tag.id],
  });

  const visitor = new Visitor(
    stack.url,
    webchat.widgetToken,
    `${label}-visitor`,
    `${label} Visitante`,
  );
  expect((await visitor.say(`${label} preciso de ajuda`)).status).toBe(201);
  const tickets = await admin.get(`/api/v1/tickets?channelId=${webchat.id}`);
  const ticketId = tickets.body.data[0].id;
  expect((await agent.post(`/api/v1/tickets/${ticketId}/accept`)).status).toBe(200);
  const reply = await sendFile(agent, ticketId, `${label} segue o recibo`);
  await eventually(
    () => admin.get(`/api/v1/tickets/${ticketId}/messages`),
    (page) => page.body.data.every((message: { status: string }) => message.status !== 'pending'),
  );

  return {
    label,
    tenantId,
    admin,
    agent,
    visitor,
    ids: {
      queue: queue.id,
      tag: tag.id,
      quickReply: quickReply.id,
      user: user.id,
      channel: webchat.id,
      contact: contact.id,
      ticket: ticketId,
      message: reply.id,
    },
  };
}

/** Everything a company's manager can read about its records, to prove nobody else changed them. */
async function recordsOf(company: Company) {
  const { admin, ids } = company;
  const paths = [
    `/queues/${ids.queue}`,
    `/tags/${ids.tag}`,
    `/quick-replies/${ids.quickReply}`,
    `/users/${ids.user}`,
    `/channels/${ids.channel}`,
    `/contacts/${ids.contact}`,
    `/tickets/${ids.ticket}`,
    `/tickets/${ids.ticket}/messages`,
    `/tickets/${ids.ticket}/events`,
    '/settings',
  ];
  const replies = await Promise.all(paths.map((path) => admin.get(`/api/v1${path}`)));
  return Object.fromEntries(paths.map((path, i) => [path, replies[i].body]));
}

const actorsOf = (company: () => Company) => [
  { role: 'admin' as Role, client: () => company().admin },
  { role: 'agent' as Role, client: () => company().agent },
];

/** The ids of a table's rows that belong to the tenant. */
async function ownIds(table: string, tenantId: number, onlyMedia = false): Promise<number[]> {
  const rows = stack.services.db(table).where({ tenantId });
  if (onlyMedia) rows.whereNotNull('mediaPath');
  return (await rows.pluck('id')).map(Number);
}

beforeAll(async () => {
  stack = await startStack();
  const superClient = await login(stack.url, stack.superLogin.email, stack.superLogin.password);
  alpha = await seedCompany(superClient, `alpha${run}`);
  bravo = await seedCompany(superClient, `bravo${run}`);
  bravoBefore = await recordsOf(bravo);
});
afterAll(() => stack?.stop());

interface ForeignRecordCase {
  route: string;
  method: Method;
  resource: Resource;
  path: (id: number) => string;
  /** A valid body, so the only thing wrong with the request is whose record it names. */
  body?: () => unknown;
  /** Roles the route serves at all; any other role is refused before a record is looked up. */
  roles: Role[];
}

const everyone: Role[] = ['admin', 'agent'];
const managers: Role[] = ['admin'];

function recordRoutes(
  base: string,
  resource: Resource,
  patch: () => unknown,
  writers: Role[] = managers,
): ForeignRecordCase[] {
  const path = (id: number) => `${base}/${id}`;
  return [
    { route: `GET ${base}/:id`, method: 'GET', resource, path, roles: everyone },
    { route: `PATCH ${base}/:id`, method: 'PATCH', resource, path, body: patch, roles: writers },
    { route: `DELETE ${base}/:id`, method: 'DELETE', resource, path, roles: managers },
  ];
}

function ticketRoute(method: Method, action: string, body?: () => unknown): ForeignRecordCase {
  return {
    route: `${method} /tickets/:id${action}`,
    method,
    resource: 'ticket',
    path: (id) => `/tickets/${id}${action}`,
    body,
    roles: everyone,
  };
}

const foreignRecordCases: ForeignRecordCase[] = [
  ...recordRoutes('/queues', 'queue', () => ({ color: '#00ff00' })),
  ...recordRoutes('/tags', 'tag', () => ({ name: 'renamed' })),
  ...recordRoutes('/quick-replies', 'quickReply', () => ({ body: 'changed' })),
  ...recordRoutes('/users', 'user', () => ({ name: 'Renamed', active: false })),
  ...recordRoutes('/channels', 'channel', () => ({ name: 'Renamed' })),
  ...recordRoutes('/contacts', 'contact', () => ({ name: 'Renamed' }), everyone),
  ticketRoute('GET', ''),
  ticketRoute('GET', '/messages'),
  ticketRoute('GET', '/events'),
  ticketRoute('POST', '/accept'),
  ticketRoute('POST', '/transfer', () => ({ queueId: alpha.ids.queue, note: 'mine now' })),
  ticketRoute('POST', '/close', () => ({ reason: 'closed by a stranger' })),
  ticketRoute('POST', '/reopen'),
  ticketRoute('POST', '/messages', () => ({ body: 'hello from another company' })),
  {
    route: 'GET /messages/:id/media',
    method: 'GET',
    resource: 'message',
    path: (id) => `/messages/${id}/media`,
    roles: everyone,
  },
];

describe.each(actorsOf(() => alpha))("another company's $role", ({ role, client }) => {
  it.each(foreignRecordCases)(
    'gets the answer of a never-issued id for $route',
    async ({ method, resource, path, body, roles }) => {
      const send = (id: number) => client().request(method, `/api/v1${path(id)}`, body?.());

      const foreign = await send(bravo.ids[resource]);
      const unknown = await send(NEVER_ISSUED);

      expect(foreign.status).toBe(roles.includes(role) ? 404 : 403);
      expect(foreign.body).toEqual(unknown.body);
      expect(JSON.stringify(foreign.body)).not.toContain(bravo.label);
    },
  );
});

describe('the company whose records were asked for', () => {
  it('finds every record exactly as it was', async () => {
    expect(await recordsOf(bravo)).toEqual(bravoBefore);
  });
});

const guessable = [
  { route: '/queues/:id', table: 'queues' },
  { route: '/tags/:id', table: 'tags' },
  { route: '/quick-replies/:id', table: 'quick_replies' },
  { route: '/users/:id', table: 'users' },
  { route: '/channels/:id', table: 'channels' },
  { route: '/contacts/:id', table: 'contacts' },
  { route: '/tickets/:id', table: 'tickets' },
  { route: '/messages/:id/media', table: 'messages', onlyMedia: true },
];

describe('guessing sequential ids', () => {
  it.each(guessable)(
    '$route answers only for the caller’s own rows',
    async ({ route, table, onlyMedia }) => {
      const mine = await ownIds(table, alpha.tenantId, onlyMedia);
      const theirs = await ownIds(table, bravo.tenantId);
      const highest = Math.max(...mine, ...theirs);
      const ids = Array.from({ length: highest + 2 }, (_, i) => i + 1);
      expect(theirs.length).toBeGreaterThan(0);

      const answers: Record<number, number> = {};
      for (const id of ids) {
        const reply = await alpha.admin.get(`/api/v1${route.replace(':id', String(id))}`);
        expect(JSON.stringify(reply.body ?? '')).not.toContain(bravo.label);
        answers[id] = reply.status;
      }

      const expected = Object.fromEntries(ids.map((id) => [id, mine.includes(id) ? 200 : 404]));
      expect(answers).toEqual(expected);
    },
  );
});

interface ForeignReferenceCase {
  name: string;
  actor: Role;
  request: () => [Method, string, unknown];
  /** What the caller would see change if the request had been carried out. */
  state: () => Promise<unknown>;
}

const adminGet = async (path: string) => (await alpha.admin.get(`/api/v1${path}`)).body;
const ticketState = async () => ({
  ticket: await adminGet(`/tickets/${alpha.ids.ticket}`),
  events: await adminGet(`/tickets/${alpha.ids.ticket}/events`),
});
const ticketMessages = () => adminGet(`/tickets/${alpha.ids.ticket}/messages`);
const contactNamed = (name: string) => () => adminGet(`/contacts?q=${encodeURIComponent(name)}`);
const contact = () => adminGet(`/contacts/${alpha.ids.contact}`);

const foreignReferenceCases: ForeignReferenceCase[] = [
  {
    name: "creating a user in the other company's queue",
    actor: 'admin',
    request: () => [
      'POST',
      '/users',
      {
        name: 'Intruder',
        email: `intruder-${run}@example.com`,
        password: PASSWORD,
        role: 'agent',
        queueIds: [bravo.ids.queue],
      },
    ],
    state: () => adminGet(`/users?q=intruder-${run}`),
  },
  {
    name: "adding a user to the other company's queue",
    actor: 'admin',
    request: () => [
      'PATCH',
      `/users/${alpha.ids.user}`,
      { queueIds: [alpha.ids.queue, bravo.ids.queue] },
    ],
    state: () => adminGet(`/users/${alpha.ids.user}`),
  },
  {
    name: "transferring a ticket to the other company's queue",
    actor: 'agent',
    request: () => ['POST', `/tickets/${alpha.ids.ticket}/transfer`, { queueId: bravo.ids.queue }],
    state: ticketState,
  },
  {
    name: "transferring a ticket to the other company's agent",
    actor: 'agent',
    request: () => ['POST', `/tickets/${alpha.ids.ticket}/transfer`, { userId: bravo.ids.user }],
    state: ticketState,
  },
  {
    name: "creating a contact with the other company's tag",
    actor: 'agent',
    request: () => ['POST', '/contacts', { name: `Tagged ${run}`, tagIds: [bravo.ids.tag] }],
    state: contactNamed(`Tagged ${run}`),
  },
  {
    name: "tagging a contact with the other company's tag",
    actor: 'agent',
    request: () => ['PATCH', `/contacts/${alpha.ids.contact}`, { tagIds: [bravo.ids.tag] }],
    state: contact,
  },
  {
    name: "creating a contact owned by the other company's user",
    actor: 'agent',
    request: () => ['POST', '/contacts', { name: `Owned ${run}`, ownerUserId: bravo.ids.user }],
    state: contactNamed(`Owned ${run}`),
  },
  {
    name: "handing a contact to the other company's user",
    actor: 'admin',
    request: () => ['PATCH', `/contacts/${alpha.ids.contact}`, { ownerUserId: bravo.ids.user }],
    state: contact,
  },
  {
    name: "creating a channel on the other company's queue",
    actor: 'admin',
    request: () => [
      'POST',
      '/channels',
      { type: 'webchat', name: `Stolen ${run}`, queueId: bravo.ids.queue },
    ],
    state: () => adminGet('/channels'),
  },
  {
    name: "pointing a channel at the other company's queue",
    actor: 'admin',
    request: () => ['PATCH', `/channels/${alpha.ids.channel}`, { queueId: bravo.ids.queue }],
    state: () => adminGet(`/channels/${alpha.ids.channel}`),
  },
  {
    name: "replying with the other company's quick reply",
    actor: 'agent',
    request: () => [
      'POST',
      `/tickets/${alpha.ids.ticket}/messages`,
      { quickReplyId: bravo.ids.quickReply },
    ],
    state: ticketMessages,
  },
  {
    name: "quoting the other company's message",
    actor: 'agent',
    request: () => [
      'POST',
      `/tickets/${alpha.ids.ticket}/messages`,
      { body: 'as you said', quotedMessageId: bravo.ids.message },
    ],
    state: ticketMessages,
  },
];

describe("naming the other company's records in a request", () => {
  it.each(foreignReferenceCases)('refuses $name with 404 and writes nothing', async (kase) => {
    const client = kase.actor === 'admin' ? alpha.admin : alpha.agent;
    const [method, path, body] = kase.request();
    const before = await kase.state();

    const reply = await client.request(method, `/api/v1${path}`, body);

    expect(reply.status, JSON.stringify(reply.body)).toBe(404);
    expect(reply.body.error.code).toBe('not_found');
    expect(JSON.stringify(reply.body)).not.toContain(bravo.label);
    expect(await kase.state()).toEqual(before);
  });
});

const listRoutes = [
  '/queues',
  '/tags',
  '/quick-replies',
  '/users',
  '/channels',
  '/contacts',
  '/tickets',
  '/tickets?status=open',
  '/tickets/counts',
  '/settings',
];

/** Searches and filters that name the other company's records or words. */
const searchesForTheOther = [
  { route: '/users?q=<their label>', path: () => `/users?q=${bravo.label}` },
  { route: '/users?queueId=<their queue>', path: () => `/users?queueId=${bravo.ids.queue}` },
  { route: '/contacts?q=<their label>', path: () => `/contacts?q=${bravo.label}` },
  { route: '/contacts?tagId=<their tag>', path: () => `/contacts?tagId=${bravo.ids.tag}` },
  { route: '/queues?q=<their label>', path: () => `/queues?q=${bravo.label}` },
  { route: '/tags?q=<their label>', path: () => `/tags?q=${bravo.label}` },
  { route: '/quick-replies?q=<their label>', path: () => `/quick-replies?q=${bravo.label}` },
  { route: '/tickets?q=<their label>', path: () => `/tickets?q=${bravo.label}` },
  { route: '/tickets?queueId=<their queue>', path: () => `/tickets?queueId=${bravo.ids.queue}` },
  { route: '/tickets?userId=<their agent>', path: () => `/tickets?userId=${bravo.ids.user}` },
  {
    route: '/tickets?channelId=<their channel>',
    path: () => `/tickets?channelId=${bravo.ids.channel}`,
  },
  {
    route: '/tickets?contactId=<their contact>',
    path: () => `/tickets?contactId=${bravo.ids.contact}`,
  },
  { route: '/tickets?tagId=<their tag>', path: () => `/tickets?tagId=${bravo.ids.tag}` },
];

describe.each(actorsOf(() => alpha))("the $role's lists", ({ client }) => {
  it.each(listRoutes)('%s holds only the company’s own rows', async (route) => {
    const reply = await client().get(`/api/v1${route}`);

    expect(reply.status).toBe(200);
    expect(JSON.stringify(reply.body)).not.toContain(bravo.label);
    const rows = Array.isArray(reply.body.data) ? reply.body.data : [];
    expect(rows.every((row: { tenantId?: number }) => row.tenantId === alpha.tenantId)).toBe(true);
  });

  it.each(searchesForTheOther)('finds nothing with $route', async ({ path }) => {
    const reply = await client().get(`/api/v1${path()}`);

    expect(reply.status).toBe(200);
    expect(reply.body.data).toEqual([]);
  });

  it('counts only the company’s own tickets', async () => {
    const counts = (await client().get('/api/v1/tickets/counts')).body;
    const total = Object.values(counts as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(total).toBe((await ownIds('tickets', alpha.tenantId)).length);
  });
});

describe('realtime', () => {
  let alphaAgent: EventRecorder;
  let alphaAdmin: EventRecorder;
  let bravoAdmin: EventRecorder;

  beforeAll(async () => {
    alphaAgent = await connectSocket(stack.url, { token: alpha.agent.token as string });
    alphaAdmin = await connectSocket(stack.url, { token: alpha.admin.token as string });
    bravoAdmin = await connectSocket(stack.url, { token: bravo.admin.token as string });
  });
  afterAll(() => [alphaAgent, alphaAdmin, bravoAdmin].forEach((socket) => socket?.close()));

  /** The tenants that own the stored events with these sequence numbers. */
  async function ownersOf(seqs: number[]): Promise<number[]> {
    const rows = await stack.services
      .db('realtime_events')
      .whereIn('id', seqs)
      .distinct('tenantId');
    return rows.map((row: { tenantId: number }) => Number(row.tenantId));
  }

  it("keeps the other company's conversation off an agent's socket", async () => {
    const joined = await alphaAgent.socket.emitWithAck('ticket:join', bravo.ids.ticket);
    expect(joined).toBe(false);

    const text = `${bravo.label} ainda estou esperando`;
    const said = await bravo.visitor.say(text);
    await bravoAdmin.waitFor('message:created', (p) => p.message.id === said.body.id);
    const answer = await bravo.admin.post(`/api/v1/tickets/${bravo.ids.ticket}/messages`, {
      body: `${bravo.label} já respondo`,
    });
    await bravoAdmin.waitFor(
      'message:updated',
      (p) => p.message.id === answer.body.id && p.message.status === 'sent',
    );
    const mark = `${alpha.label} sinal`;
    await alpha.visitor.say(mark);
    await alphaAgent.waitFor('message:created', (p) => p.message.body === mark);
    await alphaAdmin.waitFor('message:created', (p) => p.message.body === mark);

    for (const socket of [alphaAgent, alphaAdmin]) {
      expect(JSON.stringify(socket.received)).not.toContain(bravo.label);
      const seqs = socket.received.map((entry) => entry.payload.seq);
      expect(seqs.every((seq) => typeof seq === 'number')).toBe(true);
      expect(await ownersOf(seqs)).toEqual([alpha.tenantId]);
    }
  });

  it.each(actorsOf(() => alpha))(
    "replays none of the other company's events to the $role",
    async ({ client }) => {
      const reply = await client().get('/api/v1/events?after=0');
      const seqs = reply.body.data.map((event: { seq: number }) => event.seq);

      expect(seqs.length).toBeGreaterThan(0);
      expect(JSON.stringify(reply.body)).not.toContain(bravo.label);
      expect(await ownersOf(seqs)).toEqual([alpha.tenantId]);
    },
  );
});
