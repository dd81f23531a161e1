// The JSON shapes the API answers with; secrets and hashes never leave through here.
import type { Channel, Message, Tenant, User } from '../db/models';

export function presentUser(user: User, queueIds: number[]) {
  return {
    id: user.id,
    tenantId: user.tenantId,
    name: user.name,
    email: user.email,
    role: user.role,
    status: user.status,
    maxOpenTickets: user.maxOpenTickets,
    active: user.active,
    queueIds,
    createdAt: user.createdAt,
  };
}

export function presentTenant(tenant: Tenant) {
  const { ticketSeq: _seq, ...visible } = tenant;
  return visible;
}

export function presentChannel(channel: Channel) {
  const { secrets: _secrets, ...visible } = channel;
  return visible;
}

/** Hours a Messenger/Instagram conversation stays open for free-form replies after the customer wrote. */
export const MESSAGING_WINDOW_HOURS = 24;

export interface TicketView {
  id: number;
  tenantId: number;
  number: number;
  status: string;
  queueId: number | null;
  userId: number | null;
  isGroup: boolean;
  unreadCount: number;
  lastMessageBody: string | null;
  lastMessageAt: string | null;
  lastInboundAt: string | null;
  firstResponseAt: string | null;
  slaBreachedAt: string | null;
  closedAt: string | null;
  closeReason: string | null;
  createdAt: string;
  updatedAt: string;
  contact: { id: number; name: string; phone: string | null; avatarUrl: string | null };
  channel: { id: number; type: string; name: string; status: string };
  windowClosesAt: string | null;
}

const hasMessagingWindow = (type: string) => type === 'messenger' || type === 'instagram';

export function windowClosesAt(
  channelType: string,
  lastInboundAt: string | Date | null,
): string | null {
  if (!hasMessagingWindow(channelType) || !lastInboundAt) return null;
  return new Date(
    new Date(lastInboundAt).getTime() + MESSAGING_WINDOW_HOURS * 3_600_000,
  ).toISOString();
}

export interface MessageView {
  id: number;
  tenantId: number;
  ticketId: number;
  direction: 'in' | 'out';
  kind: string;
  body: string;
  mediaUrl: string | null;
  mediaType: string | null;
  mediaName: string | null;
  payload: Record<string, unknown> | null;
  status: string;
  error: string | null;
  isPrivate: boolean;
  isEdited: boolean;
  isDeleted: boolean;
  userId: number | null;
  senderName: string | null;
  quotedMessage: { id: number; body: string } | null;
  scheduledAt: string | null;
  sentAt: string | null;
  createdAt: string;
}

export function presentMessage(
  row: Message,
  quoted: { id: number; body: string } | null = null,
): MessageView {
  return {
    id: row.id,
    tenantId: row.tenantId,
    ticketId: row.ticketId,
    direction: row.direction,
    kind: row.kind,
    body: row.isDeleted ? '' : row.body,
    mediaUrl: row.mediaPath ? `/api/v1/messages/${row.id}/media` : null,
    mediaType: row.mediaType,
    mediaName: row.mediaName,
    payload: row.payload,
    status: row.status,
    error: row.error,
    isPrivate: row.isPrivate,
    isEdited: row.isEdited,
    isDeleted: row.isDeleted,
    userId: row.userId,
    senderName: row.senderName,
    quotedMessage: quoted,
    scheduledAt: toIso(row.scheduledAt),
    sentAt: toIso(row.sentAt),
    createdAt: toIso(row.createdAt) as string,
  };
}

const toIso = (value: string | Date | null) =>
  value === null || value === undefined ? null : new Date(value).toISOString();
