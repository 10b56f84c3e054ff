// The business pages on the demo data, signed in with the real demo accounts:
// group enrolment wizard end to end (unit staff), receipts on an invoice
// (finance; invalid amounts refused in place), invoices read-only (auditor),
// plan versions and their benefit rules (claims officer, admin).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, closePage, cspViolations, importWeb, launch, openPage, shot } from './lib.mjs';

const PASSWORD = 'Huzhu-Demo-2026';
let browser;
let zh;
let en;
let ids;

before(async () => {
  browser = await launch();
  zh = (await importWeb('src/i18n/zh-CN.js')).default;
  en = (await importWeb('src/i18n/en.js')).default;
  ids = await importWeb('src/utils/ids.js');
});
after(async () => {
  await browser.close();
});

/* A signed-in API session from node: call(method, path, body) -> {status, body}. */
async function apiAs(login) {
  const resp = await fetch(`${BASE}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ login, password: PASSWORD }),
  });
  assert.equal(resp.status, 200, `sign in ${login}`);
  const cookie = resp.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { csrf_token: csrf } = await resp.json();
  return async (method, path, body) => {
    const r = await fetch(`${BASE}/api/v1${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', Cookie: cookie, 'X-CSRF-Token': csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
}

async function signIn(page, login) {
  await page.goto(`${BASE}/login`, { waitUntil: 'networkidle' });
  await page.fill('#hz-login', login);
  await page.fill('#hz-password', PASSWORD);
  await page.press('#hz-password', 'Enter');
  await page.waitForSelector('[data-test=sidebar]');
}

/* Picks the visible option with this text in an Element Plus select. */
async function choose(page, selectTest, text, typed) {
  await page.click(`[data-test=${selectTest}]`);
  if (typed !== undefined) {
    await page.locator(`[data-test=${selectTest}] input`).fill(typed);
  }
  const option = page.locator('.el-select-dropdown__item:visible', { hasText: text }).first();
  await option.waitFor();
  await option.click();
}

/* A unit in demo.unit's subtree with members on its roster and no ZY enrolment. */
async function unenrolledUnit(api) {
  let after;
  for (let i = 0; i < 20; i++) {
    const page = await api('GET', `/employers?limit=100${after ? `&after=${after}` : ''}`);
    for (const e of page.body.employers) {
      const enrolled = await api('GET', `/enrolments?employer_id=${e.id}&plan=ZY&limit=1`);
      if (enrolled.body.enrolments.length > 0) {
        continue;
      }
      const members = await api('GET', `/members?employer_id=${e.id}&limit=50`);
      if (members.body.members.length >= 2) {
        return { employer: e, members: members.body.members };
      }
    }
    if (!page.body.next_after) {
      break;
    }
    after = page.body.next_after;
  }
  return null;
}

test('unit staff: group enrolment wizard from unit to invoices, with a refused member', async () => {
  const api = await apiAs('demo.unit');
  const unit = await unenrolledUnit(api);
  assert.ok(unit, 'the demo has a unit not yet enrolled in ZY');
  // one member too old for ZY (16-65): born 1950, on this unit's roster
  const seq = String(100 + Math.floor(Math.random() * 800));
  const body17 = `33010219500101${seq}`;
  const created = await api('POST', '/members', {
    name: '测试长者', id_number: body17 + ids.idCheckChar(body17), employment: 'standard', employer_uscc: unit.employer.uscc,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const oldId = created.body.id;

  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.unit');
    await page.click('[data-menu=enrolments]');
    await page.waitForSelector('[data-test=enrol-table] .el-table__row');
    await page.click('[data-test=enrol-new]');
    await page.waitForSelector('[data-test=enrol-wizard]');

    // unit: "Next" without one is refused in place
    await page.click('[data-test=wiz-next]');
    await page.getByText(zh.enrol.pickUnit).first().waitFor();
    await choose(page, 'wiz-employer', unit.employer.name, unit.employer.name);
    await page.waitForSelector('[data-test=wiz-employer-info]');
    await page.click('[data-test=wiz-next]');

    // plan and shares
    await choose(page, 'wiz-plan', 'ZY v1');
    await page.waitForSelector('[data-test=wiz-plan-info]');
    assert.match(await page.textContent('[data-test=wiz-plan-info]'), /¥60\.00/);
    await page.click('[data-test=wiz-next]');

    // cover term: the end follows from the plan's 12 months
    await page.fill('[data-test=wiz-term-start]', '2027-01-01');
    assert.equal((await page.textContent('[data-test=wiz-term-end]')).trim(), '2027-12-31');
    await page.click('[data-test=wiz-next]');

    // members: the whole roster
    await page.waitForSelector('[data-test=wiz-member-mode]');
    await page.click('[data-test=wiz-next]');

    // funding: employer 50 %, union fixed 12.345 yuan is refused in place, then 12 yuan; worker the rest
    await page.waitForSelector('[data-test=wiz-value-employer]');
    await choose(page, 'wiz-mode-union', zh.enrol.mode_fen);
    await page.locator('[data-test=wiz-value-union]').fill('12.345');
    await page.click('[data-test=wiz-next]');
    await page.getByText(zh.enrol.amountInvalid).first().waitFor();
    await page.locator('[data-test=wiz-value-union]').fill('12');
    assert.match(await page.textContent('[data-test=wiz-share-worker]'), /¥18\.00/);
    await page.click('[data-test=wiz-next]');

    // preview: the refused member with the reason, cost per payer
    await page.waitForSelector('[data-test=wiz-cost]');
    const refused = page.locator('[data-test=wiz-refused] .el-table__row', { hasText: String(oldId) });
    await refused.waitFor();
    assert.match(await refused.textContent(), new RegExp(zh.errors.AGE_OUT_OF_RANGE));
    const eligible = Number((await page.textContent('[data-test=wiz-eligible-count]')).trim());
    assert.ok(eligible >= 1, `eligible ${eligible}`);
    assert.equal((await page.textContent('[data-test=wiz-cost] [data-total=employer]')).trim(), `¥${(30 * eligible).toLocaleString('en-US')}.00`);
    assert.equal((await page.textContent('[data-test=wiz-cost] [data-total=union]')).trim(), `¥${(12 * eligible).toLocaleString('en-US')}.00`);
    await shot(page, 'business-wizard-preview');

    // confirm: the batch's invoices, one per paying party
    await page.click('[data-test=wiz-confirm]');
    await page.waitForSelector('[data-test=wiz-done]');
    const invoiceRows = await page.locator('[data-test=wiz-invoices] .el-table__row').count();
    assert.equal(invoiceRows, 3);
    await shot(page, 'business-wizard-done');

    // the server agrees: the unit's ZY enrolments exist, the old member's does not
    const after = await api('GET', `/enrolments?employer_id=${unit.employer.id}&plan=ZY&limit=500`);
    assert.equal(after.body.enrolments.length, eligible);
    assert.ok(!after.body.enrolments.some((e) => e.member_id === oldId));
    const batch = after.body.enrolments[0].batch_id;
    assert.ok(after.body.enrolments.every((e) => e.status === 'pending' && e.batch_id === batch));

    // the link shows the batch's invoices on the invoices page
    await page.click('[data-test=wiz-invoices-link]');
    await page.waitForSelector('[data-test=inv-table] .el-table__row');
    assert.equal(new URL(page.url()).searchParams.get('batch_id'), String(batch));
    assert.equal(await page.locator('[data-test=inv-table] .el-table__row').count(), 3);
    assert.deepEqual(page.problems, []);
    assert.deepEqual(await cspViolations(page), []);
  } finally {
    await closePage(page);
  }
});

test('unit staff: an enrolment in detail with its invoices; cancel checks the date, then cancels', async () => {
  const api = await apiAs('demo.unit');
  // from the first of next month: an open ledger period (earlier months may be closed)
  const now = new Date();
  const eff = new Date(Date.UTC(now.getFullYear(), now.getMonth() + 1, 1)).toISOString().slice(0, 10);
  const list = await api('GET', '/enrolments?status=active&limit=200');
  const en = list.body.enrolments.find((e) => e.term_start <= eff && e.term_end >= eff);
  assert.ok(en, 'an active enrolment');
  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.unit');
    await page.goto(`${BASE}/enrolments`, { waitUntil: 'networkidle' });
    await page.fill('[data-test=enrol-f-member]', String(en.member_id));
    await choose(page, 'enrol-f-status', zh.enrolStatus.active);
    await page.click('[data-test=enrol-search]');
    const row = page.locator('[data-test=enrol-table] .el-table__row', { hasText: en.plan_code }).filter({ hasText: en.term_start }).first();
    await row.waitFor();
    await row.locator('button.hz-link').click();
    await page.waitForSelector('[data-test=enrol-invoices] .el-table__row');
    assert.match(await page.textContent('[data-test=enrol-detail]'), new RegExp(`${en.term_start} – ${en.term_end}`));

    // a date outside the term is refused in place, nothing is sent
    await page.fill('[data-test=enrol-cancel-date]', '2031-01-01');
    await page.click('[data-test=enrol-cancel]');
    await page.locator('[data-test=enrol-drawer] .el-form-item__error', { hasText: zh.enrol.cancelRange.split('{')[0] }).waitFor();
    assert.equal((await api('GET', `/enrolments/${en.id}`)).body.status, 'active');

    await page.fill('[data-test=enrol-cancel-date]', eff);
    await page.click('[data-test=enrol-cancel]');
    await page.waitForSelector('[data-test=enrol-cancel-result]');
    await page.waitForFunction((want) => document.querySelector('[data-test=enrol-status]').textContent.trim() === want, zh.enrolStatus.cancelled);
    const after = await api('GET', `/enrolments/${en.id}`);
    assert.equal(after.body.status, 'cancelled');
    assert.equal(after.body.cancelled_on, eff);
    await shot(page, 'business-enrolment-cancelled');
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});

/* An open invoice with nothing paid yet, as the finance login sees it. */
async function openInvoice(api) {
  const list = await api('GET', '/invoices?status=open&limit=200');
  return list.body.invoices.find((i) => i.paid_fen === 0 && i.amount_fen > 0);
}

test('finance: record a receipt in yuan; invalid amounts are refused in place; the invoice is paid', async () => {
  const api = await apiAs('demo.finance');
  const inv = await openInvoice(api);
  assert.ok(inv, 'an open invoice');
  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.finance');
    await page.click('[data-menu=invoices]');
    await page.waitForSelector('[data-test=inv-table] .el-table__row');
    assert.equal(await page.locator('[data-test=invoices-lapse]').count(), 1, 'finance may run the lapse sweep');
    await page.goto(`${BASE}/invoices?batch_id=${inv.batch_id}`, { waitUntil: 'networkidle' });
    await page.click(`[data-test=inv-table] [data-invoice="${inv.id}"]`);
    await page.waitForSelector('[data-test=inv-status][data-status=open]');
    await page.click('[data-test=inv-record]');
    await page.waitForSelector('[data-test=receipt-amount]');
    const reference = `E2E-${Date.now()}`;
    await page.fill('[data-test=receipt-reference]', reference);

    for (const bad of ['12.345', '-1', 'abc']) {
      await page.fill('[data-test=receipt-amount]', bad);
      await page.click('[data-test=receipt-save]');
      await page.locator('[data-test=receipt-dialog] .el-form-item__error', { hasText: zh.invoices.amountInvalid }).waitFor();
    }
    const before = await api('GET', `/invoices/${inv.id}`);
    assert.equal(before.body.receipts.length, 0, 'nothing was sent');

    // more than is owed: refused before sending
    await page.fill('[data-test=receipt-amount]', `${inv.amount_fen / 100 + 1}`);
    await page.click('[data-test=receipt-save]');
    await page.locator('[data-test=receipt-dialog] .el-form-item__error', { hasText: zh.invoices.amountTooLarge.split('{')[0] }).waitFor();

    // the whole amount, typed with thousands separators allowed
    const yuanText = `${Math.floor(inv.amount_fen / 100)}.${String(inv.amount_fen % 100).padStart(2, '0')}`;
    await page.fill('[data-test=receipt-amount]', yuanText);
    await page.click('[data-test=receipt-save]');
    await page.waitForSelector('[data-test=inv-status][data-status=paid]');
    assert.equal(await page.locator('[data-test=inv-receipts] .el-table__row', { hasText: reference }).count(), 1);
    assert.equal(await page.locator('[data-test=inv-record]').count(), 0, 'a paid invoice takes no receipt');
    await shot(page, 'business-invoice-paid');

    const afterApi = await api('GET', `/invoices/${inv.id}`);
    assert.equal(afterApi.body.status, 'paid');
    assert.equal(afterApi.body.paid_fen, inv.amount_fen);
    assert.equal(afterApi.body.receipts[0].amount_fen, inv.amount_fen);
    assert.equal(afterApi.body.receipts[0].bank_reference, reference);
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});

test('auditor: invoices are read only (no receipt, no lapse)', async () => {
  const api = await apiAs('demo.auditor');
  const inv = await openInvoice(api);
  assert.ok(inv, 'an open invoice');
  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.auditor');
    await page.click('[data-menu=invoices]');
    await page.waitForSelector('[data-test=inv-table] .el-table__row');
    assert.equal(await page.locator('[data-test=invoices-lapse]').count(), 0);
    await page.goto(`${BASE}/invoices?batch_id=${inv.batch_id}`, { waitUntil: 'networkidle' });
    await page.click(`[data-test=inv-table] [data-invoice="${inv.id}"]`);
    await page.waitForSelector('[data-test=inv-status][data-status=open]');
    await page.waitForSelector('[data-test=inv-lines] .el-table__row');
    assert.equal(await page.locator('[data-test=inv-record]').count(), 0);
    // nor the wizard on the enrolments page
    await page.goto(`${BASE}/enrolments`, { waitUntil: 'networkidle' });
    await page.waitForSelector('[data-test=enrol-table] .el-table__row');
    assert.equal(await page.locator('[data-test=enrol-new]').count(), 0);
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});

test('plans: a version shows its tiers and caps; only admins get close and drafts, a bad draft is refused by JSON path', async () => {
  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.officer');
    await page.click('[data-menu=plans]');
    await page.click('[data-plan=ZY-1]');
    await page.waitForSelector('[data-test=plan-tiers] .el-table__row');
    const tiers = await page.locator('[data-test=plan-tiers] .el-table__row').allTextContents();
    assert.equal(tiers.length, 3);
    assert.match(tiers[0], /¥0\.00.*¥10,000\.00.*50%/);
    assert.match(tiers[2], /¥30,000\.00.*70%/);
    assert.equal((await page.textContent('[data-rule=sharePrice]')).trim(), '¥60.00');
    assert.equal((await page.textContent('[data-rule=deductible]')).trim(), '¥500.00');
    assert.match(await page.textContent('[data-rule=annualCap]'), /¥10,000\.00/);
    assert.equal(await page.locator('[data-test=plan-admin]').count(), 0);
    await shot(page, 'business-plan-tiers');
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }

  // admin, in English: a new draft from YW v1; a bad ratio is named by its JSON path and nothing is saved
  const admin = await openPage(browser, { locale: 'en' });
  try {
    await admin.addInitScript(() => window.localStorage.setItem('huzhu.lang', 'en'));
    await signIn(admin, 'demo.admin');
    await admin.goto(`${BASE}/plans`, { waitUntil: 'networkidle' });
    await admin.getByText(en.plans.title).first().waitFor();
    await admin.click('[data-plan=YW-1]');
    await admin.waitForSelector('[data-test=plan-close]');
    await admin.click('[data-test=plan-new-draft]');
    const text = await admin.inputValue('[data-test=draft-json]');
    const doc = JSON.parse(text);
    assert.ok(doc.version >= 2);
    await admin.fill('[data-test=draft-json]', '{"code": ');
    await admin.click('[data-test=draft-save]');
    await admin.locator('[data-test=draft-dialog] .el-form-item__error', { hasText: en.plans.draftNotJson }).waitFor();
    doc.benefit.medical.ratio_bp = 20000;
    await admin.fill('[data-test=draft-json]', JSON.stringify(doc));
    await admin.click('[data-test=draft-save]');
    await admin.locator('[data-test=draft-dialog] .el-form-item__error', { hasText: 'benefit.medical.ratio_bp' }).waitFor();
    // nothing was loaded (a saved draft would also change other pages' demo data: none is saved here)
    const plansNow = await (await apiAs('demo.admin'))('GET', '/plans');
    assert.ok(!plansNow.body.plans.some((p) => p.code === 'YW' && p.version === doc.version));
    await admin.click('[data-test=draft-dialog] .el-dialog__headerbtn');
    assert.match(await admin.textContent('[data-rule=medical]'), /80%/);
    assert.deepEqual(admin.problems, []);
  } finally {
    await closePage(admin);
  }
});
