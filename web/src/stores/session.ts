// Who is signed in. The access token itself stays in memory inside api/http; a page reload gets a
// fresh one from the httpOnly refresh cookie, so nothing secret lands in localStorage.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { onSessionChange, refreshSession, setAccessToken } from '../api/http';
import { auth } from '../api/resources';
import type { Presence, Role, SessionUser, Ticket } from '../api/types';

export const useSessionStore = defineStore('session', () => {
  const user = ref<SessionUser | null>(null);
  const restored = ref(false);

  onSessionChange((session) => {
    user.value = session?.user ?? null;
  });

  const role = computed<Role | null>(() => user.value?.role ?? null);
  const isManager = computed(() => role.value === 'admin');

  async function restore(): Promise<void> {
    if (restored.value) return;
    await refreshSession();
    restored.value = true;
  }

  async function login(email: string, password: string): Promise<void> {
    // A session check still in flight would otherwise land after this and sign the person out.
    await restore();
    const session = await auth.login(email, password);
    setAccessToken(session.accessToken);
    user.value = session.user;
    restored.value = true;
  }

  async function logout(): Promise<void> {
    // The server may already consider the session gone; signing out locally must still happen.
    await auth.logout().catch(() => undefined);
    setAccessToken(null);
    user.value = null;
  }

  function setPresence(status: Presence): void {
    if (user.value) user.value = { ...user.value, status };
  }

  /**
   * The API's own visibility rule, so lists drop a ticket the moment it moves out of reach:
   * managers see everything; agents their queues, tickets without a queue and their own.
   */
  function canSee(ticket: Pick<Ticket, 'queueId' | 'userId'>): boolean {
    const me = user.value;
    if (!me) return false;
    if (me.role === 'admin' || ticket.userId === me.id) return true;
    return ticket.queueId === null || me.queueIds.includes(ticket.queueId);
  }

  /** Where a user lands after signing in: the super admin has no tickets to work. */
  function homeRoute(): string {
    return role.value === 'super' ? '/tenants' : '/tickets';
  }

  return {
    user,
    role,
    isManager,
    restored,
    restore,
    login,
    logout,
    setPresence,
    canSee,
    homeRoute,
  };
});
