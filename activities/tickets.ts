// Side effects of the ticket workflow: persisting transitions and messages, reading the policy
// that drives its timers, assignment and the texts it sends on its own.
import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { Channel, Contact, Message, Queue, Ticket, TicketEvent } from '../db/models';
import { readSettings } from '../db/settings';
import { fetchTicketView, presentMessages } from '../db/views';
import { businessHoursAt, greetingFor } from '../lib/business-hours';
import type { MessageView, TicketView } from '../lib/presenters';
import { rooms, ticketRooms } from '../lib/realtime';
import type { Services } from '../lib/services';
import {
  capacityFreedSignal,
  ticketWorkflowId,
  type SendInput,
  type TicketStatus,
} from '../workflows/ticket-api';

export interface TicketPolicy {
  status: TicketStatus;
  queueId: number | null;
  userId: number | null;
  distribution: Queue['distribution'];
  /** Timer lengths in milliseconds, null when the timer is off. */
  autoCloseMs: number | null;
  slaMs: number | null;
  agentIdleMs: number | null;
  outOfHours: boolean;
  lastInboundAt: number | null;
  slaBreached: boolean;
}

export interface TransitionInput {
  tenantId: number;
  ticketId: number;
  type: 'accepted' | 'transferred' | 'closed' | 'reopened' | 'returned' | 'assigned';
  to: TicketStatus;
  userId: number | null;
  queueId: number | null;
  byUserId: number | null;
  data?: Record<string, unknown>;
}

export type SystemText = 'farewell' | 'outOfHours' | 'autoClose';

export function createTicketActivities(services: Services) {
  const { db, publisher } = services;

  const toMs = (minutes: number | null) =>
    minutes === null ? null : minutes * services.config.timerMinuteMs;

  const view = async (tenantId: number, ticketId: number): Promise<TicketView> => {
    const ticket = await fetchTicketView(db, tenantId, ticketId);
    if (!ticket) throw ApplicationFailure.nonRetryable(`ticket ${ticketId} is gone`, 'TicketGone');
    return ticket;
  };

  /** The ticket row and its audit event, in the caller's transaction. */
  async function writeTransition(trx: Knex.Transaction, before: Ticket, input: TransitionInput) {
    const now = new Date().toISOString();
    await Ticket.query(trx)
      .patch({
        status: input.to,
        userId: input.userId,
        queueId: input.queueId,
        ...(input.to === 'closed'
          ? { closedAt: now, closeReason: (input.data?.reason as string | undefined) ?? null }
          : { closedAt: null, closeReason: null }),
        ...(input.to === 'open' ? { unreadCount: 0 } : {}),
        ...(input.to === 'pending' ? { slaBreachedAt: null } : {}),
      })
      .where({ id: before.id });
    await TicketEvent.query(trx).insert({
      tenantId: before.tenantId,
      ticketId: before.id,
      type: input.type,
      userId: input.byUserId,
      fromStatus: before.status,
      toStatus: input.to,
      data: {
        ...input.data,
        fromQueueId: before.queueId,
        toQueueId: input.queueId,
        fromUserId: before.userId,
        toUserId: input.userId,
      },
    });
  }

  /** Tells both the audience the ticket had and the one it has now. */
  async function announceTransition(before: Ticket): Promise<TicketView> {
    const after = await view(before.tenantId, before.id);
    await publishTicket(after, ticketRooms(before));
    return after;
  }

  const publishTicket = async (ticket: TicketView, extraRooms: string[] = []) => {
    const targets = [...new Set([...ticketRooms(ticket), ...extraRooms])];
    await publisher.publish(ticket.tenantId, targets, 'ticket:updated', { ticket });
  };

  async function fillVariables(
    tenantId: number,
    ticketId: number,
    template: string,
  ): Promise<string> {
    const ticket = await Ticket.query(db).findById(ticketId).throwIfNotFound();
    const contact = await Contact.query(db).findById(ticket.contactId);
    const settings = await readSettings(db, tenantId);
    const values: Record<string, string> = {
      name: contact?.name ?? '',
      protocol: String(ticket.number),
      greeting: greetingFor(new Date(), settings.timeZone),
    };
    return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => values[key] ?? whole);
  }

  async function recordOutbound(
    input: SendInput & { tenantId: number; ticketId: number; kind?: string },
  ): Promise<MessageView> {
    const ticket = await Ticket.query(db)
      .findOne({ id: input.ticketId, tenantId: input.tenantId })
      .throwIfNotFound();
    const now = new Date().toISOString();
    const isPrivate = Boolean(input.isPrivate);
    const row = await Message.query(db)
      .insert({
        tenantId: ticket.tenantId,
        ticketId: ticket.id,
        contactId: ticket.contactId,
        channelId: ticket.channelId,
        userId: input.byUserId,
        direction: 'out',
        kind: input.media ? mediaKind(input.media.mimeType) : (input.kind ?? 'text'),
        body: input.body,
        mediaPath: input.media?.key ?? null,
        mediaType: input.media?.mimeType ?? null,
        mediaName: input.media?.fileName ?? null,
        status: isPrivate ? 'sent' : 'pending',
        isPrivate,
        quotedMessageId: input.quotedMessageId ?? null,
        scheduledAt: input.scheduledAt ? new Date(input.scheduledAt).toISOString() : null,
      })
      .returning('*');

    const firstReply = !isPrivate && input.byUserId !== null && !ticket.firstResponseAt;
    await Ticket.query(db)
      .patch({
        ...(isPrivate
          ? {}
          : { lastMessageBody: (input.body || `[${row.kind}]`).slice(0, 255), lastMessageAt: now }),
        ...(firstReply ? { firstResponseAt: now } : {}),
        ...(input.byUserId !== null ? { unreadCount: 0 } : {}),
      })
      .where({ id: ticket.id });

    const [message] = await presentMessages(db, [row]);
    await publisher.publish(ticket.tenantId, ticketRooms(ticket), 'message:created', { message });
    await publishTicket(await view(ticket.tenantId, ticket.id));
    return message;
  }

  return {
    async loadTicketPolicy(input: { tenantId: number; ticketId: number }): Promise<TicketPolicy> {
      const ticket = await Ticket.query(db).findOne({
        id: input.ticketId,
        tenantId: input.tenantId,
      });
      if (!ticket)
        throw ApplicationFailure.nonRetryable(`ticket ${input.ticketId} is gone`, 'TicketGone');
      const settings = await readSettings(db, input.tenantId);
      const queue = ticket.queueId ? await Queue.query(db).findById(ticket.queueId) : undefined;
      return {
        status: ticket.status,
        queueId: ticket.queueId,
        userId: ticket.userId,
        distribution: queue?.distribution ?? 'manual',
        autoCloseMs: toMs(queue?.autoCloseMinutes ?? settings.autoCloseMinutes),
        slaMs: toMs(queue?.slaMinutes ?? settings.slaMinutes),
        agentIdleMs: toMs(queue?.agentIdleMinutes ?? settings.agentIdleMinutes),
        outOfHours: Boolean(settings.outOfHoursMessage && settings.businessHours),
        lastInboundAt: ticket.lastInboundAt ? new Date(ticket.lastInboundAt).getTime() : null,
        slaBreached: Boolean(ticket.slaBreachedAt),
      };
    },

    /** Writes a status change, its audit event, and tells both the old and the new audience. */
    async transitionTicket(input: TransitionInput): Promise<TicketView> {
      const before = await Ticket.query(db)
        .findOne({ id: input.ticketId, tenantId: input.tenantId })
        .throwIfNotFound();
      await db.transaction((trx) => writeTransition(trx, before, input));
      return announceTransition(before);
    },

    recordOutbound,

    /** Stores one of the texts the ticket sends on its own, or null when none is configured. */
    async recordSystemMessage(input: {
      tenantId: number;
      ticketId: number;
      text: SystemText;
    }): Promise<MessageView | null> {
      const settings = await readSettings(db, input.tenantId);
      const ticket = await Ticket.query(db).findById(input.ticketId).throwIfNotFound();
      const channel = await Channel.query(db).findById(ticket.channelId);
      const template =
        input.text === 'farewell'
          ? (channel?.farewellMessage ?? settings.farewellMessage)
          : input.text === 'outOfHours'
            ? settings.outOfHoursMessage
            : settings.autoCloseMessage;
      if (!template) return null;
      const body = await fillVariables(input.tenantId, input.ticketId, template);
      return recordOutbound({
        tenantId: input.tenantId,
        ticketId: input.ticketId,
        byUserId: null,
        body,
      });
    },

    async checkBusinessHours(input: { tenantId: number; at: number }) {
      const settings = await readSettings(db, input.tenantId);
      return businessHoursAt(settings.businessHours ?? null, settings.timeZone, new Date(input.at));
    },

    async markSlaBreached(input: { tenantId: number; ticketId: number }): Promise<void> {
      await Ticket.query(db)
        .patch({ slaBreachedAt: new Date().toISOString() })
        .where({ id: input.ticketId });
      await TicketEvent.query(db).insert({
        tenantId: input.tenantId,
        ticketId: input.ticketId,
        type: 'sla_breached',
        userId: null,
        fromStatus: null,
        toStatus: null,
        data: null,
      });
      const ticket = await view(input.tenantId, input.ticketId);
      await publishTicket(ticket);
      const audience = [
        rooms.managers(input.tenantId),
        ...(ticket.queueId ? [rooms.queue(ticket.queueId)] : []),
      ];
      await publisher.publish(input.tenantId, audience, 'ticket:sla_breached', { ticket });
    },

    /**
     * Gives a pending ticket to an online agent of its queue with room under the cap: the one
     * who waited longest for a ticket (round robin) or who holds fewest (least busy).
     */
    async autoAssign(input: { tenantId: number; ticketId: number }): Promise<number | null> {
      const ticket = await Ticket.query(db).findOne({
        id: input.ticketId,
        tenantId: input.tenantId,
      });
      if (!ticket || ticket.status !== 'pending' || !ticket.queueId) return null;
      const queue = await Queue.query(db).findById(ticket.queueId);
      if (!queue || queue.distribution === 'manual') return null;

      // The pick and the assignment share one transaction under a lock per queue, so two
      // tickets never take the same agent's last free slot.
      const assigned = await db.transaction(async (trx) => {
        await trx.raw('select pg_advisory_xact_lock(?, ?)', [2, queue.id]);
        const openCount = trx('tickets')
          .count('*')
          .where('tickets.userId', trx.ref('users.id'))
          .where('tickets.status', 'open');
        const lastAssigned = trx('ticketEvents')
          .max('createdAt')
          .where('ticketEvents.type', 'assigned')
          .whereRaw("(ticket_events.data->>'toUserId')::bigint = users.id");
        const candidates = await trx('users')
          .join('userQueues', 'userQueues.userId', 'users.id')
          .where({ 'userQueues.queueId': queue.id, 'users.status': 'online', 'users.active': true })
          .select(
            'users.id',
            'users.maxOpenTickets',
            openCount.as('openCount'),
            lastAssigned.as('lastAssignedAt'),
          );
        const withRoom = candidates.filter((agent) => {
          const cap = agent.maxOpenTickets ?? queue.maxOpenPerAgent;
          return cap === null || Number(agent.openCount) < cap;
        });
        if (withRoom.length === 0) return null;
        const order =
          queue.distribution === 'least_busy'
            ? (a: any, b: any) => Number(a.openCount) - Number(b.openCount) || a.id - b.id
            : (a: any, b: any) => time(a.lastAssignedAt) - time(b.lastAssignedAt) || a.id - b.id;
        const agentId = withRoom.sort(order)[0].id as number;
        await writeTransition(trx, ticket, {
          tenantId: ticket.tenantId,
          ticketId: ticket.id,
          type: 'assigned',
          to: 'open',
          userId: agentId,
          queueId: ticket.queueId,
          byUserId: null,
        });
        return agentId;
      });
      if (assigned !== null) await announceTransition(ticket);
      return assigned;
    },

    /** Wakes the oldest ticket waiting in a queue, after an agent's load went down. */
    async notifyCapacityFreed(input: { tenantId: number; queueId: number | null }): Promise<void> {
      if (!input.queueId) return;
      const waiting = await Ticket.query(db)
        .where({ tenantId: input.tenantId, queueId: input.queueId, status: 'pending' })
        .orderBy('createdAt')
        .limit(5);
      for (const ticket of waiting) {
        await services.temporal.workflow
          .getHandle(ticketWorkflowId(ticket.tenantId, ticket.id))
          .signal(capacityFreedSignal)
          .catch(() => undefined);
      }
    },
  };
}

const time = (value: string | null) => (value ? new Date(value).getTime() : 0);

function mediaKind(mimeType: string): string {
  if (mimeType.startsWith('image/')) return 'image';
  if (mimeType.startsWith('audio/')) return 'audio';
  if (mimeType.startsWith('video/')) return 'video';
  return 'document';
}
