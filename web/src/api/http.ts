// The one door to the API: adds the access token, refreshes it once on a 401 and turns error
// bodies into ApiError so forms can show the server's field messages.
import type { ErrorDetail, Session } from './types';

const base = '/api/v1';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  query?: Query;
  json?: unknown;
  body?: BodyInit;
  contentType?: string;
  /** Skip the refresh-and-retry dance; used by the auth calls themselves. */
  noRefresh?: boolean;
}

let accessToken: string | null = null;
let refreshing: Promise<Session | null> | null = null;
let sessionListener: (session: Session | null) => void = () => {};

export function getAccessToken(): string | null {
  return accessToken;
}

export function setAccessToken(token: string | null): void {
  accessToken = token;
}

/** The session store hears about every refresh, including the silent ones made here. */
export function onSessionChange(listener: (session: Session | null) => void): void {
  sessionListener = listener;
}

export function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return `${base}${path}${search ? `?${search}` : ''}`;
}

/**
 * Concurrent 401s share one refresh call: the refresh cookie rotates, so a second parallel
 * refresh would present a cookie the server has already retired.
 */
export function refreshSession(): Promise<Session | null> {
  refreshing ??= fetch(`${base}/auth/refresh`, { method: 'POST', credentials: 'same-origin' })
    .then(async (response) => (response.ok ? ((await response.json()) as Session) : null))
    .catch(() => null)
    .then((session) => {
      accessToken = session?.accessToken ?? null;
      sessionListener(session);
      return session;
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}) {
  const response = await sendWithRefresh(method, path, options);
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  return (type.includes('application/json') ? await response.json() : await response.text()) as T;
}

/** For files (CSV export, message media): the raw body, still behind the bearer token. */
export async function requestBlob(path: string, query?: Query): Promise<Blob> {
  return (await sendWithRefresh('GET', path, { query })).blob();
}

async function sendWithRefresh(method: string, path: string, options: RequestOptions) {
  let response = await send(method, path, options);
  if (response.status === 401 && !options.noRefresh && (await refreshSession())) {
    response = await send(method, path, options);
  }
  if (!response.ok) throw await toApiError(response);
  return response;
}

function send(method: string, path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;

  let body = options.body;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.contentType) {
    headers['Content-Type'] = options.contentType;
  }

  return fetch(buildUrl(path, options.query), {
    method,
    headers,
    body,
    credentials: 'same-origin',
  });
}

async function toApiError(response: Response): Promise<ApiError> {
  const parsed = (await response.json().catch(() => null)) as {
    error?: { code?: string; message?: string; details?: ErrorDetail[] };
  } | null;
  const error = parsed?.error;
  return new ApiError(
    response.status,
    error?.code ?? `http_${response.status}`,
    error?.message ?? response.statusText,
    error?.details ?? [],
  );
}
