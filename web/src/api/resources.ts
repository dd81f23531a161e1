// Typed calls, one group per API resource. Components import these, never `request` itself.
import { request, requestBlob } from './http';
import type {
  Channel,
  ChannelHealthPage,
  ChannelSession,
  ChannelStatus,
  ChannelType,
  Contact,
  Dashboard,
  Message,
  Meta,
  Page,
  Queue,
  QuickReply,
  Session,
  SessionUser,
  Settings,
  Tag,
  Tenant,
  Ticket,
  TicketCounts,
  TicketEvent,
  TicketStatus,
  User,
  RealtimeEnvelope,
} from './types';

export interface PageQuery {
  cursor?: string | null;
  limit?: number;
  q?: string;
}

/** Create, read, update and delete for the plain management resources. */
export interface CrudResource<T extends { id: number }, Input = Partial<T>> {
  list(query?: PageQuery): Promise<Page<T>>;
  create(input: Input): Promise<T>;
  update(id: number, input: Partial<Input>): Promise<T>;
  remove(id: number): Promise<void>;
}

function crud<T extends { id: number }, Input = Partial<T>>(path: string): CrudResource<T, Input> {
  return {
    list: (query) => request<Page<T>>('GET', path, { query: { ...query } }),
    create: (input) => request<T>('POST', path, { json: input }),
    update: (id, input) => request<T>('PATCH', `${path}/${id}`, { json: input }),
    remove: (id) => request<void>('DELETE', `${path}/${id}`),
  };
}

export const auth = {
  login: (email: string, password: string) =>
    request<Session>('POST', '/auth/login', { json: { email, password }, noRefresh: true }),
  logout: () => request<void>('POST', '/auth/logout', { noRefresh: true }),
  me: () => request<{ user: SessionUser }>('GET', '/auth/me'),
};

export interface UserInput {
  name: string;
  email: string;
  password?: string;
  role: 'admin' | 'agent';
  queueIds: number[];
  maxOpenTickets: number | null;
}

export interface TenantInput {
  name: string;
  maxUsers?: number | null;
  maxChannels?: number | null;
  timeZone?: string;
  status?: Tenant['status'];
  admin?: { name: string; email: string; password: string };
}

export interface ContactInput {
  name: string;
  phone: string | null;
  email: string | null;
  customFields: Record<string, string>;
  tagIds: number[];
}

export interface ChannelInput {
  type: ChannelType;
  name: string;
  queueId: number | null;
  greetingMessage: string | null;
  farewellMessage: string | null;
  /** Secrets left out of an update keep their stored value. */
  config: Record<string, unknown>;
}

export const users = crud<User, UserInput>('/users');
export const queues = crud<Queue>('/queues');
export const quickReplies = crud<QuickReply>('/quick-replies');
export const tags = crud<Tag>('/tags');
export const tenants = crud<Tenant, TenantInput>('/tenants');

export const contacts = {
  ...crud<Contact, ContactInput>('/contacts'),
  get: (id: number) => request<Contact>('GET', `/contacts/${id}`),
  exportCsv: () => requestBlob('/contacts/export.csv'),
  importCsv: (csv: string) =>
    request<{ imported: number; errors: { line: number; message: string }[] }>(
      'POST',
      '/contacts/import',
      { body: csv, contentType: 'text/csv' },
    ),
};

export type ChannelCommand = 'start' | 'restart' | 'logout' | 'stop';

export const channels = {
  ...crud<Channel, ChannelInput>('/channels'),
  command: (id: number, command: ChannelCommand) =>
    request<ChannelSession>('POST', `/channels/${id}/${command}`),
  /** Every tenant's channels, for the SaaS admin. */
  health: (query: PageQuery & { status?: ChannelStatus }) =>
    request<ChannelHealthPage>('GET', '/channels/health', { query: { ...query } }),
};

export const meta = {
  get: () => request<Meta>('GET', '/meta'),
};

export const settings = {
  get: () => request<{ data: Settings }>('GET', '/settings'),
  save: (values: Settings) => request<{ data: Settings }>('PUT', '/settings', { json: values }),
};

export interface TicketFilters {
  status: TicketStatus;
  queueId?: number | null;
  userId?: number | null;
  channelId?: number | null;
  tagId?: number | null;
  contactId?: number | null;
  unread?: boolean;
  mine?: boolean;
  q?: string;
}

export interface NewMessage {
  body: string;
  isPrivate?: boolean;
  quotedMessageId?: number;
  scheduledAt?: string;
  file?: File;
}

export interface TransferInput {
  queueId?: number | null;
  userId?: number | null;
  note?: string;
}

export const tickets = {
  list: (filters: Partial<TicketFilters>, page: PageQuery = {}) =>
    request<Page<Ticket>>('GET', '/tickets', {
      query: {
        ...filters,
        unread: filters.unread || undefined,
        mine: filters.mine || undefined,
        ...page,
      },
    }),
  counts: (filters: Partial<TicketFilters> = {}) =>
    request<TicketCounts>('GET', '/tickets/counts', { query: { ...filters } }),
  get: (id: number) => request<Ticket>('GET', `/tickets/${id}`),
  messages: (id: number, cursor?: string | null) =>
    request<Page<Message>>('GET', `/tickets/${id}/messages`, { query: { cursor, limit: 40 } }),
  events: (id: number) => request<{ data: TicketEvent[] }>('GET', `/tickets/${id}/events`),
  accept: (id: number) => request<Ticket>('POST', `/tickets/${id}/accept`),
  transfer: (id: number, input: TransferInput) =>
    request<Ticket>('POST', `/tickets/${id}/transfer`, { json: input }),
  close: (id: number, reason?: string) =>
    request<Ticket>('POST', `/tickets/${id}/close`, { json: { reason } }),
  reopen: (id: number) => request<Ticket>('POST', `/tickets/${id}/reopen`),
  markRead: (id: number) => request<Ticket>('POST', `/tickets/${id}/read`),
  send: (id: number, message: NewMessage) => {
    if (!message.file) {
      const { file: _file, ...json } = message;
      return request<Message>('POST', `/tickets/${id}/messages`, { json });
    }
    const form = new FormData();
    form.set('file', message.file);
    form.set('body', message.body);
    if (message.isPrivate) form.set('isPrivate', 'true');
    if (message.quotedMessageId) form.set('quotedMessageId', String(message.quotedMessageId));
    if (message.scheduledAt) form.set('scheduledAt', message.scheduledAt);
    return request<Message>('POST', `/tickets/${id}/messages`, { body: form });
  },
};

export const messages = {
  /** A message's file, fetched with the bearer token like every other call. */
  media: (id: number) => requestBlob(`/messages/${id}/media`),
};

export const dashboard = {
  /** `from` and `to` are instants (ISO 8601 with an offset). */
  get: (from: string, to: string) =>
    request<Dashboard>('GET', '/dashboard', { query: { from, to } }),
};

export const realtimeLog = {
  after: (seq: number, limit: number) =>
    request<{ data: RealtimeEnvelope[] }>('GET', '/events', { query: { after: seq, limit } }),
};
