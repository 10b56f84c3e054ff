// The fund pages on the demo data (tests/web/run: `huzhu demo --members 2000`):
// the ledger (balances, a trial balance that balances, reversal with its
// field error, the auditor's and supervisor's read-only views) and payout
// batches (maker-checker with two finance users, the bank file, the bank's
// result file marking the payment paid).
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
