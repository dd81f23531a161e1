// A small JSON client over fetch, with helpers to set up tenants and sign users in.
export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class HttpClient {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  as(token: string): HttpClient {
    return new HttpClient(this.baseUrl, token);
  }

  async request<T = any>(
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply<T>> {
    const response = await fetch(this.baseUrl + url, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (HTML, CSV): keep the text.
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  get = <T = any>(url: string) => this.request<T>('GET', url);
  post = <T = any>(url: string, body?: unknown) => this.request<T>('POST', url, body ?? {});
  put = <T = any>(url: string, body: unknown) => this.request<T>('PUT', url, body);
  patch = <T = any>(url: string, body: unknown) => this.request<T>('PATCH', url, body);
  delete = <T = any>(url: string) => this.request<T>('DELETE', url);
}

export interface TenantFixture {
  tenantId: number;
  admin: HttpClient;
  adminUser: { id: number; email: string; password: string };
}

let counter = 0;

export async function login(baseUrl: string, email: string, password: string): Promise<HttpClient> {
  const reply = await new HttpClient(baseUrl).post('/api/v1/auth/login', { email, password });
  if (reply.status !== 200) throw new Error(`login ${email} failed: ${JSON.stringify(reply.body)}`);
  return new HttpClient(baseUrl, reply.body.accessToken);
}

/** A new company with its first admin, signed in. */
export async function createTenant(
  baseUrl: string,
  superClient: HttpClient,
  name?: string,
): Promise<TenantFixture> {
  counter += 1;
  const tag = `${Date.now().toString(36)}${counter}`;
  const adminUser = { email: `admin-${tag}@example.com`, password: 'admin-pass-123' };
  const reply = await superClient.post('/api/v1/tenants', {
    name: name ?? `Company ${tag}`,
    admin: { name: `Admin ${tag}`, ...adminUser },
  });
  if (reply.status !== 201)
    throw new Error(`tenant creation failed: ${JSON.stringify(reply.body)}`);
  return {
    tenantId: reply.body.id,
    admin: await login(baseUrl, adminUser.email, adminUser.password),
    adminUser: { id: reply.body.admin.id, ...adminUser },
  };
}

/** An agent of the tenant, optionally in some queues, signed in. */
export async function createAgent(baseUrl: string, admin: HttpClient, queueIds: number[] = []) {
  counter += 1;
  const email = `agent-${Date.now().toString(36)}${counter}@example.com`;
  const reply = await admin.post('/api/v1/users', {
    name: `Agent ${counter}`,
    email,
    password: 'agent-pass-123',
    role: 'agent',
    queueIds,
  });
  if (reply.status !== 201) throw new Error(`agent creation failed: ${JSON.stringify(reply.body)}`);
  return { id: reply.body.id as number, client: await login(baseUrl, email, 'agent-pass-123') };
}
