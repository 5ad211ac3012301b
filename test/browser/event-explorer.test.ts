/**
 * The Event Explorer in a real browser against a real sequencer and hub: datagrams sent over UDP — JSON, text
 * with control characters, and bytes that are not UTF-8 — arrive through live follow and show byte for byte in
 * the payload viewer (text view, hex dump, JSON with its literals kept), with their checksum verified; cursor
 * paging walks the journal page by page and back; the stream filter and the open event live in the URL.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Browser, expectNoErrors, SETUP_TIMEOUT_MS, type Stack, startLoggedIn } from './harness.ts';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  ({ stack, browser } = await startLoggedIn({ listens: ['default', 'orders'] }));
}, SETUP_TIMEOUT_MS);

/** Sequence 0: JSON whose big integer and escapes would not survive JSON.parse + stringify. */
const JSON_PAYLOAD =
  '{"order":1,"note":"Zo\\u00eb \\"quoted\\" ✓","big":12345678901234567890,"ok":true,"items":[1.50,null]}';
/** Sequence 1: text with a tab, CRLF and a trailing newline. */
const TEXT_PAYLOAD = 'line one\r\n\tline two ünïcödé\n';
/** Sequence 2: not UTF-8 (0xff, 0xfe, a lone continuation byte, a cut sequence), longer than one dump row. */
const BINARY_PAYLOAD = Buffer.from([
  0x00, 0xff, 0xfe, 0x80, 0x43, 0x5a, 0x0a, 0xc3, 0x28, 0x7f, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0xe2,
  0x82,
]);

const rows = () => browser.page.locator('.explorer-table tbody tr');
const seqsShown = async () =>
  (
    await browser.page
      .locator('.explorer-table [data-seq]')
      .evaluateAll((cells) => cells.map((c) => c.getAttribute('data-seq')))
  ).map(Number);
const param = (name: string) => new URL(browser.page.url()).searchParams.get(name);

async function openView(name: 'JSON' | 'Text' | 'Hex' | 'Base64') {
  await browser.page.getByRole('tab', { name, exact: true }).click();
  await expect.poll(() => param('view')).toBe(name.toLowerCase());
}

describe('event explorer', () => {
  it('says how to send traffic while the journal is empty, then follows datagrams as they arrive', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Event Explorer' }).click();
    await page.getByRole('heading', { level: 1, name: 'Event Explorer' }).waitFor();
    await page.getByText('The journal is empty').waitFor();
    expect(await page.locator('.traffic-hint-commands').textContent()).toContain(
      `nc -u -w1 127.0.0.1 ${stack.udpPort('default')}`,
    );

    await page.getByRole('button', { name: 'Follow live' }).first().click();
    await expect.poll(() => param('follow')).toBe('1');
    // One port at a time: datagrams waiting on two sockets may be journaled in either order.
    await stack.sendUdp([JSON_PAYLOAD], 'orders');
    await expect.poll(seqsShown, { timeout: 10_000 }).toEqual([0]);
    await stack.sendUdp([TEXT_PAYLOAD, BINARY_PAYLOAD], 'default');

    await expect.poll(seqsShown, { timeout: 10_000 }).toEqual([2, 1, 0]);
    await page.getByText(/live · 3 new/).waitFor();
    expect(await rows().nth(2).locator('td').nth(2).textContent()).toBe('orders');
    expectNoErrors(browser);
  });

  it('shows a JSON payload with its literals as sent, and its exact bytes as text and hex', async () => {
    const { page } = browser;
    await page.locator('[data-seq="0"]').click();
    await expect.poll(() => param('seq')).toBe('0');
    await page.getByRole('heading', { name: 'Event #0' }).waitFor();
    await page.getByText('✓ checksum ok').waitFor();

    // JSON (the default for a payload that parses): re-indented only — no literal changed.
    const pretty = (await page.getByTestId('payload-json').textContent())!;
    expect(pretty).toContain('\n  "big": 12345678901234567890,');
    expect(pretty.replace(/\s+/g, '')).toBe(JSON_PAYLOAD.replace(/\s+/g, ''));

    await openView('Text');
    expect(await page.getByTestId('payload-text').textContent()).toBe(JSON_PAYLOAD);
    await openView('Hex');
    const hex = (await page.locator('.hexdump .hex-bytes').allTextContents()).join('').replace(/\s+/g, '');
    expect(hex).toBe(Buffer.from(JSON_PAYLOAD).toString('hex'));
    expectNoErrors(browser);
  });

  it('shows text with control characters byte for byte', async () => {
    const { page } = browser;
    // k/j move through the list; the list is newest first, so "k" from #0 goes to #1.
    await page.locator('.explorer-table').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('k');
    await expect.poll(() => param('seq')).toBe('1');
    await page.getByRole('heading', { name: 'Event #1' }).waitFor();
    await openView('Text');
    expect(await page.getByTestId('payload-text').textContent()).toBe(TEXT_PAYLOAD);
    await openView('Hex');
    const hex = (await page.locator('.hexdump .hex-bytes').allTextContents()).join('').replace(/\s+/g, '');
    expect(hex).toBe(Buffer.from(TEXT_PAYLOAD).toString('hex'));
    expectNoErrors(browser);
  });

  it('shows bytes that are not UTF-8 as a hex dump with offsets, and offers no text view', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: '↑ Prev' }).click();
    await expect.poll(() => param('seq')).toBe('2');
    await page.getByRole('heading', { name: 'Event #2' }).waitFor();
    await page.getByText('✓ checksum ok').waitFor();
    await page.getByRole('tab', { name: 'Hex', exact: true, selected: true }).waitFor();
    expect(await page.getByRole('tab', { name: 'Text', exact: true }).count()).toBe(0);

    const dump = page.locator('.hexdump .hex-row');
    expect(await dump.count()).toBe(2);
    expect(await dump.locator('.hex-offset').allTextContents()).toEqual(['0000', '0010']);
    const hex = (await page.locator('.hexdump .hex-bytes').allTextContents()).join('').replace(/\s+/g, '');
    expect(hex).toBe(BINARY_PAYLOAD.toString('hex'));
    expect(await dump.first().locator('.hex-ascii').textContent()).toBe('....CZ..(.......');

    await openView('Base64');
    expect(await page.getByTestId('payload-base64').textContent()).toBe(BINARY_PAYLOAD.toString('base64'));
    expectNoErrors(browser);
  });

  it('pages through the journal with cursors, newest first, and back', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Following' }).click();
    await expect.poll(() => param('follow')).toBe(null);
    await stack.sendUdp(
      Array.from({ length: 40 }, (_, i) => `page event ${i}`),
      'default',
    );
    await stack.sendUdp(['order two', 'order three'], 'orders');
    await page.getByLabel('Per page').selectOption('25');
    await expect.poll(() => param('limit')).toBe('25');
    // 45 events: 44 … 20 on the first page.
    await expect.poll(seqsShown, { timeout: 10_000 }).toEqual(Array.from({ length: 25 }, (_, i) => 44 - i));

    await page.getByRole('button', { name: 'Older →' }).click();
    await expect.poll(seqsShown).toEqual(Array.from({ length: 20 }, (_, i) => 19 - i));
    expect(param('cursor')).not.toBe(null);
    expect(await page.getByRole('button', { name: 'Older →' }).isDisabled()).toBe(true);

    await page.getByRole('button', { name: '← Newer' }).click();
    await expect.poll(seqsShown).toEqual(Array.from({ length: 25 }, (_, i) => 44 - i));
    expect(param('cursor')).toBe(null);

    await page.getByRole('group', { name: 'Order' }).getByRole('button', { name: 'Oldest first' }).click();
    await expect.poll(seqsShown).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expectNoErrors(browser);
  });

  it('filters by stream, kept in the URL across a reload (the screenshot)', async () => {
    const { page } = browser;
    await page.getByLabel('Stream', { exact: true }).selectOption('orders');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => param('stream')).toBe('orders');
    // The two later orders events were sent with the page events of another port: their place varies.
    await expect.poll(async () => (await seqsShown()).length).toBe(3);
    const orders = await seqsShown();
    expect(orders[0]).toBe(0);
    expect(orders[1]! > 2 && orders[2]! > orders[1]!).toBe(true);
    const streams = await rows().locator('td:nth-child(3)').allTextContents();
    expect(streams).toEqual(['orders', 'orders', 'orders']);

    await page.reload();
    await expect.poll(seqsShown).toEqual(orders);
    expect(await page.getByLabel('Stream', { exact: true }).inputValue()).toBe('orders');
    await page.locator('[data-seq="0"]').click();
    await page.getByRole('tab', { name: 'JSON', exact: true }).click();
    await page.getByText('✓ checksum ok').waitFor();
    await browser.screenshot('event-explorer');
    expectNoErrors(browser);
  });
});
