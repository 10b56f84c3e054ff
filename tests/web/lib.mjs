// Shared helpers for the browser tests: Debian's chromium through
// playwright-core (from web/node_modules), the server's base URL, screenshots,
// and a record of every console message, page error and CSP violation.
import { createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';

export const ROOT = process.env.HUZHU_ROOT || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const BASE = process.env.HUZHU_BASE;
export const SHOTS = process.env.HUZHU_SHOTS || path.join(ROOT, 'tests/out/web');
const CHROMIUM = process.env.HUZHU_CHROMIUM || '/usr/bin/chromium';

if (!BASE) {
  throw new Error('HUZHU_BASE is not set: run these tests through tests/web/run');
}

const require = createRequire(path.join(ROOT, 'web/package.json'));
const { chromium } = require('playwright-core');

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1366, height: 860 };

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}

/*
 * A fresh context (own storage) and page that records problems:
 *   page.problems  console errors and warnings, page errors, CSP violations
 *   page.apiFailures  "Failed to load resource" lines for /api/ URLs (HTTP
 *                     answers the test may expect, such as 401 or 404)
 */
export async function openPage(browser, { viewport = DESKTOP, locale = 'zh-CN', mobile = false } = {}) {
  const context = await browser.newContext({ viewport, locale, isMobile: mobile, hasTouch: mobile, deviceScaleFactor: 1 });
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const page = await context.newPage();
  page.problems = [];
  page.apiFailures = [];
  page.on('console', (msg) => {
    const type = msg.type();
    if (type !== 'error' && type !== 'warning') {
      return;
    }
    const loc = msg.location() || {};
    if (/^Failed to load resource/.test(msg.text()) && loc.url && new URL(loc.url).pathname.startsWith('/api/')) {
      page.apiFailures.push(`${msg.text()} ${new URL(loc.url).pathname}`);
      return;
    }
    page.problems.push(`console.${type}: ${msg.text()} ${loc.url || ''}`);
  });
  page.on('pageerror', (err) => page.problems.push(`pageerror: ${err.message}`));
  return page;
}

export async function cspViolations(page) {
  return page.evaluate(() => window.__cspViolations || []);
}

export async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
}

export async function closePage(page) {
  await page.context().close();
}

/* POST JSON to the API from node (not the browser); returns {status, body}. */
export async function apiPost(p, body) {
  const resp = await fetch(BASE + p, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await resp.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: resp.status, body: json };
}

export async function importWeb(rel) {
  return import(path.join(ROOT, 'web', rel));
}
