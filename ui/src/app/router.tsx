/**
 * Client-side routing on the browser's history: real paths (`/explorer?seq=42`), so a page's address can be
 * bookmarked, shared and reloaded (the hub answers index.html for them), and the fragment stays free for the
 * one-click login (`/#key=…`). Pages keep their view state in the query string with `useSearchParam`.
 *
 * @module
 */
import {
  type AnchorHTMLAttributes,
  type MouseEvent,
  useCallback,
  useMemo,
  useSyncExternalStore,
} from 'react';

const NAVIGATE = 'lacrimosa:navigate';

function subscribe(listener: () => void): () => void {
  window.addEventListener('popstate', listener);
  window.addEventListener(NAVIGATE, listener);
  return () => {
    window.removeEventListener('popstate', listener);
    window.removeEventListener(NAVIGATE, listener);
  };
}

const snapshot = () => `${window.location.pathname}${window.location.search}`;

/** Goes to `to` (a path with an optional query) without reloading; `replace` rewrites the current entry. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (options.replace) window.history.replaceState(window.history.state, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE));
}

export interface RouteLocation {
  /** `/explorer`. */
  path: string;
  /** The query string, parsed. Read-only: change it with `navigate` or `useSearchParam`. */
  search: URLSearchParams;
}

/** The current path and query; re-renders on every navigation (links, back and forward). */
export function useLocation(): RouteLocation {
  const current = useSyncExternalStore(subscribe, snapshot, snapshot);
  return useMemo(() => {
    const url = new URL(current, 'http://local');
    return { path: url.pathname, search: url.searchParams };
  }, [current]);
}

/**
 * One query parameter as state: `[value, set]`. Setting null removes it; other parameters are kept. By default
 * the history entry is replaced (filters, selections); pass `{ push: true }` for a step worth going back to.
 */
export function useSearchParam(
  name: string,
): [string | null, (value: string | null, options?: { push?: boolean }) => void] {
  const { path, search } = useLocation();
  const value = search.get(name);
  const set = useCallback(
    (next: string | null, options: { push?: boolean } = {}) => {
      const params = new URLSearchParams(window.location.search);
      if (next === null || next === '') params.delete(name);
      else params.set(name, next);
      const query = params.toString();
      navigate(`${path}${query ? `?${query}` : ''}`, { replace: !options.push });
    },
    [name, path],
  );
  return [value, set];
}

export interface LinkProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> {
  to: string;
}

/** An <a> that navigates in place; modified clicks (new tab, new window) behave as usual. */
export function Link({ to, onClick, ...rest }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey ||
      rest.target === '_blank'
    ) {
      return;
    }
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}
