// The console after sign-in, per role, with the demo accounts of
// `huzhu demo` (tests/web/run creates the demo database; every demo account
// has the password Huzhu-Demo-2026). Logout must carry the CSRF token the
// sign-in returned.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, PHONE, closePage, cspViolations, importWeb, launch, openPage, shot } from './lib.mjs';

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

/* Records the CSRF token of the sign-in answer and the one logout sends. */
function watchSession(page) {
  const seen = { csrf: null, logoutCsrf: null };
  page.on('response', async (resp) => {
    const req = resp.request();
    if (new URL(req.url()).pathname === '/api/v1/session' && req.method() === 'POST' && resp.status() === 200) {
      try {
        seen.csrf = (await resp.json()).csrf_token;
      } catch {
        seen.csrf = null;
      }
    }
  });
  page.on('request', (req) => {
    if (new URL(req.url()).pathname === '/api/v1/session' && req.method() === 'DELETE') {
      seen.logoutCsrf = req.headers()['x-csrf-token'] || null;
    }
  });
  return seen;
}

async function signIn(page, login) {
  await page.goto(`${BASE}/login`, { waitUntil: 'networkidle' });
  await page.fill('#hz-login', login);
  await page.fill('#hz-password', PASSWORD);
  await page.press('#hz-password', 'Enter');
  await page.waitForSelector('[data-test=sidebar]');
}

async function menuKeys(page) {
  return page.locator('[data-test=sidebar] [data-menu]').evaluateAll((els) => els.map((e) => e.getAttribute('data-menu')));
}

test('admin: every menu entry, system status from the real server, logout sends the CSRF token', async () => {
  const page = await openPage(browser);
  try {
    const seen = watchSession(page);
    await signIn(page, 'demo.admin');
    assert.deepEqual(await menuKeys(page), ['dashboard', 'checkIds', 'orgs', 'employers', 'members', 'imports', 'plans',
      'enrolments', 'invoices', 'claims', 'articles', 'payouts', 'ledger', 'supervision', 'audit', 'users']);
    await page.waitForSelector('[data-test=health-status]');
    assert.equal((await page.textContent('[data-test=health-status]')).trim(), zh.dashboard.healthOk);
    const health = await (await fetch(`${BASE}/api/v1/health`)).json();
    assert.equal((await page.textContent('[data-test=health-version]')).trim(), health.version);
    assert.equal((await page.textContent('[data-test=health-backend]')).trim(), health.database.backend);
    assert.equal((await page.textContent('[data-test=health-schema]')).trim(), String(health.database.schema_version));
    await page.waitForSelector('[data-test=latency-chart] canvas');
    await page.waitForTimeout(2200); // the first quick samples, then the toast fades
    await shot(page, 'console-dashboard-admin');

    // the users page lists the accounts of the admin's subtree, the admin among them
    await page.click('[data-menu=users]');
    await page.waitForSelector('[data-test=users-table] [data-login="demo.admin"]');
    await shot(page, 'console-users-admin');

    await page.click('[data-test=user-menu]');
    await page.click('[data-test=logout]');
    await page.waitForSelector('[data-test=login-title]');
    assert.ok(seen.csrf);
    assert.equal(seen.logoutCsrf, seen.csrf, 'DELETE /api/v1/session carries X-CSRF-Token');
    assert.deepEqual(page.problems, []);
    assert.deepEqual(await cspViolations(page), []);
  } finally {
    await closePage(page);
  }
});

test('unit staff: only their menu entries, and a hidden page is refused by address too', async () => {
  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.unit');
    assert.deepEqual(await menuKeys(page), ['dashboard', 'checkIds', 'employers', 'members', 'imports', 'plans',
      'enrolments', 'invoices', 'claims', 'articles']);
    assert.equal(await page.locator('[data-test=health-card]').count(), 0, 'system status is for admins');
    await shot(page, 'console-dashboard-unit-staff');
    await page.goto(`${BASE}/users`, { waitUntil: 'networkidle' });
    await page.getByText(zh.forbidden.title).first().waitFor();
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});

test('auditor at phone width: the menu opens as a drawer, no horizontal scroll', async () => {
  const page = await openPage(browser, { viewport: PHONE, mobile: true });
  try {
    await page.goto(`${BASE}/login`, { waitUntil: 'networkidle' });
    await page.fill('#hz-login', 'demo.auditor');
    await page.fill('#hz-password', PASSWORD);
    await page.press('#hz-password', 'Enter');
    await page.waitForSelector('[data-test=welcome]');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth) <= 0);
    await page.click('.hz-header__toggle');
    await page.waitForSelector('.hz-aside.is-open');
    await page.waitForTimeout(300);
    assert.deepEqual(await menuKeys(page), ['dashboard', 'checkIds', 'orgs', 'employers', 'members', 'plans',
      'enrolments', 'invoices', 'claims', 'payouts', 'ledger', 'supervision', 'audit']);
    await shot(page, 'console-menu-phone-auditor');
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});

test('a worker who signs in on the console is sent to the portal', async () => {
  const page = await openPage(browser);
  try {
    await page.goto(`${BASE}/login`, { waitUntil: 'networkidle' });
    await page.fill('#hz-login', 'demo.member');
    await page.fill('#hz-password', PASSWORD);
    await page.press('#hz-password', 'Enter');
    await page.waitForSelector('[data-test=portal-hero]');
    assert.equal(new URL(page.url()).pathname, '/portal');
    await page.click('[data-tab=claims]');
    await page.waitForSelector('[data-test=my-claim]');
    await page.waitForTimeout(300);
    await shot(page, 'portal-claims-member');
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});
