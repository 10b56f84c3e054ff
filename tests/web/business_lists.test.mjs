// The enrolment and invoice lists by unit, on the demo data with the real demo
// accounts: enrolment rows name the member (name and masked ID number, never
// the full number) and the unit, ids stay in the detail; the invoices page
// asks the API for a unit's invoices in one request (employer_id), pages
// with "load more", and refuses a bad batch id in place.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, closePage, importWeb, launch, openPage, shot } from './lib.mjs';

const PASSWORD = 'Huzhu-Demo-2026';
let browser;
let zh;

before(async () => {
  browser = await launch();
  zh = (await importWeb('src/i18n/zh-CN.js')).default;
});
after(async () => {
  await browser.close();
});

/* A signed-in API session from node: call(method, path) -> {status, body}. */
async function apiAs(login) {
  const resp = await fetch(`${BASE}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ login, password: PASSWORD }),
  });
  assert.equal(resp.status, 200, `sign in ${login}`);
  const cookie = resp.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return async (method, path) => {
    const r = await fetch(`${BASE}/api/v1${path}`, { method, headers: { Accept: 'application/json', Cookie: cookie } });
    return { status: r.status, body: await r.json() };
  };
}

async function signIn(page, login) {
  await page.goto(`${BASE}/login`, { waitUntil: 'networkidle' });
  await page.fill('#hz-login', login);
  await page.fill('#hz-password', PASSWORD);
  await page.press('#hz-password', 'Enter');
  await page.waitForSelector('[data-test=sidebar]');
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/* Picks the unit named exactly `name` in the remote employer select. */
async function chooseUnit(page, selectTest, name) {
  await page.click(`[data-test=${selectTest}]`);
  await page.locator(`[data-test=${selectTest}] input`).fill(name);
  const option = page.locator('.el-select-dropdown__item:visible').filter({ hasText: new RegExp(`^\\s*${escapeRe(name)}\\s*$`) }).first();
  await option.waitFor();
  await option.click();
}

/* A unit of demo.unit's subtree that enrolled staff in a group batch. */
async function enrolledUnit(api) {
  const list = await api('GET', '/enrolments?limit=200');
  const en = list.body.enrolments.find((e) => e.employer !== null);
  assert.ok(en, 'a group enrolment in the demo data');
  return en.employer;
}

test('unit staff: enrolments of a unit show member names, masked ID numbers and the unit; ids in the detail', async () => {
  const api = await apiAs('demo.unit');
  const unit = await enrolledUnit(api);
  const want = (await api('GET', `/enrolments?employer_id=${unit.id}&limit=50`)).body.enrolments;
  assert.ok(want.length > 0);
  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.unit');
    await page.goto(`${BASE}/enrolments`, { waitUntil: 'networkidle' });
    await page.waitForSelector('[data-test=enrol-table] .el-table__row');
    await chooseUnit(page, 'enrol-f-employer', unit.name);
    await page.click('[data-test=enrol-search]');
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=enrol-table] .el-table__body .el-table__row').length === n, want.length);

    // each row: the member's name and masked ID number as the API has them, and the unit
    const table = page.locator('[data-test=enrol-table] .el-table__body');
    for (const en of want.slice(0, 10)) {
      assert.equal((await table.locator(`[data-member="${en.member_id}"]`).first().textContent()).trim(), en.member.name);
      const mask = (await table.locator(`[data-mask="${en.member_id}"]`).first().textContent()).trim();
      assert.equal(mask, en.member.id_number_masked);
      assert.match(mask, /^\d{6}\*{8}\d{3}[\dX]$/);
    }
    const units = await table.locator('[data-unit]').allTextContents();
    assert.deepEqual([...new Set(units.map((u) => u.trim()))], [unit.name]);
    // no full ID number anywhere on the page, and the member's id is not a list column
    assert.doesNotMatch(await page.textContent('[data-test=enrol-table]'), /\d{17}[\dX]/);
    const headers = await page.locator('[data-test=enrol-table] .el-table__header th').allTextContents();
    assert.ok(!headers.some((h) => h.trim() === zh.enrol.memberId), 'no member id column');
    assert.ok(headers.some((h) => h.trim() === zh.enrol.member) && headers.some((h) => h.trim() === zh.enrol.unit));
    await shot(page, 'business-enrolments-named');

    // the detail keeps the ids
    const first = want[0];
    await page.locator('[data-test=enrol-table] .el-table__body .el-table__row').first().locator('button.hz-link').click();
    await page.waitForSelector('[data-test=enrol-detail-member-id]');
    assert.equal((await page.textContent('[data-test=enrol-detail-member-id]')).trim(), String(first.member_id));
    assert.match(await page.textContent('[data-test=enrol-detail]'), new RegExp(`${first.batch_id}`));
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});

test('invoices of a unit: one filtered request (no enrolment scan), load more, a bad batch id refused in place', async () => {
  const api = await apiAs('demo.unit');
  const unit = await enrolledUnit(api);
  const want = (await api('GET', `/invoices?employer_id=${unit.id}&limit=500`)).body.invoices;
  assert.ok(want.length > 0);
  const page = await openPage(browser);
  const requests = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/v1/')) {
      requests.push(new URL(r.url()).pathname + new URL(r.url()).search);
    }
  });
  try {
    await signIn(page, 'demo.unit');
    await page.goto(`${BASE}/invoices`, { waitUntil: 'networkidle' });
    await page.waitForSelector('[data-test=inv-table] .el-table__row');
    await chooseUnit(page, 'inv-f-employer', unit.name);
    requests.length = 0;
    await page.click('[data-test=inv-search]');
    const shown = Math.min(want.length, 50);
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=inv-table] .el-table__body .el-table__row').length === n, shown);
    let ids = await page.locator('[data-test=inv-table] [data-invoice]').allTextContents();
    assert.deepEqual(ids.map((s) => Number(s.trim())), want.slice(0, shown).map((i) => i.id));
    assert.ok(requests.some((u) => u.startsWith('/api/v1/invoices?') && u.includes(`employer_id=${unit.id}`)), requests.join(' '));
    assert.ok(!requests.some((u) => u.startsWith('/api/v1/enrolments')), `no enrolment scan: ${requests.join(' ')}`);
    if (want.length > 50) {
      await page.click('[data-test=inv-more]');
      await page.waitForFunction((n) => document.querySelectorAll('[data-test=inv-table] .el-table__body .el-table__row').length === n, Math.min(want.length, 100));
      ids = await page.locator('[data-test=inv-table] [data-invoice]').allTextContents();
      assert.deepEqual(ids.map((s) => Number(s.trim())), want.slice(0, 100).map((i) => i.id));
    } else {
      assert.equal(await page.locator('[data-test=inv-more]').count(), 0, 'everything shown: no load more');
    }
    await shot(page, 'business-invoices-by-unit');

    // the unit with one of its batches: that batch's invoices only
    const batch = want[0].batch_id;
    await page.fill('[data-test=inv-f-batch]', String(batch));
    await page.click('[data-test=inv-search]');
    const ofBatch = want.filter((i) => i.batch_id === batch).length;
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=inv-table] .el-table__body .el-table__row').length === n, ofBatch);

    // a bad batch id is refused in place and nothing is asked
    requests.length = 0;
    await page.fill('[data-test=inv-f-batch]', 'x1');
    await page.click('[data-test=inv-search]');
    await page.locator('.el-form-item__error', { hasText: zh.invoices.batchInvalid }).waitFor();
    assert.ok(!requests.some((u) => u.startsWith('/api/v1/invoices?')), requests.join(' '));
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});
