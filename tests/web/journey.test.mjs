// The whole journey of the issue, through the real UI on the demo data of
// tests/web/run: unit staff registers an employer and imports its roster,
// enrols the unit in the accident plan YW (no waiting period) from today,
// finance records the payment of every invoice of the batch (cover starts
// today), an admin creates the worker's portal login; the worker, on a phone,
// reads an article and files an accident claim with three photos; a claims
// officer assesses and approves it; finance pays it in a payout batch (bank
// file out, results file in); the worker sees it paid with its calculation.
// The API is used from node only to look ids up and to cross-check results.
// The tests run in order and share state; other test files use the same
// database at the same time, so every name and number here is unique.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { BASE, DESKTOP, PHONE, closePage, cspViolations, importWeb, launch, openPage, shot } from './lib.mjs';

const PASSWORD = 'Huzhu-Demo-2026';
const WORKER_PASSWORD = 'Mutual-Aid-Journey-2026';
const SUFFIX = `${Date.now() % 100000}${Math.floor(Math.random() * 90 + 10)}`;
/* Today in China time (UTC+8): the server's calendar, whatever the machine's zone. */
const cstDate = (ms) => new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 10);
const TODAY = cstDate(Date.now());

let browser;
let zh;
let ids;
let dir;
/* The claim's photos, one of each document kind an accident claim for medical costs needs. */
const kinds = ['accident_certificate', 'invoice', 'settlement_statement'];
/* What the steps pass on. */
const S = {};

before(async () => {
  browser = await launch();
  zh = (await importWeb('src/i18n/zh-CN.js')).default;
  ids = await importWeb('src/utils/ids.js');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huzhu-journey-'));
});
after(async () => {
  await browser.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/* ------------------------------------------------------------------ helpers */

/* A signed-in API session from node: call(method, path, body) -> {status, body}. */
async function apiAs(login, password = PASSWORD) {
  const resp = await fetch(`${BASE}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  assert.equal(resp.status, 200, `sign in ${login}`);
  const cookie = resp.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { csrf_token: csrf } = await resp.json();
  return async (method, p, body) => {
    const r = await fetch(`${BASE}/api/v1${p}`, {
      method,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', Cookie: cookie, 'X-CSRF-Token': csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
}

async function signIn(page, login, { where = '/login', password = PASSWORD } = {}) {
  await page.goto(`${BASE}${where}`, { waitUntil: 'networkidle' });
  await page.fill('#hz-login', login);
  await page.fill('#hz-password', password);
  await page.press('#hz-password', 'Enter');
  if (where === '/login') {
    await page.waitForSelector('[data-test=sidebar]');
  }
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

const exact = (s) => new RegExp(`^\\s*${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
const yuanText = (fen) => `¥${(fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

async function noProblems(page) {
  assert.deepEqual(page.problems, []);
  assert.deepEqual(await cspViolations(page), []);
}

/* A unified social credit code (GB 32100) with a random organisation code. */
function makeUscc() {
  const A = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const body8 = String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
  const ow = [3, 7, 9, 10, 5, 8, 4, 2];
  const osum = [...body8].reduce((s, c, i) => s + Number(c) * ow[i], 0);
  const oc = 11 - (osum % 11);
  const s17 = `91330106${body8}${oc === 10 ? 'X' : oc === 11 ? '0' : String(oc)}`;
  const sum = [...s17].reduce((s, c, i) => s + A.indexOf(c) * W[i], 0);
  return s17 + A[(31 - (sum % 31)) % 31];
}

/* A Luhn-valid 19-digit bank card number. */
function makeCard() {
  const body = `622202${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`;
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) {
        d -= 9;
      }
    }
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}

/* A small real PNG of one colour (a "photo" of a document). */
function png(w, h, [r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const x of buf) {
      c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    }
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = r;
      raw[o + 1] = (g + x) & 0xff;
      raw[o + 2] = (b + y) & 0xff;
    }
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/* --------------------------------------------------------------- the steps */

test('journey 1: unit staff registers an employer and imports its roster of three workers', async () => {
  const unitApi = await apiAs('demo.unit');
  S.uscc = makeUscc();
  assert.ok(ids.uscc(S.uscc).ok, S.uscc);
  S.employerName = `互助旅程物流有限公司${SUFFIX}`;
  const page = await openPage(browser, { viewport: DESKTOP });
  try {
    await signIn(page, 'demo.unit');
    await shot(page, 'journey-01-staff-signed-in');
    await page.click('[data-menu=employers]');
    await page.waitForSelector('[data-test=employers-table] .el-table__row');
    await page.click('[data-test=employers-create]');
    await page.waitForSelector('[data-test=employer-form-uscc]');
    // a credit code with a wrong check character: the API refuses it, shown under the field
    const last = S.uscc[17] === '0' ? '1' : '0';
    await page.fill('[data-test=employer-form-uscc]', S.uscc.slice(0, 17) + last);
    await page.fill('[data-test=employer-form-name]', S.employerName);
    await choose(page, 'employer-form-ownership', zh.employerReg.ownerships.private);
    await choose(page, 'employer-form-size', zh.employerReg.sizes.small);
    await page.click('[data-test=employer-form-save]');
    await page.locator('[data-test=employer-dialog] .el-form-item__error', { hasText: zh.errors.INVALID_EMPLOYER }).waitFor();
    await shot(page, 'journey-02-employer-invalid-code');
    // the right code
    await page.fill('[data-test=employer-form-uscc]', S.uscc);
    await page.click('[data-test=employer-form-save]');
    await page.waitForSelector('[data-test=employer-dialog]', { state: 'hidden' });
    await page.locator('[data-test=employers-table] .el-table__row', { hasText: S.uscc }).waitFor();
    await shot(page, 'journey-03-employer-created');
    const found = await unitApi('GET', `/employers?q=${S.uscc}`);
    assert.equal(found.status, 200);
    assert.equal(found.body.employers.length, 1);
    assert.equal(found.body.employers[0].name, S.employerName);
    S.employerId = found.body.employers[0].id;

    // the roster: three workers of the new employer, each with a bank card
    S.workers = [1, 2, 3].map((n) => {
      const d17 = `330106${1989 + n}${String(1 + Math.floor(Math.random() * 12)).padStart(2, '0')}`
        + `${String(1 + Math.floor(Math.random() * 28)).padStart(2, '0')}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
      return {
        name: `旅程职工${'甲乙丙'[n - 1]}${SUFFIX}`.slice(0, 20),
        id: d17 + ids.idCheckChar(d17),
        phone: `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
        employment: n === 2 ? '快递员' : '标准劳动关系',
        card: makeCard(),
      };
    });
    for (const w of S.workers) {
      assert.ok(ids.idNumber(w.id).ok && ids.bankCard(w.card).ok && ids.phone(w.phone).ok);
    }
    const csv = ['姓名,身份证号,手机号,用工形式,单位统一社会信用代码,银行卡号',
      ...S.workers.map((w) => `${w.name},${w.id},${w.phone},${w.employment},${S.uscc},${w.card}`)].join('\n') + '\n';
    const file = path.join(dir, 'roster.csv');
    fs.writeFileSync(file, csv);
    await page.click('[data-menu=imports]');
    await page.setInputFiles('[data-test=import-file]', file);
    await page.click('[data-test=import-start]');
    await page.waitForSelector('[data-test=import-progress]');
    await page.waitForSelector('[data-test=import-summary]', { timeout: 30000 });
    // rows, inserted, updated, unchanged, rejected
    const cells = (await page.locator('[data-test=import-summary] .el-descriptions__content').allTextContents()).map((s) => s.trim());
    assert.deepEqual(cells, ['3', '3', '0', '0', '0']);
    assert.equal(await page.locator('[data-test=import-report]').count(), 0, 'nothing refused, no report');
    await shot(page, 'journey-04-roster-imported');
    await noProblems(page);
  } finally {
    await closePage(page);
  }
  // the server has the three on the new employer's roster
  const admin = await apiAs('demo.admin');
  const members = await admin('GET', `/members?employer_id=${S.employerId}&limit=50`);
  assert.equal(members.status, 200);
  assert.equal(members.body.members.length, 3);
  for (const w of S.workers) {
    const m = members.body.members.find((x) => x.name === w.name);
    assert.ok(m, `member ${w.name}`);
    w.memberId = m.id;
  }
});

test('journey 2: unit staff enrols the unit in YW from today: preview, confirm, invoices', async () => {
  assert.ok(S.employerId, 'step 1 done');
  const page = await openPage(browser, { viewport: DESKTOP });
  try {
    await signIn(page, 'demo.unit');
    await page.click('[data-menu=enrolments]');
    await page.waitForSelector('[data-test=enrol-new]');
    await page.click('[data-test=enrol-new]');
    await page.waitForSelector('[data-test=enrol-wizard]');
    await choose(page, 'wiz-employer', S.employerName, S.employerName);
    await page.waitForSelector('[data-test=wiz-employer-info]');
    assert.match(await page.textContent('[data-test=wiz-employer-info]'), new RegExp(S.uscc));
    await page.click('[data-test=wiz-next]');

    await choose(page, 'wiz-plan', 'YW v1');
    await page.waitForSelector('[data-test=wiz-plan-info]');
    assert.match(await page.textContent('[data-test=wiz-plan-info]'), /¥26\.00/);
    await page.fill('[data-test=wiz-shares] input', '4');
    await page.press('[data-test=wiz-shares] input', 'Tab');
    await page.click('[data-test=wiz-next]');

    await page.fill('[data-test=wiz-term-start]', TODAY);
    const end = new Date(`${TODAY}T00:00:00Z`);
    end.setUTCFullYear(end.getUTCFullYear() + 1);
    end.setUTCDate(end.getUTCDate() - 1);
    S.termEnd = end.toISOString().slice(0, 10);
    assert.equal((await page.textContent('[data-test=wiz-term-end]')).trim(), S.termEnd);
    await page.click('[data-test=wiz-next]');

    await page.waitForSelector('[data-test=wiz-member-mode]');
    await page.click('[data-test=wiz-mode-all]');
    await page.click('[data-test=wiz-next]');

    // funding: the employer half, the union the rest, nothing from the workers
    await page.waitForSelector('[data-test=wiz-value-employer]');
    await page.locator('[data-test=wiz-value-employer]').fill('50');
    await choose(page, 'wiz-mode-union', zh.enrol.mode_none);
    await choose(page, 'wiz-remainder', zh.enrol.payer_union);
    assert.match(await page.textContent('[data-test=wiz-share-employer]'), /¥13\.00/);
    assert.match(await page.textContent('[data-test=wiz-share-union]'), /¥13\.00/);
    assert.match(await page.textContent('[data-test=wiz-share-worker]'), /¥0\.00/);
    await shot(page, 'journey-05-enrol-funding');
    await page.click('[data-test=wiz-next]');

    await page.waitForSelector('[data-test=wiz-cost]');
    assert.equal((await page.textContent('[data-test=wiz-eligible-count]')).trim(), '3');
    assert.equal((await page.textContent('[data-test=wiz-refused-count]')).trim(), '0');
    // 4 shares x 13 yuan x 3 workers for each of the two payers
    assert.equal((await page.textContent('[data-test=wiz-cost] [data-total=employer]')).trim(), '¥156.00');
    assert.equal((await page.textContent('[data-test=wiz-cost] [data-total=union]')).trim(), '¥156.00');
    await shot(page, 'journey-06-enrol-preview');

    await page.click('[data-test=wiz-confirm]');
    await page.waitForSelector('[data-test=wiz-done]');
    await page.waitForSelector('[data-test=wiz-invoices] .el-table__row');
    const invoiceRows = await page.locator('[data-test=wiz-invoices] .el-table__row').count();
    await shot(page, 'journey-07-enrol-done');
    await noProblems(page);

    const unitApi = await apiAs('demo.unit');
    const en = await unitApi('GET', `/enrolments?employer_id=${S.employerId}&plan=YW&limit=50`);
    assert.equal(en.body.enrolments.length, 3);
    assert.deepEqual(en.body.enrolments.map((e) => e.member_id).sort(), S.workers.map((w) => w.memberId).sort());
    S.batchId = en.body.enrolments[0].batch_id;
    for (const e of en.body.enrolments) {
      assert.equal(e.status, 'pending');
      assert.equal(e.batch_id, S.batchId);
      assert.equal(e.term_start, TODAY);
      assert.equal(e.term_end, S.termEnd);
      assert.equal(e.shares, 4);
    }
    const inv = await unitApi('GET', `/invoices?batch_id=${S.batchId}&limit=50`);
    assert.equal(inv.body.invoices.length, invoiceRows);
    assert.equal(inv.body.invoices.reduce((s, i) => s + i.amount_fen, 0), 31200);
  } finally {
    await closePage(page);
  }
});

test('journey 3: finance records a receipt for every invoice of the batch; the cover is active', async () => {
  assert.ok(S.batchId, 'step 2 done');
  const fin = await apiAs('demo.finance');
  const invoices = (await fin('GET', `/invoices?batch_id=${S.batchId}&limit=50`)).body.invoices;
  assert.ok(invoices.length >= 1);
  const page = await openPage(browser, { viewport: DESKTOP });
  try {
    await signIn(page, 'demo.finance');
    await page.click('[data-menu=invoices]');
    await page.waitForSelector('[data-test=inv-table]');
    await page.goto(`${BASE}/invoices?batch_id=${S.batchId}`, { waitUntil: 'networkidle' });
    await page.waitForSelector('[data-test=inv-table] .el-table__row');
    assert.equal(await page.locator('[data-test=inv-table] .el-table__row').count(), invoices.length);
    await shot(page, 'journey-08-invoices-of-batch');
    let n = 0;
    for (const inv of invoices) {
      n++;
      await page.click(`[data-test=inv-table] [data-invoice="${inv.id}"]`);
      await page.waitForSelector('[data-test=inv-status][data-status=open]');
      assert.equal((await page.textContent('[data-test=inv-outstanding]')).trim(), yuanText(inv.amount_fen - inv.paid_fen));
      await page.click('[data-test=inv-record]');
      await page.waitForSelector('[data-test=receipt-amount]');
      // the form offers what is outstanding
      const offered = await page.inputValue('[data-test=receipt-amount]');
      assert.equal(offered, ((inv.amount_fen - inv.paid_fen) / 100).toFixed(2));
      await page.fill('[data-test=receipt-reference]', `JOURNEY-${SUFFIX}-${inv.id}`);
      await page.fill('[data-test=receipt-date]', TODAY);
      await page.click('[data-test=receipt-save]');
      await page.waitForSelector('[data-test=inv-status][data-status=paid]');
      await page.locator('[data-test=inv-receipts] .el-table__row', { hasText: `JOURNEY-${SUFFIX}-${inv.id}` }).waitFor();
      await shot(page, `journey-09-invoice-paid-${n}`);
      await page.keyboard.press('Escape');
      await page.waitForSelector('[data-test=inv-drawer] .el-drawer', { state: 'hidden' });
    }
    await noProblems(page);
  } finally {
    await closePage(page);
  }
  for (const inv of invoices) {
    const after = await fin('GET', `/invoices/${inv.id}`);
    assert.equal(after.body.status, 'paid');
    assert.equal(after.body.paid_fen, inv.amount_fen);
  }
  const en = await fin('GET', `/enrolments?employer_id=${S.employerId}&plan=YW&limit=50`);
  assert.equal(en.body.enrolments.length, 3);
  assert.ok(en.body.enrolments.every((e) => e.status === 'active'), JSON.stringify(en.body.enrolments.map((e) => e.status)));
});

test('journey 4: an admin creates the worker\'s portal login', async () => {
  assert.ok(S.workers && S.workers[0].memberId, 'step 1 done');
  S.worker = S.workers[0];
  S.login = `journey.w${SUFFIX}`;
  const page = await openPage(browser, { viewport: DESKTOP });
  try {
    await signIn(page, 'demo.admin');
    await page.click('[data-menu=users]');
    await page.waitForSelector('[data-test=users-table] [data-login="demo.admin"]');
    await page.click('[data-test=users-create]');
    await page.waitForSelector('[data-test=users-create-dialog] [data-test=users-new-login]');
    await page.fill('[data-test=users-new-login]', S.login);
    await page.fill('[data-test=users-new-name]', S.worker.name);
    await page.click('[data-test=users-new-role]');
    await page.click('[data-test=users-role-member]');
    await page.click('[data-test=users-new-org]');
    await page.click('[data-test="users-org-ZJ-01-01-01"]');
    await page.fill('[data-test=users-new-member]', String(S.worker.memberId));
    await page.fill('[data-test=users-new-password]', WORKER_PASSWORD);
    await shot(page, 'journey-10-worker-login-form');
    await page.click('[data-test=users-new-save]');
    await page.waitForSelector(`[data-test=users-table] [data-login="${S.login}"]`);
    await shot(page, 'journey-11-worker-login-created');
    await noProblems(page);
  } finally {
    await closePage(page);
  }
  const admin = await apiAs('demo.admin');
  const users = await admin('GET', `/users?login=${S.login}`);
  const u = users.body.users.find((x) => x.login === S.login);
  assert.ok(u, 'the new login');
  assert.equal(u.role, 'member');
  assert.equal(u.member_id, S.worker.memberId);
});

test('journey 5: the worker on a phone reads an article and files an accident claim with three photos', async () => {
  assert.ok(S.login, 'step 4 done');
  const page = await openPage(browser, { viewport: PHONE, mobile: true });
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  try {
    await signIn(page, S.login, { where: '/portal/login', password: WORKER_PASSWORD });
    await page.waitForSelector('[data-test=portal-hero]');
    await page.waitForSelector('[data-test=article-card]');
    assert.ok(await overflow() <= 0);
    await shot(page, 'journey-12-portal-home');

    // an article: open, read, back
    const card = page.locator('[data-test=article-card]').first();
    const articleId = await card.getAttribute('data-article');
    const cardTitle = (await card.locator('.hz-article__title').textContent()).trim();
    await card.locator('a').click();
    await page.waitForSelector('[data-test=article-body]');
    assert.equal(new URL(page.url()).pathname, `/portal/articles/${articleId}`);
    assert.equal((await page.textContent('[data-test=article-title]')).trim(), cardTitle);
    assert.ok((await page.textContent('[data-test=article-body]')).trim().length > 0, 'the article has a body');
    assert.ok(await overflow() <= 0);
    await shot(page, 'journey-13-portal-article');
    await page.click('[data-test=article-back]');
    await page.waitForSelector('[data-test=article-card]');

    // my cover: YW from today
    await page.click('[data-tab=cover]');
    await page.waitForSelector('[data-test=cover-item]');
    assert.match(await page.textContent('[data-test=cover]'), new RegExp(`${TODAY} – ${S.termEnd}`));
    await shot(page, 'journey-14-portal-cover');

    // the claim
    await page.click('[data-tab=claims]');
    await page.waitForSelector('[data-test=new-claim]');
    await page.click('[data-test=new-claim]');
    await page.waitForSelector('[data-test=claim-submit]');
    const plans = page.locator('[data-test=claim-plans] .el-checkbox');
    assert.equal(await plans.count(), 1, 'one plan in cover: YW');
    await plans.first().click();
    await page.locator('.el-radio-button', { hasText: zh.claims.cause_accident }).click();
    await page.waitForSelector('[data-test=claim-accident]');
    await page.fill('[data-test=claim-accident]', TODAY);
    await page.fill('[data-test=claim-admission]', TODAY);
    await page.fill('[data-test=claim-discharge]', TODAY);
    S.hospital = `杭州市西溪医院急诊${SUFFIX}`;
    await page.fill('[data-test=claim-hospital]', S.hospital);
    await page.fill('[data-test=claim-total_fen]', '500.00');
    await page.fill('[data-test=claim-fund_paid_fen]', '300.00');
    await page.fill('[data-test=claim-self_pay_in_scope_fen]', '200.00');
    await page.waitForSelector('[data-test=parts-sum]');
    assert.match(await page.textContent('[data-test=parts-sum]'), /500\.00/);
    await page.setInputFiles('[data-test=claim-photo]', kinds.map((k, i) => ({
      name: `${k}.png`, mimeType: 'image/png', buffer: png(40 + i * 8, 30 + i * 4, [40 * (i + 1), 120, 200]),
    })));
    await page.waitForFunction(() => document.querySelectorAll('[data-test=claim-photo-item]').length === 3);
    for (let i = 0; i < kinds.length; i++) {
      await page.locator('[data-test=claim-photo-item]').nth(i).locator('.el-select').click();
      const option = page.locator('.el-select-dropdown__item:visible', { hasText: exact(zh.docKinds[kinds[i]]) });
      await option.click();
      await page.locator('.el-select-dropdown__item:visible').first().waitFor({ state: 'hidden' });
    }
    assert.ok(await overflow() <= 0);
    await shot(page, 'journey-15-portal-claim-form');
    await page.click('[data-test=claim-submit]');
    await page.waitForURL((u) => u.pathname === '/portal/claims');
    S.claimId = Number(new URL(page.url()).searchParams.get('submitted'));
    assert.ok(S.claimId > 0, page.url());
    const mine = page.locator(`[data-test=my-claim][data-claim="${S.claimId}"]`);
    await mine.waitFor();
    assert.ok(['submitted', 'documents_complete'].includes(await mine.getAttribute('data-status')));
    await shot(page, 'journey-16-portal-claim-submitted');
    await noProblems(page);
  } finally {
    await closePage(page);
  }
  const admin = await apiAs('demo.admin');
  const c = await admin('GET', `/claims/${S.claimId}`);
  assert.equal(c.status, 200);
  assert.equal(c.body.member_id, S.worker.memberId);
  assert.equal(c.body.channel, 'online');
  assert.equal(c.body.cause, 'accident');
  assert.equal(c.body.accident_date, TODAY);
  assert.equal(c.body.hospital, S.hospital);
  assert.equal(c.body.settlement.total_fen, 50000);
  assert.equal(c.body.settlement.self_pay_in_scope_fen, 20000);
  assert.deepEqual(c.body.documents.map((d) => d.kind).sort(), [...kinds].sort());
  assert.ok(c.body.documents.every((d) => d.content_type === 'image/png'));
  assert.equal(c.body.status, 'documents_complete');
});

test('journey 6: a claims officer views the documents, assesses and approves the claim', async () => {
  assert.ok(S.claimId, 'step 5 done');
  const page = await openPage(browser, { viewport: DESKTOP });
  try {
    await signIn(page, 'demo.officer');
    await page.click('[data-menu=claims]');
    await page.waitForSelector('[data-test=claims-table] .el-table__row');
    await page.click('[data-queue=documents_complete]');
    const row = page.locator('[data-test=claims-table] .el-table__row')
      .filter({ has: page.locator('td:first-child', { hasText: exact(String(S.claimId)) }) });
    await row.waitFor();
    await shot(page, 'journey-17-officer-queue');
    await row.click();
    await page.waitForSelector('[data-test=claim-status]');
    assert.equal((await page.textContent('[data-test=claim-status]')).trim(), zh.claimStatus.documents_complete);
    // the three photos show in the viewer, decoded
    await page.waitForFunction(() => {
      const imgs = [...document.querySelectorAll('[data-test=claim-documents] img')];
      return imgs.length === 3 && imgs.every((i) => i.complete && i.naturalWidth > 0);
    });
    const docText = await page.textContent('[data-test=claim-documents]');
    for (const k of kinds) {
      assert.ok(docText.includes(zh.docKinds[k]), k);
    }
    await page.locator('[data-test=claim-documents] img').first().scrollIntoViewIfNeeded();
    await shot(page, 'journey-18-officer-documents');

    await page.click('[data-test=claim-assess]');
    await page.waitForFunction((want) => document.querySelector('[data-test=claim-status]').textContent.trim() === want, zh.claimStatus.assessed);
    await page.waitForSelector('[data-test=explain-steps] li');
    await shot(page, 'journey-19-officer-assessed');
    const admin = await apiAs('demo.admin');
    const assessed = (await admin('GET', `/claims/${S.claimId}`)).body;
    assert.equal(assessed.status, 'assessed');
    assert.ok(assessed.payout_fen > 0 && assessed.payout_fen <= 50000, `payout ${assessed.payout_fen}`);
    // YW medical: (self-pay in scope 200.00 - deductible 100.00) x 80 %
    assert.equal(assessed.payout_fen, 8000);
    S.payout = assessed.payout_fen;

    if (await page.locator('[data-test=claim-approve]').count() === 1) {
      await page.click('[data-test=claim-approve]');
      await page.waitForFunction((want) => document.querySelector('[data-test=claim-status]').textContent.trim() === want, zh.claimStatus.payable);
      assert.equal(await page.locator('[data-test=claim-approve]').count(), 0);
      await shot(page, 'journey-20-claim-approved');
      S.approvedBy = 'demo.officer';
    } else {
      // picked for a second look (a risk flag: "sample" takes 5 % of claims):
      // the officer has no approve button; an approver decides
      assert.ok(assessed.authority && assessed.authority.needs_approver, 'no approve button only when an approver is needed');
      assert.ok(assessed.risk_flags.length > 0, 'a risk flag asks for a second look');
      const appr = await openPage(browser, { viewport: DESKTOP });
      try {
        await signIn(appr, 'demo.approver');
        await appr.goto(`${BASE}/claims`, { waitUntil: 'networkidle' });
        await appr.click('[data-queue=assessed]');
        await appr.locator('[data-test=claims-table] .el-table__row')
          .filter({ has: appr.locator('td:first-child', { hasText: exact(String(S.claimId)) }) }).click();
        await appr.click('[data-test=claim-approve]');
        await appr.waitForFunction((want) => document.querySelector('[data-test=claim-status]').textContent.trim() === want, zh.claimStatus.payable);
        await shot(appr, 'journey-20-claim-approved');
        await noProblems(appr);
      } finally {
        await closePage(appr);
      }
      S.approvedBy = 'demo.approver';
    }
    await noProblems(page);
    const c = (await admin('GET', `/claims/${S.claimId}`)).body;
    assert.equal(c.status, 'payable');
    assert.equal(c.payout_fen, S.payout);
  } finally {
    await closePage(page);
  }
});

test('journey 7: finance pays the claim in a YW payout batch: bank file out, results in', async () => {
  assert.ok(S.payout, 'step 6 done');
  const fin = await apiAs('demo.finance');
  const page = await openPage(browser, { viewport: DESKTOP });
  let decider = page;
  let checker = null;
  try {
    await signIn(page, 'demo.finance');
    await page.click('[data-menu=payouts]');
    await page.waitForSelector('[data-test=payouts-page] [data-state], [data-test=batches-table]');
    await page.click('[data-test=batch-create]');
    await choose(page, 'create-fund', exact('YW'));
    await shot(page, 'journey-21-payout-create');
    await page.click('[data-test=create-confirm]');
    await page.waitForSelector('[data-test=batch-status]');
    S.payoutBatch = Number((await page.textContent('[data-test=batch-drawer] .el-drawer__title')).match(/#(\d+)/)[1]);
    // our claim is in it, to the worker's card
    const mine = page.locator(`[data-test=batch-items] [data-ref="${S.claimId}"]`);
    await mine.waitFor();
    const item = (await fin('GET', `/payout-batches/${S.payoutBatch}`)).body.items.find((i) => String(i.reference) === String(S.claimId));
    assert.ok(item, 'the claim is an item of the batch');
    assert.equal(item.amount_fen, S.payout);
    assert.equal(item.claim_id, S.claimId);
    await shot(page, 'journey-22-payout-batch');

    if ((await page.getAttribute('[data-test=batch-status]', 'data-status')) === 'pending_approval') {
      // above the fund's threshold (other YW claims joined): the second finance user approves
      checker = await openPage(browser, { viewport: DESKTOP });
      await signIn(checker, 'demo.finance2');
      await checker.goto(`${BASE}/payouts`, { waitUntil: 'networkidle' });
      await checker.click(`[data-test=batches-table] [data-batch="${S.payoutBatch}"]`);
      await checker.click('[data-test=batch-approve]');
      await checker.click('.el-message-box__btns .el-button--primary');
      await checker.waitForSelector('[data-test=batch-status][data-status=approved]');
      decider = checker;
    }
    await decider.waitForSelector('[data-test=batch-status][data-status=approved]');

    const [dl] = await Promise.all([decider.waitForEvent('download'), decider.click('[data-test=bank-csv]')]);
    const csv = fs.readFileSync(await dl.path(), 'utf8').replace(/^\uFEFF/, '');
    const lines = csv.split(/\r?\n/).filter((l) => l !== '');
    assert.equal(lines[0], 'account,name,amount,reference');
    const rowsOfClaim = lines.slice(1).filter((l) => l.endsWith(`,${S.claimId}`));
    assert.deepEqual(rowsOfClaim, [`${S.worker.card},${S.worker.name},${(S.payout / 100).toFixed(2)},${S.claimId}`]);
    await decider.waitForSelector('[data-test=batch-status][data-status=exported]');
    await decider.waitForSelector('[data-test=results-form]');
    await shot(decider, 'journey-23-payout-exported');

    const results = path.join(dir, 'bank-result.csv');
    fs.writeFileSync(results, `reference,status,reason\n${S.claimId},paid,\n`);
    await decider.setInputFiles('[data-test=results-file]', results);
    await decider.click('[data-test=results-upload]');
    await decider.waitForSelector('[data-test=results-summary]');
    await decider.waitForSelector(`[data-test=batch-items] [data-item-status=paid][data-ref="${S.claimId}"]`);
    await shot(decider, 'journey-24-payout-paid');
    await noProblems(page);
    if (checker) {
      await noProblems(checker);
    }
  } finally {
    await closePage(page);
    if (checker) {
      await closePage(checker);
    }
  }
  const b = (await fin('GET', `/payout-batches/${S.payoutBatch}`)).body;
  const item = b.items.find((i) => String(i.reference) === String(S.claimId));
  assert.equal(item.status, 'paid');
  assert.ok(item.entry_id > 0, 'the payment is booked');
  const c = (await fin('GET', `/claims/${S.claimId}`)).body;
  assert.equal(c.status, 'paid');
});

test('journey 8: the worker sees the claim paid with its amount and calculation; the ledger verifies', async () => {
  assert.ok(S.payoutBatch, 'step 7 done');
  const page = await openPage(browser, { viewport: PHONE, mobile: true });
  try {
    await signIn(page, S.login, { where: '/portal/login', password: WORKER_PASSWORD });
    await page.waitForSelector('[data-test=portal-hero]');
    await page.click('[data-tab=claims]');
    const mine = page.locator(`[data-test=my-claim][data-claim="${S.claimId}"]`);
    await mine.waitFor();
    assert.equal(await mine.getAttribute('data-status'), 'paid');
    assert.equal((await mine.locator('.el-tag').textContent()).trim(), zh.claimStatus.paid);
    assert.equal((await mine.locator('[data-test=my-claim-payout]').textContent()).trim(), yuanText(S.payout));
    await mine.locator('[data-test=show-explanation]').click();
    await mine.locator('[data-test=explain-steps] li').first().waitFor();
    const steps = await mine.locator('[data-test=explain-steps] li').evaluateAll((els) => els.map((e) => e.getAttribute('data-step')));
    assert.ok(steps.length >= 3, `steps ${steps}`);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth) <= 0);
    await shot(page, 'journey-25-portal-claim-paid');
    await noProblems(page);
  } finally {
    await closePage(page);
  }
  const admin = await apiAs('demo.admin');
  const c = (await admin('GET', `/claims/${S.claimId}`)).body;
  assert.equal(c.status, 'paid');
  assert.equal(c.payout_fen, S.payout);
  assert.equal(c.results.length, 1);
  assert.equal(c.results[0].plan, 'YW');

  const auditor = await apiAs('demo.auditor');
  const v = await auditor('GET', '/ledger/verify');
  assert.equal(v.status, 200);
  assert.equal(v.body.ok, true, JSON.stringify(v.body));
});
