/**
 * The Overview in a real browser against a real sequencer and hub: its counters, KPIs and per-stream rows move
 * when UDP datagrams arrive, the chart window is kept in the URL, and — after a few seconds of uneven traffic,
 * so that the charts have a shape — the screenshot the README shows. Every run saves it with the other
 * screenshots; `CZ_UPDATE_README_SCREENSHOT=1 npx vitest run test/browser/overview.test.ts` also copies it to
 * docs/screenshots/overview.png (committed), so ordinary test runs leave the work tree clean.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Browser, expectNoErrors, SETUP_TIMEOUT_MS, type Stack, startLoggedIn } from './harness.ts';

const README_SHOT = fileURLToPath(new URL('../../docs/screenshots/overview.png', import.meta.url));

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  ({ stack, browser } = await startLoggedIn({ listens: ['default', 'orders'] }));
}, SETUP_TIMEOUT_MS);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The value of the Stat labelled `label` inside `scope`. */
function statValue(scope: string, label: string) {
  return browser.page
    .locator(`${scope} .stat`, {
      has: browser.page.locator('.stat-label', { hasText: new RegExp(`^${label}$`) }),
    })
    .locator('.stat-value');
}

describe('overview', () => {
  it('shows the no-traffic hint with the real listener ports, then counters that move with traffic', async () => {
    const { page } = browser;
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.getByText('Sequencer connected').waitFor();
    const hint = page.getByText('No events journaled yet');
    await hint.waitFor();
    expect(await page.locator('.traffic-hint-commands').textContent()).toContain(
      `nc -u -w1 127.0.0.1 ${stack.udpPort('default')}`,
    );
    const received = page.getByText(/datagrams received/);
    expect(await received.textContent()).toMatch(/^0 datagrams received/);

    await stack.sendUdp(
      Array.from({ length: 30 }, (_, i) => `{"click":${i}}`),
      'default',
    );
    await stack.sendUdp(
      Array.from({ length: 12 }, (_, i) => `order ${i}`),
      'orders',
    );

    // The hub samples once a second; the page follows the /ws snapshots.
    await page.getByText(/^42 datagrams received/).waitFor({ timeout: 10_000 });
    await hint.waitFor({ state: 'detached' });
    await page.getByText('42 journaled in total').waitFor();
    await page.getByText(/^42 of [\d,]+ slots$/).waitFor();
    const orders = page.getByRole('row', { name: /orders/ });
    // The Events column (the fourth) counts every event of the stream.
    await orders.locator('td:nth-child(4)', { hasText: /^12$/ }).waitFor();
    const defaults = page.getByRole('row', { name: /default/ });
    await defaults.locator('td:nth-child(4)', { hasText: /^30$/ }).waitFor();
    expect(await statValue('.counter-grid', 'Dropped').textContent()).toBe('0');
    expect(await statValue('.counter-grid', 'Bad checksums').textContent()).toBe('0');
    expectNoErrors(browser);
  });

  it('keeps the chart window in the URL', async () => {
    const { page } = browser;
    const group = page.getByRole('group', { name: 'Chart window' });
    await group.getByRole('button', { name: '1 min', exact: true }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('window')).toBe('1m');
    expect(await group.getByRole('button', { name: '1 min', exact: true }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    await group.getByRole('button', { name: '5 min', exact: true }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('window')).toBe(null);
    expectNoErrors(browser);
  });

  it('charts real traffic (the README screenshot)', async () => {
    const { page } = browser;
    // Uneven traffic on both streams for a while, so that the charts show a shape, not a step; it keeps
    // flowing while the screenshot is taken so that the live numbers are not zero.
    let running = true;
    const traffic = (async () => {
      for (let step = 0; running && step < 80; step++) {
        const n = Math.round(18 + 14 * Math.sin(step / 4) + 6 * Math.sin(step / 1.7));
        await stack.sendUdp(
          Array.from({ length: n }, (_, i) =>
            JSON.stringify({ user: `u${(step * 31 + i) % 23}`, action: 'click' }),
          ),
          'default',
        );
        await stack.sendUdp(
          Array.from({ length: Math.ceil(n / 3) }, (_, i) => `order ${step * 31 + i} qty=${i % 7}`),
          'orders',
        );
        await sleep(250);
      }
    })();
    await sleep(10_000);
    // The page is reloaded in the dark theme: the charts start from the metrics history, then go on live.
    await page.evaluate(() => localStorage.setItem('lacrimosa.theme', 'dark'));
    await page.reload();
    await page.locator('.overview-charts .recharts-area-curve').first().waitFor();
    await expect
      .poll(async () =>
        Number((await statValue('.overview-kpis', 'Events / s').textContent())?.replace(/[^\d.].*$/, '')),
      )
      .toBeGreaterThan(0);
    await sleep(1500);
    const path = await browser.screenshot('overview');
    if (process.env.CZ_UPDATE_README_SCREENSHOT === '1') {
      mkdirSync(dirname(README_SHOT), { recursive: true });
      copyFileSync(path, README_SHOT);
    }
    running = false;
    await traffic;

    // The light theme too, for the record (not committed).
    await page.evaluate(() => localStorage.setItem('lacrimosa.theme', 'light'));
    await page.reload();
    await page.locator('.overview-charts .recharts-area-curve').first().waitFor();
    await sleep(1000);
    await browser.screenshot('overview-light');
    expectNoErrors(browser);
  });
});
