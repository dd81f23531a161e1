// Publishes what changes an agent's screen. Every event is stored first (its id is the cursor a
// reconnecting client resumes from), then fanned out to socket.io rooms through whatever bus the
// process has: the local socket.io server, or the Redis emitter in a worker of its own.
import type { Db } from '../db/knex';
import { RealtimeEvent } from '../db/models';

export type RoomEmitter = (rooms: string[], event: string, payload: unknown) => void;

export const rooms = {
  tenant: (tenantId: number) => `tenant:${tenantId}`,
  managers: (tenantId: number) => `tenant:${tenantId}:managers`,
  unqueued: (tenantId: number) => `tenant:${tenantId}:unqueued`,
  queue: (queueId: number) => `queue:${queueId}`,
  ticket: (ticketId: number) => `ticket:${ticketId}`,
  user: (userId: number) => `user:${userId}`,
  visitor: (channelId: number, visitorId: string) => `visitor:${channelId}:${visitorId}`,
};

/** The rooms that see a ticket: its managers, its queue (or everyone when it has none), its agent. */
export function ticketRooms(ticket: {
  tenantId: number;
  id: number;
  queueId: number | null;
  userId: number | null;
}): string[] {
  return [
    rooms.managers(ticket.tenantId),
    ticket.queueId ? rooms.queue(ticket.queueId) : rooms.unqueued(ticket.tenantId),
    rooms.ticket(ticket.id),
    ...(ticket.userId ? [rooms.user(ticket.userId)] : []),
  ];
}

export class RealtimePublisher {
  private emitter: RoomEmitter = () => {};

  constructor(private readonly db: Db) {}

  /** Attaches the bus; until then events are only stored. */
  attach(emitter: RoomEmitter): void {
    this.emitter = emitter;
  }

  async publish(
    tenantId: number,
    targetRooms: string[],
    event: string,
    payload: Record<string, unknown>,
  ): Promise<number> {
    const [seq] = await this.publishAll(tenantId, targetRooms, [[event, payload]]);
    return seq;
  }

  /** Several events to the same rooms, stored in one insert, emitted in order. */
  async publishAll(
    tenantId: number,
    targetRooms: string[],
    events: [event: string, payload: Record<string, unknown>][],
  ): Promise<number[]> {
    const rows = events.map(([event, payload]) => ({
      tenantId,
      event,
      rooms: targetRooms,
      payload: toJson(payload),
    }));
    const stored = (await RealtimeEvent.query(this.db).insert(rows).returning('id')) as unknown as {
      id: number;
    }[];
    const seqs = stored.map((row) => row.id).sort((a, b) => a - b);
    events.forEach(([event, payload], index) =>
      this.emitter(targetRooms, event, { ...payload, seq: seqs[index] }),
    );
    return seqs;
  }

  /** Sends without storing, for audiences that do not replay from the cursor (web chat visitors). */
  emitOnly(targetRooms: string[], event: string, payload: Record<string, unknown>): void {
    this.emitter(targetRooms, event, toJson(payload));
  }

  /** What a client that may join `allowedRooms` missed since `after`, oldest first. */
  async since(tenantId: number, allowedRooms: string[], after: number, limit = 500) {
    const events = await RealtimeEvent.query(this.db)
      .where({ tenantId })
      .where('id', '>', after)
      .whereRaw('rooms && ?::text[]', [allowedRooms])
      .orderBy('id')
      .limit(limit);
    return events.map((row) => ({ seq: row.id, event: row.event, payload: row.payload }));
  }
}

/** Objection models become plain JSON before they are stored or sent. */
const toJson = (payload: Record<string, unknown>) => JSON.parse(JSON.stringify(payload));
