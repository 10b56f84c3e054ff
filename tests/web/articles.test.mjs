// Articles (宣传专栏) on the demo data: unit staff write an article whose body
// carries <script>, raw HTML and a javascript: link, see the preview render
// it as text, publish it; a worker on a phone finds it on the portal home,
// opens it, and the rendered article holds no script, no raw element and no
// unsafe link (nothing ran); a draft never reaches the portal; the auditor
// has no Articles menu entry; an anonymous visitor sees the province's
// articles with their category tags.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, PHONE, closePage, cspViolations, importWeb, launch, openPage, shot } from './lib.mjs';

const PASSWORD = 'Huzhu-Demo-2026';
const STAMP = Date.now().toString(36);
const TITLE = `浏览器测试文章 ${STAMP}`;
const DRAFT_TITLE = `浏览器测试草稿 ${STAMP}`;
const EVIL = [
  '## 办理步骤',
  '',
  '<script>window.__xss = "script"</script>',
  '<img src="x" onerror="window.__xss = \'img\'">',
  '<b>粗体标签</b>',
  '',
  '1. 准备**发票**',
  '2. 点这里：[危险链接](javascript:window.__xss=1) 或 [正常链接](https://www.acftu.org)',
].join('\n');
let browser;
let zh;
let articlesZh;

before(async () => {
  browser = await launch();
  zh = (await importWeb('src/i18n/zh-CN.js')).default;
  articlesZh = (await importWeb('src/i18n/areas/articles.js')).zh.articles;
});
after(async () => {
  await browser.close();
});

/* A signed-in API session from node: call(method, path, body) -> {status, body}. */
async function apiAs(login) {
  const resp = await fetch(`${BASE}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ login, password: PASSWORD }),
  });
  assert.equal(resp.status, 200, `sign in ${login}`);
  const cookie = resp.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { csrf_token: csrf } = await resp.json();
  return async (method, path, body) => {
    const r = await fetch(`${BASE}/api/v1${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', Cookie: cookie, 'X-CSRF-Token': csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
}

async function signIn(page, login, where = '/login') {
  await page.goto(`${BASE}${where}`, { waitUntil: 'networkidle' });
  await page.fill('#hz-login', login);
  await page.fill('#hz-password', PASSWORD);
  await page.press('#hz-password', 'Enter');
}

test('unit staff: write an article with script and raw HTML, preview shows it as text, publish it', async () => {
  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.unit');
    await page.waitForSelector('[data-test=sidebar]');
    await page.click('[data-menu=articles]');
    await page.waitForSelector('[data-test=articles-page]');
    await page.click('[data-test=article-new]');
    await page.waitForSelector('[data-test=editor-title]');

    // the form refuses an empty title in place, before any request
    await page.fill('[data-test=editor-body]', EVIL);
    await page.click('[data-test=editor-save]');
    await page.getByText(articlesZh.titleRequired).first().waitFor();

    await page.fill('[data-test=editor-title]', TITLE);
    // the live preview: Markdown rendered, HTML as text, the unsafe link not a link
    const preview = page.locator('[data-test=editor-preview]');
    await preview.locator('ol li').first().waitFor();
    assert.equal(await preview.locator('script, img, b').count(), 0);
    assert.match(await preview.textContent(), /<script>window\.__xss/);
    assert.equal(await preview.locator('a[href^="javascript"]').count(), 0);
    assert.equal(await preview.locator('a[href="https://www.acftu.org"]').count(), 1);
    await shot(page, 'articles-editor');

    await page.click('[data-test=editor-publish]'); // saves the draft, then asks for the date
    await page.waitForSelector('[data-test=publish-date]');
    await page.click('[data-test=publish-confirm]');
    await page.locator('[data-test=editor-status]', { hasText: articlesZh.statuses.published }).waitFor();
    await page.keyboard.press('Escape');

    // the list shows it published; the server says so too
    const row = page.locator('[data-test=articles-table] .el-table__row', { hasText: TITLE });
    await row.locator('[data-test=article-status][data-status=published]').waitFor();
    const call = await apiAs('demo.unit');
    const list = await call('GET', '/articles/manage?status=published&limit=500');
    const mine = list.body.articles.find((a) => a.title === TITLE);
    assert.ok(mine, 'the article is published on the server');
    const full = await call('GET', `/articles/manage/${mine.id}`);
    assert.equal(full.body.body_md, EVIL, 'the body is stored verbatim');
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    await shot(page, 'articles-list');
    assert.deepEqual(page.problems, []);
    assert.deepEqual(await cspViolations(page), []);
  } finally {
    await closePage(page);
  }
});

test('worker on a phone: the published article is on the home page, opens rendered and inert; a draft is not shown', async () => {
  // a draft of the same unit, made through the API
  const call = await apiAs('demo.unit');
  const me = await call('GET', '/articles/manage?limit=1');
  assert.equal(me.status, 200);
  const org = me.body.articles[0].org.id;
  const draft = await call('POST', '/articles', { org_id: org, category: 'faq', title: DRAFT_TITLE, body_md: '还没发布' });
  assert.equal(draft.status, 201);
  // and one dated tomorrow: invisible until then
  const later = await call('POST', '/articles', { org_id: org, category: 'faq', title: `${DRAFT_TITLE} 明天`, body_md: '明天见' });
  const tomorrow = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + 86400000));
  assert.equal((await call('POST', `/articles/${later.body.id}/publish`, { publish_date: tomorrow })).status, 200);

  const page = await openPage(browser, { viewport: PHONE, mobile: true });
  try {
    await signIn(page, 'demo.member', '/portal/login');
    await page.waitForSelector('[data-test=portal-hero]');
    const card = page.locator('[data-test=article-card]', { hasText: TITLE });
    await card.waitFor();
    assert.equal(await page.locator('[data-test=article-card]', { hasText: DRAFT_TITLE }).count(), 0, 'drafts and tomorrow\'s article are not shown');
    assert.ok((await card.textContent()).includes(articlesZh.categories.guide), 'the card has its category tag');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth) <= 0);
    await shot(page, 'articles-portal-home');

    await card.click();
    await page.waitForSelector('[data-test=article-body] ol li');
    assert.equal(await page.textContent('[data-test=article-title]'), TITLE);
    const body = page.locator('[data-test=article-body]');
    assert.equal(await body.locator('script, img, b, iframe').count(), 0, 'no raw HTML element');
    assert.equal(await page.locator('script:not([src])').evaluateAll((els) => els.filter((e) => e.textContent.includes('__xss')).length), 0);
    assert.match(await body.textContent(), /<script>window\.__xss = "script"<\/script>/);
    assert.match(await body.textContent(), /<img src="x" onerror=/);
    assert.equal(await body.locator('a[href^="javascript"]').count(), 0);
    assert.equal(await body.locator('a[href="https://www.acftu.org"][rel~=noopener]').count(), 1);
    assert.equal(await body.locator('strong', { hasText: '发票' }).count(), 1, 'Markdown is rendered');
    assert.equal(await page.evaluate(() => window.__xss), undefined, 'nothing ran');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth) <= 0);
    await shot(page, 'articles-portal-article');

    await page.click('[data-test=article-back]');
    await page.waitForSelector('[data-test=article-card]');
    assert.deepEqual(page.problems, []);
    assert.deepEqual(await cspViolations(page), []);
  } finally {
    await closePage(page);
  }
});

test('anonymous visitor: the province\'s articles with category tags, a category filter; a missing article says so', async () => {
  const page = await openPage(browser, { viewport: PHONE, mobile: true });
  try {
    await page.goto(`${BASE}/portal`, { waitUntil: 'networkidle' });
    await page.waitForSelector('[data-test=article-card]');
    const cards = await page.locator('[data-test=article-card]').count();
    assert.ok(cards >= 3, `demo articles on the home page: ${cards}`);
    assert.equal(await page.locator('[data-test=article-card]', { hasText: TITLE }).count(), 0, 'a unit\'s article is not for anonymous visitors');
    await page.click('[data-test=articles-chip-faq]');
    await page.waitForFunction(() => document.querySelectorAll('[data-test=article-card]').length >= 1
      && [...document.querySelectorAll('[data-test=article-card]')].every((c) => c.textContent.includes('常见问题')));
    await shot(page, 'articles-portal-anonymous');
    await page.goto(`${BASE}/portal/articles/999999999`, { waitUntil: 'networkidle' });
    await page.getByText(articlesZh.notFound).first().waitFor();
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});

test('auditor: no Articles menu entry', async () => {
  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.auditor');
    await page.waitForSelector('[data-test=sidebar]');
    assert.equal(await page.locator('[data-menu=articles]').count(), 0);
    assert.ok(await page.locator('[data-menu=audit]').count() > 0, 'the menu itself is there');
    assert.ok(zh.menu.articles, 'the entry has a name');
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});
