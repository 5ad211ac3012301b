// @vitest-environment jsdom
/**
 * The key in the browser: recognising keys, login-link fragments, taking the key out of the address bar
 * (and the history entry), and localStorage.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  forgetKey,
  KEY_STORAGE,
  keyFromFragment,
  looksLikeKey,
  maskKey,
  readStoredKey,
  storeKey,
  takeKeyFromLocation,
} from './key.ts';

const KEY = `cz_uhE7F_hi${'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r'}`;

afterEach(() => {
  localStorage.clear();
  history.replaceState(null, '', '/');
});

describe('keys', () => {
  it('recognises well-formed keys only', () => {
    expect(KEY).toHaveLength(46);
    expect(looksLikeKey(KEY)).toBe(true);
    expect(looksLikeKey(`cz_${'-'.repeat(43)}`)).toBe(true);
    for (const bad of [
      '',
      'cz_',
      KEY.slice(0, -1),
      `${KEY}x`,
      KEY.replace('cz_', 'CZ_'),
      KEY.replace('cz_', 'zz_'),
      ` ${KEY}`,
      KEY.replace('A', '+'),
      KEY.replace('A', '='),
      KEY.replace('A', '/'),
    ]) {
      expect(looksLikeKey(bad), bad).toBe(false);
    }
  });

  it('masks a key to its lookup prefix', () => {
    expect(maskKey(KEY)).toBe('cz_uhE7F_hi…');
  });
});

describe('login-link fragments', () => {
  it('finds the key in #key=… alone or among other parameters, trimmed', () => {
    expect(keyFromFragment(`#key=${KEY}`)).toBe(KEY);
    expect(keyFromFragment(`key=${KEY}`)).toBe(KEY);
    expect(keyFromFragment(`#tab=2&key=${KEY}&x=1`)).toBe(KEY);
    expect(keyFromFragment(`#key=%20${KEY}%20`)).toBe(KEY);
  });

  it('is null without a key, and returns a malformed one as written so the caller can say so', () => {
    expect(keyFromFragment('')).toBeNull();
    expect(keyFromFragment('#')).toBeNull();
    expect(keyFromFragment('#section-2')).toBeNull();
    expect(keyFromFragment('#keys=cz_x')).toBeNull();
    expect(keyFromFragment('#key=')).toBe('');
    expect(keyFromFragment('#key=cz_short')).toBe('cz_short');
  });

  it('takes the key out of the address bar, replacing the history entry and keeping the rest', () => {
    history.replaceState({ kept: true }, '', `/explorer?seq=42#tab=2&key=${KEY}`);
    const entries = history.length;
    expect(takeKeyFromLocation()).toBe(KEY);
    expect(location.pathname).toBe('/explorer');
    expect(location.search).toBe('?seq=42');
    expect(location.hash).toBe('#tab=2');
    expect(location.href).not.toContain('cz_');
    expect(history.length).toBe(entries);
    expect(history.state).toEqual({ kept: true });
  });

  it('leaves no "#" behind when the key was the only parameter, and removes malformed keys too', () => {
    history.replaceState(null, '', `/#key=${KEY}`);
    expect(takeKeyFromLocation()).toBe(KEY);
    expect(location.href).toBe(`${location.origin}/`);

    history.replaceState(null, '', '/settings#key=not-a-key');
    expect(takeKeyFromLocation()).toBe('not-a-key');
    expect(location.href).toBe(`${location.origin}/settings`);
  });

  it('does not touch a URL without a key', () => {
    history.replaceState(null, '', '/journal#region-blob');
    expect(takeKeyFromLocation()).toBeNull();
    expect(location.hash).toBe('#region-blob');
  });
});

describe('storage', () => {
  it('stores, reads and forgets the key in localStorage', () => {
    expect(readStoredKey()).toBeNull();
    storeKey(KEY);
    expect(localStorage.getItem(KEY_STORAGE)).toBe(KEY);
    expect(readStoredKey()).toBe(KEY);
    forgetKey();
    expect(readStoredKey()).toBeNull();
    expect(localStorage.getItem(KEY_STORAGE)).toBeNull();
  });

  it('treats an empty stored value as no key, and works without storage at all', () => {
    localStorage.setItem(KEY_STORAGE, '');
    expect(readStoredKey()).toBeNull();
    expect(readStoredKey(null)).toBeNull();
    expect(() => storeKey(KEY, null)).not.toThrow();
    expect(() => forgetKey(null)).not.toThrow();
  });
});
