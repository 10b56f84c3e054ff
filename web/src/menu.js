/*
 * The staff console's menu and who may use each entry: the one role table.
 * Routes take their role list from here (meta.menu), so a menu entry that is
 * hidden from a role is also refused to it when typed into the address bar.
 * The server is the authority on every request; this only keeps the console
 * from showing what the role cannot use.
 */
import {
  Checked, Coin, Collection, DataAnalysis, Document, FirstAidKit, House, Notebook, OfficeBuilding,
  Reading, School, Tickets, Upload, User, UserFilled, Wallet,
} from '@element-plus/icons-vue';

export const STAFF_ROLES = [
  'admin', 'supervisor', 'unit_staff', 'claims_officer', 'claims_approver', 'finance', 'auditor',
];

// Short names for the role lists below.
const ALL = STAFF_ROLES;
const A = 'admin';
const S = 'supervisor';
const U = 'unit_staff';
const CO = 'claims_officer';
const CA = 'claims_approver';
const F = 'finance';
const AU = 'auditor';

/* group: menu group key; ready: the page works today (others show a placeholder). */
export const MENU = [
  { key: 'dashboard', path: '/', group: 'groupWork', icon: House, roles: ALL, ready: true },
  { key: 'checkIds', path: '/tools/check-ids', group: 'groupWork', icon: Checked, roles: ALL, ready: true },
  { key: 'orgs', path: '/orgs', group: 'groupRegistry', icon: School, roles: [A, S, AU], ready: true },
  { key: 'employers', path: '/employers', group: 'groupRegistry', icon: OfficeBuilding, roles: [A, S, U, AU], ready: true },
  { key: 'members', path: '/members', group: 'groupRegistry', icon: UserFilled, roles: [A, S, U, CO, CA, AU], ready: true },
  { key: 'imports', path: '/imports', group: 'groupRegistry', icon: Upload, roles: [A, U], ready: true },
  { key: 'plans', path: '/plans', group: 'groupBusiness', icon: Reading, roles: [A, S, U, CO, CA, F, AU], ready: true },
  { key: 'enrolments', path: '/enrolments', group: 'groupBusiness', icon: Collection, roles: [A, S, U, F, AU], ready: true },
  { key: 'invoices', path: '/invoices', group: 'groupBusiness', icon: Tickets, roles: [A, S, U, F, AU], ready: true },
  { key: 'claims', path: '/claims', group: 'groupBusiness', icon: FirstAidKit, roles: [A, S, U, CO, CA, AU], ready: true },
  { key: 'articles', path: '/articles', group: 'groupBusiness', icon: Document, roles: [A, S, U], ready: true },
  { key: 'payouts', path: '/payouts', group: 'groupFund', icon: Wallet, roles: [A, F, AU], ready: true },
  { key: 'ledger', path: '/ledger', group: 'groupFund', icon: Coin, roles: [A, S, F, AU], ready: true },
  { key: 'supervision', path: '/supervision', group: 'groupOversight', icon: DataAnalysis, roles: [A, S, F, AU], ready: true },
  { key: 'audit', path: '/audit', group: 'groupOversight', icon: Notebook, roles: [A, AU], ready: true },
  { key: 'users', path: '/users', group: 'groupOversight', icon: User, roles: [A], ready: true },
];

export const MENU_GROUPS = ['groupWork', 'groupRegistry', 'groupBusiness', 'groupFund', 'groupOversight'];

export function menuEntry(key) {
  return MENU.find((m) => m.key === key) || null;
}

export function roleMayUse(role, key) {
  const entry = menuEntry(key);
  return entry !== null && entry.roles.includes(role);
}

/* The menu for a role, grouped in display order; groups left empty are dropped. */
export function menuForRole(role) {
  return MENU_GROUPS
    .map((group) => ({ group, items: MENU.filter((m) => m.group === group && m.roles.includes(role)) }))
    .filter((g) => g.items.length > 0);
}

