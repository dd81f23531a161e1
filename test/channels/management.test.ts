// Managing channels: write-only secrets, the per-company limit, who may do what, and the SaaS
// admin's view of channel health across companies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegramServer } from '../fakes/telegram-server';
import {
  createAgent,
  createTenant,
  login,
  type HttpClient,
  type TenantFixture,
} from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { eventually } from './support';

let stack: Stack;
let superClient: HttpClient;
let tenant: TenantFixture;
let telegram: FakeTelegramServer;

beforeAll(async () => {
  telegram = await new FakeTelegramServer().start();
  stack = await startStack();
  superClient = await login(stack.url, stack.superLogin.email, stack.superLogin.password);
  tenant = await createTenant(stack.url, superClient);
});

afterAll(async () => {
  await stack?.stop();
  await telegram?.stop();
});

describe('channel secrets', () => {
  it('are never returned, and changing other settings keeps them', async () => {
    telegram.addBot('111:first-token', 'first_bot');
    telegram.addBot('111:second-token', 'second_bot');
    const created = await tenant.admin.post('/api/v1/channels', {
      type: 'telegram',
      name: 'Secretive',
      config: { token: '111:first-token', apiRoot: telegram.url, mode: 'webhook' },
    });
    expect(created.body.secretsSet).toEqual(['token']);
    expect(created.body.config).toEqual({ apiRoot: telegram.url, mode: 'webhook' });
    const id = created.body.id;

    const renamed = await tenant.admin.patch(`/api/v1/channels/${id}`, { name: 'Renamed' });
    expect(JSON.stringify(renamed.body)).not.toContain('first-token');
    const listed = await tenant.admin.get('/api/v1/channels');
    expect(JSON.stringify(listed.body)).not.toContain('first-token');

    // The stored token is the one the channel uses when it connects.
    await tenant.admin.post(`/api/v1/channels/${id}/start`);
    expect(telegram.bot('111:first-token').webhook).toBeDefined();
    await tenant.admin.patch(`/api/v1/channels/${id}`, { config: { token: '111:second-token' } });
    await tenant.admin.post(`/api/v1/channels/${id}/start`);
    expect(telegram.bot('111:second-token').webhook).toBeDefined();
  });

  it('are validated per channel type', async () => {
    const reply = await tenant.admin.post('/api/v1/channels', {
      type: 'messenger',
      name: 'Half',
      config: { pageId: '1' },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error.details.map((detail: { path: string }) => detail.path)).toEqual(
      expect.arrayContaining(['config.pageAccessToken', 'config.appSecret', 'config.verifyToken']),
    );
  });
});

describe('access', () => {
  it('lets agents see channels but not change or connect them, and hides other companies', async () => {
    const created = await tenant.admin.post('/api/v1/channels', { type: 'webchat', name: 'Site' });
    const agent = await createAgent(stack.url, tenant.admin);
    expect((await agent.client.get(`/api/v1/channels/${created.body.id}`)).status).toBe(200);
    expect((await agent.client.post(`/api/v1/channels/${created.body.id}/start`)).status).toBe(403);
    expect(
      (await agent.client.post('/api/v1/channels', { type: 'webchat', name: 'Mine' })).status,
    ).toBe(403);

    const other = await createTenant(stack.url, superClient);
    expect((await other.admin.get(`/api/v1/channels/${created.body.id}`)).status).toBe(404);
    expect((await other.admin.post(`/api/v1/channels/${created.body.id}/restart`)).status).toBe(
      404,
    );
    expect(
      (await tenant.admin.post(`/api/v1/channels/${created.body.id}/start`)).body.error.code,
    ).toBe('not_supported');
  });

  it('enforces the company channel limit', async () => {
    const small = await superClient.post('/api/v1/tenants', {
      name: 'Small shop',
      maxChannels: 1,
      admin: {
        name: 'Owner',
        email: `owner-${Date.now()}@example.com`,
        password: 'owner-pass-123',
      },
    });
    const owner = await login(stack.url, small.body.admin.email, 'owner-pass-123');
    expect((await owner.post('/api/v1/channels', { type: 'webchat', name: 'One' })).status).toBe(
      201,
    );
    const second = await owner.post('/api/v1/channels', { type: 'webchat', name: 'Two' });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('limit_reached');
  });
});

describe('channel health', () => {
  it('shows the SaaS admin every company’s channels and how many are in each state', async () => {
    const other = await createTenant(stack.url, superClient, 'Health Co');
    const broken = await other.admin.post('/api/v1/channels', {
      type: 'telegram',
      name: 'Broken bot',
      config: { token: '999:unknown-to-telegram', apiRoot: telegram.url },
    });
    await eventually('the broken bot to report its failure', async () => {
      const health = await superClient.get(`/api/v1/channels/health?tenantId=${other.tenantId}`);
      return health.body.data?.[0]?.statusReason?.includes('rejected the bot token');
    });

    const health = await superClient.get('/api/v1/channels/health?type=telegram');
    expect(health.status).toBe(200);
    const row = health.body.data.find((channel: { id: number }) => channel.id === broken.body.id);
    expect(row).toMatchObject({
      tenantName: 'Health Co',
      name: 'Broken bot',
      status: 'disconnected',
    });
    expect(JSON.stringify(health.body)).not.toContain('unknown-to-telegram');
    expect(health.body.byStatus.disconnected).toBeGreaterThanOrEqual(1);
    expect(
      new Set(health.body.data.map((channel: { tenantId: number }) => channel.tenantId)).size,
    ).toBeGreaterThan(1);

    expect((await tenant.admin.get('/api/v1/channels/health')).status).toBe(403);
    await other.admin.post(`/api/v1/channels/${broken.body.id}/stop`);
  });
});
