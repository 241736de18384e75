// The console in a real browser: Debian's Chromium driven by playwright-core, against a running
// aidledger server. The Rust test `tests/api/console.rs` starts the server, appends the data and
// runs this file; it can also be run by hand against any server:
//
//   AIDLEDGER_BASE_URL=http://127.0.0.1:8080 AIDLEDGER_STAFF_TOKEN=… AIDLEDGER_ANALYST_TOKEN=… \
//   AIDLEDGER_PERIOD=2022-01-01/2023-01-01 node console.test.mjs
//
// Optional: AIDLEDGER_CURRENCIES_PERIOD, AIDLEDGER_SUPERVISOR_TOKEN and AIDLEDGER_BENEFICIARY_ID
// (the test then pays that beneficiary in US dollars in that period, so that the ledger pays in two
// currencies), AIDLEDGER_ARTIFACTS (where the screenshots go; default: the workspace's target/).

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const consoleDir = join(here, '..', '..', 'server', 'console');
const base = required('AIDLEDGER_BASE_URL');
const staffToken = required('AIDLEDGER_STAFF_TOKEN');
const analystToken = required('AIDLEDGER_ANALYST_TOKEN');
const [from, to] = required('AIDLEDGER_PERIOD').split('/');
const currenciesPeriod = process.env.AIDLEDGER_CURRENCIES_PERIOD?.split('/');
const supervisorToken = process.env.AIDLEDGER_SUPERVISOR_TOKEN;
const beneficiaryId = process.env.AIDLEDGER_BENEFICIARY_ID;
const disbursementId = process.env.AIDLEDGER_DISBURSEMENT_ID;
const artifacts = process.env.AIDLEDGER_ARTIFACTS || join(here, '..', '..', 'target');
const TIMEOUT_MS = 15_000;

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** The API's answer to `path` with `token`. */
async function apiGet(path, token) {
  const response = await fetch(new URL(path, base), { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
  return response.json();
}

/** Appends one event of `type` to `stream` with `token`, dated `occurredAt` when given. */
async function append(stream, type, data, token, occurredAt) {
  const event = { type, data, ...(occurredAt ? { occurred_at: occurredAt } : {}) };
  const response = await fetch(new URL(`/v1/streams/${stream}/events`, base), {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ events: [event] }),
  });
  assert.equal(response.status, 201, `${type}: ${await response.text()}`);
}

/** Pays `beneficiaryId` `amountMinor` of `currency` from a new fund on `day`. */
async function pay(currency, amountMinor, day) {
  const fundId = crypto.randomUUID();
  const disbursement = `disbursement-${crypto.randomUUID()}`;
  const when = `${day}T10:00:00+08:00`;
  await append(`fund-${fundId}`, 'FundOpened', { name: 'Relief fund', budget_minor: 10_000_000, currency }, staffToken);
  const request = { beneficiary_id: beneficiaryId, fund_id: fundId, form: 'cash', amount_minor: amountMinor, currency, reason: 'medical bills' };
  await append(disbursement, 'DisbursementRequested', request, staffToken, when);
  await append(disbursement, 'DisbursementApproved', {}, supervisorToken);
  await append(disbursement, 'DisbursementPaid', { method: 'bank_transfer', reference: 'TX-1' }, staffToken, when);
}

/** The summary's figures as the console names them: `activities.<kind>`, `<money>.<currency>`. */
function expectedFigures(answer) {
  const figures = {};
  for (const [name, value] of Object.entries(answer.figures)) {
    if (value !== null && typeof value === 'object') {
      for (const [kind, n] of Object.entries(value)) figures[`${name}.${kind}`] = n;
    } else {
      figures[name] = value;
    }
  }
  for (const [currency, money] of Object.entries(answer.by_currency || {})) {
    for (const [name, value] of Object.entries(money)) figures[`${name}.${currency}`] = value;
  }
  return figures;
}

let browser;

/** A fresh page in its own context (own storage) showing `locale`, and the problems it reports. */
async function open(locale, viewport = { width: 1280, height: 900 }, extra = {}) {
  const context = await browser.newContext({ locale, viewport, ...extra });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  const problems = [];
  const urls = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // The refused sign-in's 401 is logged by the browser itself; anything else is a problem.
    const refusedSignIn = message.text().includes('status of 401');
    if (message.type() === 'error' && !refusedSignIn) problems.push(`console error: ${message.text()}`);
  });
  page.on('request', (request) => urls.push(request.url()));
  return { context, page, problems, urls };
}

/** Waits for the summary of `period` to have drawn its figures and charts. */
async function summaryLoaded(page, period = { from, to }) {
  await page.waitForSelector(`[data-view="summary"][data-loaded="true"][data-from="${period.from}"][data-to="${period.to}"]`);
}

async function signIn(page, token) {
  await page.fill('form[data-form="sign-in"] input[name="token"]', token);
  await page.click('form[data-form="sign-in"] [type="submit"]');
}

/** Every `[data-figure]` shown: name → its `data-value` as a number. */
async function shownFigures(page) {
  const pairs = await page.$$eval('[data-figure]', (elements) =>
    elements.map((element) => [element.dataset.figure, element.dataset.value, element.textContent]),
  );
  for (const [name, value, text] of pairs) {
    assert.match(value, /^-?\d+$/, `${name}: data-value ${value} is not an integer`);
    assert.ok(text.trim().length > 0, `${name} shows no text`);
  }
  return Object.fromEntries(pairs.map(([name, value]) => [name, Number(value)]));
}

async function figureText(page, name) {
  return page.textContent(`[data-figure="${name}"]`);
}

const CHARTS = ['visits-by-month', 'aid-by-month', 'hours-by-activity', 'open-concerns'];

async function assertCharts(page) {
  for (const chart of CHARTS) {
    const svg = page.locator(`svg[data-chart="${chart}"]`);
    assert.equal(await svg.count(), 1, `one svg[data-chart="${chart}"]`);
    assert.equal(await svg.getAttribute('role'), 'img', `${chart} is an image to assistive technology`);
    assert.ok(await svg.isVisible(), `${chart} is visible`);
  }
}

function summaryUrl(period = { from, to }) {
  return `${base}/#/summary?from=${period.from}&to=${period.to}`;
}

describe('the console', { timeout: 90_000 }, () => {
  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    // Every launch gets a fresh, temporary user-data-dir of its own, removed at close.
    browser = await chromium.launch({
      executablePath: process.env.AIDLEDGER_CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  after(async () => {
    await browser?.close();
  });

  test('both catalogues hold the same keys, and every key the code names', async () => {
    const load = async (file) => {
      const source = readFileSync(join(consoleDir, 'messages', file), 'utf8');
      return (await import(`data:text/javascript,${encodeURIComponent(source)}`)).default;
    };
    const en = await load('en.js');
    const zh = await load('zh-CN.js');
    assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
    const scripts = readdirSync(consoleDir).filter((file) => file.endsWith('.js'));
    for (const file of scripts) {
      const source = readFileSync(join(consoleDir, file), 'utf8');
      for (const [, key] of source.matchAll(/\bt\('([^'$]+)'/g)) {
        assert.ok(key in en, `${file} names the message "${key}", which the catalogues lack`);
      }
    }
  });

  test('in zh-CN: a wrong token is refused in words, the right one shows every figure as the API gives it', async () => {
    const { context, page, problems, urls } = await open('zh-CN');
    await page.goto(summaryUrl());
    await page.waitForSelector('form[data-form="sign-in"]');
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.match(page.url(), /#\/sign-in$/);
    assert.equal(await page.textContent('form[data-form="sign-in"] [type="submit"]'), '登录');

    await signIn(page, 'aidl_not-a-token');
    const refusal = page.locator('[data-error-for="token"]');
    await refusal.waitFor({ state: 'visible' });
    assert.match(await refusal.textContent(), /令牌未被接受/);
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'a refused token is not kept');

    await signIn(page, staffToken);
    await summaryLoaded(page);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    const answer = await apiGet(`/v1/reports/summary?from=${from}&to=${to}`, staffToken);
    assert.deepEqual(await shownFigures(page), expectedFigures(answer));
    const cash = answer.figures.cash_paid_minor;
    const cashText = (await figureText(page, 'cash_paid_minor')).replace(/[,\s]/g, '');
    assert.match(cashText, new RegExp(`${Math.trunc(cash / 100)}\\.${String(cash % 100).padStart(2, '0')}$`));
    await assertCharts(page);
    assert.ok((await page.locator('svg[data-chart="open-concerns"] [data-bar]').count()) > 0, 'staff see the open concerns');

    assert.equal(await page.evaluate(() => sessionStorage.getItem('aidledger.token')), staffToken);
    assert.equal(await page.evaluate(() => JSON.stringify(localStorage)).then((s) => s.includes(staffToken)), false);
    for (const url of [...urls, page.url()]) assert.ok(!url.includes(staffToken), `the token is in a URL: ${url}`);
    await page.screenshot({ path: join(artifacts, 'console-zh-CN.png'), fullPage: true });
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('in English: an analyst sees every figure, the four charts, and can switch to Chinese', async () => {
    const { context, page, problems } = await open('en-US');
    await page.goto(summaryUrl());
    await page.waitForSelector('form[data-form="sign-in"]');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.textContent('form[data-form="sign-in"] [type="submit"]'), 'Sign in');
    await signIn(page, analystToken);
    await summaryLoaded(page);
    const answer = await apiGet(`/v1/reports/summary?from=${from}&to=${to}`, analystToken);
    assert.deepEqual(await shownFigures(page), expectedFigures(answer));
    await assertCharts(page);
    assert.match(await page.textContent('[data-who]'), /analyst/);
    await page.screenshot({ path: join(artifacts, 'console-en.png'), fullPage: true });

    await page.click('[data-language="zh-CN"]');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    await summaryLoaded(page);
    assert.match(await page.textContent('h1'), /工作汇总/);
    assert.deepEqual(await shownFigures(page), expectedFigures(answer));
    assert.deepEqual(problems, []);
    await context.close();
  });

  const canPay = Boolean(currenciesPeriod && supervisorToken && beneficiaryId);
  test('the period inputs change the fragment, and a ledger in two currencies shows money per currency', { skip: !canPay }, async () => {
    const [otherFrom, otherTo] = currenciesPeriod ?? [];
    await pay('USD', 12_345, otherFrom);
    const { context, page, problems } = await open('en-US');
    await page.goto(summaryUrl());
    await signIn(page, staffToken);
    await summaryLoaded(page);
    await page.fill('form[data-form="period"] input[name="from"]', otherFrom);
    await page.fill('form[data-form="period"] input[name="to"]', otherTo);
    await page.click('form[data-form="period"] [type="submit"]');
    await summaryLoaded(page, { from: otherFrom, to: otherTo });
    assert.ok(page.url().endsWith(`#/summary?from=${otherFrom}&to=${otherTo}`), page.url());
    const answer = await apiGet(`/v1/reports/summary?from=${otherFrom}&to=${otherTo}`, staffToken);
    assert.ok(answer.by_currency, 'the period pays in two currencies');
    const shown = await shownFigures(page);
    assert.deepEqual(shown, expectedFigures(answer));
    assert.ok('cash_paid_minor.CNY' in shown && 'cash_paid_minor.USD' in shown, JSON.stringify(shown));
    assert.ok(!('cash_paid_minor' in shown), 'no sum across currencies');
    assert.match(await figureText(page, 'cash_paid_minor.USD'), /\$/);

    await page.reload();
    await summaryLoaded(page, { from: otherFrom, to: otherTo });
    assert.deepEqual(await shownFigures(page), shown, 'the fragment is the view: a reload shows it again');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('money keeps every fen and a period is split into its months', async () => {
    const { context, page, problems } = await open('en-US');
    await page.goto(`${base}/#/sign-in`);
    await page.waitForSelector('form[data-form="sign-in"]');
    const answers = await page.evaluate(async () => {
      const format = await import('/console/format.js');
      return {
        decimals: [0, 5, -5, 123_456, 9_007_199_254_740_991].map(format.minorToDecimal),
        year: format.monthsBetween('2022-01-01', '2023-01-01'),
        partial: format.monthsBetween('2022-11-15', '2023-02-10'),
        tooLong: format.monthsBetween('2020-01-01', '2026-01-01'),
      };
    });
    assert.deepEqual(answers.decimals, ['0.00', '0.05', '-0.05', '1234.56', '90071992547409.91']);
    assert.equal(answers.year.length, 12);
    assert.deepEqual([answers.year[0], answers.year[11]], ['2022-01', '2022-12']);
    assert.deepEqual(answers.partial, ['2022-11', '2022-12', '2023-01', '2023-02']);
    assert.equal(answers.tooLong, null);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a disbursement's trail verifies in the browser, and with one record altered on the wire it does not", { skip: !disbursementId }, async () => {
    const trailUrl = `${base}/#/audit/disbursements/${disbursementId}`;
    const { context, page, problems } = await open('zh-CN');
    await page.goto(trailUrl);
    await signIn(page, staffToken);
    const trail = page.locator('[data-trail]');
    await page.waitForSelector('[data-trail][data-verified="true"]');
    const verdicts = await page.$$eval('[data-record-position]', (items) => items.map((item) => item.dataset.verified));
    assert.deepEqual(verdicts, ['true', 'true', 'true'], 'request, approval and payment each verify');
    assert.match(await trail.textContent(), /已在本浏览器核验/);
    assert.match(await trail.textContent(), /因病致困/, 'the opened reason is shown to staff');
    // Each record offers its receipt, a C2SP tlog-proof, as a file.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-record-position] [data-receipt]').first().click(),
    ]);
    assert.match(download.suggestedFilename(), /^record-\d+\.tlog-proof$/);
    const receipt = readFileSync(await download.path(), 'utf8');
    assert.match(receipt, /^c2sp\.org\/tlog-proof@v1\nindex \d+\n/, receipt);
    assert.match(receipt, /\n\n\u2014 aidledger\.local\/log /, 'the signed checkpoint follows the proof');
    await page.screenshot({ path: join(artifacts, 'console-trail.png'), fullPage: true });
    assert.deepEqual(problems, []);
    await context.close();

    const altered = await open('en');
    let paidPosition = null;
    await altered.page.route('**/v1/audit/disbursements/**', async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      const paid = body.records.find((entry) => entry.type === 'DisbursementPaid');
      paid.record.data.reference = 'TX-FORGED';
      paidPosition = paid.position;
      await route.fulfill({ response, json: body });
    });
    await altered.page.goto(trailUrl);
    await signIn(altered.page, staffToken);
    await altered.page.waitForSelector('[data-trail][data-verified="false"]');
    const record = altered.page.locator(`[data-record-position="${paidPosition}"]`);
    assert.equal(await record.getAttribute('data-verified'), 'false', 'the altered record is the one that fails');
    const others = await altered.page.$$eval('[data-record-position]', (items) =>
      items.filter((item) => item.dataset.verified === 'true').length);
    assert.equal(others, 2, 'the records around it still verify');
    assert.match(await altered.page.textContent('[data-verdict]'), new RegExp(`NOT verified: record ${paidPosition}: its hash is`));
    await altered.page.click('button[data-language="zh-CN"]');
    await altered.page.waitForSelector('[data-trail][data-verified="false"]');
    assert.match(await altered.page.textContent('[data-verdict]'), new RegExp(`核验未通过：第 ${paidPosition} 条记录：重新计算的哈希为`));
    assert.deepEqual(altered.problems, []);
    await altered.context.close();
  });

  test('a visit recorded elsewhere shows in the figures without a reload', { skip: !beneficiaryId }, async () => {
    const { context, page, problems } = await open('en');
    await page.goto(summaryUrl());
    await signIn(page, staffToken);
    await summaryLoaded(page);
    const before = Number(await page.getAttribute('[data-figure="visits_total"]', 'data-value'));
    const navigations = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));
    await append(`beneficiary-${beneficiaryId}`, 'VisitRecorded',
      { visit_kind: 'home', staff: 'zhao.min', duration_minutes: 30 }, staffToken, `${from}T09:00:00+08:00`);
    await page.waitForSelector(`[data-figure="visits_total"][data-value="${before + 1}"]`);
    assert.deepEqual(navigations, [], 'the page was not reloaded');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a closed period shows what was reported beside what late records changed', { skip: !beneficiaryId || !supervisorToken }, async () => {
    // A month of the test data's year with one visit, closed, then a visit recorded late in it.
    const period = { from: `${from.slice(0, 4)}-03-01`, to: `${from.slice(0, 4)}-04-01` };
    const response = await fetch(new URL('/v1/reports/close', base), {
      method: 'POST',
      headers: { Authorization: `Bearer ${supervisorToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(period),
    });
    assert.equal(response.status, 201, await response.clone().text());
    const bundle = await response.json();
    const reported = bundle.record.data.figures.visits_total;
    await append(`beneficiary-${beneficiaryId}`, 'VisitRecorded',
      { visit_kind: 'home', staff: 'zhao.min', duration_minutes: 30 }, staffToken, `${period.from}T09:00:00+08:00`);
    for (const [locale, words] of [['en', /was closed.*changed 2 figures/], ['zh-CN', /本期已结账.*改变了 2 项数字/]]) {
      const { context, page, problems } = await open(locale);
      await page.goto(summaryUrl(period));
      await signIn(page, analystToken);
      await summaryLoaded(page, period);
      const note = page.locator(`[data-closed-report="${bundle.report_id}"]`);
      assert.match(await note.textContent(), words);
      const visits = page.locator('[data-figure="visits_total"]');
      assert.equal(await visits.getAttribute('data-value'), String(reported + 1));
      assert.equal(await visits.getAttribute('data-closed-value'), String(reported));
      assert.equal(await visits.getAttribute('data-late-delta'), '1');
      assert.ok(await page.locator('[data-late-for="visits_total"]').isVisible());
      assert.equal(await page.locator('[data-figure="visits_phone"][data-late-delta]').count(), 0, 'unmoved figures are not marked');
      await page.screenshot({ path: join(artifacts, `console-closed-${locale}.png`), fullPage: true });
      assert.deepEqual(problems, []);
      await context.close();
    }
  });

  test('a visit recorded in its form moves the figure, and an error is shown beside its field', { skip: !beneficiaryId }, async () => {
    const { context, page, problems } = await open('zh-CN');
    // A visit recorded now counts in this year.
    const year = new Date().getFullYear();
    const thisYear = { from: `${year}-01-01`, to: `${year + 1}-01-01` };
    await page.goto(summaryUrl(thisYear));
    await signIn(page, staffToken);
    await summaryLoaded(page, thisYear);
    const before = Number(await page.getAttribute('[data-figure="visits_total"]', 'data-value'));

    await page.goto(`${base}/#/visits/new?beneficiary_id=${beneficiaryId}`);
    const form = page.locator('form[data-form="visit"]');
    await form.waitFor();
    for (const name of ['beneficiary_id', 'visit_kind', 'staff', 'duration_minutes', 'summary', 'occurred_at']) {
      assert.equal(await form.locator(`[name="${name}"]`).count(), 1, `the form has ${name}`);
    }
    await form.locator('[name="duration_minutes"]').fill('2000');
    await form.locator('[type="submit"]').click();
    const error = form.locator('[data-error-for="duration_minutes"]');
    await error.waitFor({ state: 'visible' });
    assert.match(await error.textContent(), /1440/, "the API's detail, beside the field");
    assert.equal(await form.locator('[name="duration_minutes"]').getAttribute('aria-invalid'), 'true');
    assert.doesNotMatch(await form.locator('[data-error-summary]').textContent(), /null|undefined/);
    await page.screenshot({ path: join(artifacts, 'console-visit-error.png'), fullPage: true });

    await form.locator('[name="duration_minutes"]').fill('45');
    await form.locator('[name="summary"]').fill('老人精神很好，谈到孙子考上大学。');
    await form.locator('[name="occurred_at"]').fill(`${year}-01-02`);
    await form.locator('[type="submit"]').click();
    await form.locator('[data-form-done]').waitFor({ state: 'visible' });
    const stream = await apiGet(`/v1/streams/beneficiary-${beneficiaryId}/events?limit=1000`, staffToken);
    const recorded = stream.records.at(-1);
    assert.equal(recorded.type, 'VisitRecorded');
    assert.match(recorded.meta.occurred_at, new RegExp(`^${year}-01-02T12:00:00[+-]\\d{2}:\\d{2}$`), 'the day of the visit, at noon in the browser\'s zone');
    assert.ok(await error.isHidden(), 'the error is gone once the field is right');

    await page.goto(summaryUrl(thisYear));
    await page.waitForSelector(`[data-figure="visits_total"][data-value="${before + 1}"]`);
    // The browser logs the refused attempt's 422 itself.
    assert.deepEqual(problems.filter((p) => !p.includes('status of 422')), []);
    await context.close();
  });

  test('a spreadsheet is checked first, its bad rows shown by row, and imported once it is right', { skip: !beneficiaryId }, async () => {
    const { context, page, problems } = await open('zh-CN');
    await page.goto(`${base}/#/import`);
    await signIn(page, staffToken);
    const form = page.locator('form[data-form="import"]');
    await form.waitFor();
    await form.locator('[name="type"]').selectOption('VisitRecorded');
    const stream = `beneficiary-${beneficiaryId}`;
    const nobody = `beneficiary-${crypto.randomUUID()}`;
    const header = 'stream,visit_kind,staff,duration_minutes,summary\n';
    const bad = `${header}${stream},home,zhao.min,30,\n${stream},home,zhao.min,半小时,\n${nobody},phone,zhao.min,10,\n`;
    await form.locator('[name="file"]').setInputFiles({ name: '走访记录.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await form.locator('[data-action="check"]').click();
    const table = page.locator('table[data-import-bad]');
    await table.waitFor();
    assert.equal(await table.locator('tr[data-bad-row]').count(), 2, 'one entry per bad row');
    assert.match(await table.locator('tr[data-bad-row="3"]').textContent(), /duration_minutes.*半小时/);
    assert.match(await table.locator('tr[data-bad-row="4"]').textContent(), /请先登记|register/i, "a broken rule in a case worker's words");
    assert.ok(await page.locator('[data-action="import"]').isHidden(), 'a file with bad rows cannot be imported');
    await page.screenshot({ path: join(artifacts, 'console-import-zh-CN.png'), fullPage: true });

    const before = (await apiGet(`/v1/streams/${stream}/events?limit=1000`, staffToken)).records.length;
    // Saved as GB18030, as a spreadsheet on a Chinese system saves it: 探望 is CC BD CD FB.
    const good = Buffer.concat([Buffer.from(`${header}${stream},home,zhao.min,30,`), Buffer.from('ccbdcdfb', 'hex'), Buffer.from(`\n${stream},phone,zhao.min,5,\n`)]);
    await form.locator('[name="file"]').setInputFiles({ name: 'visits.csv', mimeType: 'text/csv', buffer: good });
    await form.locator('[name="encoding"]').selectOption('gb18030');
    await form.locator('[data-action="check"]').click();
    await page.waitForSelector('[data-import-checked="2"]');
    assert.equal((await apiGet(`/v1/streams/${stream}/events?limit=1000`, staffToken)).records.length, before, 'the check appended nothing');
    await page.locator('[data-action="import"]').click();
    await page.waitForSelector('[data-import-done="2"]');
    assert.equal((await apiGet(`/v1/streams/${stream}/events?limit=1000`, staffToken)).records.length, before + 2);
    const trail = await apiGet(`/v1/audit/beneficiaries/${beneficiaryId}`, staffToken);
    assert.match(JSON.stringify(trail), /探望/, 'the GB18030 text arrived as the same characters');
    assert.deepEqual(problems.filter((p) => !p.includes('status of 422')), []);
    await context.close();

    const english = await open('en', { width: 375, height: 740 });
    await english.page.goto(`${base}/#/import`);
    await signIn(english.page, staffToken);
    const englishForm = english.page.locator('form[data-form="import"]');
    await englishForm.waitFor();
    await englishForm.locator('[name="type"]').selectOption('VisitRecorded');
    await englishForm.locator('[name="file"]').setInputFiles({ name: 'visits.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await englishForm.locator('[data-action="check"]').click();
    await english.page.locator('table[data-import-bad]').waitFor();
    await english.page.screenshot({ path: join(artifacts, 'console-import-phone.png'), fullPage: true });
    const width = await english.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `the page fits a phone's width (${width}px)`);
    await english.context.close();
  });

  test('aid is requested by staff, refused past its budget in words, approved by a supervisor and paid by staff', { skip: !beneficiaryId || !supervisorToken }, async () => {
    const fundId = crypto.randomUUID();
    await append(`fund-${fundId}`, 'FundOpened', { name: '临时救助金', budget_minor: 100_000, currency: 'CNY' }, staffToken);
    const staff = await open('zh-CN');
    await staff.page.goto(`${base}/#/disbursements/new?beneficiary_id=${beneficiaryId}&fund_id=${fundId}`);
    await signIn(staff.page, staffToken);
    const request = staff.page.locator('form[data-form="disbursement-request"]');
    await request.waitFor();
    await request.locator('[name="amount_minor"]').fill('1500.50');
    await request.locator('[name="reason"]').fill('因病致困，住院费用较高');
    await request.locator('[type="submit"]').click();
    await staff.page.waitForSelector('[data-disbursement][data-status="requested"]');
    const id = /#\/disbursements\/([0-9a-f-]{36})$/.exec(staff.page.url())[1];
    assert.equal(await staff.page.locator('form[data-form="disbursement-approve"]').count(), 0, 'staff do not decide');
    const requested = await apiGet(`/v1/audit/disbursements/${id}`, staffToken);
    assert.equal(requested.disbursement.amount_minor, 150_050, 'yuan become fen exactly');

    const supervisor = await open('zh-CN');
    await supervisor.page.goto(`${base}/#/disbursements/${id}`);
    await signIn(supervisor.page, supervisorToken);
    const approve = supervisor.page.locator('form[data-form="disbursement-approve"]');
    await approve.locator('[type="submit"]').click();
    const summary = approve.locator('[data-error-summary]');
    await summary.waitFor({ state: 'visible' });
    assert.match(await summary.textContent(), /超出该项资金的预算/, 'the rule, in words at the top of the form');

    await append(`fund-${fundId}`, 'FundBudgetAdjusted', { delta_minor: 100_000, reason: '追加预算' }, staffToken);
    await approve.locator('[type="submit"]').click();
    await supervisor.page.waitForSelector('[data-disbursement][data-status="approved"]');
    await supervisor.page.screenshot({ path: join(artifacts, 'console-disbursement.png'), fullPage: true });

    await staff.page.reload();
    const pay = staff.page.locator('form[data-form="disbursement-pay"]');
    await pay.locator('[name="reference"]').fill('转账-2026-0001');
    await pay.locator('[type="submit"]').click();
    await staff.page.waitForSelector('[data-disbursement][data-status="paid"]');
    const paid = await apiGet(`/v1/audit/disbursements/${id}`, staffToken);
    assert.equal(paid.records.at(-1).record.data.reference, '转账-2026-0001');
    assert.deepEqual(staff.problems, []);
    assert.deepEqual(supervisor.problems.filter((p) => !p.includes('status of 422')), [], 'only the refused approval');
    await staff.context.close();
    await supervisor.context.close();
  });

  test('the concern ledger and the overdue pairings list what the API lists, and not for analysts', async () => {
    const { context, page, problems } = await open('zh-CN');
    await page.goto(`${base}/#/concerns`);
    await signIn(page, staffToken);
    await page.waitForSelector('[data-view="concerns"][data-status="open"]');
    const openConcerns = await apiGet('/v1/concerns?status=open', staffToken);
    assert.ok(openConcerns.concerns.length > 0, 'the test data has open concerns');
    const shown = await page.$$eval('table[data-ledger="concerns"] tr[data-concern-id]', (rows) => rows.map((row) => row.dataset.concernId));
    assert.deepEqual(shown.sort(), openConcerns.concerns.map((c) => c.concern_id).sort());

    await page.goto(`${base}/#/pairings`);
    await page.waitForSelector('[data-view="pairings"]');
    const overdue = await apiGet('/v1/pairings/overdue', staffToken);
    assert.ok(overdue.pairings.length > 0, 'the test data has an overdue pairing');
    const pairings = await page.$$eval('table[data-ledger="pairings"] tr[data-pairing]', (rows) => rows.map((row) => row.dataset.pairing));
    assert.deepEqual(pairings, overdue.pairings.map((p) => p.beneficiary_id));
    assert.deepEqual(problems, []);
    await context.close();

    const analyst = await open('en');
    await analyst.page.goto(`${base}/#/concerns`);
    await signIn(analyst.page, analystToken);
    await analyst.page.waitForSelector('main .card');
    assert.equal(await analyst.page.locator('[data-view="concerns"]').count(), 0, 'no concern ledger for analysts');
    assert.equal(await analyst.page.locator('nav a[href="#/concerns"]').count(), 0, 'nor a link to it');
    await analyst.context.close();
  });

  test('at phone width (375×740) the summary fits the screen', async () => {
    const { context, page, problems } = await open('zh-CN', { width: 375, height: 740 }, { isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await page.goto(summaryUrl());
    await signIn(page, staffToken);
    await summaryLoaded(page);
    await assertCharts(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    for (const chart of CHARTS) {
      const box = await page.locator(`svg[data-chart="${chart}"]`).boundingBox();
      assert.ok(box.x >= 0 && box.x + box.width <= 375, `${chart} fits the screen: ${JSON.stringify(box)}`);
    }
    await page.screenshot({ path: join(artifacts, 'console-phone.png'), fullPage: true });
    assert.deepEqual(problems, []);
    await context.close();
  });
});
