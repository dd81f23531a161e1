import {
  createRouter,
  createWebHistory,
  type RouteLocationNormalized,
  type RouteRecordRaw,
} from 'vue-router';
import type { Role } from './api/types';
// Part of the entry bundle: every signed-out visit starts here, and a lazy chunk would add a
// round trip before the form can be used.
import LoginPage from './pages/LoginPage.vue';
import { useSessionStore } from './stores/session';

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean;
    roles?: Role[];
  }
}

const tenantStaff: Role[] = ['admin', 'agent'];
const managers: Role[] = ['admin'];
const saasAdmins: Role[] = ['super'];

const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: LoginPage,
    meta: { public: true },
  },
  {
    path: '/',
    component: () => import('./layouts/MainLayout.vue'),
    children: [
      { path: '', name: 'home', redirect: () => useSessionStore().homeRoute() },
      {
        path: 'tickets/:ticketId(\\d+)?',
        name: 'tickets',
        component: () => import('./pages/TicketsPage.vue'),
        meta: { roles: tenantStaff },
      },
      {
        path: 'contacts',
        name: 'contacts',
        component: () => import('./pages/ContactsPage.vue'),
        meta: { roles: tenantStaff },
      },
      {
        path: 'dashboard',
        name: 'dashboard',
        component: () => import('./pages/DashboardPage.vue'),
        meta: { roles: managers },
      },
      {
        path: 'users',
        name: 'users',
        component: () => import('./pages/UsersPage.vue'),
        meta: { roles: managers },
      },
      {
        path: 'queues',
        name: 'queues',
        component: () => import('./pages/QueuesPage.vue'),
        meta: { roles: managers },
      },
      {
        path: 'channels',
        name: 'channels',
        component: () => import('./pages/ChannelsPage.vue'),
        meta: { roles: managers },
      },
      {
        path: 'quick-replies',
        name: 'quick-replies',
        component: () => import('./pages/QuickRepliesPage.vue'),
        meta: { roles: managers },
      },
      {
        path: 'tags',
        name: 'tags',
        component: () => import('./pages/TagsPage.vue'),
        meta: { roles: managers },
      },
      {
        path: 'settings',
        name: 'settings',
        component: () => import('./pages/SettingsPage.vue'),
        meta: { roles: managers },
      },
      {
        path: 'tenants',
        name: 'tenants',
        component: () => import('./pages/TenantsPage.vue'),
        meta: { roles: saasAdmins },
      },
      {
        path: 'channel-health',
        name: 'channel-health',
        component: () => import('./pages/ChannelHealthPage.vue'),
        meta: { roles: saasAdmins },
      },
    ],
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('./pages/NotFoundPage.vue'),
    meta: { public: true },
  },
];

export const router = createRouter({ history: createWebHistory(), routes });

/** Starts fetching a route's lazy pages; the router would only ask once the guard is done. */
function preload(to: RouteLocationNormalized): void {
  for (const record of to.matched) {
    for (const component of Object.values(record.components ?? {})) {
      if (typeof component === 'function') void (component as () => Promise<unknown>)();
    }
  }
}

router.beforeEach(async (to) => {
  const session = useSessionStore();
  preload(to);
  // Public pages show at once; the sign-in page moves on by itself if the session comes back.
  if (to.meta.public && !session.restored) {
    void session.restore();
    return true;
  }
  await session.restore();

  if (to.name === 'not-found') return true;
  if (!session.user) {
    return to.meta.public ? true : { name: 'login', query: { redirect: to.fullPath } };
  }
  if (to.name === 'login') return session.homeRoute();
  if (to.meta.roles && !to.meta.roles.includes(session.user.role)) return session.homeRoute();
  return true;
});
