// Reference data many screens look up by id (queue names and colours, agent names, tags, quick
// replies, channels). Loaded once per session and kept fresh by the pages that edit it.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { PageQuery } from '../api/resources';
import * as api from '../api/resources';
import type { Channel, Page, Queue, QuickReply, Tag, User } from '../api/types';
import { useRealtimeStore } from './realtime';

/** Follows nextCursor to the end; meant for the short reference lists only. */
export async function loadAll<T>(list: (query: PageQuery) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await list({ cursor, limit: 200 });
    items.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** A channel with a new connection state applied, when the state is about that channel. */
export function withSession(
  channel: Channel,
  change: {
    channelId: number;
    status: Channel['status'];
    qrCode: string | null;
    reason: string | null;
  },
): Channel {
  if (channel.id !== change.channelId) return channel;
  return { ...channel, status: change.status, qrCode: change.qrCode, statusReason: change.reason };
}

function byId<T extends { id: number }>(items: T[]): Map<number, T> {
  return new Map(items.map((item) => [item.id, item]));
}

export const useCatalogStore = defineStore('catalog', () => {
  const queues = ref<Queue[]>([]);
  const users = ref<User[]>([]);
  const tags = ref<Tag[]>([]);
  const channels = ref<Channel[]>([]);
  const quickReplies = ref<QuickReply[]>([]);
  let loading: Promise<void> | null = null;

  const queueById = computed(() => byId(queues.value));
  const userById = computed(() => byId(users.value));
  const tagById = computed(() => byId(tags.value));

  // A list the current role may not read simply stays empty; the screens degrade to ids.
  async function fill<T>(target: { value: T[] }, list: (query: PageQuery) => Promise<Page<T>>) {
    target.value = await loadAll(list).catch(() => []);
  }

  function reload(): Promise<void> {
    loading = Promise.all([
      fill(queues, api.queues.list),
      fill(users, api.users.list),
      fill(tags, api.tags.list),
      fill(channels, api.channels.list),
      fill(quickReplies, api.quickReplies.list),
    ]).then(() => undefined);
    return loading;
  }

  function ensureLoaded(): Promise<void> {
    return loading ?? reload();
  }

  function listenForChanges(): void {
    const realtime = useRealtimeStore();
    realtime.on('presence', ({ userId, status }) => {
      users.value = users.value.map((user) => (user.id === userId ? { ...user, status } : user));
    });
    realtime.on('channel:status', (change) => {
      channels.value = channels.value.map((channel) => withSession(channel, change));
    });
  }

  return {
    queues,
    users,
    tags,
    channels,
    quickReplies,
    queueById,
    userById,
    tagById,
    reload,
    ensureLoaded,
    listenForChanges,
  };
});
