// The ticket open on screen: its messages (oldest first, older pages prepended on demand), its
// event trail, and the agent's actions on it.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { tickets as api, type NewMessage } from '../api/resources';
import type { Message, Ticket, TicketEvent } from '../api/types';
import { useRealtimeStore } from './realtime';
import { useTicketsStore } from './tickets';

export type TimelineEntry =
  | { kind: 'message'; key: string; at: string; message: Message }
  | { kind: 'event'; key: string; at: string; event: TicketEvent };

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

  /**
   * Messages and events in one column. Events older than the oldest loaded message wait until
   * that stretch of history is loaded, so the trail never floats above a gap.
   */
  const timeline = computed<TimelineEntry[]>(() => {
    const oldest = olderCursor.value ? messages.value[0]?.createdAt : undefined;
    const entries: TimelineEntry[] = [
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

  async function open(ticketId: number): Promise<void> {
    loading.value = true;
    ticket.value = ticketsStore.find(ticketId) ?? null;
    messages.value = [];
    events.value = [];
    olderCursor.value = null;
    try {
      const [loaded, page, trail] = await Promise.all([
        api.get(ticketId),
        api.messages(ticketId),
        api.events(ticketId),
      ]);
      ticket.value = loaded;
      messages.value = [...page.data].sort(oldestFirst);
      olderCursor.value = page.nextCursor;
      events.value = trail.data;
    } finally {
      loading.value = false;
    }
    void markRead();
  }

  function closeView(): void {
    ticket.value = null;
    messages.value = [];
    events.value = [];
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

  function upsertMessage(message: Message): void {
    if (message.ticketId !== ticket.value?.id) return;
    const rest = messages.value.filter((item) => item.id !== message.id);
    messages.value = [...rest, message].sort(oldestFirst);
  }

  async function markRead(): Promise<void> {
    const current = ticket.value;
    if (!current || current.unreadCount === 0) return;
    // Reading is a courtesy to the counters; failing to record it must not disturb the agent.
    await api.markRead(current.id).catch(() => undefined);
    applyTicket({ ...current, unreadCount: 0 });
  }

  function applyTicket(updated: Ticket): void {
    if (ticket.value?.id === updated.id) ticket.value = updated;
    ticketsStore.upsert(updated);
  }

  async function refreshEvents(): Promise<void> {
    if (!ticket.value) return;
    events.value = (await api.events(ticket.value.id)).data;
  }

  /** Each action answers with the ticket in its new state; the trail gains an entry too. */
  async function act(action: (id: number) => Promise<Ticket>): Promise<void> {
    if (!ticket.value) return;
    applyTicket(await action(ticket.value.id));
    await refreshEvents();
  }

  const accept = () => act(api.accept);
  const reopen = () => act(api.reopen);
  const close = (reason?: string) => act((id) => api.close(id, reason));
  const transfer = (input: { queueId?: number; userId?: number; note?: string }) =>
    act((id) => api.transfer(id, input));

  async function send(message: NewMessage): Promise<void> {
    if (!ticket.value) return;
    upsertMessage(await api.send(ticket.value.id, message));
  }

  function listenForChanges(): void {
    const realtime = useRealtimeStore();
    realtime.on('message:created', ({ message }) => upsertMessage(message));
    realtime.on('message:updated', ({ message }) => upsertMessage(message));
    realtime.on('ticket:updated', ({ ticket: updated }) => {
      if (updated.id !== ticket.value?.id) return;
      ticket.value = updated;
      void refreshEvents();
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
