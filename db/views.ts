// Read models for tickets and messages: one joined query each, so publishing an event or
// listing a page costs a single round trip.
import type { Knex } from 'knex';
import {
  presentMessage,
  windowClosesAt,
  type MessageView,
  type TicketView,
} from '../lib/presenters';
import type { Db } from './knex';
import { Message } from './models';

/** Tickets joined with their contact and channel; callers add filters, order and limits. */
export function ticketViewQuery(db: Db | Knex.Transaction, tenantId: number): Knex.QueryBuilder {
  return db('tickets')
    .join('contacts', 'contacts.id', 'tickets.contactId')
    .join('channels', 'channels.id', 'tickets.channelId')
    .where('tickets.tenantId', tenantId)
    .select(
      'tickets.*',
      'contacts.name as contactName',
      'contacts.phone as contactPhone',
      'contacts.avatarUrl as contactAvatarUrl',
      'channels.type as channelType',
      'channels.name as channelName',
      'channels.status as channelStatus',
    );
}

export function toTicketView(row: Record<string, any>): TicketView {
  const iso = (value: unknown) => (value ? new Date(value as string).toISOString() : null);
  return {
    id: row.id,
    tenantId: row.tenantId,
    number: row.number,
    status: row.status,
    queueId: row.queueId,
    userId: row.userId,
    isGroup: row.isGroup,
    unreadCount: row.unreadCount,
    lastMessageBody: row.lastMessageBody,
    lastMessageAt: iso(row.lastMessageAt),
    lastInboundAt: iso(row.lastInboundAt),
    firstResponseAt: iso(row.firstResponseAt),
    slaBreachedAt: iso(row.slaBreachedAt),
    closedAt: iso(row.closedAt),
    closeReason: row.closeReason,
    createdAt: iso(row.createdAt) as string,
    updatedAt: iso(row.updatedAt) as string,
    contact: {
      id: row.contactId,
      name: row.contactName,
      phone: row.contactPhone,
      avatarUrl: row.contactAvatarUrl,
    },
    channel: {
      id: row.channelId,
      type: row.channelType,
      name: row.channelName,
      status: row.channelStatus,
    },
    windowClosesAt: windowClosesAt(row.channelType, row.lastInboundAt),
  };
}

export async function fetchTicketView(
  db: Db | Knex.Transaction,
  tenantId: number,
  ticketId: number,
): Promise<TicketView | undefined> {
  const row = await ticketViewQuery(db, tenantId).where('tickets.id', ticketId).first();
  return row ? toTicketView(row) : undefined;
}

/** Messages with the message they quote (id and body) filled in. */
export async function presentMessages(
  db: Db | Knex.Transaction,
  rows: Message[],
): Promise<MessageView[]> {
  const quotedIds = [
    ...new Set(rows.map((row) => row.quotedMessageId).filter((id): id is number => !!id)),
  ];
  const quoted = quotedIds.length
    ? await Message.query(db).whereIn('id', quotedIds).select('id', 'body', 'isDeleted')
    : [];
  const byId = new Map(
    quoted.map((row) => [row.id, { id: row.id, body: row.isDeleted ? '' : row.body }]),
  );
  return rows.map((row) =>
    presentMessage(row, row.quotedMessageId ? (byId.get(row.quotedMessageId) ?? null) : null),
  );
}
