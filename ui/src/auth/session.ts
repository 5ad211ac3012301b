/**
 * The login session: which key the UI uses, and whether it must ask for one. It is a small store outside
 * React (the API transport and the WebSocket read the key from it) with a hook for components.
 *
 * - At start, a key in the URL fragment (`#key=cz_…`) is taken, stored and removed from the address bar;
 *   otherwise the stored key is used; with neither, the key modal opens.
 * - Any 401 answer to a request made with the current key, or a 4401 close of `/ws`, opens the modal with
 *   the hub's explanation.
 * - `version` grows whenever the key changes: data hooks re-fetch and the socket reconnects.
 *
 * @module
 */
import { useSyncExternalStore } from 'react';
import { configureApi } from '../api/transport.ts';
import { forgetKey, looksLikeKey, readStoredKey, storeKey, takeKeyFromLocation, KEY_STORAGE } from './key.ts';

export type PromptReason = 'missing' | 'rejected' | 'malformed' | 'cleared';

export interface Session {
  key: string | null;
  /** Grows with every key change. */
  version: number;
  /** Why the key modal is open; null when it is closed. */
  prompt: { reason: PromptReason; message: string | null } | null;
}

let session: Session = { key: null, version: 0, prompt: null };
const listeners = new Set<() => void>();

function set(next: Partial<Session>): void {
  session = { ...session, ...next };
  for (const listener of listeners) listener();
}

export function getSession(): Session {
  return session;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): Session {
  return useSyncExternalStore(subscribe, getSession, getSession);
}

/** Uses and stores `key` (callers check it first: the key modal tries it against the hub). */
export function login(key: string): void {
  storeKey(key);
  set({ key, version: session.version + 1, prompt: null });
}

/** Forgets the stored key and asks for another one. */
export function logout(): void {
  forgetKey();
  set({ key: null, version: session.version + 1, prompt: { reason: 'cleared', message: null } });
}

/** Opens the key modal (idempotent: the first reason stays until it is closed). */
export function promptForKey(reason: PromptReason, message: string | null = null): void {
  if (session.prompt) return;
  set({ prompt: { reason, message } });
}

/** Closes the key modal without a new key (the shell's connection indicator can reopen it). */
export function dismissPrompt(): void {
  if (session.prompt) set({ prompt: null });
}

/** A key from a login link: used when well-formed, else the modal says what is wrong with it. */
function adoptLinkKey(key: string): void {
  if (looksLikeKey(key)) login(key);
  else
    promptForKey(
      'malformed',
      'The login link holds no valid key: keys look like cz_ followed by 43 characters.',
    );
}

/**
 * Starts the session: takes a key from the URL fragment (or the stored one), wires the API transport to it,
 * and follows fragment logins in an open tab and logins or logouts in other tabs. Returns a stop function.
 */
export function startSession(): () => void {
  configureApi({
    getKey: () => session.key,
    onUnauthorized: (error, keySent) => {
      if (keySent !== null && keySent === session.key) promptForKey('rejected', error.message);
      else if (keySent === null) promptForKey('missing');
    },
  });
  const fromLink = takeKeyFromLocation();
  const stored = readStoredKey();
  if (fromLink !== null) adoptLinkKey(fromLink);
  else if (stored !== null) set({ key: stored, version: session.version + 1 });
  else promptForKey('missing');

  const onHashChange = () => {
    const key = takeKeyFromLocation();
    if (key !== null) adoptLinkKey(key);
  };
  const onStorage = (event: StorageEvent) => {
    if (event.key !== KEY_STORAGE && event.key !== null) return;
    const key = readStoredKey();
    if (key !== session.key) set({ key, version: session.version + 1, prompt: key ? null : session.prompt });
  };
  window.addEventListener('hashchange', onHashChange);
  window.addEventListener('storage', onStorage);
  return () => {
    window.removeEventListener('hashchange', onHashChange);
    window.removeEventListener('storage', onStorage);
  };
}

/** Test hook: back to a fresh session. */
export function resetSession(): void {
  session = { key: null, version: 0, prompt: null };
  for (const listener of listeners) listener();
}
