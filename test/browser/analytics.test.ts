/**
 * Analytics in a real browser against a real sequencer and hub: after a few seconds of UDP traffic on two
 * streams, from the host and from a framed sender whose clock hints run ahead, the page shows real rates by
 * stream (from the metrics history), both streams ranked, each sender with its rate, the payload-size
 * histogram counting every event, and the framed sender's clock lead; the window is kept in the URL.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/core/frame.ts';
import { type Browser, expectNoErrors, SETUP_TIMEOUT_MS, type Stack, startLoggedIn } from './harness.ts';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  ({ stack, browser } = await startLoggedIn({ listens: ['default', 'orders'] }));
}, SETUP_TIMEOUT_MS);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const param = (name: string) => new URL(browser.page.url()).searchParams.get(name);

/** The value of the Stat labelled `label` inside `scope`. */
function stat(scope: string, label: string | RegExp) {
  return browser.page
    .locator(`${scope} .stat`, { has: browser.page.locator('.stat-label', { hasText: label }) })
    .locator('.stat-value');
}

/** Node 7's frames carry a clock hint 300 ms ahead of now, so the sequencer's clock is raised by them. */
const framed = (i: number) =>
  Buffer.from(
    encodeFrame({
      nodeId: 7,
      streamId: 1,
      clockHint: { wallMs: Date.now() + 300, logical: 0 },
      payload: Buffer.from(`framed ${i}`),
    }),
  );

describe('analytics', () => {
  let sent = 0;

  it('renders real rates by stream and sender after traffic', async () => {
    const { page } = browser;
    // Six seconds of traffic: 20 + 8 datagrams every 200 ms, and a framed one every 400 ms.
    for (let step = 0; step < 30; step++) {
      const json = Array.from({ length: 20 }, (_, i) => JSON.stringify({ step, i, user: `u${i % 5}` }));
      const orders = Array.from({ length: 8 }, (_, i) => `order ${step}-${i} ${'x'.repeat(i * 40)}`);
      await stack.sendUdp(json, 'default');
      await stack.sendUdp(orders, 'orders');
      sent += json.length + orders.length;
      if (step % 2 === 0) {
        await stack.sendUdp([framed(step)], 'orders');
        sent += 1;
      }
      await sleep(200);
    }

    await page.getByRole('link', { name: 'Analytics' }).click();
    await page.getByRole('heading', { level: 1, name: 'Analytics' }).waitFor();

    // The stacked chart lists both streams; the totals come from the hub's 1 s history.
    const legend = page.getByRole('list', { name: 'Streams' });
    await legend.getByText('default', { exact: true }).waitFor({ timeout: 15_000 });
    await legend.getByText('orders', { exact: true }).waitFor();
    expect(await page.locator('.recharts-area').count()).toBeGreaterThanOrEqual(2);
    const total = (await stat('.analytics-stats', /^Events, last 5 min$/).textContent())!;
    expect(total).toMatch(/^≈\d+$/);
    // The history is sampled once a second, so its sum is close to, not exactly, what was sent.
    expect(Math.abs(Number(total.slice(1)) - sent)).toBeLessThanOrEqual(sent * 0.2);
    expect(await stat('.analytics-stats', 'Peak rate').textContent()).toMatch(/^[1-9]\d*/);

    // Top streams: both ranked, default (20 per step) first.
    const top = page.locator('table', { has: page.locator('caption', { hasText: 'Top streams' }) });
    const names = await top.locator('tbody tr td:first-child').allTextContents();
    expect(names).toEqual(['default', 'orders']);

    // Senders: the host (raw datagrams) and node 7 (framed), each with a rate.
    const senders = page.locator('table', { has: page.locator('caption', { hasText: /^Senders$/ }) });
    await senders.getByRole('row', { name: /127\.0\.0\.1/ }).waitFor();
    await senders.getByRole('row', { name: /node-7/ }).waitFor();

    // Every event is in the payload-size histogram.
    await expect.poll(() => stat('.analytics-pair', 'Events counted').textContent()).toBe(String(sent));

    // Node 7's hints ran ahead: applied and measured.
    const skew = page.locator('table', {
      has: page.locator('caption', { hasText: 'Clock hints by sender' }),
    });
    const node7 = skew.getByRole('row', { name: /node-7/ });
    await node7.waitFor();
    expect(Number((await node7.locator('td').nth(1).textContent())!.replace(/,/g, ''))).toBeGreaterThan(0);
    expect(await node7.locator('td').nth(2).textContent()).toMatch(/^\d+(\.\d)? ms$/);
    expectNoErrors(browser);
  });

  it('keeps the window in the URL and redraws from the history (the screenshot)', async () => {
    const { page } = browser;
    const group = page.getByRole('group', { name: 'Window' });
    await group.getByRole('button', { name: '1h', exact: true }).click();
    await expect.poll(() => param('window')).toBe('1h');
    await page.getByText(/The last 1 hour, 15-second means/).waitFor();
    expect(await stat('.analytics-stats', /^Events, last 1 hour$/).textContent()).toMatch(/^≈\d+$/);

    await group.getByRole('button', { name: '5m', exact: true }).click();
    await expect.poll(() => param('window')).toBe(null);
    await page.getByText(/The last 5 min, 1-second means/).waitFor();
    // Uneven traffic for a few seconds, still flowing at the picture, so that the live numbers are not zero.
    for (let step = 0; step < 20; step++) {
      const n = Math.round(10 + 8 * Math.sin(step / 2));
      await stack.sendUdp(
        Array.from({ length: n }, (_, i) => JSON.stringify({ step, i })),
        'default',
      );
      await stack.sendUdp([`order ${step}`, framed(step)], 'orders');
      await sleep(250);
    }
    await browser.screenshot('analytics');
    expectNoErrors(browser);
  });
});
