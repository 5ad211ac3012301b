/**
 * The browser-test harness: a real stack (a `cz start` sequencer and a hub serving the built UI) and a real
 * browser (Debian's chromium driven by playwright-core) for `test/browser/*.test.ts`.
 *
 * ```ts
 * import { afterAll, beforeAll, expect, it } from 'vitest';
 * import { expectNoErrors, login, openBrowser, SETUP_TIMEOUT_MS, startStack, type Browser, type Stack } from './harness.ts';
 *
 * let stack: Stack;
 * let browser: Browser;
 * beforeAll(async () => {
 *   stack = await startStack({ listens: ['default', 'orders'] });
 *   browser = await openBrowser();
 *   await login(browser, stack);
 * }, SETUP_TIMEOUT_MS);
 * afterAll(async () => {
 *   await browser?.close();
 *   await stack?.close();
 * });
 *
 * it('shows a datagram', async () => {
 *   await stack.sendUdp(['hello'], 'orders');
 *   await browser.page.getByRole('link', { name: 'Event Explorer' }).click();
 *   await browser.page.getByText('hello').waitFor();
 *   await browser.screenshot('explorer');
 *   expectNoErrors(browser);
 * });
 * ```
 *
 * - `startStack(options?)` → `Stack`: a sequencer with one UDP listener on a free port per name in
 *   `options.listens` (default `['default']`), its journal and IPC socket in a temp dir; a hub on a free port
 *   of 127.0.0.1 with its own data dir, connected to that sequencer and serving a snapshot of `ui/dist`.
 *   `ui/dist` is rebuilt first (`npm run build:ui`) when missing or older than its sources, under a lock
 *   shared by every test process on the machine, and copied while the lock is held, so a rebuild started by
 *   another test file or engineer cannot change the files under a running test.
 *   `Stack`: `hubUrl`, `key` (the hub's root key, admin scope), `udpPort(stream = 'default')`,
 *   `sendUdp(payloads, stream = 'default')` (to 127.0.0.1, one datagram each), `journalPath`, `close()`.
 * - `openBrowser()` → `Browser`: chromium headless, fresh profile, 1280×800. `page` is a playwright-core
 *   `Page`; `errors` collects console errors and uncaught page errors as they happen;
 *   `allowErrors(pattern)` excuses the errors a test expects (a 401 while trying a wrong key);
 *   `screenshot(name)` writes `test/browser/screenshots/<name>.png` (git-ignored) and returns its path.
 * - `login(browser, stack, via = 'fragment')`: through the one-click `#key=` link, or by typing the key into
 *   the key modal (`'modal'`, after forgetting any stored key). Ends on the Overview with the key accepted:
 *   the modal closed and the live connection up ("Live" in the sidebar).
 * - `expectNoErrors(browser)`: fails listing every collected error that no `allowErrors` pattern matches.
 *
 * Every stack and browser is closed in an `afterAll` this module registers (and every `cz` child killed),
 * also when a test or a `beforeAll` fails halfway; calling `close()` yourself earlier is fine (it is idempotent).
 * Keep one stack per test file: starting one costs about a second, plus a UI build when the sources changed.
 *
 * @module
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, expect } from 'vitest';
import { collectBuildFacts, planBuilds, runBuildStep } from '../../src/cli/launcher/builds.ts';
import { startHub, type TestHub } from '../helpers/hub.ts';
import { killAll, tempDir, until } from '../helpers/processes.ts';
import { sendUdp, startSequencer, type TestSequencer } from '../helpers/sequencer.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const CHROMIUM = process.env.CZ_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface StackOptions {
  /** Stream names; each gets a UDP listener on its own free port. Default `['default']`. */
  listens?: string[];
}

export interface Stack {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  hubUrl: string;
  /** The hub's root key (admin scope). */
  key: string;
  /** The UDP port of `stream`'s listener (default `'default'`). */
  udpPort(stream?: string): number;
  /** Sends each payload as one datagram to `stream`'s listener on 127.0.0.1. */
  sendUdp(payloads: (string | Buffer)[], stream?: string): Promise<void>;
  journalPath: string;
  close(): Promise<void>;
}

export interface Browser {
  page: Page;
  /** Console errors and uncaught page errors, in order, as `console: …` / `pageerror: …`. */
  errors: string[];
  /** Errors matching `pattern` are not reported by `expectNoErrors`. */
  allowErrors(pattern: RegExp): void;
  /** Saves the viewport as `test/browser/screenshots/<name>.png` and returns the path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * For the `beforeAll` that starts a stack: room for a UI build, and for waiting on another process's build
 * (the machine is shared), on top of the default hook timeout.
 */
export const SETUP_TIMEOUT_MS = 180_000;

const openStacks = new Set<Stack>();
const openBrowsers = new Set<Browser>();
const allowed = new WeakMap<Browser, RegExp[]>();

afterAll(async () => {
  await Promise.allSettled([...openBrowsers].map((b) => b.close()));
  await Promise.allSettled([...openStacks].map((s) => s.close()));
  await killAll();
});

// ---------------------------------------------------------------------------------------------------------
// The UI bundle

const LOCK = join(
  tmpdir(),
  `lacrimosa-ui-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}`,
);
/** A lock older than this is left over from a crashed run (a build takes seconds). */
const LOCK_STALE_MS = 5 * 60_000;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the machine-wide build lock (a directory: mkdir is atomic), breaking it if its owner is gone. */
async function lock(): Promise<() => void> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return () => rmSync(LOCK, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let stale = false;
    try {
      const pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
      stale = (pid > 0 && !pidAlive(pid)) || Date.now() - statSync(LOCK).mtimeMs > LOCK_STALE_MS;
    } catch {
      // The owner has made the directory but not yet written its pid, or just released it.
    }
    if (stale) rmSync(LOCK, { recursive: true, force: true });
    if (Date.now() > deadline) throw new Error(`timed out waiting for the UI build lock ${LOCK}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// eslint-disable-next-line no-control-regex -- the escape sequences are what it removes
const stripAnsi = (text: string): string => text.replace(/\x1b\[[0-9;]*m/g, '');

let uiSnapshot: Promise<string> | null = null;

/** Builds ui/dist if it is missing or stale, and returns a private copy of it for this test file. */
function builtUi(): Promise<string> {
  uiSnapshot ??= (async () => {
    const release = await lock();
    try {
      const step = planBuilds(collectBuildFacts(ROOT)).steps.find((s) => s.name === 'ui');
      if (step) {
        const log = join(tempDir('cz-uibuild-'), 'build.log');
        const code = await runBuildStep(ROOT, 'ui', log);
        if (code !== 0)
          throw new Error(
            `npm run build:ui failed (${step.reason}):\n${stripAnsi(readFileSync(log, 'utf8')).slice(-4000)}`,
          );
      }
      const copy = join(tempDir('cz-ui-'), 'dist');
      cpSync(join(ROOT, 'ui', 'dist'), copy, { recursive: true });
      return copy;
    } finally {
      release();
    }
  })();
  return uiSnapshot;
}

// ---------------------------------------------------------------------------------------------------------
// The stack

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const streams = options.listens ?? ['default'];
  const uiDir = await builtUi();
  let sequencer: TestSequencer | null = null;
  let hub: TestHub | null = null;
  let closed = false;
  const stack: Stack = {
    hubUrl: '',
    key: '',
    journalPath: '',
    udpPort(stream = 'default') {
      if (!sequencer) throw new Error('the stack is not running');
      return sequencer.port(stream);
    },
    sendUdp(payloads, stream = 'default') {
      return sendUdp(stack.udpPort(stream), payloads);
    },
    async close() {
      if (closed) return;
      closed = true;
      openStacks.delete(stack);
      await hub?.close();
      if (sequencer && sequencer.process.child.exitCode === null) await sequencer.stop('SIGTERM');
    },
  };
  openStacks.add(stack);
  try {
    sequencer = await startSequencer({ backend: 'auto', listens: streams.map((s) => `0=${s}`) });
    hub = await startHub({ journalPath: sequencer.journal, ipcPath: sequencer.ipcPath, uiDir });
    const url = hub.url;
    await until(
      async () => {
        const response = await fetch(`${url}/api/status`);
        const status = (await response.json()) as { sequencer?: { state?: string } };
        return status.sequencer?.state === 'connected';
      },
      'the hub to connect to the sequencer',
      20_000,
    );
    stack.hubUrl = url;
    stack.key = hub.rootKey;
    stack.journalPath = sequencer.journal;
    return stack;
  } catch (error) {
    await stack.close();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The browser

export async function openBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `chromium not found at ${CHROMIUM}: apt-get install chromium (.ci/run does), or set CZ_CHROMIUM to a Chromium binary`,
    );
  const profile = tempDir('cz-chromium-');
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
  });
  let closed = false;
  const errors: string[] = [];
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const where = message.location();
    errors.push(`console: ${message.text()}${where.url ? ` (${where.url}:${where.lineNumber})` : ''}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.stack ?? error.message}`));
  const browser: Browser = {
    page,
    errors,
    allowErrors(pattern) {
      allowed.get(browser)!.push(pattern);
    },
    async screenshot(name) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const path = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path });
      return path;
    },
    async close() {
      if (closed) return;
      closed = true;
      openBrowsers.delete(browser);
      await context.close().catch(() => undefined);
    },
  };
  allowed.set(browser, []);
  openBrowsers.add(browser);
  return browser;
}

/** Errors no `allowErrors` pattern excuses. */
export function unexpectedErrors(browser: Browser): string[] {
  const patterns = allowed.get(browser) ?? [];
  return browser.errors.filter((e) => !patterns.some((p) => p.test(e)));
}

export function expectNoErrors(browser: Browser): void {
  const unexpected = unexpectedErrors(browser);
  expect(unexpected, `browser errors:\n${unexpected.join('\n')}`).toEqual([]);
}

/** Waits until the key is in use: no key modal, and the sidebar's connection indicator says "Live". */
async function waitForLoggedIn(page: Page): Promise<void> {
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  await page.locator('.connection-label', { hasText: /^Live$/ }).waitFor();
  await page.locator('[data-page="overview"]').waitFor();
}

/**
 * The usual `beforeAll` of a page's test file: a stack with `options`, a browser, and the root key logged in.
 * Both are closed by the harness's own `afterAll`.
 */
export async function startLoggedIn(options: StackOptions = {}): Promise<{ stack: Stack; browser: Browser }> {
  const stack = await startStack(options);
  const browser = await openBrowser();
  await login(browser, stack);
  return { stack, browser };
}

export async function login(
  browser: Browser,
  stack: Stack,
  via: 'fragment' | 'modal' = 'fragment',
): Promise<void> {
  const { page } = browser;
  if (via === 'fragment') {
    await page.goto(`${stack.hubUrl}/#key=${stack.key}`);
  } else {
    await page.goto(`${stack.hubUrl}/`);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('API key').fill(stack.key);
    await dialog.getByRole('button', { name: 'Connect' }).click();
  }
  await waitForLoggedIn(page);
}
