// The socket.io link to the API. Events carry a per-tenant sequence number: after a reconnect
// the client asks the API for everything after the last number it saw, so a dropped connection
// never leaves a stale ticket list behind.
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { Socket } from 'socket.io-client';
import { getAccessToken, refreshSession } from '../api/http';
import { realtimeLog } from '../api/resources';
import type { Presence, RealtimeEventName, RealtimePayloads } from '../api/types';

/** The most events one replay asks for (the API's own maximum). */
const replayLimit = 500;

type Handler<E extends RealtimeEventName> = (payload: RealtimePayloads[E]) => void;
type AnyHandler = (payload: { seq: number }) => void;
/** Offline is what others see when the socket is gone; a person can only choose the other two. */
export type ChosenPresence = Exclude<Presence, 'offline'>;

const eventNames: RealtimeEventName[] = [
  'ticket:updated',
  'ticket:sla_breached',
  'message:created',
  'message:updated',
  'channel:status',
  'presence',
];

export const useRealtimeStore = defineStore('realtime', () => {
  const connected = ref(false);
  const socket = shallowRef<Socket | null>(null);
  const handlers = new Map<RealtimeEventName, Set<AnyHandler>>();
  const resyncHandlers = new Set<() => void>();

  let lastSeq = 0;
  let hasConnectedBefore = false;
  let catchingUp = false;
  let heldBack: { event: RealtimeEventName; payload: { seq: number } }[] = [];
  let presence: ChosenPresence = 'online';
  let watchedTicket: number | null = null;

  function on<E extends RealtimeEventName>(event: E, handler: Handler<E>): () => void {
    const set = handlers.get(event) ?? new Set<AnyHandler>();
    set.add(handler as AnyHandler);
    handlers.set(event, set);
    return () => set.delete(handler as AnyHandler);
  }

  /** Called when missed events cannot be replayed, so every list must reload from scratch. */
  function onResync(handler: () => void): () => void {
    resyncHandlers.add(handler);
    return () => resyncHandlers.delete(handler);
  }

  function dispatch(event: RealtimeEventName, payload: { seq: number }): void {
    if (typeof payload.seq === 'number') {
      if (payload.seq <= lastSeq) return;
      lastSeq = payload.seq;
    }
    handlers.get(event)?.forEach((handler) => handler(payload));
  }

  function receive(event: RealtimeEventName, payload: { seq: number }): void {
    if (catchingUp) heldBack.push({ event, payload });
    else dispatch(event, payload);
  }

  async function catchUp(): Promise<void> {
    if (lastSeq === 0) {
      resyncHandlers.forEach((handler) => handler());
      return;
    }
    catchingUp = true;
    try {
      const missed = await realtimeLog.after(lastSeq, replayLimit);
      missed.data.forEach((entry) => dispatch(entry.event, { ...entry.payload, seq: entry.seq }));
      // A full page means the gap may be longer than one replay: reload rather than guess.
      if (missed.data.length >= replayLimit) resyncHandlers.forEach((handler) => handler());
    } catch {
      resyncHandlers.forEach((handler) => handler());
    } finally {
      catchingUp = false;
      const pending = heldBack;
      heldBack = [];
      pending.forEach((entry) => dispatch(entry.event, entry.payload));
    }
  }

  async function connect(): Promise<void> {
    if (socket.value) return;
    // Loaded on demand so the sign-in page does not pay for the socket client.
    const { io } = await import('socket.io-client');
    const client = io({ auth: (give) => give({ token: getAccessToken() }) });
    socket.value = client;

    client.on('connect', () => {
      connected.value = true;
      client.emit('presence', presence);
      if (watchedTicket !== null) client.emit('ticket:join', watchedTicket);
      if (hasConnectedBefore) void catchUp();
      hasConnectedBefore = true;
    });
    client.on('disconnect', () => {
      connected.value = false;
    });
    // An expired access token is the usual reason the handshake is refused.
    client.on('connect_error', async () => {
      if (client.active) return;
      if (await refreshSession()) client.connect();
    });
    for (const event of eventNames) {
      client.on(event, (payload: { seq: number }) => receive(event, payload));
    }
  }

  function setPresence(status: ChosenPresence): void {
    presence = status;
    socket.value?.emit('presence', presence);
  }

  /**
   * Follows the ticket on screen through its own room, so its events keep arriving even when
   * none of the queue rooms joined at connect time covers it any more.
   */
  function watchTicket(ticketId: number | null): void {
    if (watchedTicket === ticketId) return;
    if (watchedTicket !== null) socket.value?.emit('ticket:leave', watchedTicket);
    watchedTicket = ticketId;
    if (ticketId !== null) socket.value?.emit('ticket:join', ticketId);
  }

  return { connected, on, onResync, connect, setPresence, watchTicket };
});
