// Worker portal at a phone viewport: home renders without horizontal scroll,
// tabs navigate, pages needing a session go to the portal sign-in, and the
// history-mode deep link /portal/claims loads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, PHONE, closePage, cspViolations, importWeb, launch, openPage, shot } from './lib.mjs';

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

async function horizontalOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

test('portal home renders at 390x844 without horizontal scroll', async () => {
  const page = await openPage(browser, { viewport: PHONE, mobile: true });
  try {
    const resp = await page.goto(`${BASE}/portal`, { waitUntil: 'networkidle' });
    assert.equal(resp.status(), 200);
    await page.waitForSelector('[data-test=portal-hero]');
    assert.ok((await page.textContent('[data-test=portal-hero]')).includes(zh.portal.heroTitle));
    assert.equal(await page.title(), zh.app.portalName);
    const tabs = await page.locator('[data-test=tabbar] a').allTextContents();
    assert.deepEqual(tabs.map((s) => s.trim()), [zh.portal.tabHome, zh.portal.tabCover, zh.portal.tabClaims, zh.portal.tabMe]);
    // the articles list settles into a real state (no invented content)
    const state = await page.locator('[data-test=articles] [data-state], [data-test=articles] article').first();
    await state.waitFor();
    const articleState = await page.locator('[data-test=articles] [data-state]').getAttribute('data-state').catch(() => 'list');
    assert.ok(['empty', 'unavailable', 'error', 'list'].includes(articleState), articleState);
    assert.ok(await horizontalOverflow(page) <= 0, `overflow ${await horizontalOverflow(page)}px`);
    // the tab bar sits at the bottom of the viewport
    const bar = await page.locator('[data-test=tabbar]').boundingBox();
    assert.ok(Math.abs(bar.y + bar.height - PHONE.height) <= 1, `tab bar at ${bar.y}+${bar.height}`);
    await shot(page, 'portal-home-zh');
    assert.deepEqual(page.problems, []);
    assert.deepEqual(await cspViolations(page), []);
    for (const f of page.apiFailures) {
      assert.match(f, /\/api\/v1\/articles/, `unexpected API failure: ${f}`);
    }
  } finally {
    await closePage(page);
  }
});

test('portal "me" tab and language switch at phone size', async () => {
  const page = await openPage(browser, { viewport: PHONE, mobile: true });
  try {
    await page.goto(`${BASE}/portal`, { waitUntil: 'networkidle' });
    await page.click('[data-tab=me]');
    await page.waitForSelector('[data-test=me-card]');
    assert.equal(new URL(page.url()).pathname, '/portal/me');
    assert.ok((await page.textContent('[data-test=me-card]')).includes(zh.portal.notLoggedIn));
    await page.click('[data-lang=en]');
    await page.waitForFunction((t) => document.querySelector('[data-test=me-card]').textContent.includes(t), en.portal.notLoggedIn);
    assert.equal((await page.textContent('[data-test=portal-title]')).trim(), en.portal.tabMe);
    assert.ok(await horizontalOverflow(page) <= 0);
    await shot(page, 'portal-me-en');
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});

test('deep link /portal/claims loads and asks a signed-out worker to sign in', async () => {
  const page = await openPage(browser, { viewport: PHONE, mobile: true });
  try {
    const resp = await page.goto(`${BASE}/portal/claims`, { waitUntil: 'networkidle' });
    assert.equal(resp.status(), 200, 'history-mode fallback');
    assert.match(resp.headers()['content-type'] || '', /text\/html/);
    await page.waitForSelector('[data-test=portal-login-title]');
    assert.equal((await page.textContent('[data-test=portal-login-title]')).trim(), zh.login.portalTitle);
    const url = new URL(page.url());
    assert.equal(url.pathname, '/portal/login');
    assert.equal(url.searchParams.get('redirect'), '/portal/claims');
    assert.ok(await horizontalOverflow(page) <= 0);
    // empty submit: field errors in place
    await page.click('[data-test=login-submit]');
    await page.locator('[data-field=login] .el-form-item__error').waitFor();
    await shot(page, 'portal-login-zh');
    assert.deepEqual(page.problems, []);
    assert.deepEqual(page.apiFailures, []);
  } finally {
    await closePage(page);
  }
});

test('portal tabs: cover needs a session, home is open', async () => {
  const page = await openPage(browser, { viewport: PHONE, mobile: true });
  try {
    await page.goto(`${BASE}/portal`, { waitUntil: 'networkidle' });
    await page.click('[data-tab=cover]');
    await page.waitForSelector('[data-test=portal-login-title]');
    assert.equal(new URL(page.url()).searchParams.get('redirect'), '/portal/cover');
    await page.goBack({ waitUntil: 'networkidle' });
    await page.waitForSelector('[data-test=portal-hero]');
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});
