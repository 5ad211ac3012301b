/**
 * The Journal Mirror in a real browser against a real sequencer and hub: head, tail and the occupied span of
 * real traffic in the summary, the drawing and its legend; the hub's playback driven from the page — a range
 * played to its end with its frames listed, and pause, resume and stop on a slower one.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Browser, expectNoErrors, SETUP_TIMEOUT_MS, type Stack, startLoggedIn } from './harness.ts';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  ({ stack, browser } = await startLoggedIn({ listens: ['default', 'orders'] }));
}, SETUP_TIMEOUT_MS);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function summaryValue(label: string) {
  const { page } = browser;
  return page
    .locator('.mirror-summary .stat', {
      has: page.locator('.stat-label', { hasText: new RegExp(`^${label}$`) }),
    })
    .locator('.stat-value');
}

describe('journal mirror', () => {
  it('draws head, tail and the occupied slots of real traffic', async () => {
    const { page } = browser;
    await page
      .getByRole('navigation', { name: 'Pages' })
      .getByRole('link', { name: 'Journal Mirror' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Journal Mirror' }).waitFor();
    await page.getByText('The journal is empty').waitFor();

    await stack.sendUdp(
      Array.from({ length: 40 }, (_, i) => `event-${i}`),
      'default',
    );
    await stack.sendUdp(
      Array.from({ length: 10 }, (_, i) => `order-${i}`),
      'orders',
    );

    // Refreshed every second from /api/journal/layout and /api/ring.
    await expect.poll(() => summaryValue('Head').textContent(), { timeout: 10_000 }).toBe('50');
    expect(await summaryValue('Tail').textContent()).toBe('0');
    expect(await summaryValue('Retained').textContent()).toBe('50');
    await page.getByText('The journal is empty').waitFor({ state: 'detached' });
    await page
      .getByRole('img', { name: /^Index ring: .*slots 0–49 \(seq 0–49\).*head at slot 50, tail at slot 0/ })
      .waitFor();
    await page.getByRole('img', { name: /^Blob region: .*head at byte \d+, tail at byte 0/ }).waitFor();
    const legend = page.locator('.legend').first();
    expect(await legend.textContent()).toMatch(/Headseq 50 slot 50/);
    expect(await legend.textContent()).toMatch(/Occupied0–49 50 slots/);
    await page.getByText('No consumer cursors are registered').waitFor();
    expectNoErrors(browser);
  });

  it('plays a range to its end and lists the frames that arrive', async () => {
    const { page } = browser;
    const playback = page.locator('section', { has: page.getByRole('heading', { name: 'Playback' }) });
    await playback.getByRole('textbox', { name: 'From' }).fill('10');
    await playback.getByRole('textbox', { name: 'To' }).fill('30');
    await playback.getByRole('combobox', { name: 'Speed' }).selectOption('1000');
    await playback.getByRole('button', { name: 'Play', exact: true }).click();

    await expect
      .poll(() => playback.getByTestId('playback-played').textContent(), { timeout: 10_000 })
      .toMatch(/^20 in /);
    await expect.poll(() => playback.getByTestId('playback-state').textContent()).toBe('stopped');
    expect(await playback.getByText('Range', { exact: true }).locator('xpath=..').textContent()).toContain(
      '10 – 30',
    );
    const frames = playback.getByTestId('playback-frames');
    // Newest first, and only what the range holds: seq 10..29, the newest 14 of them on screen.
    await frames.getByText('#29', { exact: true }).waitFor();
    const items = await frames.locator('li').allTextContents();
    expect(items).toHaveLength(14);
    expect(items[0]).toContain('event-29');
    expect(items[0]).toContain('default');
    expect(items.at(-1)).toContain('#16');
    expect(items.join('\n')).not.toContain('#30');
    await browser.screenshot('journal-mirror');
    expectNoErrors(browser);
  });

  it('pauses, resumes and stops a slower playback, showing the playhead on the ring', async () => {
    const { page } = browser;
    // Ten events a quarter of a second apart: 2.5 s of journal time, 10 s at a quarter speed.
    for (let i = 0; i < 10; i++) {
      await stack.sendUdp([`slow-${i}`], 'orders');
      await sleep(250);
    }
    await expect.poll(() => summaryValue('Head').textContent(), { timeout: 10_000 }).toBe('60');
    const playback = page.locator('section', { has: page.getByRole('heading', { name: 'Playback' }) });
    await playback.getByRole('textbox', { name: 'From' }).fill('50');
    await playback.getByRole('textbox', { name: 'To' }).fill('');
    await playback.getByRole('combobox', { name: 'Speed' }).selectOption('0.25');
    await playback.getByRole('combobox', { name: 'Streams' }).selectOption('orders');
    await playback.getByRole('button', { name: 'Play', exact: true }).click();

    await expect.poll(() => playback.getByTestId('playback-state').textContent()).toBe('playing');
    await page.locator('.legend-row', { hasText: 'Playhead' }).waitFor();
    await playback.getByRole('button', { name: 'Pause', exact: true }).click();
    await expect.poll(() => playback.getByTestId('playback-state').textContent()).toBe('paused');
    const position = await playback.getByTestId('playback-position').textContent();
    await sleep(600);
    expect(await playback.getByTestId('playback-position').textContent()).toBe(position);

    await playback.getByRole('button', { name: 'Resume', exact: true }).click();
    await expect.poll(() => playback.getByTestId('playback-state').textContent()).toBe('playing');
    await playback.getByTestId('playback-frames').getByText('slow-', { exact: false }).first().waitFor();
    await browser.screenshot('journal-mirror-playing');
    await playback.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect.poll(() => playback.getByTestId('playback-state').textContent()).toBe('stopped');
    await page.locator('.legend-row', { hasText: 'Playhead' }).waitFor({ state: 'detached' });
    expectNoErrors(browser);
  });
});
