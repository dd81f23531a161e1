// The ticket open on screen: its messages (oldest first, older pages prepended on demand), its
// event trail, and the agent's actions on it.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { ApiError } from '../api/http';
import { tickets as api, type NewMessage, type TransferInput } from '../api/resources';
import type { DeliveryStatus, Message, Ticket, TicketEvent } from '../api/types';
import { useRealtimeStore } from './realtime';
import { useTicketsStore } from './tickets';

export type TimelineEntry =
  | { kind: 'message'; key: string; at: string; message: Message }
  | { kind: 'event'; key: string; at: string; event: TicketEvent }
  | { kind: 'opened'; key: string; at: string };

const deliveryOrder: DeliveryStatus[] = ['pending', 'sent', 'delivered', 'read'];

/**
 * The channel's receipt can overtake the answer to the send itself, so a copy of a message
 * never takes its delivery status backwards (failed stays failed).
 */
function latest(known: Message, incoming: Message): Message {
  if (known.status === 'failed') return { ...incoming, status: 'failed', error: known.error };
  const behind = deliveryOrder.indexOf(incoming.status) < deliveryOrder.indexOf(known.status);
  return behind && incoming.status !== 'failed' ? { ...incoming, status: known.status } : incoming;
}

function oldestFirst(a: { createdAt: string }, b: { createdAt: string }): number {
  return a.createdAt.localeCompare(b.createdAt);
}

export const useConversationStore = defineStore('conversation', () => {
  const ticketsStore = useTicketsStore();
  const ticket = ref<Ticket | null>(null);
  const messages = shallowRef<Message[]>([]);
  const events = shallowRef<TicketEvent[]>([]);
  const olderCursor = ref<string | null>(null);
  const loadingOlder = ref(false);
  const loading = ref(false);
  /** The ticket does not exist, or not for this user: the API answers 404 either way. */
  const missing = ref(false);
  const realtime = useRealtimeStore();
  let openings = 0;

  /**
   * Messages and events in one column, opened by the ticket's creation (the trail has no event
   * for it). Entries older than the oldest loaded message wait until that stretch of history is
   * loaded, so the trail never floats above a gap.
   */
  const timeline = computed<TimelineEntry[]>(() => {
    const oldest = olderCursor.value ? messages.value[0]?.createdAt : undefined;
    const createdAt = ticket.value?.createdAt;
    const entries: TimelineEntry[] = [
      ...(createdAt && (!oldest || createdAt >= oldest)
        ? [{ kind: 'opened' as const, key: 'opened', at: createdAt }]
        : []),
      ...messages.value.map((message) => ({
        kind: 'message' as const,
        key: `m${message.id}`,
        at: message.createdAt,
        message,
      })),
      ...events.value
        .filter((event) => !oldest || event.createdAt >= oldest)
        .map((event) => ({
          kind: 'event' as const,
          key: `e${event.id}`,
          at: event.createdAt,
          event,
        })),
    ];
    return entries.sort((a, b) => a.at.localeCompare(b.at));
  });

  /**
   * Loads a ticket's view. Realtime events keep arriving while it loads, and an agent may act
   * before it finishes, so what the load brings is merged with what is already newer on screen;
   * a load overtaken by opening another ticket is dropped.
   */
  async function open(ticketId: number): Promise<void> {
    const opening = (openings += 1);
    loading.value = true;
    missing.value = false;
    ticket.value = ticketsStore.find(ticketId) ?? null;
    messages.value = [];
    events.value = [];
    olderCursor.value = null;
    realtime.watchTicket(ticketId);
    try {
      const [loaded, page, trail] = await Promise.all([
        api.get(ticketId),
        api.messages(ticketId),
        api.events(ticketId),
      ]);
      if (opening !== openings) return;
      const current = ticket.value;
      ticket.value = current && current.updatedAt > loaded.updatedAt ? current : loaded;
      const loadedIds = new Set(page.data.map((message) => message.id));
      const live = messages.value.filter((message) => !loadedIds.has(message.id));
      messages.value = [...page.data, ...live].sort(oldestFirst);
      olderCursor.value = page.nextCursor;
      if (trail.data.length >= events.value.length) events.value = trail.data;
    } catch (error) {
      if (opening !== openings) return;
      if (!(error instanceof ApiError && error.status === 404)) throw error;
      ticket.value = null;
      missing.value = true;
      realtime.watchTicket(null);
      return;
    } finally {
      if (opening === openings) loading.value = false;
    }
    void markRead();
  }

  function closeView(): void {
    openings += 1;
    ticket.value = null;
    messages.value = [];
    events.value = [];
    missing.value = false;
    realtime.watchTicket(null);
  }

  /** Returns how many messages were prepended, so the view can keep its scroll anchor. */
  async function loadOlder(): Promise<number> {
    const current = ticket.value;
    if (!current || !olderCursor.value || loadingOlder.value) return 0;
    loadingOlder.value = true;
    try {
      const page = await api.messages(current.id, olderCursor.value);
      if (ticket.value?.id !== current.id) return 0;
      const known = new Set(messages.value.map((message) => message.id));
      const older = page.data.filter((message) => !known.has(message.id)).sort(oldestFirst);
      messages.value = [...older, ...messages.value];
      olderCursor.value = page.nextCursor;
      return older.length;
    } finally {
      loadingOlder.value = false;
    }
  }

  function upsertMessage(received: Message): void {
    if (received.ticketId !== ticket.value?.id) return;
    const known = messages.value.find((item) => item.id === received.id);
    // A reply can come back (answer and message:created) before the database filled in its
    // createdAt; the moment it arrived orders it well enough until the stored copy replaces it.
    const createdAt = received.createdAt ?? known?.createdAt ?? new Date().toISOString();
    const message = { ...received, createdAt };
    const rest = messages.value.filter((item) => item.id !== message.id);
    messages.value = [...rest, known ? latest(known, message) : message].sort(oldestFirst);
  }

  async function markRead(): Promise<void> {
    const current = ticket.value;
    if (!current || current.unreadCount === 0) return;
    // Reading is a courtesy to the counters; failing to record it must not disturb the agent.
    const read = await api.markRead(current.id).catch(() => null);
    if (read) applyTicket(read);
  }

  function applyTicket(updated: Ticket): void {
    if (ticket.value?.id === updated.id) ticket.value = updated;
    ticketsStore.upsert(updated);
  }

  /** A ticket that just moved out of this user's sight answers 404; its trail no longer matters. */
  async function refreshEvents(): Promise<void> {
    const id = ticket.value?.id;
    if (!id) return;
    const trail = await api.events(id).catch(() => null);
    if (trail && ticket.value?.id === id) events.value = trail.data;
  }

  /** Each action answers with the ticket in its new state; the trail gains an entry too. */
  async function act(action: (id: number) => Promise<Ticket>): Promise<Ticket | null> {
    if (!ticket.value) return null;
    const updated = await action(ticket.value.id);
    applyTicket(updated);
    await refreshEvents();
    return updated;
  }

  const accept = () => act(api.accept);
  const reopen = () => act(api.reopen);
  const close = (reason?: string) => act((id) => api.close(id, reason));
  const transfer = (input: TransferInput) => act((id) => api.transfer(id, input));

  async function send(message: NewMessage): Promise<void> {
    if (!ticket.value) return;
    upsertMessage(await api.send(ticket.value.id, message));
  }

  /** Only a transition or a breach adds to the trail; most updates are just a new message. */
  function changesTrail(before: Ticket, after: Ticket): boolean {
    return (
      before.status !== after.status ||
      before.queueId !== after.queueId ||
      before.userId !== after.userId ||
      before.slaBreachedAt !== after.slaBreachedAt
    );
  }

  function listenForChanges(): void {
    realtime.on('message:created', ({ message }) => upsertMessage(message));
    realtime.on('message:updated', ({ message }) => upsertMessage(message));
    realtime.on('ticket:updated', ({ ticket: updated }) => {
      const before = ticket.value;
      if (updated.id !== before?.id) return;
      ticket.value = updated;
      if (changesTrail(before, updated)) void refreshEvents();
      // A message that lands while the agent is looking at the ticket is read already.
      if (document.visibilityState === 'visible') void markRead();
    });
    realtime.onResync(() => {
      if (ticket.value) void open(ticket.value.id);
    });
  }

  return {
    ticket,
    messages,
    timeline,
    olderCursor,
    loading,
    loadingOlder,
    missing,
    open,
    closeView,
    loadOlder,
    accept,
    reopen,
    close,
    transfer,
    send,
    listenForChanges,
  };
});
