// The agent's ticket lists: one tab per status, the filters on top, cursor paging underneath and
// live updates folded in as they arrive.
import { defineStore } from 'pinia';
import { reactive, ref, watch } from 'vue';
import { tickets as api, type TicketFilters } from '../api/resources';
import type { Ticket, TicketCounts, TicketStatus } from '../api/types';
import { useRealtimeStore } from './realtime';
import { useSessionStore } from './session';

export type TicketListFilters = Omit<TicketFilters, 'status' | 'userId' | 'contactId'>;

const pageSize = 30;

function emptyFilters(): TicketListFilters {
  return { queueId: null, channelId: null, tagId: null, unread: false, mine: true, q: '' };
}

function newestFirst(a: Ticket, b: Ticket): number {
  return (b.lastMessageAt ?? b.createdAt).localeCompare(a.lastMessageAt ?? a.createdAt);
}

export const useTicketsStore = defineStore('tickets', () => {
  const session = useSessionStore();
  const tab = ref<TicketStatus>('open');
  const filters = reactive<TicketListFilters>(emptyFilters());
  const items = ref<Ticket[]>([]);
  const nextCursor = ref<string | null>(null);
  const loading = ref(false);
  const counts = ref<TicketCounts>({ bot: 0, pending: 0, open: 0, closed: 0 });
  let generation = 0;
  let countsTimer: ReturnType<typeof setTimeout> | undefined;

  /** Waiting and bot tickets have nobody assigned yet, so "mine" means nothing there. */
  function queryFor(status: TicketStatus): TicketFilters {
    const assignable = status === 'open' || status === 'closed';
    return { ...filters, status, mine: assignable && filters.mine };
  }

  /** Every reload bumps the generation so a slow answer for an old filter is thrown away. */
  async function reload(): Promise<void> {
    const mine = generation + 1;
    generation = mine;
    items.value = [];
    nextCursor.value = null;
    await fetchPage(mine, null);
    refreshCounts();
  }

  async function loadMore(): Promise<void> {
    if (loading.value || !nextCursor.value) return;
    await fetchPage(generation, nextCursor.value);
  }

  async function fetchPage(forGeneration: number, cursor: string | null): Promise<void> {
    loading.value = true;
    try {
      const page = await api.list(queryFor(tab.value), { cursor, limit: pageSize });
      if (forGeneration !== generation) return;
      const known = new Set(items.value.map((ticket) => ticket.id));
      items.value = [...items.value, ...page.data.filter((ticket) => !known.has(ticket.id))];
      nextCursor.value = page.nextCursor;
    } finally {
      if (forGeneration === generation) loading.value = false;
    }
  }

  /** Counters move with every transition; asking the API once a burst settles keeps them true. */
  function refreshCounts(): void {
    clearTimeout(countsTimer);
    countsTimer = setTimeout(async () => {
      counts.value = await api.counts().catch(() => counts.value);
    }, 400);
  }

  /**
   * Whether a ticket belongs in the list on screen. Search text and tag cannot be judged from
   * the ticket alone, so with those filters on only tickets already listed are kept up to date.
   */
  function belongsHere(ticket: Ticket, alreadyListed: boolean): boolean {
    if (ticket.status !== tab.value || !session.canSee(ticket)) return false;
    if (filters.queueId && ticket.queueId !== filters.queueId) return false;
    if (filters.channelId && ticket.channel.id !== filters.channelId) return false;
    if (filters.unread && ticket.unreadCount === 0) return false;
    if (queryFor(tab.value).mine && ticket.userId !== session.user?.id) return false;
    return alreadyListed || (!filters.q && !filters.tagId);
  }

  function upsert(ticket: Ticket): void {
    const index = items.value.findIndex((item) => item.id === ticket.id);
    const keep = belongsHere(ticket, index >= 0);
    const rest = items.value.filter((item) => item.id !== ticket.id);
    items.value = keep ? [ticket, ...rest].sort(newestFirst) : rest;
    refreshCounts();
  }

  function find(id: number): Ticket | undefined {
    return items.value.find((ticket) => ticket.id === id);
  }

  function resetFilters(): void {
    Object.assign(filters, emptyFilters());
  }

  function listenForChanges(): void {
    const realtime = useRealtimeStore();
    realtime.on('ticket:updated', ({ ticket }) => upsert(ticket));
    realtime.onResync(() => void reload());
  }

  watch([tab, () => ({ ...filters })], () => void reload(), { deep: true });

  return {
    tab,
    filters,
    items,
    nextCursor,
    loading,
    counts,
    reload,
    loadMore,
    upsert,
    find,
    resetFilters,
    listenForChanges,
  };
});
