// The one inbound path for every channel: upsert the contact, find or create the unfinished
// ticket, store the message idempotently, tell the agents, then signal the ticket's workflow.
// Each step is safe to repeat, so a channel may redeliver after any failure.
import type { Knex } from 'knex';
import { readSettings } from '../db/settings';
import { fetchTicketView, presentMessages } from '../db/views';
import { Channel, Contact, ContactIdentity, Message, Tenant, Ticket } from '../db/models';
import { ticketRooms, rooms } from '../lib/realtime';
import type { Services } from '../lib/services';
import { searchAttributes } from '../temporal/search-attributes';
import { inboundSignal, ticketWorkflowId, type TicketWorkflowInput } from '../workflows/ticket-api';
import type { ChannelSink, InboundMessage, MessageUpdate } from './channels/types';

export interface IngestResult {
  ticketId: number;
  messageId: number;
  duplicate: boolean;
  ignored?: false;
}

export type IngestOutcome = IngestResult | { ignored: true; reason: string };

const preview = (message: Pick<InboundMessage, 'body' | 'kind'>) =>
  (message.body || `[${message.kind}]`).slice(0, 255);

export class Ingest implements ChannelSink {
  constructor(private readonly services: Services) {}

  async inbound(message: InboundMessage): Promise<IngestOutcome> {
    const { db } = this.services;
    const channel = await Channel.query(db)
      .join('tenants', 'tenants.id', 'channels.tenantId')
      .where('tenants.status', 'active')
      .select('channels.*')
      .findOne({ 'channels.id': message.channelId, 'channels.tenantId': message.tenantId });
    if (!channel) return { ignored: true, reason: 'unknown channel or suspended tenant' };
    if (message.group && (await readSettings(db, message.tenantId)).ignoreGroups) {
      return { ignored: true, reason: 'groups are ignored' };
    }

    const contactId = await this.upsertContact(channel, message);
    const ticket = await this.findOrCreateTicket(channel, contactId, Boolean(message.group));
    const { row, duplicate } = await this.storeMessage(channel, ticket, message);

    if (!duplicate) await this.touchTicketAndPublish(ticket, row, message);
    await this.signalTicket(ticket, row.id);
    return { ticketId: ticket.id, messageId: row.id, duplicate };
  }

  async update(tenantId: number, channelId: number, update: MessageUpdate): Promise<void> {
    const { db, publisher } = this.services;
    const match = Message.query(db).where({
      tenantId,
      channelId,
      channelMessageId: update.channelMessageId,
    });
    const changes =
      update.type === 'status'
        ? { status: update.status, error: update.error ?? null }
        : update.type === 'edit'
          ? { body: update.body, isEdited: true }
          : { isDeleted: true };
    const [row] = (await match.patch(changes).returning('*')) as unknown as Message[];
    if (!row) return;
    const ticket = await Ticket.query(db).findById(row.ticketId);
    if (!ticket) return;
    const [view] = await presentMessages(db, [row]);
    await publisher.publish(tenantId, ticketRooms(ticket), 'message:updated', { message: view });
  }

  async state(
    tenantId: number,
    channelId: number,
    state: string,
    detail: { qr?: string; reason?: string } = {},
  ): Promise<void> {
    const { db, publisher } = this.services;
    await Channel.query(db)
      .patch({
        status: state,
        qrCode: detail.qr ?? null,
        statusReason: detail.reason ?? null,
        statusAt: new Date().toISOString(),
      })
      .where({ id: channelId, tenantId });
    await publisher.publish(tenantId, [rooms.managers(tenantId)], 'channel:status', {
      channelId,
      status: state,
      qrCode: detail.qr ?? null,
      reason: detail.reason ?? null,
    });
  }

  /** The contact behind a channel identity, created on first contact; races resolve to one. */
  private async upsertContact(channel: Channel, message: InboundMessage): Promise<number> {
    const { db } = this.services;
    const who = message.group
      ? { externalId: message.group.externalId, name: message.group.name }
      : message.from;
    const existing = await ContactIdentity.query(db)
      .findOne({ channelId: channel.id, externalId: who.externalId })
      .select('contactId');
    if (existing) return existing.contactId;

    const created = await db
      .transaction(async (trx) => {
        const contact = await Contact.query(trx).insert({
          tenantId: channel.tenantId,
          name: who.name || who.externalId,
          phone: message.group ? null : (message.from.phone ?? null),
          avatarUrl: message.group ? null : (message.from.avatarUrl ?? null),
          isGroup: Boolean(message.group),
        });
        const identity = await trx('contactIdentities')
          .insert({
            tenantId: channel.tenantId,
            contactId: contact.id,
            channelId: channel.id,
            externalId: who.externalId,
          })
          .onConflict(['channelId', 'externalId'])
          .ignore()
          .returning('contactId');
        if (identity.length === 0) throw new LostRace();
        return contact.id;
      })
      .catch((error) => {
        if (error instanceof LostRace) return undefined;
        throw error;
      });
    if (created) return created;

    const winner = await ContactIdentity.query(db)
      .findOne({ channelId: channel.id, externalId: who.externalId })
      .throwIfNotFound();
    return winner.contactId;
  }

  /**
   * The unfinished ticket of this contact on this channel, or a new one. The partial unique
   * index admits one such ticket; a concurrent insert loses and reads the winner's.
   */
  private async findOrCreateTicket(
    channel: Channel,
    contactId: number,
    isGroup: boolean,
  ): Promise<Ticket> {
    const { db } = this.services;
    const active = () =>
      Ticket.query(db)
        .where({ channelId: channel.id, contactId })
        .whereNot('status', 'closed')
        .first();
    const current = await active();
    if (current) return current;

    const number = await nextTicketNumber(db, channel.tenantId);
    const inserted = await db('tickets')
      .insert({
        tenantId: channel.tenantId,
        number,
        contactId,
        channelId: channel.id,
        queueId: channel.queueId,
        status: channel.flowId ? 'bot' : 'pending',
        isGroup,
      })
      .onConflict(db.raw("(channel_id, contact_id) WHERE status <> 'closed'"))
      .ignore()
      .returning('*');
    if (inserted.length) return Ticket.fromJson(inserted[0], { skipValidation: true });
    const winner = await active();
    if (!winner) throw new Error('ticket vanished between insert and read');
    return winner;
  }

  private async storeMessage(
    channel: Channel,
    ticket: Ticket,
    message: InboundMessage,
  ): Promise<{ row: Message; duplicate: boolean }> {
    const { db, storage } = this.services;
    const stored = message.media
      ? await storage.put(channel.tenantId, message.media.fileName, message.media.data)
      : undefined;
    const quoted = message.quotedChannelMessageId
      ? await Message.query(db)
          .findOne({ channelId: channel.id, channelMessageId: message.quotedChannelMessageId })
          .select('id')
      : undefined;

    const inserted = await db('messages')
      .insert({
        tenantId: channel.tenantId,
        ticketId: ticket.id,
        contactId: ticket.contactId,
        channelId: channel.id,
        direction: message.fromMe ? 'out' : 'in',
        kind: message.kind,
        body: message.body,
        mediaPath: stored?.key ?? null,
        mediaType: message.media?.mimeType ?? null,
        mediaName: message.media?.fileName ?? null,
        payload: message.payload ? JSON.stringify(message.payload) : null,
        status: message.fromMe ? 'sent' : 'delivered',
        channelMessageId: message.channelMessageId,
        senderExternalId: message.from.externalId,
        senderName: message.from.name ?? null,
        quotedMessageId: quoted?.id ?? null,
        createdAt: message.sentAt ?? db.fn.now(),
      })
      .onConflict(['channelId', 'channelMessageId'])
      .ignore()
      .returning('*');
    if (inserted.length) {
      return { row: Message.fromJson(inserted[0], { skipValidation: true }), duplicate: false };
    }
    const existing = await Message.query(db)
      .findOne({ channelId: channel.id, channelMessageId: message.channelMessageId })
      .throwIfNotFound();
    return { row: existing, duplicate: true };
  }

  private async touchTicketAndPublish(ticket: Ticket, row: Message, message: InboundMessage) {
    const { db, publisher } = this.services;
    const inbound = !message.fromMe;
    await db('tickets')
      .where({ id: ticket.id })
      .update({
        lastMessageBody: preview(message),
        lastMessageAt: db.fn.now(),
        updatedAt: db.fn.now(),
        ...(inbound ? { unreadCount: db.raw('unread_count + 1'), lastInboundAt: db.fn.now() } : {}),
      });

    const [messageView] = await presentMessages(db, [row]);
    const ticketView = await fetchTicketView(db, ticket.tenantId, ticket.id);
    await publisher.publishAll(ticket.tenantId, ticketRooms(ticket), [
      ['message:created', { message: messageView }],
      ['ticket:updated', { ticket: ticketView }],
    ]);
  }

  private async signalTicket(ticket: Ticket, messageId: number): Promise<void> {
    const { temporal, config } = this.services;
    const input: TicketWorkflowInput = {
      tenantId: ticket.tenantId,
      ticketId: ticket.id,
      channelId: ticket.channelId,
      contactId: ticket.contactId,
    };
    await temporal.workflow.signalWithStart('ticketWorkflow', {
      workflowId: ticketWorkflowId(ticket.tenantId, ticket.id),
      taskQueue: config.temporalTaskQueue,
      args: [input],
      signal: inboundSignal,
      signalArgs: [{ messageId, at: Date.now() }],
      typedSearchAttributes: searchAttributes({
        TenantId: ticket.tenantId,
        TicketId: ticket.id,
        ChannelId: ticket.channelId,
        ContactId: ticket.contactId,
      }),
    });
  }
}

class LostRace extends Error {}

async function nextTicketNumber(db: Knex, tenantId: number): Promise<number> {
  const [row] = await Tenant.query(db)
    .patch({ ticketSeq: db.raw('ticket_seq + 1') as unknown as number })
    .where({ id: tenantId })
    .returning('ticketSeq');
  return (row as unknown as Tenant).ticketSeq;
}
