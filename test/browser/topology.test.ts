/**
 * The Topology page in a real browser against a real sequencer and hub: with traffic on two streams the graph
 * shows the sending node joined to both streams, with live rates on the edges; clicking (or Enter on) a node
 * shows its details, kept in the URL.
 */
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

beforeAll(async () => {
  stack = await startStack({ listens: ['default', 'orders'] });
  browser = await openBrowser();
  await login(browser, stack);
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends a few datagrams to both streams every 100 ms until the returned function is called. */
function keepSending(): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      await stack.sendUdp([`{"tick":${i}}`, `{"tick":${i},"again":true}`], 'default');
      await stack.sendUdp([`order ${i}`], 'orders');
      await sleep(100);
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

describe('topology', () => {
  it('says how to send traffic while there are no senders', async () => {
    const { page } = browser;
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Topology' }).click();
    await page.getByRole('heading', { level: 1, name: 'Topology' }).waitFor();
    await page.getByText('No senders yet').waitFor();
    expect(await page.locator('.traffic-hint-commands').textContent()).toContain(
      `127.0.0.1 ${stack.udpPort('orders')}`,
    );
    expectNoErrors(browser);
  });

  it('draws the sending node joined to both streams, with rates on the edges', async () => {
    const { page } = browser;
    const stop = keepSending();
    try {
      const graph = page.getByTestId('topology-graph');
      const sender = graph.locator('.topo-node[data-kind="node"][data-label="127.0.0.1"]');
      await sender.waitFor({ timeout: 15_000 });
      await graph.locator('.topo-node[data-kind="stream"][data-label="default"]').waitFor();
      await graph.locator('.topo-node[data-kind="stream"][data-label="orders"]').waitFor();
      await page.getByText('No senders yet').waitFor({ state: 'detached' });
      await expect.poll(() => graph.locator('.react-flow__edge').count()).toBe(2);

      // Live rates: the edges and the sender carry non-zero events per second once the hub has sampled them.
      await expect
        .poll(async () => (await graph.locator('.react-flow__edge-text').allTextContents()).join(' '), {
          timeout: 10_000,
        })
        .toMatch(/^[1-9][\d.]* ev\/s [1-9][\d.]* ev\/s$/);
      expect(await sender.locator('.topo-node-rate').textContent()).toMatch(/^[1-9][\d.]* ev\/s$/);
      expect(await page.locator('.topo-counts').textContent()).toMatch(/1 sender · 2 streams · 0 consumers/);

      await sender.click();
      await expect.poll(() => new URL(page.url()).searchParams.get('node')).toBe('node:2130706433');
      const details = page.getByTestId('topology-details');
      expect(await details.textContent()).toContain('IPv4 source address');
      const flows = page.locator('.topo-flows', { hasText: 'Sends to' });
      await flows.getByRole('button', { name: 'default' }).waitFor();
      await flows.getByRole('button', { name: 'orders' }).waitFor();
      await sleep(1000);
      await browser.screenshot('topology');

      // Following a flow selects the stream at its other end.
      await flows.getByRole('button', { name: 'orders' }).click();
      await expect.poll(() => new URL(page.url()).searchParams.get('node')).toBe('stream:1');
      await page
        .locator('.topo-flows', { hasText: 'Receives from' })
        .getByRole('button', { name: '127.0.0.1' })
        .waitFor();
    } finally {
      await stop();
    }
    expectNoErrors(browser);
  });

  it('selects a node from the keyboard', async () => {
    const { page } = browser;
    await page.getByRole('combobox', { name: 'Select a node' }).selectOption('');
    await expect.poll(() => new URL(page.url()).searchParams.get('node')).toBe(null);
    const node = page.locator('.react-flow__node', { has: page.locator('[data-label="default"]') });
    await node.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.get('node')).toBe('stream:0');
    expect(await page.getByTestId('topology-details').textContent()).toContain('registered in the journal');
    expectNoErrors(browser);
  });
});
