// The work pages on the demo data (tests/web/run creates it with
// `huzhu demo --members 2000`), signed in with the real demo accounts:
// claims workbench (officer), worker portal on a phone (member), member
// search and masked detail (unit staff), roster import with progress.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BASE, PHONE, closePage, cspViolations, importWeb, launch, openPage, shot } from './lib.mjs';

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

async function signIn(page, login, where = '/login') {
  await page.goto(`${BASE}${where}`, { waitUntil: 'networkidle' });
  await page.fill('#hz-login', login);
  await page.fill('#hz-password', PASSWORD);
  await page.press('#hz-password', 'Enter');
}

test('claims officer: workbench lists claims, a claim shows its calculation step by step, approve one', async () => {
  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.officer');
    await page.waitForSelector('[data-test=sidebar]');
    await page.click('[data-menu=claims]');
    await page.waitForSelector('[data-test=claims-table] .el-table__row');
    assert.ok(await page.locator('[data-test=claims-table] .el-table__row').count() > 5);
    assert.match(await page.textContent('[data-test=officer-limit]'), /5,000\.00/);
    await shot(page, 'work-claims-workbench');

    // the assessed queue, the first claim in it
    await page.click('[data-queue=assessed]');
    await page.waitForSelector('[data-test=claims-table] .el-table__row');
    await page.locator('[data-test=claims-table] .el-table__row').first().click();
    await page.waitForSelector('[data-test=explain-steps] [data-step=tier]');
    const steps = await page.locator('[data-test=explain-steps] li').evaluateAll((els) => els.map((e) => e.getAttribute('data-step')));
    for (const s of ['cover', 'waiting', 'base', 'deductible', 'tier', 'cap']) {
      assert.ok(steps.includes(s), `step ${s} in ${steps}`);
    }
    const tier = await page.textContent('[data-test=explain-steps] [data-step=tier]');
    assert.match(tier, /50%/, tier);
    assert.match(tier, /¥[\d,]+\.\d\d/, tier);
    assert.ok((await page.textContent('[data-test=claim-authority]')).includes('5,000.00'));
    assert.ok(await page.locator('[data-test=claim-documents] li').count() > 0);
    await shot(page, 'work-claim-detail');

    await page.click('[data-test=claim-approve]');
    await page.waitForFunction((want) => {
      const el = document.querySelector('[data-test=claim-status]');
      return el && el.textContent.trim() !== want;
    }, zh.claimStatus.assessed);
    const status = (await page.textContent('[data-test=claim-status]')).trim();
    assert.ok([zh.claimStatus.payable, zh.claimStatus.approved, zh.claimStatus.closed].includes(status), status);
    assert.equal(await page.locator('[data-test=claim-approve]').count(), 0, 'nothing left to approve');
    await shot(page, 'work-claim-approved');
    assert.deepEqual(page.problems, []);
    assert.deepEqual(await cspViolations(page), []);
  } finally {
    await closePage(page);
  }
});

test('auditor: the claims workbench has no decision buttons', async () => {
  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.auditor');
    await page.waitForSelector('[data-test=sidebar]');
    await page.goto(`${BASE}/claims`, { waitUntil: 'networkidle' });
    await page.waitForSelector('[data-test=claims-table] .el-table__row');
    await page.locator('[data-test=claims-table] .el-table__row').first().click();
    await page.waitForSelector('[data-test=claim-status]');
    assert.equal(await page.locator('[data-test=claim-actions]').count(), 0);
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});

test('worker on a phone: my cover lists enrolments, my claims shows a paid claim with its payout and calculation', async () => {
  const page = await openPage(browser, { viewport: PHONE, mobile: true });
  try {
    await signIn(page, 'demo.member', '/portal/login');
    await page.waitForSelector('[data-test=portal-hero]');
    await page.click('[data-tab=cover]');
    await page.waitForSelector('[data-test=cover-item]');
    const cover = await page.textContent('[data-test=cover]');
    assert.match(cover, /\d{4}-\d\d-\d\d – \d{4}-\d\d-\d\d/);
    assert.ok(await page.locator('[data-test=waiting-ends]').count() > 0);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth) <= 0);
    await shot(page, 'work-portal-cover');

    await page.click('[data-tab=claims]');
    const paid = page.locator('[data-test=my-claim][data-status=paid]').first();
    await paid.waitFor();
    assert.match(await paid.locator('[data-test=my-claim-payout]').textContent(), /^¥[\d,]+\.\d\d$/);
    await paid.locator('[data-test=show-explanation]').click();
    await paid.locator('[data-test=explain-steps] li').first().waitFor();
    assert.ok(await paid.locator('[data-test=explain-steps] li').count() >= 3);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth) <= 0);
    await shot(page, 'work-portal-claims');

    // the claim form checks amounts in place, before any request
    await page.click('[data-test=new-claim]');
    await page.waitForSelector('[data-test=claim-submit]');
    await page.fill('[data-test=claim-total_fen]', '12.345');
    await page.click('[data-test=claim-submit]');
    await page.getByText(zh.newClaim.amountInvalid).first().waitFor();
    assert.ok(await page.locator('[data-test=claim-photo]').getAttribute('capture'));
    assert.equal(await page.locator('[data-test=claim-photo]').getAttribute('accept'), 'image/*');
    await shot(page, 'work-portal-new-claim');

    // a real claim: plan, dates, amounts in yuan, a photo from the "camera", submit
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    await page.locator('[data-test=claim-plans] .el-checkbox').first().click();
    await page.fill('[data-test=claim-admission]', '2026-11-20');
    await page.fill('[data-test=claim-discharge]', '2026-11-24');
    await page.fill('[data-test=claim-hospital]', '浙江大学医学院附属第一医院');
    await page.fill('[data-test=claim-total_fen]', '1,000.10');
    await page.fill('[data-test=claim-fund_paid_fen]', '600.05');
    await page.fill('[data-test=claim-self_pay_in_scope_fen]', '400.05');
    await page.setInputFiles('[data-test=claim-photo]', { name: 'invoice.png', mimeType: 'image/png', buffer: png });
    await page.waitForSelector('[data-test=claim-photo-item]');
    await page.click('[data-test=claim-submit]');
    await page.waitForURL((u) => u.pathname === '/portal/claims');
    await page.waitForSelector('[data-test=my-claim][data-status=submitted], [data-test=my-claim][data-status=documents_complete]');
    await shot(page, 'work-portal-claim-submitted');
    assert.deepEqual(page.problems, []);
    assert.deepEqual(await cspViolations(page), []);
  } finally {
    await closePage(page);
  }
});

test('unit staff: member search by name, detail with the ID number masked, reveal asks for a reason', async () => {
  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.unit');
    await page.waitForSelector('[data-test=sidebar]');
    await page.click('[data-menu=members]');
    await page.waitForSelector('[data-test=members-table] .el-table__row');
    const first = await page.locator('[data-test=members-table] .el-table__row').first().locator('td').first().textContent();
    const name = first.trim();
    await page.fill('[data-test=members-name]', name);
    await page.click('[data-test=members-search]');
    await page.waitForFunction((n) => {
      const rows = [...document.querySelectorAll('[data-test=members-table] .el-table__row')];
      return rows.length > 0 && rows.every((r) => r.querySelector('td').textContent.trim().startsWith(n));
    }, name);
    await shot(page, 'work-members-search');
    await page.locator('[data-test=members-table] .el-table__row').first().click();
    await page.waitForSelector('[data-test=member-id-masked]');
    assert.match((await page.textContent('[data-test=member-id-masked]')).trim(), /^\d{6}\*{8}\d{3}[\dX]$/);
    await page.click('[data-test=member-reveal]');
    await page.click('[data-test=reveal-confirm]');
    await page.getByText(zh.members.revealReasonRequired).first().waitFor();
    await page.fill('[data-test=reveal-reason]', '核对身份');
    await page.click('[data-test=reveal-confirm]');
    await page.waitForSelector('[data-test=member-id-revealed]');
    assert.match((await page.textContent('[data-test=member-id-revealed]')).trim(), /^\d{17}[\dX]$/);
    await shot(page, 'work-member-detail');

    // a bad ID number is refused in place, without a request
    await page.keyboard.press('Escape');
    await page.fill('[data-test=members-id]', '110101199003070000');
    await page.click('[data-test=members-search]');
    await page.getByText(zh.errors.INVALID_ID).first().waitFor();
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});

test('unit staff: roster import of a small CSV shows progress, a summary and the refused rows report', async () => {
  const { idCheckChar } = await importWeb('src/utils/ids.js');
  const id = (seq) => {
    const d17 = `33010219900307${String(seq).padStart(3, '0')}`;
    return d17 + idCheckChar(d17);
  };
  const csv = ['姓名,身份证号,手机号,用工形式', `测试甲,${id(901)},13800138001,快递员`, `测试乙,${id(903)},13800138002,外卖配送员`,
    '测试丙,110101199003070000,13800138003,快递员'].join('\n') + '\n';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huzhu-import-'));
  const file = path.join(dir, 'roster.csv');
  fs.writeFileSync(file, csv);
  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.unit');
    await page.waitForSelector('[data-test=sidebar]');
    await page.click('[data-menu=imports]');
    await page.setInputFiles('[data-test=import-file]', file);
    await page.click('[data-test=import-start]');
    await page.waitForSelector('[data-test=import-progress]');
    await page.waitForSelector('[data-test=import-summary]', { timeout: 20000 });
    assert.equal((await page.textContent('[data-test=import-rejected]')).trim(), '1');
    const href = await page.getAttribute('[data-test=import-report]', 'href');
    assert.match(href, /^\/api\/v1\/imports\/\d+\/report\.csv$/);
    const report = await page.evaluate(async (u) => (await fetch(u)).text(), href);
    assert.ok(report.includes('INVALID_ID') || report.includes('身份证号'), report);
    await shot(page, 'work-import-summary');
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('auditor: the audit trail lists events and verifies the chain', async () => {
  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.auditor');
    await page.waitForSelector('[data-test=sidebar]');
    await page.click('[data-menu=audit]');
    await page.waitForSelector('[data-test=audit-table] .el-table__row');
    await page.click('[data-test=audit-verify]');
    await page.waitForSelector('[data-test=audit-verify-result]');
    assert.ok((await page.textContent('[data-test=audit-verify-result]')).includes('哈希链完整'));
    await shot(page, 'work-audit');
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});
