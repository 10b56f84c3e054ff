// Staff console: loads clean under the server's CSP, language switch,
// sign-in form (field errors in place, the server's answer to bad
// credentials), the ID check tool through the real server, deep links.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, PHONE, apiPost, closePage, cspViolations, importWeb, launch, openPage, shot } from './lib.mjs';

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

test('the console loads: / goes to the sign-in page, no console errors, CSP headers', async () => {
  const page = await openPage(browser);
  try {
    const resp = await page.goto(`${BASE}/`, { waitUntil: 'networkidle' });
    assert.equal(resp.status(), 200);
    const csp = resp.headers()['content-security-policy'] || '';
    assert.match(csp, /script-src 'self'/, 'the server sends a CSP for the app');
    await page.waitForSelector('[data-test=login-title]');
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal(await page.textContent('[data-test=login-title]'), zh.login.title);
    assert.equal(await page.title(), zh.app.consoleName);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    // keyboard: the login field has focus first, Tab reaches the password field
    await page.focus('#hz-login');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'hz-password');
    await shot(page, 'console-login-zh');
    assert.deepEqual(page.problems, []);
    assert.deepEqual(page.apiFailures, [], 'a first visit does not ask for a session it cannot have');
    assert.deepEqual(await cspViolations(page), []);
  } finally {
    await closePage(page);
  }
});

test('the language switch changes the text, is remembered, and switches back', async () => {
  const page = await openPage(browser);
  try {
    await page.goto(`${BASE}/login`, { waitUntil: 'networkidle' });
    await page.click('[data-lang=en]');
    await page.waitForFunction((t) => document.querySelector('[data-test=login-title]').textContent === t, en.login.title);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.title(), en.app.consoleName);
    assert.equal(await page.getAttribute('#hz-login', 'placeholder'), en.login.loginPlaceholder);
    await page.reload({ waitUntil: 'networkidle' });
    assert.equal(await page.textContent('[data-test=login-title]'), en.login.title, 'English survives a reload');
    await shot(page, 'console-login-en');
    await page.click('[data-lang=zh-CN]');
    await page.waitForFunction((t) => document.querySelector('[data-test=login-title]').textContent === t, zh.login.title);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});

test('sign-in: empty fields get errors in place without a request; bad credentials show the server answer', async () => {
  const page = await openPage(browser);
  const sessionRequests = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/v1/session') {
      sessionRequests.push(r.method());
    }
  });
  try {
    await page.goto(`${BASE}/login`, { waitUntil: 'networkidle' });
    await page.click('[data-test=login-submit]');
    const loginError = page.locator('[data-field=login] .el-form-item__error');
    await loginError.waitFor();
    assert.equal((await loginError.textContent()).trim(), zh.login.loginRequired);
    assert.equal((await page.locator('[data-field=password] .el-form-item__error').textContent()).trim(), zh.login.passwordRequired);
    // a login the server would refuse by its format
    await page.fill('#hz-login', 'a b');
    await page.fill('#hz-password', 'x');
    await page.press('#hz-password', 'Enter');
    await page.waitForFunction((t) => {
      const el = document.querySelector('[data-field=login] .el-form-item__error');
      return el && el.textContent.trim() === t;
    }, zh.login.loginFormat);
    assert.deepEqual(sessionRequests, [], 'invalid input never reaches the server');
    await shot(page, 'console-login-field-errors');

    // What does the server say to a wrong password? The page must show exactly that.
    const direct = await apiPost('/api/v1/session', { login: 'nobody-here', password: 'not-the-password-1' });
    assert.ok(direct.status >= 400, `bad credentials are refused (got ${direct.status})`);
    assert.ok(direct.body && direct.body.error && direct.body.error.code, 'the refusal is an error object');
    const code = direct.body.error.code;
    const expected = code === 'UNAUTHENTICATED' ? zh.login.badCredentials : zh.errors[code] || direct.body.error.message;

    await page.fill('#hz-login', 'nobody-here');
    await page.fill('#hz-password', 'not-the-password-1');
    await page.press('#hz-password', 'Enter'); // Enter submits
    const alert = page.locator('[data-test=login-error]');
    await alert.waitFor();
    const text = await alert.textContent();
    assert.ok(text.includes(expected), `the alert says "${expected}" (got "${text.trim()}")`);
    assert.ok(text.includes(code), `the alert names the code ${code}`);
    assert.deepEqual(sessionRequests, ['POST']);
    assert.equal(await page.inputValue('#hz-password'), '', 'the password is cleared after a failure');
    await shot(page, 'console-login-bad-credentials');
    assert.deepEqual(page.problems, []);
    for (const f of page.apiFailures) {
      assert.match(f, /\/api\/v1\/session/, 'only the refused sign-in failed');
    }
  } finally {
    await closePage(page);
  }
});

/* The field's error under the input reads want: waited for, because Element
 * Plus sets it a tick after the result list renders (a busy machine shows the
 * gap). Times out (the test fails) when it never does. */
async function fieldErrorIs(page, field, want) {
  await page.waitForFunction(({ f, w }) => {
    const el = document.querySelector(`[data-field=${f}] .el-form-item__error`);
    return el !== null && el.textContent.trim() === w;
  }, { f: field, w: want }, { timeout: 10000 });
}

test('ID check tool: a good and a bad ID number through the real server', async () => {
  const page = await openPage(browser);
  const answers = [];
  page.on('response', async (r) => {
    if (new URL(r.url()).pathname === '/api/v1/tools/check-ids') {
      answers.push(r.status());
    }
  });
  try {
    await page.goto(`${BASE}/tools/check-ids`, { waitUntil: 'networkidle' });
    assert.equal(await page.textContent('[data-test=page-title]'), zh.menu.checkIds);

    // nothing filled: a message, no request
    await page.click('[data-test=check-submit]');
    await page.locator('[data-test=check-error]').waitFor();
    assert.ok((await page.textContent('[data-test=check-error]')).includes(zh.tools.atLeastOne));
    assert.equal(answers.length, 0);

    // valid: 11010519491231002X (GB 11643 example), phone, Enter submits
    await page.fill('#hz-check-id_number', '11010519491231002x');
    await page.fill('#hz-check-phone', '138 1234 5678');
    await page.press('#hz-check-phone', 'Enter');
    const idResult = page.locator('[data-result=id_number]');
    await idResult.waitFor();
    assert.equal(await idResult.getAttribute('data-valid'), 'true');
    assert.equal((await idResult.locator('[data-test=masked]').textContent()).trim(), '110105********002X');
    assert.ok((await idResult.textContent()).includes('1949-12-31'));
    const phoneResult = page.locator('[data-result=phone]');
    assert.equal(await phoneResult.getAttribute('data-valid'), 'true');
    assert.equal((await phoneResult.locator('[data-test=masked]').textContent()).trim(), '138****5678');
    await shot(page, 'console-check-ids-valid');

    // invalid check character: the server's code, shown in the results and under the field
    await page.fill('#hz-check-id_number', '110105194912310021');
    await page.fill('#hz-check-phone', '');
    await page.click('[data-test=check-submit]');
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-result=id_number]');
      return el && el.getAttribute('data-valid') === 'false';
    });
    const bad = await page.textContent('[data-result=id_number]');
    assert.ok(bad.includes(zh.errors.INVALID_ID), bad);
    assert.ok(bad.includes('INVALID_ID'));
    await fieldErrorIs(page, 'id_number', zh.errors.INVALID_ID);

    // Excel's scientific notation has its own code and advice
    await page.fill('#hz-check-id_number', '1.10105E+17');
    await page.click('[data-test=check-submit]');
    await page.waitForFunction(() => (document.querySelector('[data-result=id_number]') || {}).textContent?.includes('ID_EXCEL_MANGLED'));
    await fieldErrorIs(page, 'id_number', zh.errors.ID_EXCEL_MANGLED);
    await shot(page, 'console-check-ids-invalid');

    assert.deepEqual(answers, [200, 200, 200]);
    assert.deepEqual(page.problems, []);
    assert.deepEqual(page.apiFailures, []);
  } finally {
    await closePage(page);
  }
});

test('ID check tool in English at phone width', async () => {
  const page = await openPage(browser, { viewport: PHONE, mobile: true });
  try {
    await page.goto(`${BASE}/tools/check-ids`, { waitUntil: 'networkidle' });
    await page.click('[data-lang=en]');
    await page.fill('#hz-check-bank_card', '6222 0000 0000 0000 001');
    await page.press('#hz-check-bank_card', 'Enter');
    await page.locator('[data-result=bank_card]').waitFor();
    const text = await page.textContent('[data-result=bank_card]');
    // 6222 0000 0000 0000 001 fails the Luhn check: the English message, in place
    assert.equal(await page.getAttribute('[data-result=bank_card]', 'data-valid'), 'false');
    assert.ok(text.includes(en.errors.INVALID_BANK_ACCOUNT), text);
    const fieldError = page.locator('[data-field=bank_card] .el-form-item__error');
    await fieldError.waitFor({ state: 'visible' });
    assert.equal((await fieldError.textContent()).trim(), en.errors.INVALID_BANK_ACCOUNT);
    await page.waitForTimeout(400); // let the error's zoom-in transition finish for the screenshot
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(wide <= 0, `no horizontal scroll (overflow ${wide}px)`);
    await shot(page, 'console-check-ids-phone-en');
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});

test('console pages need a session: a deep link goes to sign-in and keeps the target', async () => {
  const page = await openPage(browser);
  try {
    const resp = await page.goto(`${BASE}/claims`, { waitUntil: 'networkidle' });
    assert.equal(resp.status(), 200, 'history-mode fallback serves the app');
    await page.waitForSelector('[data-test=login-title]');
    const url = new URL(page.url());
    assert.equal(url.pathname, '/login');
    assert.equal(url.searchParams.get('redirect'), '/claims');
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});

test('an unknown path shows the not-found page', async () => {
  const page = await openPage(browser);
  try {
    await page.goto(`${BASE}/no/such/page`, { waitUntil: 'networkidle' });
    await page.getByText(zh.notFound.title).waitFor();
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});

test('desktop console at a narrow width: the sign-in page does not scroll sideways', async () => {
  const page = await openPage(browser, { viewport: PHONE, mobile: true });
  try {
    await page.goto(`${BASE}/login`, { waitUntil: 'networkidle' });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(wide <= 0, `overflow ${wide}px`);
    await shot(page, 'console-login-phone');
  } finally {
    await closePage(page);
  }
});

