/**
 * Logging in to the control center in a real browser against a real sequencer and hub: the key modal, the
 * one-click `#key=` link (which must leave the address bar), and a wrong key.
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
const browsers: Browser[] = [];

async function freshBrowser(): Promise<Browser> {
  const browser = await openBrowser();
  browsers.push(browser);
  return browser;
}

beforeAll(async () => {
  stack = await startStack();
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  await stack?.close();
});

describe('login', () => {
  it('asks for a key on the first visit and accepts the root key typed into the modal', async () => {
    const browser = await freshBrowser();
    await browser.page.goto(`${stack.hubUrl}/`);
    const dialog = browser.page.getByRole('dialog');
    await expect.poll(() => dialog.getByRole('heading').textContent()).toBe('Connect to the hub');

    await login(browser, stack, 'modal');
    expect(await browser.page.evaluate(() => localStorage.getItem('lacrimosa.apiKey'))).toBe(stack.key);
    await browser.screenshot('login-modal');

    // The stored key survives a reload: no modal the second time.
    await browser.page.reload();
    await browser.page.locator('.connection-label', { hasText: /^Live$/ }).waitFor();
    expect(await browser.page.getByRole('dialog').count()).toBe(0);
    expectNoErrors(browser);
  });

  it('logs in through the #key= link and removes the key from the address bar', async () => {
    const browser = await freshBrowser();
    await login(browser, stack, 'fragment');
    const url = new URL(browser.page.url());
    expect(url.hash).toBe('');
    expect(browser.page.url()).not.toContain(stack.key);
    expect(url.pathname).toBe('/');
    expect(await browser.page.evaluate(() => localStorage.getItem('lacrimosa.apiKey'))).toBe(stack.key);
    expectNoErrors(browser);
    // The history entry was replaced, not followed by a clean one: one step back is the blank start page.
    await browser.page.goBack();
    expect(browser.page.url()).toBe('about:blank');
  });

  it('shows the hub’s refusal in the modal for a wrong key, and a format hint for a malformed one', async () => {
    const browser = await freshBrowser();
    // The browser logs the refused request itself ("Failed to load resource … 401").
    browser.allowErrors(/status of 401/);
    await browser.page.goto(`${stack.hubUrl}/`);
    const dialog = browser.page.getByRole('dialog');
    const input = dialog.getByLabel('API key');
    const connect = dialog.getByRole('button', { name: 'Connect' });

    await input.fill('not-a-key');
    await connect.click();
    await dialog.getByText(/A key looks like cz_/).waitFor();
    await expect.poll(() => input.getAttribute('aria-invalid')).toBe('true');

    const wrong = `cz_${'A'.repeat(43)}`;
    await input.fill(wrong);
    await connect.click();
    await dialog.locator('.field-error', { hasText: 'UNAUTHORIZED' }).waitFor();
    await browser.screenshot('login-wrong-key');
    expect(await browser.page.evaluate(() => localStorage.getItem('lacrimosa.apiKey'))).toBeNull();

    // The right key still works from the same modal.
    await input.fill(stack.key);
    await connect.click();
    await dialog.waitFor({ state: 'detached' });
    await browser.page.locator('.connection-label', { hasText: /^Live$/ }).waitFor();
    expectNoErrors(browser);
  });

  it('a malformed login link opens the modal saying so', async () => {
    const browser = await freshBrowser();
    await browser.page.goto(`${stack.hubUrl}/#key=cz_short`);
    const dialog = browser.page.getByRole('dialog');
    await expect.poll(() => dialog.getByRole('heading').textContent()).toBe('That login link did not work');
    expect(new URL(browser.page.url()).hash).toBe('');
    expectNoErrors(browser);
  });
});
