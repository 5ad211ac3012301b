/**
 * The Settings page in a real browser against a real hub: an API key created, shown once, listed, revoked
 * (and then refused by the hub), both actions found in the audit log with its filters, the theme switched and
 * kept, and what a key without the admin scope sees.
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
  stack = await startStack();
  browser = await openBrowser();
  await browser.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: stack.hubUrl,
  });
  await login(browser, stack);
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function hubStatusWith(key: string): Promise<number> {
  const response = await fetch(`${stack.hubUrl}/api/system`, { headers: { authorization: `Bearer ${key}` } });
  await response.body?.cancel();
  return response.status;
}

describe('settings', () => {
  let created = '';
  let createdId = '';
  let rootId = '';

  it('creates a key, shows it once with a copy button, and lists it', async () => {
    const { page } = browser;
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    const keys = page.locator('section', { has: page.getByRole('heading', { name: 'API keys' }) });
    await keys.getByRole('row', { name: /root/ }).waitFor();

    await keys.getByRole('button', { name: 'New key' }).click();
    const form = page.getByRole('dialog', { name: 'New API key' });
    await form.getByLabel('Name').fill('grafana-e2e');
    await form.getByRole('radio', { name: /^Write/ }).check();
    await form.getByLabel('Expires').selectOption('7d');
    await form.getByRole('button', { name: 'Create key' }).click();

    const shown = page.getByRole('dialog', { name: /Key “grafana-e2e” created/ });
    created = await shown.getByLabel('The new key').inputValue();
    expect(created).toMatch(/^cz_[A-Za-z0-9_-]{43}$/);
    await shown.getByRole('button', { name: 'Copy key' }).click();
    await shown.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(created);
    await browser.screenshot('settings-new-key');
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });

    expect(await hubStatusWith(created)).toBe(200);
    const row = keys.getByRole('row', { name: /grafana-e2e/ });
    await row.waitFor();
    await expect.poll(() => row.innerText()).toMatch(/write/);
    expect(await row.innerText()).toMatch(/active/);
    expect(await row.innerText()).toContain(created.slice(0, 11));
    expect(await row.innerText()).toMatch(/in 7 d|in 6 d/);

    const listed = (await (
      await fetch(`${stack.hubUrl}/api/auth/keys`, { headers: { authorization: `Bearer ${stack.key}` } })
    ).json()) as { keys: { id: string; name: string; scopes: string[]; expiresAt: number | null }[] };
    const record = listed.keys.find((k) => k.name === 'grafana-e2e')!;
    expect(record.scopes).toEqual(['write']);
    expect(record.expiresAt).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    createdId = record.id;
    rootId = listed.keys.find((k) => k.name === 'root')!.id;
    expectNoErrors(browser);
  });

  it('revokes the key after a confirmation; the hub refuses it from then on', async () => {
    const { page } = browser;
    const keys = page.locator('section', { has: page.getByRole('heading', { name: 'API keys' }) });
    await keys.getByRole('button', { name: 'Revoke grafana-e2e' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke “grafana-e2e”?' });
    await confirm.getByText(/stops working at once/).waitFor();
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await confirm.waitFor({ state: 'detached' });

    await keys.getByRole('row', { name: /grafana-e2e/ }).waitFor({ state: 'detached' });
    await keys.getByText('1 revoked key hidden.').waitFor();
    await keys.getByLabel('Show revoked').check();
    const row = keys.getByRole('row', { name: /grafana-e2e/ });
    await expect.poll(() => row.innerText()).toMatch(/revoked/);
    expect(await row.getByRole('button', { name: /Revoke/ }).count()).toBe(0);
    expect(await hubStatusWith(created)).toBe(401);
    expectNoErrors(browser);
  });

  it('finds both key actions in the audit log, filtered by action, key and outcome', async () => {
    const { page } = browser;
    const audit = page.locator('section', { has: page.getByRole('heading', { name: 'Audit log' }) });
    await audit.getByRole('row', { name: /key\.revoke/ }).waitFor();
    await audit
      .getByRole('row', { name: /key\.create/ })
      .first()
      .waitFor();

    await audit.getByLabel('Action').fill('key.revoke');
    await expect.poll(() => new URL(page.url()).searchParams.get('action')).toBe('key.revoke');
    const rows = audit.getByRole('row').filter({ hasNot: page.getByRole('columnheader') });
    await expect.poll(() => rows.count()).toBe(1);
    const revoke = await rows.first().innerText();
    expect(revoke).toContain(createdId);
    expect(revoke).toMatch(/success 200/);
    expect(revoke).toContain('root');

    // The revocation succeeded: filtered to failures, nothing is left.
    await audit.getByLabel('Outcome').selectOption('failure');
    await audit.getByText('No entries match these filters.').waitFor();
    await audit.getByLabel('Outcome').selectOption('');
    await audit.getByLabel('Action').fill('');
    await audit.getByLabel('Time').selectOption('15m');
    await audit.getByLabel('Key').selectOption(rootId);
    await expect.poll(() => new URL(page.url()).searchParams.get('key')).toBe(rootId);
    await audit
      .getByRole('row', { name: /key\.create/ })
      .first()
      .waitFor();
    await browser.screenshot('settings-audit');

    // The filters are in the URL: a reload keeps them.
    await page.reload();
    await audit.getByRole('row', { name: /key\.revoke/ }).waitFor();
    expect(await audit.getByLabel('Time').inputValue()).toBe('15m');
    await audit.getByRole('button', { name: 'Clear filters' }).first().click();
    await expect.poll(() => new URL(page.url()).search).toBe('');
    expectNoErrors(browser);
  });

  it('pages through the audit log with the hub’s cursor', async () => {
    // 30 refused revocations (unknown ids): each is an audited failure.
    for (let i = 0; i < 30; i++) {
      const id = `key_${i.toString(16).padStart(12, '0')}`;
      const response = await fetch(`${stack.hubUrl}/api/auth/keys/${id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${stack.key}` },
      });
      expect(response.status).toBe(404);
    }
    const { page } = browser;
    const audit = page.locator('section', { has: page.getByRole('heading', { name: 'Audit log' }) });
    await audit.getByLabel('Outcome').selectOption('failure');
    await audit.getByLabel('Per page').selectOption('25');
    const rows = audit.getByRole('row').filter({ hasNot: page.getByRole('columnheader') });
    await expect.poll(() => rows.count()).toBe(25);
    expect(await rows.first().innerText()).toContain('key_00000000001d');
    expect(await rows.first().innerText()).toMatch(/failure 404/);

    await audit.getByRole('button', { name: 'Older' }).click();
    await audit.getByText('Page 2 · 5 entries').waitFor();
    expect(await rows.count()).toBe(5);
    expect(await rows.last().innerText()).toContain('key_000000000000');
    await expect.poll(() => audit.getByRole('button', { name: 'Older' }).isDisabled()).toBe(true);

    await audit.getByRole('button', { name: 'Newer' }).click();
    await audit.getByText('Page 1 · 25 entries').waitFor();
    expect(await rows.first().innerText()).toContain('key_00000000001d');
    await audit.getByRole('button', { name: 'Clear filters' }).first().click();
    await audit.getByLabel('Per page').selectOption('50');
    expectNoErrors(browser);
  });

  it('switches the theme and keeps it across a reload; the refresh interval is stored', async () => {
    const { page } = browser;
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    await page.getByRole('radio', { name: 'Light', exact: true }).check();
    await expect.poll(theme).toBe('light');
    await page.evaluate(() => {
      window.scrollTo(0, 0);
      document.getElementById('main')?.scrollTo(0, 0);
    });
    await browser.screenshot('settings');

    await page.getByRole('radio', { name: 'Dark', exact: true }).check();
    await expect.poll(theme).toBe('dark');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).not.toBe('rgb(245, 246, 248)');
    await page.waitForTimeout(300); // let the color transitions finish before the picture
    await browser.screenshot('settings-dark');

    await page.getByLabel('Refresh every').selectOption({ label: '10 s' });
    expect(await page.evaluate(() => localStorage.getItem('lacrimosa.refreshMs'))).toBe('10000');

    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    expect(await theme()).toBe('dark');
    expect(await page.getByRole('radio', { name: 'Dark', exact: true }).isChecked()).toBe(true);
    await page.getByRole('radio', { name: 'Light', exact: true }).check();
    expectNoErrors(browser);
  });

  it('a key without the admin scope sees that keys and the audit log need an admin key', async () => {
    const response = await fetch(`${stack.hubUrl}/api/auth/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'viewer', scopes: ['read'] }),
    });
    const { key } = (await response.json()) as { key: string };
    const reader = await openBrowser();
    try {
      await reader.page.goto(`${stack.hubUrl}/settings#key=${key}`);
      await reader.page.getByText('These need an admin key.').waitFor();
      await reader.page.getByText(/This browser uses viewer/).waitFor();
      expect(await reader.page.getByRole('heading', { name: 'Audit log', exact: true }).count()).toBe(0);
      expect(await reader.page.getByRole('alert').count()).toBe(0);
      await reader.screenshot('settings-read-key');
      // Before the live connection says who the key is, the page may ask once and be told 403.
      reader.allowErrors(/status of 403/);
      expectNoErrors(reader);
    } finally {
      await reader.close();
    }
  });

  it('clears the stored key and asks for one', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Clear stored key' }).click();
    await page.getByRole('dialog', { name: 'Key cleared' }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem('lacrimosa.apiKey'))).toBeNull();
    expectNoErrors(browser);
  });
});
