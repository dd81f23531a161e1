import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTenant, HttpClient, login, type TenantFixture } from './support/http';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let tenant: TenantFixture;

beforeAll(async () => {
  stack = await startStack();
  tenant = await createTenant(
    stack.url,
    await login(stack.url, stack.superLogin.email, stack.superLogin.password),
  );
});
afterAll(() => stack?.stop());

it('lets an external system call the API with a tenant token until it is revoked', async () => {
  const created = await tenant.admin.post('/api/v1/api-tokens', { name: 'ERP' });
  expect(created.status).toBe(201);
  expect(created.body.token).toMatch(/^tkt_/);
  expect(created.body.tokenHash).toBeUndefined();

  const external = new HttpClient(stack.url, created.body.token);
  const queue = await external.post('/api/v1/queues', { name: 'Integração' });
  expect(queue.status).toBe(201);
  expect(queue.body.tenantId).toBe(tenant.tenantId);

  const listed = await tenant.admin.get('/api/v1/api-tokens');
  expect(listed.body.data[0]).toMatchObject({
    name: 'ERP',
    prefix: created.body.token.slice(0, 10),
  });
  expect(JSON.stringify(listed.body)).not.toContain(created.body.token);

  expect((await tenant.admin.delete(`/api/v1/api-tokens/${created.body.id}`)).status).toBe(204);
  expect((await external.get('/api/v1/queues')).status).toBe(401);
  const stored = await stack.services.db('apiTokens').where({ id: created.body.id }).first();
  expect(stored.tokenHash).not.toContain(created.body.token);
});
