// Supervision dashboards (web/src/views/console/Supervision.vue) against the
// demo database: charts render, each chart's data table shows the API's own
// numbers for the same filters, a region's bar drills down and the
// breadcrumb goes back up, the filters live in the URL, exports answer
// CSV, finance sees only its two reports, unit staff has no entry, and the
// what-if form checks its input before sending.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, closePage, cspViolations, importWeb, launch, openPage, shot } from './lib.mjs';

let browser;
let zh;
let en;
let GRID;

before(async () => {
  browser = await launch();
  zh = (await importWeb('src/i18n/zh-CN.js')).default;
  en = (await importWeb('src/i18n/en.js')).default;
  ({ GRID } = await importWeb('src/components/supervision/chartGrid.js'));
});
after(async () => {
  await browser.close();
});

const PASSWORD = 'Huzhu-Demo-2026';

async function signIn(page, login) {
  await page.goto(`${BASE}/login`, { waitUntil: 'networkidle' });
  await page.fill('#hz-login', login);
  await page.fill('#hz-password', PASSWORD);
  await page.press('#hz-password', 'Enter');
  await page.waitForSelector('[data-test=sidebar]');
}

/* GET an API path with the page's own session; {status, type, json|text}. */
async function apiGet(page, path) {
  return page.evaluate(async (p) => {
    const r = await fetch(p, { credentials: 'same-origin' });
    const type = r.headers.get('Content-Type') || '';
    const out = { status: r.status, type, disposition: r.headers.get('Content-Disposition') || '' };
    if (type.includes('application/json')) {
      out.json = await r.json();
    } else {
      out.text = await r.text();
    }
    return out;
  }, path);
}

/* The rows of an Element Plus table as text cells; the summary row apart. */
async function tableCells(page, sel) {
  const rows = await page.locator(`${sel} .el-table__body-wrapper tbody tr`).evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
  const foot = await page.locator(`${sel} tfoot td`).evaluateAll((tds) => tds.map((td) => td.textContent.trim()));
  return { rows, foot };
}

function bp(v) {
  if (v === null) {
    return '—';
  }
  const s = `${Math.trunc(v / 100)}.${String(v % 100).padStart(2, '0')}`.replace(/\.?0+$/, '');
  return `${s}%`;
}

/* The coverage data table (region) equals the API's by_region and total. */
async function assertCoverageTable(page, report) {
  const { rows, foot } = await tableCells(page, '[data-test=coverage-table]');
  assert.equal(rows.length, report.by_region.length, 'one row per region');
  report.by_region.forEach((r, i) => {
    assert.deepEqual(rows[i], [r.org_name, String(r.registered), String(r.enrolled), String(r.registered - r.enrolled), bp(r.participation_bp)]);
  });
  const tot = report.total;
  assert.deepEqual(foot, [zh.supervision.total, String(tot.registered), String(tot.enrolled), String(tot.not_covered), bp(tot.participation_bp)]);
}

/* Clicks category i of a horizontal bar chart in its band (the chart's fixed grid). */
async function clickBar(page, chartSel, i, n) {
  const box = await page.locator(chartSel).boundingBox();
  const band = (box.height - GRID.top - GRID.bottom) / n;
  const x = box.x + GRID.left + (box.width - GRID.left - GRID.right) * 0.3;
  const y = box.y + GRID.top + band * (i + 0.5);
  await page.mouse.click(x, y);
}

async function waitCoverage(page, orgId) {
  await page.waitForFunction((id) => {
    const el = document.querySelector('[data-test=sv-range-shown]');
    const crumb = document.querySelector('[data-test=sv-crumb-current]');
    return el && crumb && crumb.getAttribute('data-org') === String(id) && !document.querySelector('[data-test=sv-coverage] [data-state=loading]');
  }, orgId);
  await page.waitForSelector('[data-test=coverage-chart] canvas');
}

async function crumbs(page) {
  return page.locator('[data-test=sv-breadcrumb] [data-org]').evaluateAll((els) => els.map((e) => e.textContent.trim()));
}

test('supervisor: coverage chart and its table equal the API; a bar drills down and the breadcrumb goes back up; CSV export', async () => {
  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.supervisor');
    await page.click('[data-menu=supervision]');
    await page.waitForSelector('[data-test=supervision-page]');
    const tabs = await page.locator('[data-sv-tab]').evaluateAll((els) => els.map((e) => e.getAttribute('data-sv-tab')));
    assert.deepEqual(tabs, ['coverage', 'contributions', 'claims', 'timeliness', 'fund', 'outreach', 'referrals', 'whatif']);

    const top = (await apiGet(page, '/api/v1/reports/coverage')).json;
    await waitCoverage(page, top.org.id);
    assert.ok(top.by_region.length >= 2, 'the demo has several regions');
    assert.equal(Number(await page.getAttribute('[data-test=coverage-chart]', 'data-categories')), top.by_region.length);
    // the headline figures and the callouts
    const figure = (k) => page.textContent(`[data-test=coverage-figures] [data-figure=${k}] dd`);
    assert.equal((await figure('registered')).trim(), String(top.total.registered));
    const gig = top.callouts.find((c) => c.group === 'gig_workers');
    assert.equal((await figure('gig_workers')).trim(), bp(gig.participation_bp));

    // the numbers behind the chart, one click away
    assert.equal(await page.isVisible('[data-test=coverage-panel-data]'), false);
    await page.click('[data-test=coverage-panel-data-toggle]');
    await page.waitForSelector('[data-test=coverage-table]', { state: 'visible' });
    await assertCoverageTable(page, top);
    await shot(page, 'supervision-coverage-supervisor');

    // click the bar of a city: the org filter changes to it, in the URL and the breadcrumb
    const i = top.by_region.findIndex((r) => r.org_code === 'ZJ-01');
    assert.ok(i >= 0);
    const city = top.by_region[i];
    await clickBar(page, '[data-test=coverage-chart]', i, top.by_region.length);
    await waitCoverage(page, city.org_id);
    assert.equal(new URL(page.url()).searchParams.get('org_id'), String(city.org_id));
    assert.deepEqual(await crumbs(page), [top.org.name, city.org_name]);
    const cityReport = (await apiGet(page, `/api/v1/reports/coverage?org_id=${city.org_id}`)).json;
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=coverage-table] .el-table__body-wrapper tbody tr').length === n, cityReport.by_region.length);
    await assertCoverageTable(page, cityReport);

    // the same drill from the table (a real button): city -> district
    const district = cityReport.by_region[0];
    await page.click(`[data-test=coverage-table] [data-drill="${district.org_id}"]`);
    await waitCoverage(page, district.org_id);
    assert.deepEqual(await crumbs(page), [top.org.name, city.org_name, district.org_name]);
    const districtReport = (await apiGet(page, `/api/v1/reports/coverage?org_id=${district.org_id}`)).json;
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=coverage-table] .el-table__body-wrapper tbody tr').length === n, districtReport.by_region.length);
    await assertCoverageTable(page, districtReport);
    await shot(page, 'supervision-coverage-drilled');

    // the CSV export of what is on screen: same org, answers text/csv
    const href = await page.locator('[data-test=sv-coverage] [data-test=export-csv]').getAttribute('href');
    const url = new URL(href, BASE);
    assert.equal(url.pathname, '/api/v1/reports/coverage');
    assert.equal(url.searchParams.get('org_id'), String(district.org_id));
    assert.equal(url.searchParams.get('format'), 'csv');
    const csv = await apiGet(page, url.pathname + url.search);
    assert.equal(csv.status, 200);
    assert.match(csv.type, /^text\/csv/);
    assert.match(csv.text, new RegExp(`registered,enrolled,not_covered,participation_bp\\r?\\n${districtReport.total.registered},${districtReport.total.enrolled},`));
    const xlsx = new URL(await page.locator('[data-test=sv-coverage] [data-test=export-xlsx]').getAttribute('href'), BASE);
    assert.equal(xlsx.searchParams.get('format'), 'xlsx');

    // back up: the breadcrumb to the city, then the browser's back button to the district,
    // then the root crumb to the top
    await page.click(`[data-test=sv-crumb][data-org="${city.org_id}"]`);
    await waitCoverage(page, city.org_id);
    assert.deepEqual(await crumbs(page), [top.org.name, city.org_name]);
    await page.goBack();
    await waitCoverage(page, district.org_id);
    await page.click(`[data-test=sv-crumb][data-org="${top.org.id}"]`);
    await waitCoverage(page, top.org.id);
    assert.deepEqual(await crumbs(page), [top.org.name]);
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=coverage-table] .el-table__body-wrapper tbody tr').length === n, top.by_region.length);
    await assertCoverageTable(page, top);

    // claims: the monthly trend renders and its total row is the API's
    await page.click('[data-sv-tab=claims]');
    await page.waitForSelector('[data-test=claims-trend-chart] canvas');
    const claims = (await apiGet(page, '/api/v1/reports/claims')).json;
    await page.click('[data-test=claims-trend-panel-data-toggle]');
    const month = await tableCells(page, '[data-test=claims-month-table]');
    assert.equal(month.rows.length, claims.by_month.length);
    assert.equal(month.foot[1], String(claims.total.claims));
    assert.equal(new URL(page.url()).searchParams.get('tab'), 'claims');
    await shot(page, 'supervision-claims');

    // timeliness and fund render their charts too
    await page.click('[data-sv-tab=timeliness]');
    await page.waitForSelector('[data-test=time-region-chart] canvas');
    await page.click('[data-sv-tab=fund]');
    await page.waitForSelector('[data-test=fund-ratio-chart] canvas');
    await page.click('[data-sv-tab=outreach]');
    await page.waitForSelector('[data-test=outreach-employers]');
    // outreach: a threshold over 100 % is refused in place; 30 % gives the API's list for 3000 bp
    await page.fill('[data-test=outreach-threshold]', '101');
    await page.click('[data-test=outreach-apply]');
    await page.getByText(zh.supervision.thresholdInvalid).waitFor();
    await page.fill('[data-test=outreach-threshold]', '30');
    await page.click('[data-test=outreach-apply]');
    const out = (await apiGet(page, '/api/v1/reports/outreach?threshold_bp=3000&limit=50')).json;
    const at50 = (await apiGet(page, '/api/v1/reports/outreach')).json;
    assert.notEqual(out.params.employers_below, at50.params.employers_below, 'the threshold matters in the demo');
    await page.waitForFunction((n) => {
      const dd = document.querySelector('[data-test=outreach-figures] [data-figure=employers] dd');
      return dd && dd.textContent.trim() === String(n);
    }, out.params.employers_below);
    assert.equal(await page.getByText(zh.supervision.thresholdInvalid).count(), 0);
    const firstRow = await tableCells(page, '[data-test=outreach-employers]');
    assert.equal(firstRow.rows[0][1], out.employers[0].name);
    const outCsv = new URL(await page.locator('[data-test=sv-outreach] [data-test=export-csv]').getAttribute('href'), BASE);
    assert.equal(outCsv.searchParams.get('threshold_bp'), '3000');

    assert.deepEqual(page.problems, []);
    assert.deepEqual(await cspViolations(page), []);
  } finally {
    await closePage(page);
  }
});

test('a shared link keeps the filters: org and dates from the URL, totals as the API says, in English too', async () => {
  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.auditor');
    const orgs = (await apiGet(page, '/api/v1/orgs?limit=500')).json.orgs;
    const ningbo = orgs.find((o) => o.code === 'ZJ-02');
    const qs = `org_id=${ningbo.id}&from=2026-01-01&to=2026-06-30`;
    await page.evaluate(() => window.localStorage.setItem('huzhu.lang', 'en'));
    await page.goto(`${BASE}/supervision?tab=contributions&${qs}`, { waitUntil: 'networkidle' });
    await page.waitForSelector('[data-test=contrib-payer-chart] canvas');
    assert.equal((await page.textContent('[data-sv-tab=contributions]')).trim(), en.supervision.tab.contributions);
    assert.deepEqual(await crumbs(page), [orgs[0].name, ningbo.name]);
    const report = (await apiGet(page, `/api/v1/reports/contributions?${qs}`)).json;
    assert.equal(report.from, '2026-01-01');
    assert.equal(report.to, '2026-06-30');
    await page.click('[data-test=contrib-payer-panel-data-toggle]');
    const { rows, foot } = await tableCells(page, '[data-test=contrib-payer-table]');
    assert.equal(rows.length, report.by_payer.length);
    const money = await importWeb('src/utils/money.js');
    assert.equal(foot[1], money.formatFen(report.total.billed_fen));
    assert.equal(foot[3], money.formatFen(report.total.received_fen));
    const csv = new URL(await page.locator('[data-test=sv-contributions] [data-test=export-csv]').getAttribute('href'), BASE);
    assert.equal(csv.searchParams.get('from'), '2026-01-01');
    assert.equal(csv.searchParams.get('to'), '2026-06-30');
    assert.equal(csv.searchParams.get('org_id'), String(ningbo.id));
    await shot(page, 'supervision-contributions-en');
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});

test('finance sees only the contributions and fund tabs; unit staff has no supervision entry', async () => {
  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.finance');
    await page.click('[data-menu=supervision]');
    await page.waitForSelector('[data-test=contrib-payer-chart] canvas');
    const tabs = await page.locator('[data-sv-tab]').evaluateAll((els) => els.map((e) => e.getAttribute('data-sv-tab')));
    assert.deepEqual(tabs, ['contributions', 'fund']);
    const report = (await apiGet(page, '/api/v1/reports/contributions')).json;
    const billed = await page.textContent('[data-test=contributions-figures] [data-figure=billed] dd');
    const money = await importWeb('src/utils/money.js');
    assert.equal(billed.trim(), `¥${money.formatFen(report.total.billed_fen)}`);
    // a tab the role may not use is not offered even when the link names it
    await page.goto(`${BASE}/supervision?tab=coverage`, { waitUntil: 'networkidle' });
    await page.waitForSelector('[data-test=sv-contributions]');
    assert.equal(await page.locator('[data-test=sv-coverage]').count(), 0);
    assert.equal((await apiGet(page, '/api/v1/reports/coverage')).status, 403, 'and the API agrees');
    await page.click('[data-sv-tab=fund]');
    await page.waitForSelector('[data-test=fund-ratio-chart] canvas');
    const fund = (await apiGet(page, '/api/v1/reports/fund')).json;
    const { rows } = await tableCells(page, '[data-test=fund-table]');
    assert.equal(rows.length, fund.by_fund.length);
    await shot(page, 'supervision-fund-finance');
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
  const unit = await openPage(browser);
  try {
    await signIn(unit, 'demo.unit');
    assert.equal(await unit.locator('[data-menu=supervision]').count(), 0);
    await unit.goto(`${BASE}/supervision`, { waitUntil: 'networkidle' });
    await unit.getByText(zh.forbidden.title).first().waitFor();
    assert.equal(await unit.locator('[data-test=supervision-page]').count(), 0);
  } finally {
    await closePage(unit);
  }
});

test('what-if: the form refuses bad input without a request; with a draft version it replays, else it says there is none', async () => {
  const page = await openPage(browser);
  try {
    await signIn(page, 'demo.supervisor');
    let sent = 0;
    page.on('request', (req) => {
      if (new URL(req.url()).pathname === '/api/v1/reports/whatif') {
        sent += 1;
      }
    });
    // the demo loads no draft version; another test file may load one while this runs
    const draftsOf = async () => (await apiGet(page, '/api/v1/plans')).json.plans.filter((p) => p.state === 'draft');
    const before = await draftsOf();
    await page.goto(`${BASE}/supervision?tab=whatif`, { waitUntil: 'networkidle' });
    await page.waitForSelector('[data-test=whatif-form]');
    const noDrafts = (await page.locator('[data-test=whatif-no-drafts]').count()) > 0;

    await page.fill('[data-test=whatif-target]', '0');
    await page.click('[data-test=whatif-run]');
    await page.getByText(zh.supervision.whatif.versionRequired).waitFor();
    await page.getByText(zh.supervision.whatif.targetInvalid).waitFor();
    for (const bad of ['abc', '1000.01', '12.345', '-5']) {
      await page.fill('[data-test=whatif-target]', bad);
      await page.click('[data-test=whatif-run]');
      await page.getByText(zh.supervision.whatif.targetInvalid).waitFor();
    }
    await page.fill('[data-test=whatif-target]', '70');
    await page.click('[data-test=whatif-run]');
    await page.waitForTimeout(200);
    assert.equal(await page.getByText(zh.supervision.whatif.targetInvalid).count(), 0, 'a good target clears its error');
    await page.getByText(zh.supervision.whatif.versionRequired).waitFor();
    assert.equal(sent, 0, 'nothing was sent');
    await shot(page, 'supervision-whatif-validation');

    if (noDrafts) {
      assert.equal(before.length, 0, 'the page says there is no draft: there was none when it loaded');
      assert.equal((await page.textContent('[data-test=whatif-no-drafts]')).trim(), zh.supervision.whatif.noDrafts);
    } else {
      // a draft exists (loaded by a plans test): replay it and compare with the API's answer
      const drafts = await draftsOf();
      assert.ok(drafts.length > 0);
      await page.click('[data-test=whatif-version]');
      const option = page.locator('.el-select-dropdown__item:visible').first();
      const label = (await option.textContent()).trim();
      await option.click();
      const draft = drafts.find((d) => label.startsWith(`${d.code} `) && label.includes(String(d.version)));
      assert.ok(draft, label);
      await page.fill('[data-test=whatif-target]', '70');
      await page.click('[data-test=whatif-run]');
      await page.waitForSelector('[data-test=whatif-month-chart] canvas', { timeout: 60000 });
      const range = await page.locator('[data-test=whatif-form] .el-range-input').evaluateAll((els) => els.map((e) => e.value));
      const answer = await page.evaluate(async (body) => {
        const r = await fetch('/api/v1/reports/whatif', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': window.sessionStorage.getItem('huzhu.csrf') },
          body: JSON.stringify(body),
        });
        return r.json();
      }, { plan_code: draft.code, draft_version: draft.version, from: range[0], to: range[1], target_loss_ratio_bp: 7000 });
      const money = await importWeb('src/utils/money.js');
      const shown = (k) => page.textContent(`[data-test=whatif-figures] [data-figure=${k}] .hz-sv-figure__value`);
      assert.equal((await shown('whatif')).trim(), `¥${money.formatFen(answer.total.whatif_fen)}`);
      assert.equal((await shown('breakEven')).trim(), answer.total.break_even_price_fen === null ? '—' : `¥${money.formatFen(answer.total.break_even_price_fen)}`);
      await shot(page, 'supervision-whatif-result');
    }

    // what the server says for a version that is not a draft (the form puts it beside the version)
    const answer = await page.evaluate(async () => {
      const r = await fetch('/api/v1/reports/whatif', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': window.sessionStorage.getItem('huzhu.csrf') },
        body: JSON.stringify({ plan_code: 'ZY', draft_version: 1, from: '2026-01-01', to: '2026-06-30', target_loss_ratio_bp: 7000 }),
      });
      return { status: r.status, body: await r.json() };
    });
    assert.equal(answer.status, 409);
    assert.equal(answer.body.error.field, 'draft_version');
    assert.deepEqual(page.problems, []);
  } finally {
    await closePage(page);
  }
});
