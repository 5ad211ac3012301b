/**
 * Traces in a real browser against a real hub: spans are ingested over HTTP, the search form finds the trace,
 * the results show it with its duration, and opening it renders the Gantt timeline and a span's details.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Browser, expectNoErrors, SETUP_TIMEOUT_MS, type Stack, startLoggedIn } from './harness.ts';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  ({ stack, browser } = await startLoggedIn());
}, SETUP_TIMEOUT_MS);

const TRACE = 'b7ad6b7169203331b7ad6b7169203331';
const span = (n: number): string => n.toString(16).padStart(16, '0');

describe('traces', () => {
  it('searches, opens a trace and renders its timeline and span details', async () => {
    const start = Date.now() - 5000;
    const response = await fetch(`${stack.hubUrl}/api/traces/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        spans: [
          {
            traceId: TRACE,
            spanId: span(1),
            service: 'shop',
            operation: 'GET /cart',
            startTimeUnixMs: start,
            durationMs: 120,
          },
          {
            traceId: TRACE,
            spanId: span(2),
            parentSpanId: span(1),
            service: 'stock',
            operation: 'reserve',
            startTimeUnixMs: start + 20,
            durationMs: 80,
            error: true,
            statusMessage: 'out of stock',
            attributes: { sku: 'A-1' },
          },
          {
            traceId: 'a'.repeat(32),
            spanId: span(3),
            service: 'batch',
            operation: 'nightly',
            startTimeUnixMs: start,
            durationMs: 5,
          },
        ],
      }),
    });
    expect(response.status).toBe(200);

    const { page } = browser;
    await page.getByRole('link', { name: 'Traces' }).click();
    await page.getByRole('heading', { level: 1, name: 'Traces' }).waitFor();
    const search = page.getByRole('form', { name: 'Search traces' });
    await search.getByLabel('Service').fill('stock');
    await search.getByRole('button', { name: 'Search' }).click();
    const row = page.getByRole('row').filter({ hasText: 'GET /cart' });
    await row.getByText('120.0 ms').waitFor();
    await page.getByRole('row').filter({ hasText: 'nightly' }).waitFor({ state: 'detached' });
    expect(page.url()).toContain('service=stock');

    await row.click();
    const gantt = page.getByRole('list', { name: "Spans on the trace's time axis" });
    await gantt.getByRole('listitem').nth(1).waitFor();
    expect(await gantt.getByRole('listitem').count()).toBe(2);
    await gantt
      .getByRole('listitem', { name: /stock reserve: starts at 20\.0 ms, lasts 80\.0 ms, error/ })
      .click();
    const details = page.getByRole('region', { name: 'Span reserve' });
    await details.getByText('out of stock').waitFor();
    await details.getByRole('cell', { name: 'A-1' }).waitFor();
    await page.getByRole('row').filter({ hasText: 'shop' }).filter({ hasText: 'stock' }).last().waitFor();
    const graph = page.getByTestId('rf__wrapper');
    await graph.getByText('1 calls, 1 errors').waitFor();
    await graph.getByText('stock · 1 spans, 1 errors').waitFor();
    await browser.screenshot('traces');
    expectNoErrors(browser);
  }, 60_000);
});
