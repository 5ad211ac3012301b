/**
 * The API key in the browser: kept in localStorage (so a reload or a new tab stays logged in), taken from a
 * one-click login URL's fragment (`http://127.0.0.1:3000/#key=cz_…` — a fragment is never sent to a server
 * or written to its logs) and then removed from the address bar and the history entry at once.
 *
 * @module
 */
import { KEY_PATTERN } from '../../../src/hub/auth/schema.ts';

export const KEY_STORAGE = 'lacrimosa.apiKey';

/** Well-formed keys only (`cz_` and 43 base64url characters); whether the hub accepts it is another matter. */
export const looksLikeKey = (value: string): boolean => KEY_PATTERN.test(value);

/** `cz_uhE7F_hi…`: enough to recognise a key, not enough to use it. */
export function maskKey(key: string): string {
  return `${key.slice(0, 11)}…`;
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function readStoredKey(store: Storage | null = storage()): string | null {
  const key = store?.getItem(KEY_STORAGE) ?? null;
  return key === null || key === '' ? null : key;
}

export function storeKey(key: string, store: Storage | null = storage()): void {
  store?.setItem(KEY_STORAGE, key);
}

export function forgetKey(store: Storage | null = storage()): void {
  store?.removeItem(KEY_STORAGE);
}

/**
 * The key in a URL fragment: `#key=cz_…` (also `#foo=1&key=…`). Null when there is none. The value is returned
 * as written (trimmed), even if malformed, so the caller can say so.
 */
export function keyFromFragment(hash: string): string | null {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  if (text === '') return null;
  const value = new URLSearchParams(text).get('key');
  return value === null ? null : value.trim();
}

/**
 * Takes the key out of the current URL's fragment, if there is one, and replaces the history entry with the
 * same URL without it (other fragment parameters are kept). Returns the key, or null.
 */
export function takeKeyFromLocation(
  location: Pick<Location, 'hash' | 'pathname' | 'search'> = window.location,
  history: Pick<History, 'replaceState' | 'state'> = window.history,
): string | null {
  const key = keyFromFragment(location.hash);
  if (key === null) return null;
  const rest = new URLSearchParams(location.hash.slice(1));
  rest.delete('key');
  const fragment = rest.toString();
  history.replaceState(
    history.state,
    '',
    `${location.pathname}${location.search}${fragment ? `#${fragment}` : ''}`,
  );
  return key;
}
