/**
 * `useApi`: loads data with an endpoint function and keeps it fresh. It re-loads when its dependencies or the
 * API key change, optionally polls (at the Settings refresh interval, or a fixed one; never while the tab is
 * hidden), keeps showing the last data while a refresh runs, cancels what a component no longer needs, and
 * reports failures as `ApiError`s ready for `<ErrorState>`.
 *
 * @example
 * const streams = useApi((signal) => getStreams({ signal }), [], { refresh: 'auto' });
 * if (streams.error) return <ErrorState error={streams.error} what="Loading streams" onRetry={streams.reload} />;
 *
 * @module
 */
import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react';
import { useSession } from '../auth/session.ts';
import { usePrefs } from '../prefs.ts';
import { type ApiError, isAborted, toApiError } from './errors.ts';

export interface ApiState<T> {
  /** The last data loaded (kept while a refresh runs or after a failed refresh). */
  data: T | undefined;
  /** The last failure, cleared by the next success. */
  error: ApiError | null;
  /** True while a load is in flight (the first one or a refresh). */
  loading: boolean;
  /** When `data` was loaded (epoch ms). */
  updatedAt: number | null;
  /** Loads again now. */
  reload: () => void;
}

export interface UseApiOptions {
  /** `'auto'`: the Settings interval; a number: that many ms; omitted or 0: load once (per dependency change). */
  refresh?: 'auto' | number;
  /** False: do not load (e.g. until a form is filled in). Default true. */
  enabled?: boolean;
}

interface Result<T> {
  data: T | undefined;
  error: ApiError | null;
  updatedAt: number | null;
  /** Which load finished last: compared with the current one to derive `loading`. */
  token: number;
}

export function useApi<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
  options: UseApiOptions = {},
): ApiState<T> {
  const { version } = useSession();
  const prefs = usePrefs();
  const enabled = options.enabled ?? true;
  const every = options.refresh === 'auto' ? prefs.refreshMs : (options.refresh ?? 0);
  const [result, setResult] = useState<Result<T>>({
    data: undefined,
    error: null,
    updatedAt: null,
    token: 0,
  });
  const [started, setStarted] = useState(0);
  const [nonce, setNonce] = useState(0);
  const loadRef = useRef(load);
  useEffect(() => {
    loadRef.current = load;
  });
  const counter = useRef(0);

  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = () => {
      const token = ++counter.current;
      setStarted(token);
      loadRef.current(controller.signal).then(
        (data) => {
          if (controller.signal.aborted) return;
          setResult({ data, error: null, updatedAt: Date.now(), token });
          schedule();
        },
        (error: unknown) => {
          if (controller.signal.aborted || isAborted(error)) return;
          setResult((previous) => ({ ...previous, error: toApiError(error), token }));
          schedule();
        },
      );
    };
    const schedule = () => {
      if (every > 0) timer = setTimeout(tick, every);
    };
    const tick = () => {
      if (typeof document !== 'undefined' && document.hidden) schedule();
      else run();
    };
    // Deferred a tick so that a burst of dependency changes (typing in a filter) issues one request.
    timer = setTimeout(run, 0);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller's deps stand for `load`'s inputs
  }, [...deps, version, every, enabled, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return {
    data: result.data,
    error: result.error,
    loading: enabled && (started !== result.token || (result.updatedAt === null && result.error === null)),
    updatedAt: result.updatedAt,
    reload,
  };
}
