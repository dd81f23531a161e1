// Shapes of what the TikTickets API answers under /api/v1, as the web app reads them.

export type Role = 'super' | 'admin' | 'agent';
export type Presence = 'online' | 'away' | 'offline';
export type TicketStatus = 'bot' | 'pending' | 'open' | 'closed';
export type ChannelType = 'whatsapp' | 'telegram' | 'messenger' | 'instagram' | 'webchat';
export type ChannelStatus =
  'disconnected' | 'qrcode' | 'authenticated' | 'connected' | 'timeout' | 'conflict' | 'stopped';
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
}

export interface Tenant {
  id: number;
  name: string;
  status: 'active' | 'suspended';
  maxUsers: number;
  maxChannels: number;
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

export interface Channel {
  id: number;
  type: ChannelType;
  name: string;
  status: ChannelStatus;
  queueId: number | null;
  widgetToken?: string;
  qrCode?: string;
  tenantId?: number;
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
  number: number;
  status: TicketStatus;
  contact: { id: number; name: string; phone: string | null };
  channel: { id: number; type: ChannelType; name: string; status: ChannelStatus };
  queueId: number | null;
  userId: number | null;
  unreadCount: number;
  lastMessageBody: string | null;
  lastMessageAt: string | null;
  createdAt: string;
  closedAt: string | null;
  slaBreachedAt: string | null;
  windowClosesAt: string | null;
}

export type TicketCounts = Record<TicketStatus, number>;

export type MediaType =
  'image' | 'audio' | 'video' | 'document' | 'sticker' | 'location' | 'contact';

export interface Location {
  latitude: number;
  longitude: number;
  name?: string;
}

export interface Message {
  id: number;
  ticketId: number;
  direction: 'in' | 'out';
  body: string;
  mediaUrl: string | null;
  mediaType: MediaType | null;
  mediaName: string | null;
  status: DeliveryStatus;
  error: string | null;
  isPrivate: boolean;
  quotedMessage: { id: number; body: string } | null;
  userId: number | null;
  location?: Location;
  createdAt: string;
  scheduledAt: string | null;
}

export interface TicketEvent {
  id: number;
  type: string;
  userId: number | null;
  fromStatus: TicketStatus | null;
  toStatus: TicketStatus | null;
  data: Record<string, unknown> | null;
  createdAt: string;
}

export interface Dashboard {
  byStatus: Partial<TicketCounts>;
  byQueue: { queueId: number | null; name: string; count: number }[];
  byChannel: { channelType: ChannelType; count: number }[];
  perDay: { day: string; opened: number; closed: number }[];
  firstResponseAvgSeconds: number | null;
  resolutionAvgSeconds: number | null;
  agents: { userId: number; name: string; open: number }[];
  slaBreaches: number;
}

export interface ErrorDetail {
  path: string;
  message: string;
}

export interface RealtimeEnvelope {
  seq: number;
  event: RealtimeEventName;
  payload: RealtimePayloads[RealtimeEventName];
}

export interface RealtimePayloads {
  'ticket:updated': { seq: number; ticket: Ticket };
  'message:created': { seq: number; message: Message };
  'message:updated': { seq: number; message: Message };
  'channel:status': { seq: number; channelId: number; status: ChannelStatus; qrCode?: string };
  presence: { seq: number; userId: number; status: Presence };
}

export type RealtimeEventName = keyof RealtimePayloads;
