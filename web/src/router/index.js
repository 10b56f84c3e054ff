/*
 * Routes of both apps, history mode (the server answers index.html for any
 * path without a file extension).
 *   /            staff console: /login, and pages inside ConsoleLayout
 *   /portal      worker portal: mobile layout with a bottom tab bar
 * meta.menu     the console page's key in menu.js (its roles apply)
 * meta.public   reachable without signing in
 * meta.auth     portal page that needs a signed-in user
 */
import { createRouter, createWebHistory } from 'vue-router';
import { MENU, roleMayUse } from '../menu.js';
import { useSessionStore } from '../stores/session.js';
import { onUnauthorized } from '../api/client.js';

const ConsoleLayout = () => import('../layouts/ConsoleLayout.vue');
const PortalLayout = () => import('../layouts/PortalLayout.vue');
const Placeholder = () => import('../views/console/Placeholder.vue');

const pageFor = {
  dashboard: () => import('../views/console/Dashboard.vue'),
  checkIds: () => import('../views/console/CheckIds.vue'),
  members: () => import('../views/console/Members.vue'),
  imports: () => import('../views/console/Imports.vue'),
  claims: () => import('../views/console/Claims.vue'),
  audit: () => import('../views/console/Audit.vue'),
  orgs: () => import('../views/console/Orgs.vue'),
  employers: () => import('../views/console/Employers.vue'),
  plans: () => import('../views/console/Plans.vue'),
  enrolments: () => import('../views/console/Enrolments.vue'),
  invoices: () => import('../views/console/Invoices.vue'),
  payouts: () => import('../views/console/Payouts.vue'),
  ledger: () => import('../views/console/Ledger.vue'),
  users: () => import('../views/console/Users.vue'),
  articles: () => import('../views/console/Articles.vue'),
  supervision: () => import('../views/console/Supervision.vue'),
};

const consoleChildren = MENU.map((m) => ({
  path: m.path === '/' ? '' : m.path.slice(1),
  name: m.key,
  component: pageFor[m.key] || Placeholder,
  meta: { menu: m.key, public: m.key === 'checkIds' },
}));

const routes = [
  { path: '/login', name: 'login', component: () => import('../views/console/Login.vue'), meta: { public: true } },
  {
    path: '/',
    component: ConsoleLayout,
    children: [
      ...consoleChildren,
      { path: 'forbidden', name: 'forbidden', component: () => import('../views/console/Forbidden.vue') },
    ],
  },
  {
    path: '/portal/login',
    name: 'portalLogin',
    component: () => import('../views/portal/PortalLogin.vue'),
    meta: { portal: true, public: true },
  },
  {
    path: '/portal',
    component: PortalLayout,
    meta: { portal: true },
    children: [
      { path: '', name: 'portalHome', component: () => import('../views/portal/PortalHome.vue'), meta: { portal: true, public: true, tab: 'home' } },
      { path: 'cover', name: 'portalCover', component: () => import('../views/portal/PortalCover.vue'), meta: { portal: true, auth: true, tab: 'cover' } },
      { path: 'claims', name: 'portalClaims', component: () => import('../views/portal/PortalClaims.vue'), meta: { portal: true, auth: true, tab: 'claims' } },
      { path: 'claims/new', name: 'portalNewClaim', component: () => import('../views/portal/PortalNewClaim.vue'), meta: { portal: true, auth: true, tab: 'claims' } },
      { path: 'articles/:id', name: 'portalArticle', component: () => import('../views/portal/PortalArticle.vue'), meta: { portal: true, public: true, tab: 'home' } },
      { path: 'me', name: 'portalMe', component: () => import('../views/portal/PortalMe.vue'), meta: { portal: true, public: true, tab: 'me' } },
    ],
  },
  { path: '/:rest(.*)*', name: 'notFound', component: () => import('../views/NotFound.vue'), meta: { public: true } },
];

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: (to) => (to.hash ? { el: to.hash, top: 56 } : { top: 0 }),
});

router.beforeEach(async (to) => {
  const session = useSessionStore();
  await session.ensure();
  if (to.meta.portal) {
    if (to.meta.auth && !session.loggedIn) {
      return { name: 'portalLogin', query: { redirect: to.fullPath } };
    }
    return true;
  }
  if (to.meta.public) {
    return true;
  }
  if (!session.loggedIn) {
    return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
  }
  if (session.isMember) {
    return { name: 'portalHome' };
  }
  if (to.meta.menu && !roleMayUse(session.role, to.meta.menu)) {
    return { name: 'forbidden' };
  }
  return true;
});

// A 401 from the API: the session has ended; go to the login of the app in use.
onUnauthorized(() => {
  const session = useSessionStore();
  session.expire();
  const current = router.currentRoute.value;
  if (current.meta.portal) {
    if (current.name !== 'portalLogin') {
      router.push({ name: 'portalLogin', query: { redirect: current.fullPath } });
    }
  } else if (current.name !== 'login') {
    router.push({ name: 'login', query: { redirect: current.fullPath } });
  }
});

/* Only same-app, same-origin paths are followed after sign-in. */
export function safeRedirect(value, fallback) {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') ? value : fallback;
}
