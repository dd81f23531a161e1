import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchAttributes } from '../temporal/search-attributes';
import { createAgent, createTenant, HttpClient, login, type TenantFixture } from './support/http';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let superClient: HttpClient;
let tenant: TenantFixture;

beforeAll(async () => {
  stack = await startStack();
  superClient = await login(stack.url, stack.superLogin.email, stack.superLogin.password);
  tenant = await createTenant(stack.url, superClient);
});
afterAll(() => stack?.stop());

describe('health', () => {
  it('reports the process up and its dependencies ready', async () => {
    const anonymous = new HttpClient(stack.url);
    expect((await anonymous.get('/health')).status).toBe(200);
    const ready = await anonymous.get('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', database: 'up', temporal: 'up' });
  });
});

describe('sign-in', () => {
  it('issues an access token and a rotating httpOnly refresh cookie', async () => {
    const anonymous = new HttpClient(stack.url);
    const reply = await anonymous.post('/api/v1/auth/login', {
      email: tenant.adminUser.email.toUpperCase(),
      password: tenant.adminUser.password,
    });
    expect(reply.status).toBe(200);
    expect(reply.body.user).toMatchObject({ email: tenant.adminUser.email, role: 'admin' });
    expect(reply.body.user.passwordHash).toBeUndefined();
    const cookie = reply.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/tt_refresh=.+HttpOnly/i);
    const refreshCookie = cookie.split(';')[0];

    const refreshed = await anonymous.request(
      'POST',
      '/api/v1/auth/refresh',
      {},
      { cookie: refreshCookie },
    );
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.accessToken).toEqual(expect.any(String));

    // The old refresh token was used once already: reusing it revokes the whole family.
    const reused = await anonymous.request(
      'POST',
      '/api/v1/auth/refresh',
      {},
      { cookie: refreshCookie },
    );
    expect(reused.status).toBe(401);
    const next = (refreshed.headers.get('set-cookie') ?? '').split(';')[0];
    const afterTheft = await anonymous.request(
      'POST',
      '/api/v1/auth/refresh',
      {},
      { cookie: next },
    );
    expect(afterTheft.status).toBe(401);
  });

  it('logout revokes the refresh token', async () => {
    const anonymous = new HttpClient(stack.url);
    const reply = await anonymous.post('/api/v1/auth/login', {
      email: tenant.adminUser.email,
      password: tenant.adminUser.password,
    });
    const cookie = (reply.headers.get('set-cookie') ?? '').split(';')[0];
    expect((await anonymous.request('POST', '/api/v1/auth/logout', {}, { cookie })).status).toBe(
      204,
    );
    expect((await anonymous.request('POST', '/api/v1/auth/refresh', {}, { cookie })).status).toBe(
      401,
    );
  });

  it('rejects a wrong password and then rate-limits the account', async () => {
    const anonymous = new HttpClient(stack.url);
    const attempt = () =>
      anonymous.post('/api/v1/auth/login', { email: tenant.adminUser.email, password: 'wrong' });
    expect((await attempt()).status).toBe(401);
    let last = 401;
    for (let i = 0; i < 12; i += 1) last = (await attempt()).status;
    expect(last).toBe(429);
  });

  it('names the field that is wrong', async () => {
    const reply = await new HttpClient(stack.url).post('/api/v1/auth/login', { email: 'nope' });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('validation_failed');
    expect(reply.body.error.details.map((detail: { path: string }) => detail.path)).toEqual(
      expect.arrayContaining(['email', 'password']),
    );
  });

  it('answers 401 without a token', async () => {
    expect((await new HttpClient(stack.url).get('/api/v1/queues')).status).toBe(401);
  });

  it('keeps users of a suspended company out', async () => {
    const other = await createTenant(stack.url, superClient);
    expect((await other.admin.get('/api/v1/queues')).status).toBe(200);
    const widget = (await other.admin.post('/api/v1/channels', { type: 'webchat', name: 'Site' }))
      .body.widgetToken;
    const visit = () =>
      new HttpClient(stack.url).post(`/api/v1/public/webchat/${widget}/messages`, {
        visitorId: 'v1',
        text: 'oi',
      });
    expect((await visit()).status).toBe(201);
    await superClient.patch(`/api/v1/tenants/${other.tenantId}`, { status: 'suspended' });
    expect((await other.admin.get('/api/v1/queues')).status).toBe(401);
    expect((await visit()).status).toBe(404);
    const relogin = await new HttpClient(stack.url).post('/api/v1/auth/login', {
      email: other.adminUser.email,
      password: other.adminUser.password,
    });
    expect(relogin.status).toBe(403);
  });
});

describe('roles', () => {
  it('only the super user manages tenants', async () => {
    expect((await tenant.admin.get('/api/v1/tenants')).status).toBe(403);
    expect((await superClient.get('/api/v1/tenants')).status).toBe(200);
  });

  it('agents work tickets but cannot manage the catalogue or users', async () => {
    const agent = await createAgent(stack.url, tenant.admin);
    expect((await agent.client.get('/api/v1/queues')).status).toBe(200);
    expect((await agent.client.post('/api/v1/queues', { name: 'Sneaky' })).status).toBe(403);
    expect(
      (
        await agent.client.post('/api/v1/users', {
          name: 'x',
          email: 'x@x.io',
          password: '12345678',
          role: 'admin',
        })
      ).status,
    ).toBe(403);
  });
});

describe('resources', () => {
  it('creates, lists, changes and deletes queues', async () => {
    const created = await tenant.admin.post('/api/v1/queues', {
      name: 'Sales',
      distribution: 'round_robin',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Sales',
      distribution: 'round_robin',
      tenantId: tenant.tenantId,
    });

    const duplicate = await tenant.admin.post('/api/v1/queues', { name: 'Sales' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.details[0].path).toBe('name');

    const changed = await tenant.admin.patch(`/api/v1/queues/${created.body.id}`, {
      color: '#ff0000',
    });
    expect(changed.body.color).toBe('#ff0000');
    const bad = await tenant.admin.patch(`/api/v1/queues/${created.body.id}`, { color: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('color');

    const list = await tenant.admin.get('/api/v1/queues?q=sal');
    expect(list.body.data.map((queue: { name: string }) => queue.name)).toContain('Sales');
    expect((await tenant.admin.delete(`/api/v1/queues/${created.body.id}`)).status).toBe(204);
    expect((await tenant.admin.get(`/api/v1/queues/${created.body.id}`)).status).toBe(404);
  });

  it('paginates lists with a cursor', async () => {
    for (let i = 0; i < 5; i += 1) await tenant.admin.post('/api/v1/tags', { name: `page-${i}` });
    const first = await tenant.admin.get('/api/v1/tags?limit=3');
    expect(first.body.data).toHaveLength(3);
    const second = await tenant.admin.get(`/api/v1/tags?limit=3&cursor=${first.body.nextCursor}`);
    const names = [...first.body.data, ...second.body.data].map(
      (tag: { name: string }) => tag.name,
    );
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['page-0', 'page-4']));
  });

  it('creates users who can sign in with the queues they were given', async () => {
    const queue = await tenant.admin.post('/api/v1/queues', { name: 'Support' });
    const agent = await createAgent(stack.url, tenant.admin, [queue.body.id]);
    const me = await agent.client.get('/api/v1/auth/me');
    expect(me.body.user).toMatchObject({
      role: 'agent',
      queueIds: [queue.body.id],
      tenantId: tenant.tenantId,
    });
  });

  it('enforces the tenant user limit', async () => {
    const limited = await superClient.post('/api/v1/tenants', {
      name: 'Tiny',
      maxUsers: 1,
      admin: { name: 'Only', email: `only-${Date.now()}@example.com`, password: 'only-pass-123' },
    });
    const admin = await login(stack.url, limited.body.admin.email, 'only-pass-123');
    const reply = await admin.post('/api/v1/users', {
      name: 'Extra',
      email: `extra-${Date.now()}@example.com`,
      password: 'extra-pass-123',
      role: 'agent',
    });
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe('limit_reached');
  });

  it('keeps settings with defaults and validates them', async () => {
    const initial = await tenant.admin.get('/api/v1/settings');
    expect(initial.body.data).toMatchObject({
      timeZone: 'America/Sao_Paulo',
      autoCloseMinutes: null,
    });
    const saved = await tenant.admin.put('/api/v1/settings', {
      timeZone: 'Europe/Lisbon',
      businessHours: { mon: [{ start: '08:00', end: '18:00' }] },
      ignoreGroups: true,
    });
    expect(saved.body.data).toMatchObject({ timeZone: 'Europe/Lisbon', ignoreGroups: true });
    const bad = await tenant.admin.put('/api/v1/settings', { timeZone: 'Mars/Base', colour: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((detail: { path: string }) => detail.path)).toContain(
      'timeZone',
    );
  });
});

describe('API description', () => {
  it('publishes an OpenAPI document and a docs page', async () => {
    const anonymous = new HttpClient(stack.url);
    const doc = await anonymous.get('/api/v1/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(doc.body.paths['/queues'].post.requestBody).toBeDefined();
    expect(doc.body.paths['/users/{id}'].patch).toBeDefined();
    const page = await anonymous.get('/api/docs');
    expect(page.status).toBe(200);
    expect(String(page.body)).toContain('swagger-ui-bundle.js');
    const init = await anonymous.get('/api/docs/init.js');
    expect(String(init.body)).toContain('/api/v1/openapi.json');
  });
});

describe('web app', () => {
  it.skipIf(!fs.existsSync('web/dist/index.html'))(
    'serves the built app, its scripts gzipped',
    async () => {
      const page = await fetch(`${stack.url}/tickets/42`);
      const html = await page.text();
      expect(html).toContain('<div id="app"');
      const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1] as string;
      const asset = await fetch(`${stack.url}${script}`, {
        headers: { 'accept-encoding': 'gzip' },
      });
      expect(asset.headers.get('content-encoding')).toBe('gzip');
      expect((await asset.text()).length).toBeGreaterThan(1000);
    },
  );
});

describe('Temporal', () => {
  it('runs a workflow on the worker, with a tenant search attribute ops can filter by', async () => {
    const client = stack.services.temporal;
    const workflowId = `smoke-${tenant.tenantId}-${Date.now()}`;
    const handle = await client.workflow.start('smokeWorkflow', {
      taskQueue: stack.config.temporalTaskQueue,
      workflowId,
      args: [{ tenantId: tenant.tenantId }],
      typedSearchAttributes: searchAttributes({ TenantId: tenant.tenantId }),
    });
    const name = await handle.result();
    const stored = await tenant.admin.get('/api/v1/auth/me');
    expect(stored.status).toBe(200);
    expect(name).toMatch(/^Company /);

    let found: string[] = [];
    for (let attempt = 0; attempt < 40 && found.length === 0; attempt += 1) {
      found = [];
      for await (const run of client.workflow.list({
        query: `TenantId = "${tenant.tenantId}" AND WorkflowId = "${workflowId}"`,
      })) {
        found.push(run.workflowId);
      }
      if (found.length === 0) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(found).toEqual([workflowId]);
  });
});
