// Shapes of what the TikTickets API answers under /api/v1, as the web app reads them.

export type Role = 'super' | 'admin' | 'agent';
export type Presence = 'online' | 'away' | 'offline';
export type TicketStatus = 'bot' | 'pending' | 'open' | 'closed';
export type ChannelType = 'whatsapp' | 'telegram' | 'messenger' | 'instagram' | 'webchat';
/** Connection states a channel's session reports (web chat is always connected). */
export type ChannelStatus =
  | 'opening'
  | 'qrcode'
  | 'authenticated'
  | 'connected'
  | 'disconnected'
  | 'timeout'
  | 'conflict'
  | 'stopped';
export type DeliveryStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';
export type Distribution = 'manual' | 'round_robin' | 'least_busy';
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface SessionUser {
  id: number;
  name: string;
  email: string;
  role: Role;
  tenantId: number | null;
  queueIds: number[];
  status: Presence;
}

export interface Session {
  accessToken: string;
  user: SessionUser;
}

export interface User {
  id: number;
  name: string;
  email: string;
  role: Role;
  queueIds: number[];
  status: Presence;
  maxOpenTickets: number | null;
  active: boolean;
}

export interface Tenant {
  id: number;
  name: string;
  status: 'active' | 'suspended';
  maxUsers: number | null;
  maxChannels: number | null;
  timeZone: string;
  businessHours: BusinessHours | null;
  createdAt: string;
}

export interface Queue {
  id: number;
  name: string;
  color: string;
  distribution: Distribution;
  maxOpenPerAgent: number | null;
  slaMinutes: number | null;
  autoCloseMinutes: number | null;
  agentIdleMinutes: number | null;
  greetingMessage: string | null;
}

export interface QuickReply {
  id: number;
  shortcut: string;
  body: string;
}

export interface Tag {
  id: number;
  name: string;
  color: string;
}

export interface TimeRange {
  start: string;
  end: string;
}

export type BusinessHours = Partial<Record<Weekday, TimeRange[]>>;

export interface Settings {
  businessHours?: BusinessHours;
  timeZone?: string;
  outOfHoursMessage?: string;
  ignoreGroups?: boolean;
  autoCloseMinutes?: number | null;
  [key: string]: unknown;
}

/** A channel as the API shows it: plain settings in `config`, only the names of its secrets. */
export interface Channel {
  id: number;
  tenantId: number;
  type: ChannelType;
  name: string;
  status: ChannelStatus;
  statusReason: string | null;
  statusAt: string | null;
  queueId: number | null;
  greetingMessage: string | null;
  farewellMessage: string | null;
  config: Record<string, unknown>;
  secretsSet: string[];
  widgetToken: string | null;
  qrCode: string | null;
}

/** What a session command answers: the channel's connection as it stands after the command. */
export interface ChannelSession {
  channelId: number;
  status: ChannelStatus;
  reason: string | null;
  qrCode: string | null;
  statusAt: string | null;
}

/** One row of the SaaS admin's channel health list, across tenants. */
export interface ChannelHealth {
  id: number;
  tenantId: number;
  tenantName: string;
  type: ChannelType;
  name: string;
  status: ChannelStatus;
  statusReason: string | null;
  statusAt: string | null;
}

export interface ChannelHealthPage extends Page<ChannelHealth> {
  byStatus: Partial<Record<ChannelStatus, number>>;
}

/** Where ops inspect runs: links are built from these, filtered by search attributes. */
export interface Meta {
  temporalUiUrl: string;
  temporalNamespace: string;
}

export interface ContactIdentity {
  channelId: number;
  externalId: string;
}

export interface Contact {
  id: number;
  name: string;
  phone: string | null;
  email: string | null;
  customFields: Record<string, string>;
  tags: Tag[];
  identities: ContactIdentity[];
  ownerUserId: number | null;
}

export interface Ticket {
  id: number;
  tenantId: number;
  number: number;
  status: TicketStatus;
  contact: { id: number; name: string; phone: string | null; avatarUrl: string | null };
  channel: { id: number; type: ChannelType; name: string; status: ChannelStatus };
  queueId: number | null;
  userId: number | null;
  isGroup: boolean;
  unreadCount: number;
  lastMessageBody: string | null;
  lastMessageAt: string | null;
  lastInboundAt: string | null;
  firstResponseAt: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  closeReason: string | null;
  slaBreachedAt: string | null;
  windowClosesAt: string | null;
}

export type TicketCounts = Record<TicketStatus, number>;

/** What a message is; its file's MIME type travels separately in `mediaType`. */
export type MessageKind =
  | 'text'
  | 'image'
  | 'audio'
  | 'voice'
  | 'video'
  | 'document'
  | 'sticker'
  | 'location'
  | 'contact'
  | 'system';

export interface Message {
  id: number;
  ticketId: number;
  direction: 'in' | 'out';
  kind: MessageKind;
  body: string;
  /** Served only with the bearer token; the app shows it through a blob URL. */
  mediaUrl: string | null;
  mediaType: string | null;
  mediaName: string | null;
  /** Location `{latitude, longitude, name?}` or contact card `{vcard}`, by kind. */
  payload: Record<string, unknown> | null;
  status: DeliveryStatus;
  error: string | null;
  isPrivate: boolean;
  isEdited: boolean;
  isDeleted: boolean;
  quotedMessage: { id: number; body: string } | null;
  userId: number | null;
  senderName: string | null;
  createdAt: string;
  scheduledAt: string | null;
  sentAt: string | null;
}

export type TicketEventType =
  'accepted' | 'transferred' | 'closed' | 'reopened' | 'returned' | 'assigned' | 'sla_breached';

/** Every transition records where the ticket came from and went to; some add a note or reason. */
export interface TicketEventData {
  fromQueueId?: number | null;
  toQueueId?: number | null;
  fromUserId?: number | null;
  toUserId?: number | null;
  note?: string;
  reason?: string;
}

export interface TicketEvent {
  id: number;
  type: TicketEventType;
  userId: number | null;
  fromStatus: TicketStatus | null;
  toStatus: TicketStatus | null;
  data: TicketEventData | null;
  createdAt: string;
}

export interface Dashboard {
  byStatus: Partial<TicketCounts>;
  byQueue: { queueId: number | null; name: string; count: number }[];
  byChannel: { channelType: ChannelType; count: number }[];
  perDay: { day: string; opened: number; closed: number }[];
  firstResponseAvgSeconds: number | null;
  resolutionAvgSeconds: number | null;
  agents: { userId: number; name: string; status: Presence; open: number }[];
  slaBreaches: number;
}

export interface ErrorDetail {
  path: string;
  message: string;
}

/** A stored event replayed by `GET /events`; its payload carries no seq of its own. */
export interface RealtimeEnvelope {
  seq: number;
  event: RealtimeEventName;
  payload: Omit<RealtimePayloads[RealtimeEventName], 'seq'>;
}

export interface RealtimePayloads {
  'ticket:updated': { seq: number; ticket: Ticket };
  'ticket:sla_breached': { seq: number; ticket: Ticket };
  'message:created': { seq: number; message: Message };
  'message:updated': { seq: number; message: Message };
  'channel:status': {
    seq: number;
    channelId: number;
    status: ChannelStatus;
    qrCode: string | null;
    reason: string | null;
  };
  presence: { seq: number; userId: number; status: Presence };
}

export type RealtimeEventName = keyof RealtimePayloads;
