// @vitest-environment jsdom
/**
 * The login session: where the key comes from at start (login link, storage, nothing), what makes the key modal
 * open (a 401 for the key in use, a malformed link, clearing the key), and keeping tabs in step.
 *
 * The 401s come from a local HTTP server answering like the hub (its error shape, checking the Bearer key):
 * test helpers that start a real hub resolve file URLs, which jsdom's URL does not do. The real hub's 401s
 * are covered in api/client.test.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getSystem } from '../api/runtime.ts';
import { configureApi } from '../api/transport.ts';
import { KEY_STORAGE } from './key.ts';
import {
  dismissPrompt,
  getSession,
  login,
  logout,
  promptForKey,
  resetSession,
  startSession,
} from './session.ts';

const KEY = `cz_${'a'.repeat(43)}`;
const OTHER = `cz_${'b'.repeat(43)}`;

const GOOD = `cz_${'G'.repeat(43)}`;
let server: Server;
let hubUrl = '';
let stop: (() => void) | null = null;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.headers.authorization === `Bearer ${GOOD}`) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ok: true }));
      return;
    }
    response.writeHead(401, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'the API key is not known' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hubUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  stop?.();
  stop = null;
  resetSession();
  localStorage.clear();
  history.replaceState(null, '', '/');
});

function start(): void {
  stop = startSession();
  configureApi({ baseUrl: hubUrl });
}

describe('session start', () => {
  it('takes a key from a login link: stored, in use, gone from the address bar', () => {
    history.replaceState(null, '', `/explorer#key=${KEY}`);
    start();
    expect(getSession()).toMatchObject({ key: KEY, prompt: null });
    expect(getSession().version).toBeGreaterThan(0);
    expect(localStorage.getItem(KEY_STORAGE)).toBe(KEY);
    expect(location.href).toBe(`${location.origin}/explorer`);
  });

  it('a link key wins over a stored one', () => {
    localStorage.setItem(KEY_STORAGE, OTHER);
    history.replaceState(null, '', `/#key=${KEY}`);
    start();
    expect(getSession().key).toBe(KEY);
    expect(localStorage.getItem(KEY_STORAGE)).toBe(KEY);
  });

  it('a malformed link key is not used or stored, and the modal says why', () => {
    localStorage.setItem(KEY_STORAGE, OTHER);
    history.replaceState(null, '', '/#key=cz_oops');
    start();
    expect(getSession().key).toBeNull();
    expect(getSession().prompt).toEqual({
      reason: 'malformed',
      message: expect.stringMatching(/no valid key/),
    });
    expect(localStorage.getItem(KEY_STORAGE)).toBe(OTHER);
    expect(location.hash).toBe('');
  });

  it('uses the stored key, or asks for one when there is none', () => {
    localStorage.setItem(KEY_STORAGE, KEY);
    start();
    expect(getSession()).toMatchObject({ key: KEY, prompt: null });
    stop!();
    resetSession();
    localStorage.clear();
    start();
    expect(getSession()).toMatchObject({ key: null, prompt: { reason: 'missing', message: null } });
  });
});

describe('the key modal', () => {
  it('opens when the hub answers 401 to the key in use, with the hub’s explanation', async () => {
    start();
    login(`cz_${'Z'.repeat(43)}`);
    expect(getSession().prompt).toBeNull();
    await expect(getSystem()).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(getSession().prompt).toEqual({ reason: 'rejected', message: 'the API key is not known' });
  });

  it('stays closed for a 401 to a key merely being tried, and for a good key', async () => {
    start();
    login(GOOD);
    // The answer is not a real /api/system: only its status matters here.
    await expect(getSystem()).rejects.toMatchObject({ code: 'INVALID_RESPONSE' });
    await expect(getSystem({ key: `cz_${'Y'.repeat(43)}` })).rejects.toMatchObject({ status: 401 });
    expect(getSession().prompt).toBeNull();
  });

  it('keeps the first reason until closed; logout forgets the key and asks again', () => {
    start();
    login(KEY);
    const version = getSession().version;
    promptForKey('rejected', 'revoked');
    promptForKey('missing');
    expect(getSession().prompt).toEqual({ reason: 'rejected', message: 'revoked' });
    dismissPrompt();
    expect(getSession().prompt).toBeNull();

    logout();
    expect(getSession()).toMatchObject({ key: null, prompt: { reason: 'cleared' } });
    expect(getSession().version).toBe(version + 1);
    expect(localStorage.getItem(KEY_STORAGE)).toBeNull();
  });
});

describe('following the browser', () => {
  it('adopts a login link opened in this tab later (hashchange)', () => {
    localStorage.setItem(KEY_STORAGE, KEY);
    start();
    history.replaceState(null, '', `/settings#key=${OTHER}`);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    expect(getSession().key).toBe(OTHER);
    expect(location.href).toBe(`${location.origin}/settings`);
  });

  it('follows a login or logout in another tab (storage events)', () => {
    start();
    expect(getSession().prompt?.reason).toBe('missing');
    localStorage.setItem(KEY_STORAGE, KEY);
    window.dispatchEvent(new StorageEvent('storage', { key: KEY_STORAGE }));
    expect(getSession()).toMatchObject({ key: KEY, prompt: null });

    localStorage.removeItem(KEY_STORAGE);
    window.dispatchEvent(new StorageEvent('storage', { key: KEY_STORAGE }));
    expect(getSession().key).toBeNull();

    // Other keys in storage (the theme) change nothing.
    const version = getSession().version;
    window.dispatchEvent(new StorageEvent('storage', { key: 'lacrimosa.theme' }));
    expect(getSession().version).toBe(version);
  });
});
