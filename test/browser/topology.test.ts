/**
 * The Topology page in a real browser against a real sequencer and hub: with traffic on two streams the graph
 * shows the sending node joined to both streams, with live rates on the edges; clicking (or Enter on) a node
 * shows its details, kept in the URL. Spans of two services sent to the hub's OTLP endpoint add both services
 * and the call between them (count and error rate); a service links to its traces on the Traces page.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Browser, expectNoErrors, SETUP_TIMEOUT_MS, type Stack, startLoggedIn } from './harness.ts';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  ({ stack, browser } = await startLoggedIn({ listens: ['default', 'orders'] }));
}, SETUP_TIMEOUT_MS);

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
      // The sender's flows (hub features that follow the journal, such as alerts, add consumer cursors).
      const senderEdges = graph.locator('.react-flow__edge[data-id^="node:"]');
      await expect.poll(() => senderEdges.count()).toBe(2);

      // Live rates: the edges and the sender carry non-zero events per second once the hub has sampled them.
      await expect
        .poll(async () => (await senderEdges.locator('.react-flow__edge-text').allTextContents()).join(' '), {
          timeout: 10_000,
        })
        .toMatch(/^[1-9][\d.]* ev\/s [1-9][\d.]* ev\/s$/);
      expect(await sender.locator('.topo-node-rate').textContent()).toMatch(/^[1-9][\d.]* ev\/s$/);
      expect(await page.locator('.topo-counts').textContent()).toMatch(
        /^1 sender · 2 streams · \d+ consumers? · /,
      );

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

  it('adds the services seen in traces and the call between them; a service links to its traces', async () => {
    const { page } = browser;
    const traceA = 'c0ffee00'.repeat(4);
    const traceB = 'c0ffee01'.repeat(4);
    const ns = (ms: number): string => String(BigInt(Math.round(ms)) * 1_000_000n);
    const start = Date.now() - 2000;
    const span = (trace: string, id: string, parent: string | null, name: string, error = false) => ({
      traceId: trace,
      spanId: id,
      ...(parent ? { parentSpanId: parent } : {}),
      name,
      kind: parent ? 2 : 3,
      startTimeUnixNano: ns(start + (parent ? 10 : 0)),
      endTimeUnixNano: ns(start + (parent ? 40 : 50)),
      status: { code: error ? 2 : 1 },
    });
    const service = (name: string, spans: unknown[]) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: name } }] },
      scopeSpans: [{ scope: { name: 'topology-test' }, spans }],
    });
    // Two checkout → inventory calls, one of them failing.
    const response = await fetch(`${stack.hubUrl}/v1/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [
          service('checkout', [
            span(traceA, 'a000000000000001', null, 'POST /checkout'),
            span(traceB, 'b000000000000001', null, 'POST /checkout'),
          ]),
          service('inventory', [
            span(traceA, 'a000000000000002', 'a000000000000001', 'reserve'),
            span(traceB, 'b000000000000002', 'b000000000000001', 'reserve', true),
          ]),
        ],
      }),
    });
    expect(response.status, await response.text()).toBe(200);

    const graph = page.getByTestId('topology-graph');
    const checkout = graph.locator('.topo-node[data-kind="service"][data-label="checkout"]');
    const inventory = graph.locator('.topo-node[data-kind="service"][data-label="inventory"]');
    await checkout.waitFor({ timeout: 15_000 });
    await inventory.waitFor();
    expect(await checkout.locator('.topo-node-stats').textContent()).toBe('2 spans0 err');
    expect(await inventory.locator('.topo-node-stats').textContent()).toBe('2 spans1 err');
    const call = graph.locator('.react-flow__edge.topo-edge-call');
    await expect.poll(() => call.count()).toBe(1);
    expect(await call.locator('.react-flow__edge-text').textContent()).toBe('2 calls · 50.0% err');
    expect(await page.locator('.topo-counts').textContent()).toMatch(/· 2 services$/);

    // Selecting a service shows its numbers and its caller.
    await inventory.locator('.topo-node-label').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('node')).toBe('service:inventory');
    const details = page.getByTestId('topology-details');
    expect(await details.textContent()).toContain('Error rate50.0%');
    const callers = page.locator('.topo-flows', { hasText: 'Called by' });
    expect(await callers.locator('li').textContent()).toBe('checkout2 calls · 50.0% err');
    await sleep(500);
    await browser.screenshot('topology-services');

    // The node's link opens the Traces page filtered by that service.
    await inventory.getByRole('link', { name: 'Traces of inventory' }).click();
    await page.getByRole('heading', { level: 1, name: 'Traces' }).waitFor();
    const url = new URL(page.url());
    expect([url.pathname, url.searchParams.get('service')]).toEqual(['/traces', 'inventory']);
    expect(await page.getByRole('form', { name: 'Search traces' }).getByLabel('Service').inputValue()).toBe(
      'inventory',
    );
    await page.getByRole('row').filter({ hasText: 'POST /checkout' }).first().waitFor();
    expect(await page.getByRole('row').filter({ hasText: 'POST /checkout' }).count()).toBe(2);
    expectNoErrors(browser);
  });
});
