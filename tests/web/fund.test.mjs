// The fund pages on the demo data (tests/web/run: `huzhu demo --members 2000`):
// the ledger (balances, a trial balance that balances, reversal with its
// field error, the auditor's and supervisor's read-only views) and payout
// batches (maker-checker with two finance users, the bank file, the bank's
// result file marking the payment paid); manual entries (balanced donation,
// unbalanced form, fund-use refusal, retry and double click posting once, a
// payment waiting for approval) and bank statement reconciliation.
//
// The demo's two finance logins (demo.finance makes, demo.finance2 checks).
// A fixture the demo lacks, made the way an operator would:
//   - a payable claim above the fund's approval threshold (10,000 yuan): filed,
//     assessed and approved through the claims API (admin, then the approver).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BASE, closePage, cspViolations, importWeb, launch, openPage, shot } from './lib.mjs';

const PASSWORD = 'Huzhu-Demo-2026';
const FINANCE2 = 'demo.finance2';
let browser;
let zh;
let en;

before(async () => {
  browser = await launch();
  zh = (await importWeb('src/i18n/zh-CN.js')).default;
  en = (await importWeb('src/i18n/en.js')).default;
});
after(async () => {
  await browser.close();
});

async function signIn(page, login) {
  await page.goto(`${BASE}/login`, { waitUntil: 'networkidle' });
  await page.fill('#hz-login', login);
  await page.fill('#hz-password', PASSWORD);
  await page.press('#hz-password', 'Enter');
  await page.waitForSelector('[data-test=sidebar]');
}

/* A signed-in API client from node: {user, call(method, path, body)}. */
async function apiAs(login) {
  const resp = await fetch(`${BASE}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ login, password: PASSWORD }),
  });
  const body = await resp.json();
  assert.equal(resp.status, 200, `${login} signs in: ${JSON.stringify(body)}`);
  const cookie = resp.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const call = async (method, p, data) => {
    const r = await fetch(`${BASE}/api/v1${p}`, {
      method,
      headers: { Accept: 'application/json', 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': body.csrf_token },
      body: data === undefined ? undefined : JSON.stringify(data),
    });
    const text = await r.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: r.status, body: json };
  };
  return { user: body.user, call };
}

/* The demo's second finance user (maker-checker needs two) can sign in. */
async function ensureSecondFinance() {
  const probe = await fetch(`${BASE}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: FINANCE2, password: PASSWORD }),
  });
  assert.equal(probe.status, 200, `${FINANCE2} signs in`);
}

function isoDaysAgo(n) {
  const d = new Date(Date.now() - n * 86400000);
  return d.toISOString().slice(0, 10);
}

/* A payable ZY claim above the approval threshold; returns its id and payout. */
async function bigPayableClaim() {
  const admin = await apiAs('demo.admin');
  const approver = await apiAs('demo.approver');
  const enr = await admin.call('GET', '/enrolments?plan=ZY&status=active&limit=500');
  assert.equal(enr.status, 200);
  const old = isoDaysAgo(150);
  const candidates = enr.body.enrolments.filter((e) => e.shares >= 2 && e.cover_start <= old);
  for (const e of candidates.slice(0, 20)) {
    const m = await admin.call('GET', `/members/${e.member_id}`);
    if (m.status !== 200 || !m.body.bank_account_masked) {
      continue;
    }
    const c = await admin.call('POST', '/claims', {
      member_id: e.member_id,
      plans: ['ZY'],
      hospital: '浙江省人民医院',
      event: {
        cause: 'illness',
        admission_date: isoDaysAgo(40),
        discharge_date: isoDaysAgo(20),
        settlement: {
          total_fen: 8000000, fund_paid_fen: 4000000, serious_illness_paid_fen: 0, assistance_paid_fen: 0,
          other_paid_fen: 0, self_pay_in_scope_fen: 4000000, self_pay_out_scope_fen: 0,
        },
      },
    });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    const id = c.body.id;
    assert.equal((await admin.call('POST', `/claims/${id}/submit`, {})).status, 200);
    for (const kind of ['invoice', 'settlement_statement', 'discharge_summary']) {
      await admin.call('POST', `/claims/${id}/documents/waive`, { kind, reason: 'web test' });
    }
    const a = await admin.call('POST', `/claims/${id}/assess`, {});
    assert.equal(a.status, 200, JSON.stringify(a.body));
    if (a.body.payout_fen <= 1000000) {
      continue; /* cover used up by earlier claims: try another member */
    }
    const ok = await approver.call('POST', `/claims/${id}/approve`, {});
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.status, 'payable');
    return { id, payout: ok.body.payout_fen };
  }
  throw new Error('no ZY member for a large claim');
}

function fen(text) {
  return Number(text.replace(/[^\d-]/g, ''));
}

test('finance: balances of a fund and a trial balance that sums to zero', async () => {
  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.finance');
    await page.click('[data-menu=ledger]');
    await page.waitForSelector('[data-test=balances-table] .el-table__row');
    const fund = (await page.textContent('[data-test=bal-caption]')).split('·').pop().trim();
    const fin = await apiAs('demo.finance');
    const api = await fin.call('GET', `/ledger/accounts?fund=${fund}`);
    const bank = api.body.accounts.find((a) => a.code === '1002');
    assert.ok(bank.balance_fen > 0, 'the demo fund has money in the bank');
    assert.equal(fen(await page.textContent('[data-test=balances-table] [data-code="1002"]')), bank.balance_fen);
    assert.equal(await page.locator('[data-test=balances-table] .el-table__row').count(), api.body.accounts.length);
    assert.equal(await page.locator('[data-test=ledger-readonly]').count(), 0, 'finance of the province changes the ledger');
    await shot(page, 'fund-ledger-balances');

    // periods: last month's report of that fund
    await page.click('#tab-periods');
    await page.waitForSelector('[data-test=trial-balance] .el-table__row');
    const debit = fen(await page.textContent('[data-test=tb-debit]'));
    const credit = fen(await page.textContent('[data-test=tb-credit]'));
    assert.ok(debit > 0);
    assert.equal(debit, credit);
    assert.equal((await page.textContent('[data-test=tb-difference]')).trim(), '0.00');
    const period = await page.inputValue('#ledger-period');
    const rep = await fin.call('GET', `/ledger/reports/${period}?fund=${fund}`);
    assert.equal(rep.body.trial_balance.debit_fen, debit);
    assert.match(await page.textContent('[data-test=reserve-ratio]'), /%|不适用/);
    assert.ok(await page.locator('[data-test=period-earn]').isVisible());
    assert.ok(await page.locator('[data-test=period-close]').isVisible());
    await shot(page, 'fund-ledger-report');

    // verify
    await page.click('#tab-verify');
    await page.click('[data-test=verify-run]');
    await page.waitForSelector('[data-test=verify-result]');
    assert.match(await page.textContent('[data-test=verify-result]'), /校验通过/);

    // pending payments: made by the admin, so finance may decide them
    await page.click('#tab-pending');
    await page.waitForSelector('[data-test=pending-table] .el-table__row');
    assert.ok(await page.locator('[data-test=pending-approve]').count() > 0);
    assert.deepEqual(page.problems, []);
    assert.deepEqual(await cspViolations(page), []);
  } finally {
    await closePage(page);
  }
});

test('finance: a reversal needs a reason (field error), then reverses the entry', async () => {
  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.finance');
    await page.goto(`${BASE}/ledger`, { waitUntil: 'networkidle' });
    await page.click('#tab-entries');
    await page.waitForSelector('[data-test=entries-table] .el-table__row');

    // a filter the API would refuse is caught in place
    await page.fill('#ledger-f-account', '12');
    await page.click('[data-test=entries-query]');
    await page.waitForSelector(`[data-test=entries-filter] .el-form-item__error:has-text("${zh.ledger.accountFormat}")`);
    await page.fill('#ledger-f-account', '');
    await page.click('[data-test=entries-query]');
    await page.waitForSelector('[data-test=entries-table] .el-table__row');

    // a claim's benefit entry (a partly earned receipt cannot be reversed)
    await page.click('[data-test=f-source]');
    await page.click(`.el-select-dropdown__item:visible:has-text("${zh.ledger.src_claim}")`);
    await page.click('[data-test=f-fund]');
    await page.click('.el-select-dropdown__item:visible:has-text("ZY")');
    await page.click('[data-test=entries-query]');
    await page.waitForFunction(() => {
      const rows = document.querySelectorAll('[data-test=entries-table] .el-table__row');
      return rows.length > 0 && [...rows].every((r) => r.textContent.includes('ZY'));
    });
    const target = Number(await page.locator('[data-test=entries-table] [data-entry]').first().getAttribute('data-entry'));
    await page.click(`[data-test=entries-table] [data-entry="${target}"]`);
    await page.waitForSelector('[data-test=entry-lines] .el-table__row');
    await page.click('[data-test=entry-reverse]');
    await page.waitForSelector('[data-test=reverse-dialog] textarea', { state: 'visible' });
    await page.click('[data-test=reverse-confirm]');
    const err = page.locator(`[data-test=reverse-dialog] .el-form-item__error:has-text("${zh.ledger.reasonRequired}")`);
    await err.waitFor();
    await shot(page, 'fund-ledger-reverse-invalid');
    const fin = await apiAs('demo.finance');
    let rev = await fin.call('GET', '/ledger/entries?source=reversal');
    assert.equal(rev.body.entries.length, 0, 'nothing was posted');

    await page.fill('[data-test=reverse-dialog] textarea', '重复入账，冲销');
    await page.click('[data-test=reverse-confirm]');
    await page.waitForSelector('[data-test=reverse-dialog]', { state: 'hidden' });
    rev = await fin.call('GET', '/ledger/entries?source=reversal');
    assert.equal(rev.body.entries.length, 1);
    assert.equal(rev.body.entries[0].reversal_of, target);
    assert.equal(rev.body.entries[0].memo, '重复入账，冲销');
    // the drawer now shows the reversing entry, which cannot be reversed again
    const title = zh.ledger.entryTitle.replace('{id}', rev.body.entries[0].id);
    await page.waitForSelector(`[data-test=entry-drawer] .el-drawer__title:text-is("${title}")`);
    await page.waitForSelector('[data-test=entry-lines] .el-table__row');
    assert.equal(await page.locator('[data-test=entry-reverse]').count(), 0);
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});

test('auditor: the ledger is read only (no reverse, close, earn or approve), in English too', async () => {
  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.auditor');
    await page.evaluate(() => window.localStorage.setItem('huzhu.lang', 'en'));
    await page.goto(`${BASE}/ledger`, { waitUntil: 'networkidle' });
    await page.waitForSelector('[data-test=balances-table] .el-table__row');
    assert.ok(await page.locator('[data-test=ledger-readonly]').isVisible());
    assert.equal((await page.textContent('#tab-entries')).trim(), en.ledger.tabEntries);

    await page.click('#tab-entries');
    await page.waitForSelector('[data-test=entries-table] .el-table__row');
    await page.locator('[data-test=entries-table] [data-entry]').first().click();
    await page.waitForSelector('[data-test=entry-lines] .el-table__row');
    assert.equal(await page.locator('[data-test=entry-reverse]').count(), 0);
    await page.keyboard.press('Escape');

    await page.click('#tab-pending');
    await page.waitForSelector('[data-test=pending-table] .el-table__row');
    assert.equal(await page.locator('[data-test=pending-approve]').count(), 0);
    assert.equal(await page.locator('[data-test=pending-refuse]').count(), 0);

    await page.click('#tab-periods');
    await page.waitForSelector('[data-test=trial-balance] .el-table__row');
    assert.equal(await page.locator('[data-test=period-actions]').count(), 0);
    assert.equal(await page.locator('[data-test=period-close]').count(), 0);
    await shot(page, 'fund-ledger-auditor-en');
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});

test('supervisor: only the period reports; auditor: payout batches without buttons', async () => {
  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.supervisor');
    await page.goto(`${BASE}/ledger`, { waitUntil: 'networkidle' });
    await page.waitForSelector('[data-test=report-summary] .el-table__row');
    assert.equal(await page.locator('#tab-accounts').count(), 0);
    assert.equal(await page.locator('#tab-entries').count(), 0);
    assert.equal(await page.locator('#tab-verify').count(), 0);
    assert.equal(await page.locator('[data-menu=payouts]').count(), 0, 'no payouts for a supervisor');
    assert.deepEqual(page.problems, []);
    assert.deepEqual(page.apiFailures, [], 'no call the role may not make');
  } finally {
    await closePage(page);
  }
});

test('payout batch: maker-checker, bank file, results file marks the payment paid', async () => {
  await ensureSecondFinance();
  const claim = await bigPayableClaim();
  const fin = await apiAs('demo.finance');
  const fin2 = await apiAs(FINANCE2);

  // the maker: creates the batch, has no approve button, the API refuses them too
  const maker = await openPage(browser);
  let batchId;
  try {
    await signIn(maker, 'demo.finance');
    await maker.click('[data-menu=payouts]');
    await maker.waitForSelector('[data-test=payouts-page] [data-state], [data-test=batches-table]');
    await maker.click('[data-test=batch-create]');
    await maker.click('[data-test=create-confirm]');
    await maker.waitForSelector(`[data-test=create-dialog] .el-form-item__error:has-text("${zh.payouts.fundRequired}")`);
    await maker.click('[data-test=create-fund]');
    await maker.click('.el-select-dropdown__item:visible:has-text("ZY")');
    await maker.click('[data-test=create-confirm]');
    await maker.waitForSelector('[data-test=batch-status][data-status=pending_approval]');
    batchId = Number((await maker.textContent('[data-test=batch-drawer] .el-drawer__title')).match(/#(\d+)/)[1]);
    assert.equal(fen(await maker.textContent('[data-test=batch-total]')), claim.payout);
    assert.ok(await maker.locator('[data-test=batch-own]').isVisible());
    assert.equal(await maker.locator('[data-test=batch-approve]').count(), 0);
    assert.equal(await maker.locator('[data-test=bank-csv]').count(), 0, 'no bank file before approval');
    await shot(maker, 'fund-payout-maker');
    const self = await fin.call('POST', `/payout-batches/${batchId}/approve`);
    assert.equal(self.status, 422);
    assert.equal(self.body.error.code, 'SECOND_USER_REQUIRED');
    assert.deepEqual(maker.problems, []);
  } finally {
    await closePage(maker);
  }

  // the checker: approves, downloads the bank file, imports the results
  const page = await openPage(browser);
  try {
    await signIn(page, FINANCE2);
    await page.goto(`${BASE}/payouts`, { waitUntil: 'networkidle' });
    await page.click(`[data-test=batches-table] [data-batch="${batchId}"]`);
    await page.waitForSelector('[data-test=batch-approve]');
    await page.click('[data-test=batch-approve]');
    await page.click('.el-message-box__btns .el-button--primary');
    await page.waitForSelector('[data-test=batch-status][data-status=approved]');
    let b = await fin2.call('GET', `/payout-batches/${batchId}`);
    assert.equal(b.body.status, 'approved');
    assert.equal(b.body.decided_by, fin2.user.id);

    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=bank-csv]')]);
    assert.equal(dl.suggestedFilename(), `payout-batch-${batchId}.csv`);
    const csv = fs.readFileSync(await dl.path(), 'utf8').replace(/^\uFEFF/, '');
    const lines = csv.split(/\r?\n/).filter((l) => l !== '');
    assert.equal(lines[0], 'account,name,amount,reference');
    assert.equal(lines.length, 2);
    assert.match(lines[1], new RegExp(`^\\d{16,19},[^,]+,${(claim.payout / 100).toFixed(2)},${claim.id}$`));
    await page.waitForSelector('[data-test=batch-status][data-status=exported]');
    await page.waitForSelector('[data-test=results-form]');
    await shot(page, 'fund-payout-exported');

    // a failed row without a reason is caught before sending
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huzhu-fund-'));
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, `reference,status,reason\n${claim.id},failed,\n`);
    await page.setInputFiles('[data-test=results-file]', bad);
    await page.waitForSelector(`[data-test=results-row-errors]:has-text("${zh.payouts.reasonMissing}")`);

    const good = path.join(dir, 'bank-result.csv');
    fs.writeFileSync(good, `reference,status,reason\n${claim.id},paid,\n`);
    await page.setInputFiles('[data-test=results-file]', good);
    await page.click('[data-test=results-upload]');
    await page.waitForSelector('[data-test=results-summary]');
    await page.waitForSelector(`[data-test=batch-items] [data-item-status=paid][data-ref="${claim.id}"]`);
    await page.waitForSelector('[data-test=batch-status][data-status=completed]');
    await shot(page, 'fund-payout-results');
    b = await fin2.call('GET', `/payout-batches/${batchId}`);
    assert.equal(b.body.items[0].status, 'paid');
    assert.ok(b.body.items[0].entry_id > 0);
    assert.equal(b.body.paid_fen, claim.payout);
    const c = await fin2.call('GET', `/claims/${claim.id}`);
    assert.equal(c.body.status, 'paid');
    fs.rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(page.problems, []);
    assert.deepEqual(await cspViolations(page), []);
  } finally {
    await closePage(page);
  }

  // the auditor reads the batch, with no buttons and no bank file
  const aud = await openPage(browser);
  try {
    await signIn(aud, 'demo.auditor');
    await aud.goto(`${BASE}/payouts`, { waitUntil: 'networkidle' });
    assert.equal(await aud.locator('[data-test=batch-create]').count(), 0);
    await aud.click(`[data-test=batches-table] [data-batch="${batchId}"]`);
    await aud.waitForSelector('[data-test=batch-items] .el-table__row');
    assert.equal(await aud.locator('[data-test=bank-csv]').count(), 0);
    assert.equal(await aud.locator('[data-test=results-form]').count(), 0);
    assert.equal(await aud.locator('[data-test=batch-approve]').count(), 0);
    assert.deepEqual(aud.problems, []);
  } finally {
    await closePage(aud);
  }
});

/* ------------------------------------------------------------------ manual entry, bank statements */

/* Manual entries of the ledger, via the API (ids). */
async function manualEntries(client) {
  const r = await client.call('GET', '/ledger/entries?source=manual&limit=500');
  assert.equal(r.status, 200);
  return r.body.entries;
}

/* Opens an el-select, picks the option, waits until its list has closed. */
async function pickOption(page, selectSelector, text) {
  await page.click(selectSelector);
  await page.click(`.el-select-dropdown__item:visible:has-text("${text}")`);
  await page.waitForFunction(() => [...document.querySelectorAll('.el-select__popper')]
    .every((e) => getComputedStyle(e).display === 'none'));
}

async function openManual(page) {
  await page.goto(`${BASE}/ledger`, { waitUntil: 'networkidle' });
  await page.click('#tab-manual');
  await page.waitForSelector('[data-test=manual-form]');
  await pickOption(page, '[data-test=m-fund]', 'ZY');
}

function yuan(fenValue) {
  return `${Math.floor(fenValue / 100)}.${String(fenValue % 100).padStart(2, '0')}`;
}

test('finance: a balanced donation entry is posted and shows in the journal; an unbalanced one cannot be posted', async () => {
  const fin = await apiAs('demo.finance');
  const before = await manualEntries(fin);
  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.finance');
    await openManual(page);
    await page.click('[data-test=m-presets] [data-preset=donation]');
    assert.equal(await page.inputValue('#ledger-m-memo'), zh.ledger.preset_donation);

    // not an amount: said in place; unbalanced: said, and the button is disabled
    await page.fill('#ledger-m-amt-0', '12.345');
    await page.waitForSelector(`[data-line="0"] [data-test=m-line-error]:has-text("${zh.ledger.amountFormat}")`);
    await page.fill('#ledger-m-amt-0', '1,000.50');
    await page.fill('#ledger-m-amt-1', '1000.05');
    await page.waitForSelector(`[data-test=m-unbalanced]:has-text("${zh.ledger.notBalancedYet}")`);
    assert.equal((await page.textContent('[data-test=m-diff]')).trim(), '0.45');
    assert.ok(await page.locator('[data-test=m-post]').isDisabled());
    await page.press('#ledger-m-amt-1', 'Enter'); // submitting by keyboard does not post either
    await shot(page, 'fund-manual-unbalanced');
    assert.equal((await manualEntries(fin)).length, before.length, 'nothing was posted');

    await page.fill('#ledger-m-amt-1', '1000.50');
    await page.waitForSelector('[data-test=m-balanced]');
    assert.equal((await page.textContent('[data-test=m-diff]')).trim(), '0.00');
    await page.fill('#ledger-m-memo', '收到爱心企业捐赠');
    await page.click('[data-test=m-post]');
    await page.waitForSelector('[data-test=m-posted]');
    const id = Number(await page.getAttribute('[data-test=m-posted]', 'data-entry'));
    await shot(page, 'fund-manual-posted');

    const e = await fin.call('GET', `/ledger/entries/${id}`);
    assert.equal(e.status, 200);
    assert.equal(e.body.fund, 'ZY');
    assert.equal(e.body.source, 'manual');
    assert.equal(e.body.memo, '收到爱心企业捐赠');
    assert.equal(e.body.total_fen, 100050);
    assert.deepEqual(e.body.lines.map((l) => [l.account, l.side, l.amount_fen]), [['1002', 'D', 100050], ['4201', 'C', 100050]]);
    assert.equal((await manualEntries(fin)).length, before.length + 1);

    // the form starts over (a new entry gets a new key), and the journal shows the entry
    assert.equal(await page.inputValue('#ledger-m-amt-0'), '');
    await page.click('#tab-entries');
    await page.waitForSelector('[data-test=entries-table] .el-table__row, [data-test=ledger-page] [data-state=empty]');
    await pickOption(page, '[data-test=f-source]', zh.ledger.src_manual);
    await page.click('[data-test=entries-query]');
    await page.waitForSelector(`[data-test=entries-table] [data-entry="${id}"]`);
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});

test('finance: the fund-use rules refuse an entry in place; a retry and a double click post once', async () => {
  const fin = await apiAs('demo.finance');
  const before = (await manualEntries(fin)).length;
  const page = await openPage(browser);
  const keys = [];
  page.on('request', (req) => {
    if (req.method() === 'POST' && new URL(req.url()).pathname === '/api/v1/ledger/entries') {
      keys.push(JSON.parse(req.postData()).idem_key);
    }
  });
  try {
    await signIn(page, 'demo.finance');
    await openManual(page);

    // a benefit expense paid straight from the bank: not an allowed manual pair
    await pickOption(page, '[data-line="0"] [data-test=m-account]', '5101');
    await pickOption(page, '[data-line="1"] [data-test=m-account]', '1002');
    await page.fill('#ledger-m-amt-0', '10');
    await page.fill('#ledger-m-amt-1', '10.00');
    await page.click('[data-test=m-post]');
    await page.waitForSelector('[data-test=m-error][data-code=FUND_USE_REFUSED]');
    assert.match(await page.textContent('[data-test=m-error]'), new RegExp(zh.errors.FUND_USE_REFUSED));
    assert.match(await page.textContent('[data-test=m-refused-pair]'), /5101.*1002/);
    await shot(page, 'fund-manual-refused');
    assert.equal((await manualEntries(fin)).length, before, 'the refused entry was not posted');

    // a retry after a lost answer: the server posted, the page never heard; the same key replays
    await page.click('[data-test=m-presets] [data-preset=interest]');
    await page.fill('#ledger-m-amt-0', '12.34');
    await page.fill('#ledger-m-amt-1', '12.34');
    const from = keys.length;
    let dropped = 0;
    await page.route('**/api/v1/ledger/entries', async (route) => {
      if (route.request().method() === 'POST' && dropped === 0) {
        dropped = (await route.fetch()).status();
        await route.abort('failed');
      } else {
        await route.continue();
      }
    });
    await page.click('[data-test=m-post]');
    await page.waitForSelector('[data-test=m-error][data-code=NETWORK_ERROR]');
    assert.equal(dropped, 201, 'the first request was posted by the server');
    await page.click('[data-test=m-post]');
    await page.waitForSelector('[data-test=m-posted]');
    await page.unroute('**/api/v1/ledger/entries');
    assert.match(await page.textContent('[data-test=m-posted]'), /未重复记账/);
    const retry = keys.slice(from);
    assert.equal(retry.length, 2);
    assert.equal(retry[0], retry[1], 'the retry sent the same idempotency key');
    assert.equal((await manualEntries(fin)).length, before + 1);

    // a double click
    await page.click('[data-test=m-presets] [data-preset=interest]');
    await page.fill('#ledger-m-amt-0', '5.60');
    await page.fill('#ledger-m-amt-1', '5.6');
    const replayedId = await page.getAttribute('[data-test=m-posted]', 'data-entry');
    await page.dblclick('[data-test=m-post]');
    await page.waitForSelector(`[data-test=m-posted]:not([data-entry="${replayedId}"])`);
    const later = keys.slice(from + 2);
    assert.ok(later.length >= 1);
    assert.ok(later.every((k) => k === later[0]) && later[0] !== retry[0], 'one key for the new form');
    const after = await manualEntries(fin);
    assert.equal(after.length, before + 2, 'the double click posted once');
    assert.equal(after.filter((e) => e.total_fen === 560 && e.lines[1].account === '4301').length, 1);
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});

test('finance: a management expense above the threshold waits for a second finance user', async () => {
  const fin = await apiAs('demo.finance');
  const before = (await manualEntries(fin)).length;
  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.finance');
    await openManual(page);
    await page.click('[data-test=m-presets] [data-preset=mgmt]');
    await page.fill('#ledger-m-amt-0', '20000');
    await page.fill('#ledger-m-amt-1', '20,000.00');
    await page.click('[data-test=m-post]');
    await page.waitForSelector('[data-test=m-pending]');
    const pid = Number((await page.textContent('[data-test=m-pending]')).match(/#(\d+)/)[1]);
    const p = await fin.call('GET', '/ledger/pending');
    const row = p.body.pending.find((x) => x.id === pid);
    assert.ok(row, 'the pending payment exists');
    assert.equal(row.amount_fen, 2000000);
    assert.equal(row.status, 'pending');
    assert.equal(row.created_by, fin.user.id);
    assert.equal((await manualEntries(fin)).length, before, 'not posted before approval');
    await page.click('[data-test=m-go-pending]');
    await page.waitForSelector('#tab-pending.is-active');
    await page.waitForSelector('[data-test=pending-table] [data-test=pending-own]');
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});

test('finance: a bank statement with one known receipt and one unknown line', async () => {
  const fin = await apiAs('demo.finance');
  const inv = await fin.call('GET', '/invoices?status=paid&limit=1');
  assert.equal(inv.status, 200);
  const one = await fin.call('GET', `/invoices/${inv.body.invoices[0].id}`);
  const receipt = one.body.receipts[0];
  assert.ok(receipt.bank_reference && receipt.amount_fen > 0);
  const before = (await manualEntries(fin)).length;

  const page = await openPage(browser);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huzhu-fund-'));
  try {
    await signIn(page, 'demo.finance');
    await page.goto(`${BASE}/ledger`, { waitUntil: 'networkidle' });
    await page.click('#tab-recon');
    await page.waitForSelector(`[data-test=rec-note]:has-text("${zh.ledger.recNoPosting}")`);

    // nothing to send; then a pasted statement with a bad date: the server's row error
    await page.click('[data-test=rec-run]');
    await page.waitForSelector(`[data-test=rec-form] .el-form-item__error:has-text("${zh.ledger.recNothing}")`);
    await page.fill('#ledger-rec-text', 'date,amount,reference,direction\n2026-13-01,1.00,X-1,in');
    await page.click('[data-test=rec-run]');
    await page.waitForSelector('[data-test=rec-row-errors] li:has-text("第 2 行")');
    await page.fill('#ledger-rec-text', '');

    const file = path.join(dir, 'statement.csv');
    fs.writeFileSync(file, `\uFEFF日期,金额,参考号,方向\n${isoDaysAgo(1)},${yuan(receipt.amount_fen)},${receipt.bank_reference},收\n${isoDaysAgo(1)},88.80,UNKNOWN-REF-7,收\n`);
    await page.setInputFiles('[data-test=rec-file]', file);
    await page.click('[data-test=rec-run]');
    await page.waitForSelector('[data-test=rec-result]');
    assert.equal((await page.textContent('[data-test=rec-receipts-count]')).trim(), '1');
    assert.equal(fen(await page.textContent('[data-test=rec-receipts-total]')), receipt.amount_fen);
    assert.equal((await page.textContent('[data-test=rec-payouts-count]')).trim(), '0');
    assert.equal((await page.textContent('[data-test=rec-unmatched-count]')).trim(), '1');
    assert.equal(fen(await page.textContent('[data-test=rec-unmatched-total]')), 8880);
    assert.match(await page.textContent('[data-test=rec-receipts]'), new RegExp(receipt.bank_reference));
    await page.waitForSelector('[data-test=rec-unmatched] [data-reason=NO_SUCH_REFERENCE]');
    await shot(page, 'fund-bank-statement');

    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=rec-download]')]);
    assert.match(dl.suggestedFilename(), /^bank-statement-unmatched-\d{4}-\d\d-\d\d\.csv$/);
    const raw = fs.readFileSync(await dl.path(), 'utf8');
    assert.ok(raw.startsWith('\uFEFF'), 'UTF-8 with a BOM');
    const lines = raw.slice(1).split(/\r?\n/).filter((l) => l !== '');
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^row,date,direction,amount,reference,reason,/);
    assert.match(lines[1], /^3,\d{4}-\d\d-\d\d,in,88\.80,UNKNOWN-REF-7,NO_SUCH_REFERENCE,/);
    assert.equal((await manualEntries(fin)).length, before, 'nothing was posted');
    assert.deepEqual(page.problems, []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await closePage(page);
  }
});

test('auditor and supervisor: no manual entry, no bank reconciliation', async () => {
  for (const login of ['demo.auditor', 'demo.supervisor']) {
    const page = await openPage(browser);
    try {
      await signIn(page, login);
      await page.goto(`${BASE}/ledger`, { waitUntil: 'networkidle' });
      await page.waitForSelector('#tab-periods');
      assert.equal(await page.locator('#tab-manual').count(), 0, `${login}: no manual entry tab`);
      assert.equal(await page.locator('#tab-recon').count(), 0, `${login}: no reconciliation tab`);
      assert.equal(await page.locator('[data-test=manual-form], [data-test=rec-form]').count(), 0);
      assert.deepEqual(page.problems, []);
      assert.deepEqual(page.apiFailures, [], 'no call the role may not make');
    } finally {
      await closePage(page);
    }
  }
});
