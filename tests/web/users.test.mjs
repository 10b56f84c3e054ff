// The users, organisations and employers pages and the "change my password"
// dialog, driven as each role would, against the demo database of
// tests/web/run (password Huzhu-Demo-2026 for every demo login).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, closePage, cspViolations, importWeb, launch, openPage, shot } from './lib.mjs';

let browser;
let zh;

before(async () => {
  browser = await launch();
  zh = (await importWeb('src/i18n/zh-CN.js')).default;
});
after(async () => {
  await browser.close();
});

const PASSWORD = 'Huzhu-Demo-2026';

async function signIn(page, login, password = PASSWORD) {
  await page.goto(`${BASE}/login`, { waitUntil: 'networkidle' });
  await page.fill('#hz-login', login);
  await page.fill('#hz-password', password);
  await page.press('#hz-password', 'Enter');
}

async function signInStaff(page, login, password = PASSWORD) {
  await signIn(page, login, password);
  await page.waitForSelector('[data-test=sidebar]');
}

async function menuKeys(page) {
  return page.locator('[data-test=sidebar] [data-menu]').evaluateAll((els) => els.map((e) => e.getAttribute('data-menu')));
}

/* GET an API path with the page's session (same origin, its cookie). */
async function apiGet(page, path) {
  return page.evaluate(async (p) => {
    const r = await fetch(`/api/v1${p}`, { credentials: 'same-origin' });
    return { status: r.status, body: await r.json() };
  }, path);
}

/* The text of the form-item error under the input with data-test name, in the open dialog. */
async function fieldError(page, dataTest) {
  const item = page.locator(`.el-form-item:has([data-test=${dataTest}])`);
  await item.locator('.el-form-item__error').waitFor();
  return (await item.locator('.el-form-item__error').textContent()).trim();
}

async function pick(page, selectTest, optionTest) {
  await page.click(`[data-test=${selectTest}]`);
  await page.click(`[data-test=${optionTest}]`);
}

test('admin creates a finance user (weak password refused in place); the user changes their password', async () => {
  const login = `web.fin.${Date.now() % 1000000}`;
  const first = 'Ledger-Clerk-Start-2026';
  const second = 'Ledger-Clerk-Second-2026';
  const admin = await openPage(browser);
  try {
    await signInStaff(admin, 'demo.admin');
    await admin.click('[data-menu=users]');
    await admin.waitForSelector('[data-test=users-table] [data-login="demo.admin"]');
    // one's own row offers no password reset
    assert.equal(await admin.locator('[data-test="users-reset-demo.admin"]').count(), 0);

    await admin.click('[data-test=users-create]');
    await admin.waitForSelector('[data-test=users-create-dialog] [data-test=users-new-login]');
    await admin.fill('[data-test=users-new-login]', login);
    await admin.fill('[data-test=users-new-name]', '网页测试财务');
    await pick(admin, 'users-new-role', 'users-role-finance');
    await pick(admin, 'users-new-org', 'users-org-ZJ-01');
    // too short: refused before sending
    await admin.fill('[data-test=users-new-password]', 'short');
    await admin.click('[data-test=users-new-save]');
    assert.equal(await fieldError(admin, 'users-new-password'), zh.users.passwordShort);
    // long enough but common: the API refuses it, shown under the field
    await admin.fill('[data-test=users-new-password]', 'password123');
    await admin.click('[data-test=users-new-save]');
    await admin.getByText(zh.errors.WEAK_PASSWORD).first().waitFor();
    assert.equal(await fieldError(admin, 'users-new-password'), zh.errors.WEAK_PASSWORD);
    await shot(admin, 'console-users-weak-password');

    await admin.fill('[data-test=users-new-password]', first);
    await admin.click('[data-test=users-new-save]');
    await admin.waitForSelector(`[data-test=users-table] [data-login="${login}"]`);
    const listed = await apiGet(admin, `/users?login=${encodeURIComponent(login)}`);
    assert.equal(listed.status, 200);
    assert.equal(listed.body.users.length, 1);
    assert.equal(listed.body.users[0].role, 'finance');
    assert.equal(listed.body.users[0].org.code, 'ZJ-01');
    await shot(admin, 'console-users-created');
    assert.deepEqual(admin.problems, []);
  } finally {
    await closePage(admin);
  }

  const user = await openPage(browser);
  try {
    await signInStaff(user, login, first);
    await user.click('[data-test=user-menu]');
    await user.click('[data-test=change-password]');
    await user.waitForSelector('[data-test=change-password-dialog] [data-test=cp-current]');
    // a wrong current password: the field says so, the session stays
    await user.fill('[data-test=cp-current]', 'Not-My-Password-1');
    await user.fill('[data-test=cp-new]', second);
    await user.fill('[data-test=cp-repeat]', second);
    await user.click('[data-test=cp-save]');
    assert.equal(await fieldError(user, 'cp-current'), zh.changePw.currentWrong);
    assert.equal(new URL(user.url()).pathname, '/');
    await shot(user, 'console-change-password-wrong');
    await user.fill('[data-test=cp-current]', first);
    await user.click('[data-test=cp-save]');
    await user.getByText(zh.changePw.done).first().waitFor();
    await user.waitForSelector('[data-test=change-password-dialog]', { state: 'hidden' });
    const me = await apiGet(user, '/session');
    assert.equal(me.status, 200, 'the session that changed the password stays signed in');
    assert.deepEqual(user.problems, []);
    assert.deepEqual(await cspViolations(user), []);
  } finally {
    await closePage(user);
  }

  // in a fresh browser: the old password is refused, the new one works
  const again = await openPage(browser);
  try {
    await signIn(again, login, first);
    await again.waitForSelector('[data-test=login-error]');
    await signInStaff(again, login, second);
    assert.ok(!(await menuKeys(again)).includes('users'), 'finance has no users menu');
    assert.deepEqual(again.problems, []);
  } finally {
    await closePage(again);
  }
});

test('auditor sees the organisation tree and details, without edit buttons; admin has them', async () => {
  const page = await openPage(browser);
  try {
    await signInStaff(page, 'demo.auditor');
    await page.click('[data-menu=orgs]');
    await page.waitForSelector('[data-test=orgs-tree] [data-org="ZJ"]');
    const orgs = await apiGet(page, '/orgs?limit=500');
    const child = orgs.body.orgs.find((o) => o.code === 'ZJ-01');
    assert.ok(child, 'ZJ-01 is in the auditor subtree');
    await page.click('[data-test=orgs-tree] [data-org="ZJ-01"]');
    await page.waitForSelector('[data-test=orgs-detail-code]');
    assert.equal((await page.textContent('[data-test=orgs-detail-code]')).trim(), 'ZJ-01');
    assert.equal((await page.textContent('[data-test=orgs-detail-name]')).trim(), child.name);
    assert.equal(await page.locator('[data-test=orgs-actions]').count(), 0);
    assert.equal(await page.locator('[data-test=orgs-create]').count(), 0);
    await shot(page, 'console-orgs-auditor');
    // the auditor reads employers too, but cannot create one
    await page.click('[data-menu=employers]');
    await page.waitForSelector('[data-test=employers-table]');
    assert.equal(await page.locator('[data-test=employers-create]').count(), 0);
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }

  const admin = await openPage(browser);
  try {
    await signInStaff(admin, 'demo.admin');
    await admin.goto(`${BASE}/orgs`, { waitUntil: 'networkidle' });
    await admin.click('[data-test=orgs-tree] [data-org="ZJ-01"]');
    await admin.waitForSelector('[data-test=orgs-create]');
    // a bad code is refused in place before sending
    await admin.click('[data-test=orgs-create]');
    await admin.fill('[data-test=orgs-new-code]', 'bad code!');
    await admin.fill('[data-test=orgs-new-name]', '网页测试工会');
    await admin.click('[data-test=orgs-new-save]');
    assert.equal(await fieldError(admin, 'orgs-new-code'), zh.orgTree.codeFormat);
    const code = `WEB-${Date.now() % 100000}`;
    await admin.fill('[data-test=orgs-new-code]', code);
    await admin.click('[data-test=orgs-new-save]');
    await admin.waitForSelector(`[data-test=orgs-tree] [data-org="${code}"]`);
    assert.equal((await admin.textContent('[data-test=orgs-detail-code]')).trim(), code);
    const made = await apiGet(admin, '/orgs?limit=500');
    assert.ok(made.body.orgs.some((o) => o.code === code), 'the new organisation is in the tree');
    assert.deepEqual(admin.problems, []);
  } finally {
    await closePage(admin);
  }
});

test('unit staff: no users menu; employers search finds a demo employer; a bad credit code is refused by the API', async () => {
  const page = await openPage(browser);
  try {
    await signInStaff(page, 'demo.unit');
    assert.ok(!(await menuKeys(page)).includes('users'), 'unit staff has no users menu entry');
    await page.click('[data-menu=employers]');
    await page.waitForSelector('[data-test=employers-table]');
    const some = await apiGet(page, '/employers?limit=1');
    assert.equal(some.status, 200);
    const emp = some.body.employers[0];
    assert.ok(emp, 'the demo unit has employers');

    await page.fill('[data-test=employers-q]', emp.uscc.slice(0, 12));
    await page.click('[data-test=employers-search]');
    await page.locator('[data-test=employers-table]').getByText(emp.name).first().waitFor();
    await page.locator('[data-test=employers-table]').getByText(emp.name).first().click();
    await page.waitForSelector('[data-test=employer-uscc]');
    assert.equal((await page.textContent('[data-test=employer-uscc]')).trim(), emp.uscc);
    await shot(page, 'console-employers-unit');
    await page.keyboard.press('Escape');

    // create with a credit code of the right shape but wrong check digits
    await page.click('[data-test=employers-create]');
    const bad = `${emp.uscc.slice(0, 17)}${emp.uscc[17] === '0' ? '1' : '0'}`;
    await page.fill('[data-test=employer-form-uscc]', bad);
    await page.fill('[data-test=employer-form-name]', '网页测试单位');
    await pick(page, 'employer-form-ownership', 'employer-ownership-private');
    await pick(page, 'employer-form-size', 'employer-size-small');
    await page.click('[data-test=employer-form-save]');
    assert.equal(await fieldError(page, 'employer-form-uscc'), zh.errors.INVALID_EMPLOYER);
    await shot(page, 'console-employers-bad-uscc');
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});
