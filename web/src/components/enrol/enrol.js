/*
 * Helpers of the enrolment pages (views/console/Enrolments.vue and the
 * components beside this file): the wizard's steps, a cover term's end as
 * the server computes it, one share's funding split (integer fen and basis
 * points only), the request body of POST /api/v1/enrolments[/preview], which
 * wizard step a server error field belongs to, and the preview's cost rows.
 * Pure functions: no Vue, no API calls, no i18n (errors are message keys).
 */
import { formatFen, parseYuan } from '../../utils/money.js';
import { isDate } from '../../utils/dates.js';

export const STATUSES = ['pending', 'active', 'lapsed', 'cancelled'];
export const PAYERS = ['employer', 'union', 'worker'];
export const STEPS = ['unit', 'plan', 'term', 'members', 'funding', 'preview', 'done'];
export const statusTag = { active: 'success', pending: 'warning', lapsed: 'info', cancelled: 'info' };

export const yuan = (fen) => `¥${formatFen(fen)}`;

/* A plan's name by its code, the code itself when the plan is unknown. */
export function planNameOf(plans, code) {
  const p = plans.find((x) => x.code === code);
  return p ? p.name : code;
}

/* ---- dates: YYYY-MM-DD strings (utils/dates.js checks the calendar) */
export function ymd(dt) {
  return dt.toISOString().slice(0, 10);
}
/* The day before add_months(start, months), as the server computes a term's end. */
export function termEnd(start, months) {
  if (!isDate(start) || !months) {
    return '';
  }
  const [y, m, d] = start.split('-').map(Number);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = total % 12;
  const last = new Date(Date.UTC(ny, nm + 1, 0)).getUTCDate();
  const end = new Date(Date.UTC(ny, nm, Math.min(d, last)));
  end.setUTCDate(end.getUTCDate() - 1);
  return ymd(end);
}
export function firstOfNextMonth(now = new Date()) {
  return ymd(new Date(Date.UTC(now.getFullYear(), now.getMonth() + 1, 1)));
}

/* The wizard's funding form as it opens: 50% employer, 20% union, the rest the worker's. */
export function defaultFunding() {
  return {
    employer: { mode: 'bp', value: '50' },
    union: { mode: 'bp', value: '20' },
    worker: { mode: 'none', value: '' },
  };
}

/* One payer's part of a share of priceFen, from its form {mode: none|bp|fen,
 * value: typed percent or yuan}: {ok, spec (the API's {bp}|{fen}|null), fen}
 * or {ok: false, errorKey, errorArgs}. bp parts are rounded down, as the server does. */
export function partOf(f, priceFen) {
  if (f.mode === 'none') {
    return { ok: true, spec: null, fen: 0 };
  }
  const v = parseYuan(String(f.value));
  if (v === null) {
    return { ok: false, errorKey: f.mode === 'bp' ? 'enrol.percentInvalid' : 'enrol.amountInvalid', errorArgs: {} };
  }
  if (f.mode === 'bp') {
    if (v > 10000) {
      return { ok: false, errorKey: 'enrol.percentInvalid', errorArgs: {} };
    }
    return { ok: true, spec: { bp: v }, fen: Math.floor((priceFen * v) / 10000) };
  }
  if (v > priceFen) {
    return { ok: false, errorKey: 'enrol.fixedTooLarge', errorArgs: { price: yuan(priceFen) } };
  }
  return { ok: true, spec: { fen: v }, fen: v };
}

/* The whole split of one share: {parts (per payer), ok, over (parts exceed
 * the price), fen (per payer, the remainder added to the remainder payer)}. */
export function splitOf(funding, remainder, priceFen) {
  const parts = {};
  let used = 0;
  let ok = true;
  for (const p of PAYERS) {
    parts[p] = partOf(funding[p], priceFen);
    ok = ok && parts[p].ok;
    used += parts[p].ok ? parts[p].fen : 0;
  }
  const over = used > priceFen;
  const fen = {};
  for (const p of PAYERS) {
    fen[p] = parts[p].ok ? parts[p].fen : 0;
  }
  if (!over) {
    fen[remainder] += priceFen - used;
  }
  return { parts, ok: ok && !over, over, fen };
}

/* The API's funding object: {remainder, employer?, union?, worker?}. */
export function fundingBody(remainder, parts) {
  const body = { remainder };
  for (const p of PAYERS) {
    const part = parts[p];
    if (part.spec) {
      body[p] = part.spec;
    }
  }
  return body;
}

/* The body of POST /enrolments and /enrolments/preview for a group enrolment. */
export function requestBody(wiz, plan, parts) {
  const body = {
    kind: 'group',
    plan_code: plan.code,
    plan_version: plan.version,
    employer_id: wiz.employerId,
    term_start: wiz.termStart,
    shares: Number(wiz.shares),
    funding: fundingBody(wiz.remainder, parts),
  };
  if (wiz.dueDate) {
    body.due_date = wiz.dueDate;
  }
  if (wiz.memberMode === 'all') {
    body.all = true;
  } else {
    body.member_ids = [...wiz.memberIds];
  }
  return body;
}

/* Which step a server field belongs to (-1: none). */
export function stepOfField(field) {
  if (!field) {
    return -1;
  }
  if (field.startsWith('funding')) return STEPS.indexOf('funding');
  if (field === 'shares' || field === 'plan' || field === 'plan_code' || field === 'plan_version') return STEPS.indexOf('plan');
  if (field === 'term_start' || field === 'due_date') return STEPS.indexOf('term');
  if (field.startsWith('member_id') || field === 'all') return STEPS.indexOf('members');
  if (field === 'employer_id') return STEPS.indexOf('unit');
  return -1;
}

/* The wizard's error key for a server field ("funding.union.bp" -> "funding.union"). */
export function errorKeyOfField(field) {
  if (field.startsWith('funding.')) {
    return field.split('.').slice(0, 2).join('.');
  }
  if (field === 'plan_code' || field === 'plan_version') {
    return 'plan';
  }
  if (field.startsWith('member_id')) {
    return 'member_ids';
  }
  return field;
}

/* The preview's cost per payer: per share, per enrolment, total (gift only when non-zero). */
export function costRowsOf(preview) {
  const c = preview && preview.cost;
  if (!c) {
    return [];
  }
  return ['employer', 'union', 'worker', 'gift']
    .filter((p) => c.total_fen[p] > 0 || p !== 'gift')
    .map((p) => ({ payer: p, share: c.per_share_fen[p], enrolment: c.per_enrolment_fen[p], total: c.total_fen[p] }));
}
