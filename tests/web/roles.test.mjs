// The console after sign-in, per role. Until the session API (issue 3)
// lands on the server, /api/v1/session is answered in the browser by a
// stand-in that follows its contract ({user, csrf_token}; 204 on logout);
// everything else (health, static files) is the real server. The stand-in
// also checks that logout carries the CSRF token from sign-in.
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

const CSRF = 'csrf-token-for-test-0123456789';

/* Serves /api/v1/session for `user` unless the real server already has it. */
async function standInSession(page, user) {
  const probe = await fetch(`${BASE}/api/v1/session`);
  if (probe.status !== 404 && probe.status !== 405) {
    return null; // the real session API is there: these tests need real accounts instead
  }
  const seen = { logoutCsrf: null };
  let signedIn = false;
  await page.route('**/api/v1/session', async (route) => {
    const req = route.request();
    const json = (status, body) => route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
    if (req.method() === 'POST') {
      const body = req.postDataJSON();
      if (body.login === user.login && body.password === 'correct-horse-9') {
        signedIn = true;
        return json(200, { user, csrf_token: CSRF });
      }
      return json(401, { error: { code: 'UNAUTHENTICATED', message: 'sign in first', field: null } });
    }
    if (req.method() === 'GET') {
      return signedIn ? json(200, { user, csrf_token: CSRF })
        : json(401, { error: { code: 'UNAUTHENTICATED', message: 'sign in first', field: null } });
    }
    if (req.method() === 'DELETE') {
      seen.logoutCsrf = req.headers()['x-csrf-token'] || null;
      signedIn = false;
      return route.fulfill({ status: 204, body: '' });
    }
    return json(405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'no', field: null } });
  });
  return seen;
}

async function signIn(page, login) {
  await page.goto(`${BASE}/login`, { waitUntil: 'networkidle' });
  await page.fill('#hz-login', login);
  await page.fill('#hz-password', 'correct-horse-9');
  await page.press('#hz-password', 'Enter');
  await page.waitForSelector('[data-test=sidebar]');
}

async function menuKeys(page) {
  return page.locator('[data-test=sidebar] [data-menu]').evaluateAll((els) => els.map((e) => e.getAttribute('data-menu')));
}

const ORG = { code: 'ZJ', name: '浙江省总工会' };

test('admin: every menu entry, system status from the real server, logout sends the CSRF token', async (t) => {
  const page = await openPage(browser);
  try {
    const seen = await standInSession(page, { login: 'admin', role: 'admin', org: ORG });
    if (seen === null) {
      t.skip('the server has a session API: replace the stand-in with real accounts');
      return;
    }
    await signIn(page, 'admin');
    assert.deepEqual(await menuKeys(page), ['dashboard', 'checkIds', 'orgs', 'employers', 'members', 'imports', 'plans',
      'enrolments', 'invoices', 'claims', 'payouts', 'ledger', 'audit', 'users']);
    await page.waitForSelector('[data-test=health-status]');
    assert.equal((await page.textContent('[data-test=health-status]')).trim(), zh.dashboard.healthOk);
    const health = await (await fetch(`${BASE}/api/v1/health`)).json();
    assert.equal((await page.textContent('[data-test=health-version]')).trim(), health.version);
    assert.equal((await page.textContent('[data-test=health-backend]')).trim(), health.database.backend);
    assert.equal((await page.textContent('[data-test=health-schema]')).trim(), String(health.database.schema_version));
    await page.waitForSelector('[data-test=latency-chart] canvas');
    await page.waitForTimeout(2200); // the first quick samples, then the toast fades
    await shot(page, 'console-dashboard-admin');

    // a placeholder page says plainly that the feature is not there yet, in both languages
    await page.click('[data-menu=claims]');
    await page.waitForSelector('[data-test=placeholder]');
    const text = await page.textContent('[data-test=placeholder]');
    assert.ok(text.includes(zh.placeholder.title) && text.includes('Not available yet'), text);
    await shot(page, 'console-placeholder-claims');

    await page.click('[data-test=user-menu]');
    await page.click('[data-test=logout]');
    await page.waitForSelector('[data-test=login-title]');
    assert.equal(seen.logoutCsrf, CSRF, 'DELETE /api/v1/session carries X-CSRF-Token');
    assert.deepEqual(page.problems, []);
    assert.deepEqual(await cspViolations(page), []);
  } finally {
    await closePage(page);
  }
});

test('unit staff: only their menu entries, and a hidden page is refused by address too', async (t) => {
  const page = await openPage(browser);
  try {
    const seen = await standInSession(page, { login: 'unit01', role: 'unit_staff', org: { code: 'ZJ-HZ-001', name: '某某公司工会' } });
    if (seen === null) {
      t.skip('the server has a session API');
      return;
    }
    await signIn(page, 'unit01');
    assert.deepEqual(await menuKeys(page), ['dashboard', 'checkIds', 'employers', 'members', 'imports', 'plans',
      'enrolments', 'invoices', 'claims']);
    assert.equal(await page.locator('[data-test=health-card]').count(), 0, 'system status is for admins');
    await shot(page, 'console-dashboard-unit-staff');
    await page.goto(`${BASE}/users`, { waitUntil: 'networkidle' });
    await page.getByText(zh.forbidden.title).first().waitFor();
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});

test('auditor at phone width: the menu opens as a drawer, no horizontal scroll', async (t) => {
  const page = await openPage(browser, { viewport: PHONE, mobile: true });
  try {
    const seen = await standInSession(page, { login: 'audit01', role: 'auditor', org: ORG });
    if (seen === null) {
      t.skip('the server has a session API');
      return;
    }
    await page.goto(`${BASE}/login`, { waitUntil: 'networkidle' });
    await page.fill('#hz-login', 'audit01');
    await page.fill('#hz-password', 'correct-horse-9');
    await page.press('#hz-password', 'Enter');
    await page.waitForSelector('[data-test=welcome]');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth) <= 0);
    await page.click('.hz-header__toggle');
    await page.waitForSelector('.hz-aside.is-open');
    await page.waitForTimeout(300);
    assert.deepEqual(await menuKeys(page), ['dashboard', 'checkIds', 'orgs', 'employers', 'members', 'plans',
      'enrolments', 'invoices', 'claims', 'payouts', 'ledger', 'audit']);
    await shot(page, 'console-menu-phone-auditor');
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});

test('a worker who signs in on the console is sent to the portal', async (t) => {
  const page = await openPage(browser);
  try {
    const seen = await standInSession(page, { login: 'worker01', role: 'member', org: { code: 'ZJ-HZ-001', name: '某某公司工会' } });
    if (seen === null) {
      t.skip('the server has a session API');
      return;
    }
    await page.goto(`${BASE}/login`, { waitUntil: 'networkidle' });
    await page.fill('#hz-login', 'worker01');
    await page.fill('#hz-password', 'correct-horse-9');
    await page.press('#hz-password', 'Enter');
    await page.waitForSelector('[data-test=portal-hero]');
    assert.equal(new URL(page.url()).pathname, '/portal');
    await page.click('[data-tab=claims]');
    await page.waitForSelector('[data-test=claims] [data-state]');
    await page.waitForTimeout(300);
    await shot(page, 'portal-claims-member');
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});
