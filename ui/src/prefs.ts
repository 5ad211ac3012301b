/**
 * Browser-side preferences, kept in localStorage and shared by every tab: the theme (follows the OS unless
 * set) and the refresh interval of polled data. `usePrefs()` re-renders on any change, also from another tab.
 *
 * @module
 */
import { useSyncExternalStore } from 'react';

export type ThemePref = 'system' | 'light' | 'dark';

export interface Prefs {
  theme: ThemePref;
  /** How often pages re-fetch polled data, ms; 0 turns polling off (live `/ws` data is not affected). */
  refreshMs: number;
}

/** The choices Settings offers for `refreshMs`. */
export const REFRESH_CHOICES = [0, 1000, 2000, 5000, 10_000, 30_000, 60_000] as const;

export const THEME_STORAGE = 'lacrimosa.theme';
export const REFRESH_STORAGE = 'lacrimosa.refreshMs';
const DEFAULTS: Prefs = { theme: 'system', refreshMs: 5000 };

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

function read(): Prefs {
  const s = storage();
  const theme = s?.getItem(THEME_STORAGE);
  const refresh = Number(s?.getItem(REFRESH_STORAGE) ?? NaN);
  return {
    theme: theme === 'light' || theme === 'dark' ? theme : DEFAULTS.theme,
    refreshMs: (REFRESH_CHOICES as readonly number[]).includes(refresh) ? refresh : DEFAULTS.refreshMs,
  };
}

let current = read();
const listeners = new Set<() => void>();

function publish(): void {
  current = read();
  applyTheme(current.theme);
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  if (listeners.size === 0) globalThis.addEventListener?.('storage', publish);
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) globalThis.removeEventListener?.('storage', publish);
  };
}

export function getPrefs(): Prefs {
  return current;
}

/** Saves some preferences; every `usePrefs()` re-renders. */
export function setPrefs(patch: Partial<Prefs>): void {
  const s = storage();
  if (patch.theme !== undefined) {
    if (patch.theme === 'system') s?.removeItem(THEME_STORAGE);
    else s?.setItem(THEME_STORAGE, patch.theme);
  }
  if (patch.refreshMs !== undefined) s?.setItem(REFRESH_STORAGE, String(patch.refreshMs));
  publish();
}

export function usePrefs(): Prefs {
  return useSyncExternalStore(subscribe, getPrefs, getPrefs);
}

// ── theme ───────────────────────────────────────────────────────────────────────────────────────────

const darkQuery = (): MediaQueryList | null =>
  globalThis.matchMedia?.('(prefers-color-scheme: dark)') ?? null;

/** The theme in effect: the preference, or the OS's when it is `system`. */
export function resolveTheme(pref: ThemePref): 'light' | 'dark' {
  if (pref !== 'system') return pref;
  return darkQuery()?.matches ? 'dark' : 'light';
}

/** Sets `data-theme` on <html>, which the CSS variables of styles/tokens.css key on. */
export function applyTheme(pref: ThemePref): void {
  if (typeof document === 'undefined') return;
  document.documentElement.dataset.theme = resolveTheme(pref);
}

/** Applies the stored theme and follows OS changes while the preference is `system`. Call once at start. */
export function startTheme(): () => void {
  applyTheme(current.theme);
  const query = darkQuery();
  const onChange = () => {
    if (current.theme === 'system') applyTheme('system');
  };
  query?.addEventListener('change', onChange);
  return () => query?.removeEventListener('change', onChange);
}
