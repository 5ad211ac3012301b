/**
 * Connectors in a real browser against a real sequencer and hub: the UDP listener is listed read-only; a
 * webhook is tested, created from the wizard and fed (from the page and with curl-like pushes), and its live
 * counters move; a bad http-poll URL is shown at its field; pause and delete work.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Browser, expectNoErrors, SETUP_TIMEOUT_MS, type Stack, startLoggedIn } from './harness.ts';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  ({ stack, browser } = await startLoggedIn());
}, SETUP_TIMEOUT_MS);

const form = () => browser.page.getByRole('form', { name: 'New connector' });
const row = (text: string) => browser.page.getByRole('row').filter({ hasText: text });

describe('connectors', () => {
  it('creates a webhook from the wizard, and its counters move as events are pushed', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Connectors' }).click();
    await page.getByRole('heading', { level: 1, name: 'Connectors' }).waitFor();
    await row(`udp-${stack.udpPort()}`).getByText('read-only').waitFor();

    await form().getByLabel('Name').fill('shop');
    await form().getByLabel('Stream').fill('shop-orders');
    await form().getByRole('button', { name: 'Test connection' }).click();
    await form().getByRole('status').filter({ hasText: 'a webhook needs no connection' }).waitFor();
    await form().getByRole('button', { name: 'Create connector' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Created shop \(con_/ })
      .waitFor();
    const shop = row('shop-orders');
    await shop.getByText('active').waitFor();
    const id = (await shop.locator('code').first().textContent())!;
    expect(id).toMatch(/^con_[0-9a-f]{12}$/);

    await page.getByRole('button', { name: 'Send a test event to shop' }).click();
    await shop.getByRole('cell', { name: '1', exact: true }).waitFor();
    const pushed = await fetch(`${stack.hubUrl}/api/connectors/${id}/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/x-ndjson' },
      body: '{"order":1}\n{"order":2}\n',
    });
    expect(pushed.status).toBe(200);
    await shop.getByRole('cell', { name: '3', exact: true }).waitFor();
    await browser.screenshot('connectors');

    await page.getByRole('button', { name: 'Pause shop' }).click();
    await shop.getByText('paused').waitFor();
    await page.getByRole('button', { name: 'Resume shop' }).waitFor();

    await form().getByRole('button', { name: 'HTTP poll' }).click();
    await form().getByLabel('Name').fill('feed');
    await form().getByLabel('URL').fill('ftp://example');
    await form().getByRole('button', { name: 'Create connector' }).click();
    await form().getByText('url must be an absolute http:// or https:// URL').waitFor();

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete shop' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted shop' }).waitFor();
    await row('shop-orders').waitFor({ state: 'detached' });
    expectNoErrors(browser);
  });
});
