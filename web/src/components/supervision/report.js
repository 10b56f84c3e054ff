/*
 * The supervision reports' plumbing shared by the tabs: the query of a
 * report for the page's filters, its export link (same filters,
 * format=csv|xlsx), a loader with the loading / error / data triple, and
 * display helpers that never do float arithmetic on fen (ratios arrive as
 * integer basis points from the API and are only divided for display).
 */
import { ref } from 'vue';
import { API_BASE, ApiError, get, query } from '../../api/client.js';

/* Every tab of the page, in order, and the roles that may open it (the API's x-roles). */
export const TABS = [
  { key: 'coverage', report: 'coverage', roles: ['admin', 'supervisor', 'auditor'] },
  { key: 'contributions', report: 'contributions', roles: ['admin', 'supervisor', 'finance', 'auditor'] },
  { key: 'claims', report: 'claims', roles: ['admin', 'supervisor', 'auditor'] },
  { key: 'timeliness', report: 'timeliness', roles: ['admin', 'supervisor', 'auditor'] },
  { key: 'fund', report: 'fund', roles: ['admin', 'supervisor', 'finance', 'auditor'] },
  { key: 'outreach', report: 'outreach', roles: ['admin', 'supervisor', 'auditor'] },
  { key: 'referrals', report: 'referrals', roles: ['admin', 'supervisor', 'auditor'] },
  { key: 'whatif', report: 'whatif', roles: ['admin', 'supervisor', 'auditor'] },
];

export function tabsForRole(role) {
  return TABS.filter((t) => t.roles.includes(role));
}

/* The query arguments of the page's filters ({org_id, from, to}), empty ones left out. */
export function filterArgs(filters, extra = {}) {
  return { org_id: filters.org_id || undefined, from: filters.from || undefined, to: filters.to || undefined, ...extra };
}

/* "/reports/coverage?org_id=3&from=..." relative to the API base. */
export function reportPath(name, filters, extra = {}) {
  return `/reports/${name}${query(filterArgs(filters, extra))}`;
}

/* The absolute download link of a report for the same filters. */
export function exportHref(name, filters, format, extra = {}) {
  return API_BASE + reportPath(name, filters, { ...extra, format });
}

/* useReport(): run(name, filters, extra) keeps the answer of GET /reports/<name>. */
export function useReport() {
  const data = ref(null);
  const loading = ref(false);
  const error = ref(null);
  let seq = 0;
  async function run(name, filters, extra = {}) {
    const mine = ++seq;
    loading.value = true;
    error.value = null;
    try {
      const answer = await get(reportPath(name, filters, extra));
      if (mine === seq) {
        data.value = answer;
      }
    } catch (e) {
      if (!(e instanceof ApiError)) {
        throw e;
      }
      if (mine === seq) {
        error.value = e;
        data.value = null;
      }
    } finally {
      if (mine === seq) {
        loading.value = false;
      }
    }
  }
  return { data, loading, error, run };
}

/* Basis points as a percent number for a chart axis (display only), null stays null. */
export function bpPercent(bp) {
  return typeof bp === 'number' ? bp / 100 : null;
}

/* A rows' column, for a chart series; a null stays a gap. */
export function column(rows, key) {
  return (rows || []).map((r) => (r[key] === undefined ? null : r[key]));
}

/* Today and 1 January of this year as YYYY-MM-DD in local time (the API's own defaults). */
export function defaultRange(now = new Date()) {
  const p = (n) => String(n).padStart(2, '0');
  const to = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
  return { from: `${now.getFullYear()}-01-01`, to };
}

/* The props every tab receives from the page. */
export const TAB_PROPS = {
  filters: { type: Object, required: true }, // {org_id, from, to}
  currentId: { type: Number, default: null }, // the organisation in view
  orgByCode: { type: Map, default: () => new Map() },
  planNames: { type: Object, default: () => ({}) },
};

/* One string per distinct filter, so a tab reloads only when the filters change. */
export function filterKey(f) {
  return `${f.org_id || ''}|${f.from || ''}|${f.to || ''}`;
}
