/**
 * The Query Console in a real browser against a real stack: events sent over UDP to two streams are queried
 * from the editor (Ctrl+Enter), the rows appear with their values, page and open as JSON; a broken query is
 * underlined where the hub's parser stopped, with its message announced; a saved query survives a reload; the
 * history lists the run; the downloads carry the rows as CSV and as the hub's NDJSON.
 */
import { readFile } from 'node:fs/promises';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Browser,
  expectNoErrors,
  login,
  openBrowser,
  SETUP_TIMEOUT_MS,
  type Stack,
  startStack,
} from './harness.ts';

let stack: Stack;
let browser: Browser;

const ORDERS = 30;
const LOGS = 40;

beforeAll(async () => {
  stack = await startStack({ listens: ['orders', 'logs'] });
  await stack.sendUdp(
    Array.from({ length: ORDERS }, (_, i) =>
      JSON.stringify({ id: i, amount: i * 10, customer: { tier: i % 2 ? 'gold' : 'basic' } }),
    ),
    'orders',
  );
  await stack.sendUdp(
    Array.from({ length: LOGS }, (_, i) => `info: tick ${i}`),
    'logs',
  );
  // Wait until both streams hold every event (GET /api/streams, which leaves no query history).
  for (let i = 0; ; i++) {
    const response = await fetch(`${stack.hubUrl}/api/streams`, {
      headers: { authorization: `Bearer ${stack.key}` },
    });
    const { streams } = (await response.json()) as { streams: { name: string; events: number }[] };
    const events = (name: string) => streams.find((s) => s.name === name)?.events ?? 0;
    if (events('orders') >= ORDERS && events('logs') >= LOGS) break;
    if (i > 200) throw new Error(`events not journaled: ${JSON.stringify(streams)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  browser = await openBrowser();
  await login(browser, stack);
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const editor = (): Locator => browser.page.getByRole('textbox', { name: 'Query', exact: true });
const results = (): Locator => browser.page.getByRole('table', { name: 'Query results' });

async function typeQuery(text: string): Promise<void> {
  await editor().fill(text);
  await expect.poll(() => editor().textContent()).toBe(text);
}

async function runQuery(text: string): Promise<void> {
  await typeQuery(text);
  await editor().press('Control+Enter');
  // The page puts a query in the URL once its rows are shown; each test's queries differ from the last run.
  await browser.page.waitForURL((url) => url.searchParams.get('q') === text);
  await browser.page.getByText(/rows · .* matched · scanned/).waitFor();
}

const BIG_ORDERS = 'SELECT id, amount, customer.tier FROM orders WHERE amount >= 200 LIMIT 5';

describe('Query Console', () => {
  it('runs a query with Ctrl+Enter and shows the rows, their cost, and a row as JSON', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Query Console' }).click();
    await page.getByRole('heading', { level: 1, name: 'Query Console' }).waitFor();
    await runQuery(BIG_ORDERS);

    const table = results();
    await expect
      .poll(() => table.locator('thead th').allTextContents())
      .toEqual(['id', 'amount', 'customer.tier']);
    const cells = await table
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    expect(cells).toEqual([
      ['20', '200', 'basic'],
      ['21', '210', 'gold'],
      ['22', '220', 'basic'],
      ['23', '230', 'gold'],
      ['24', '240', 'basic'],
    ]);
    await expect
      .poll(() => page.locator('.qc-stats').textContent())
      // The scan stops at the fifth match: the orders were journaled first, as sequences 0–29.
      .toMatch(
        /^5 rows · 5 matched · scanned 25 slots \(sequences 0–25\) · \d+ payloads decoded · [\d.]+ ms$/,
      );
    expect(page.url()).toContain(`q=${encodeURIComponent(BIG_ORDERS).replace(/%20/g, '+')}`);

    await table.locator('tbody tr').nth(1).click();
    const json = page.getByLabel('Row 2 as JSON');
    expect(JSON.parse((await json.textContent())!)).toEqual({ id: 21, amount: 210, 'customer.tier': 'gold' });

    await runQuery('SELECT seq, stream, payload FROM * LIMIT 100');
    await expect.poll(() => results().locator('tbody tr').count()).toBe(50);
    const pager = page.getByRole('navigation', { name: 'Result pages' });
    await expect.poll(() => pager.textContent()).toContain(`rows 1–50 of ${ORDERS + LOGS}`);
    await pager.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => pager.textContent()).toContain(`rows 51–${ORDERS + LOGS} of ${ORDERS + LOGS}`);
    await expect.poll(() => results().locator('tbody tr').count()).toBe(ORDERS + LOGS - 50);
    const lastRow = await results().locator('tbody tr').last().locator('td').allTextContents();
    expect(lastRow).toEqual([String(ORDERS + LOGS - 1), 'logs', `info: tick ${LOGS - 1}`]);
    await browser.screenshot('query-console-results');
    expectNoErrors(browser);
  });

  it('highlights the language and underlines a syntax error where the parser stopped', async () => {
    const { page } = browser;
    const broken = 'SELECT * FROM orders WHERE amount > 3 LIMITS 4';
    await typeQuery(broken);
    const underline = page.locator('.cm-lintRange-error');
    await underline.waitFor();
    expect(await underline.textContent()).toBe('LIMITS');
    const offset = await underline.evaluate((mark) => {
      const content = mark.closest('.cm-content')!;
      const range = document.createRange();
      range.setStart(content, 0);
      range.setEndBefore(mark);
      return range.toString().length;
    });
    expect(offset).toBe(broken.indexOf('LIMITS'));
    expect(await editor().getAttribute('aria-invalid')).toBe('true');
    const status = page.getByRole('status').filter({ hasText: 'Syntax error' });
    await expect.poll(() => status.textContent()).toContain('line 1, column 39: expected');
    expect(await status.textContent()).toContain('but found "LIMITS"');
    expect(await page.locator('.qc-tok-keyword').first().textContent()).toBe('SELECT');
    expect(await page.locator('.qc-tok-number').allTextContents()).toEqual(['3', '4']);
    await browser.screenshot('query-console-syntax-error');

    await typeQuery('SELECT * FROM orders WHERE amount > 3 LIMIT 4');
    await underline.waitFor({ state: 'detached' });
    await expect.poll(() => editor().getAttribute('aria-invalid')).toBe('false');
    expectNoErrors(browser);
  });

  it('completes stream names after FROM', async () => {
    const { page } = browser;
    await typeQuery('SELECT * FROM ');
    await editor().press('End');
    await page.keyboard.type('ord');
    const option = page.getByRole('option', { name: /orders/ });
    await option.waitFor();
    // Only streams after FROM: neither fields nor keywords start with "ord".
    expect(await page.getByRole('option').allTextContents()).toEqual(['ordersstream']);
    await option.click();
    await expect.poll(() => editor().textContent()).toBe('SELECT * FROM orders');

    // Elsewhere: built-in fields, the JSON fields of sample events, keywords.
    await page.keyboard.type(' WHERE cu');
    await page.getByRole('option', { name: /customer\.tier/ }).waitFor();
    await browser.screenshot('query-console-completion');
    expect(await page.getByRole('option').allTextContents()).toEqual(['customerfield', 'customer.tierfield']);
    await page.keyboard.press('Escape');
    expectNoErrors(browser);
  });

  it('saves a query that is still listed after a reload, and loads it back into the editor', async () => {
    const { page } = browser;
    await typeQuery(BIG_ORDERS);
    await page.getByLabel('Save the query as').fill('big orders');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const saved = page.getByRole('list', { name: 'Saved queries' });
    await saved.getByRole('button', { name: /^big orders SELECT/ }).waitFor();

    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Query Console' }).waitFor();
    await typeQuery('SELECT seq FROM logs');
    await saved.getByRole('button', { name: /^big orders SELECT/ }).click();
    await expect.poll(() => editor().textContent()).toBe(BIG_ORDERS);
    expectNoErrors(browser);
  });

  it('lists the executed queries in the history, and loads one on click', async () => {
    const { page } = browser;
    const history = page.getByRole('list', { name: 'Query history' });
    const entry = history.getByRole('button', { name: new RegExp(BIG_ORDERS.replace(/[*()]/g, '\\$&')) });
    await entry.first().waitFor();
    expect(await entry.first().textContent()).toContain('5 rows');
    await typeQuery('SELECT seq FROM logs');
    await entry.first().click();
    await expect.poll(() => editor().textContent()).toBe(BIG_ORDERS);
    expectNoErrors(browser);
  });

  it('downloads every row as CSV and as the hub’s NDJSON', async () => {
    const { page } = browser;
    await runQuery('SELECT id, customer FROM orders WHERE id < 3');
    await expect.poll(() => results().locator('thead th').allTextContents()).toEqual(['id', 'customer']);

    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/^query-.*\.csv$/);
    expect(await readFile((await csv.path())!, 'utf8')).toBe(
      'id,customer\r\n0,"{""tier"":""basic""}"\r\n1,"{""tier"":""gold""}"\r\n2,"{""tier"":""basic""}"\r\n',
    );

    const [ndjson] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download NDJSON' }).click(),
    ]);
    expect(ndjson.suggestedFilename()).toMatch(/^query-.*\.ndjson$/);
    const lines = (await readFile((await ndjson.path())!, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    expect(lines[0]).toEqual({
      query: 'SELECT id, customer FROM orders WHERE id < 3',
      columns: ['id', 'customer'],
    });
    expect(lines.slice(1, 4)).toEqual([
      [0, { tier: 'basic' }],
      [1, { tier: 'gold' }],
      [2, { tier: 'basic' }],
    ]);
    expect(lines[4]).toMatchObject({ stats: { matched: 3 } });
    expectNoErrors(browser);
  });
});
