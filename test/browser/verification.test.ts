/**
 * Verification in a real browser against a real sequencer and hub: a small run started from the page (every
 * suite, 100 runs per property, the journal checked) shows its progress and then every property passing, the
 * journal invariants passing, and its place in the history; a seeded single-suite run gives the `cz verify`
 * line that reproduces it; starting while another run is in progress shows that run instead of an error.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Browser, expectNoErrors, SETUP_TIMEOUT_MS, type Stack, startLoggedIn } from './harness.ts';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  ({ stack, browser } = await startLoggedIn());
}, SETUP_TIMEOUT_MS);

const param = (name: string) => new URL(browser.page.url()).searchParams.get(name);
const table = (caption: string) =>
  browser.page.locator('table', { has: browser.page.locator('caption', { hasText: caption }) });
const form = () => browser.page.getByRole('form', { name: 'New verification run' });
/** Waits until the summary shows run `id` in `state` ('✓ passed', 'running', …). */
const summaryShows = (id: string, state: string, timeout = 60_000) =>
  browser.page
    .locator('.verify-summary-head', { has: browser.page.locator('code', { hasText: id }) })
    .locator('.badge', { hasText: state })
    .waitFor({ timeout });

describe('verification', () => {
  it('runs the suites and the journal checks from the page, and shows every property passing', async () => {
    const { page } = browser;
    // Something for the journal checks to examine.
    await stack.sendUdp(Array.from({ length: 20 }, (_, i) => `event ${i}`));

    await page.getByRole('link', { name: 'Verification' }).click();
    await page.getByRole('heading', { level: 1, name: 'Verification' }).waitFor();
    await page.getByText('No verification runs yet').waitFor();

    await form().getByRole('button', { name: '100', exact: true }).click();
    expect(await form().getByLabel('Runs per property').inputValue()).toBe('100');
    expect(
      await form()
        .getByRole('checkbox', { name: /journal/ })
        .isChecked(),
    ).toBe(true);
    await form().getByRole('button', { name: 'Run verification' }).click();

    await expect.poll(() => param('run')).toMatch(/^vr_[0-9a-f]+$/);
    const runId = param('run')!;
    await summaryShows(runId, '✓ passed');

    const properties = table('Property results').locator('tbody tr');
    const count = await properties.count();
    expect(count).toBeGreaterThanOrEqual(20);
    expect(await properties.filter({ hasText: '✓ pass' }).count()).toBe(count);
    await properties.filter({ hasText: 'reflexive: every event compares equal to itself' }).waitFor();
    const suites = new Set(await properties.locator('td:nth-child(2)').allTextContents());
    expect([...suites].sort()).toEqual(['clock', 'codec', 'crc32c', 'frame', 'order', 'sort']);
    // Each row carries its seed and the line that replays it.
    const seed = (await properties.first().locator('td:nth-child(6) code').textContent())!;
    expect(seed).toMatch(/^-?\d+$/);

    const checks = table('Journal checks').locator('tbody tr');
    expect(await checks.count()).toBeGreaterThan(0);
    expect(await checks.filter({ hasText: '✓ pass' }).count()).toBe(await checks.count());
    await page.getByRole('progressbar', { name: 'Properties done' }).waitFor();
    expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe(String(count));

    const history = table('Verification runs').locator('tbody tr');
    expect(await history.count()).toBe(1);
    expect(await history.first().textContent()).toContain(runId);
    expectNoErrors(browser);
  });

  it('gives the command line that reproduces a seeded run', async () => {
    const { page } = browser;
    await form().getByRole('button', { name: 'none', exact: true }).click();
    await form()
      .getByRole('checkbox', { name: /^codec/ })
      .check();
    await form().getByLabel('Seed', { exact: true }).fill('42');
    const first = param('run');
    await form().getByRole('button', { name: 'Run verification' }).click();
    await expect.poll(() => param('run')).not.toBe(first);
    await summaryShows(param('run')!, '✓ passed');
    const line = page.locator('.verify-summary .verify-command-line code');
    expect(await line.textContent()).toBe(
      `cz verify --suite codec --runs 100 --seed 42 --journal ${stack.journalPath}`,
    );
    const suites = await table('Property results').locator('tbody td:nth-child(2)').allTextContents();
    expect(new Set(suites)).toEqual(new Set(['codec']));
    expect(await table('Verification runs').locator('tbody tr').count()).toBe(2);
    expectNoErrors(browser);
  });

  it('shows the run in progress when one is already going (the screenshot)', async () => {
    const { page } = browser;
    // A longer run started elsewhere (the API, as `curl` would).
    const response = await fetch(`${stack.hubUrl}/api/verify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ runs: 10_000, suites: ['order', 'sort', 'codec', 'clock'], journal: false }),
    });
    expect(response.status).toBe(202);
    const running = ((await response.json()) as { id: string }).id;

    await form().getByRole('button', { name: 'all', exact: true }).click();
    await form().getByLabel('Seed', { exact: true }).fill('');
    await form().getByRole('button', { name: 'Run verification' }).click();
    await page.getByText(/A run was already in progress, so yours did not start/).waitFor();
    await expect.poll(() => param('run')).toBe(running);
    await summaryShows(running, 'running');
    await summaryShows(running, '✓ passed', 90_000);
    await page.getByText('The run that was in progress has finished: you can start yours now.').waitFor();
    await expect.poll(() => table('Verification runs').locator('tbody tr').count()).toBe(3);
    await browser.screenshot('verification');
    expectNoErrors(browser);
  });
});
