import { useCallback, useEffect, useRef, useState } from 'react';
import {
  type ApiError,
  type EventSelection,
  type EventView,
  isAborted,
  listEvents,
  toApiError,
} from '../../api/index.ts';
import { useHubSocket, useMetrics, useStreamEvents } from '../../ws/hooks.tsx';

/** Newest events kept above the page at most; older ones fall off the bottom of the live list. */
export const MAX_LIVE_ROWS = 1000;
const BATCH = 500;
/** Polls the head this often when the WebSocket is down. */
const FALLBACK_POLL_MS = 2000;

export interface LiveFollow {
  /** New events, newest first. */
  rows: EventView[];
  /** How many arrived since following began (also those that fell off). */
  added: number;
  /** The journal's head and tail as of the newest read, or null before the first. */
  window: { head: number; tail: number } | null;
  error: ApiError | null;
}

interface LiveState extends LiveFollow {
  key: string;
}

const idle: LiveFollow = { rows: [], added: 0, window: null, error: null };

/**
 * Follows the journal from `start` (the head when the page was read) for the events matching `selection`, and
 * returns them newest first. New events are noticed through `/ws`: a single-stream selection subscribes to
 * that stream's live events (payloads are not needed: a batch only says "there is more"), any other selection
 * watches the head in the metrics snapshots; without a socket the head is polled. Each notice reads the new
 * slots with `GET /api/events?order=asc&from=…`, so the rows have the same shape as the page's.
 */
export function useLiveFollow(
  selection: EventSelection,
  start: number | null,
  enabled: boolean,
  preview: { payload: 'auto'; maxPayloadBytes: number },
): LiveFollow {
  const active = enabled && start !== null;
  const key = `${JSON.stringify(selection)}@${start}`;
  const [state, setState] = useState<LiveState>({ ...idle, key });
  const next = useRef<{ key: string; from: number }>({ key: '', from: 0 });
  const busy = useRef(false);
  const again = useRef(false);
  const abort = useRef<AbortController | null>(null);
  const args = useRef({ selection, preview, key, start });
  useEffect(() => {
    args.current = { selection, preview, key, start };
  });

  const pull = useCallback(async () => {
    if (busy.current) {
      again.current = true;
      return;
    }
    busy.current = true;
    const controller = new AbortController();
    abort.current = controller;
    try {
      for (let round = 0; round < 4; round++) {
        const { selection: sel, preview: pre, key: k, start: s } = args.current;
        if (s === null) return;
        if (next.current.key !== k) next.current = { key: k, from: s };
        const from = Math.max(next.current.from, sel.from ?? 0);
        if (sel.to !== undefined && from >= sel.to) return;
        const page = await listEvents(
          { ...sel, from, order: 'asc', limit: BATCH, ...pre },
          { signal: controller.signal },
        );
        if (controller.signal.aborted || args.current.key !== k) return;
        next.current = { key: k, from: page.nextCursor ? page.scanned.to : Math.max(from, page.head) };
        const fresh = page.events.slice().reverse();
        setState((previous) => {
          const base = previous.key === k ? previous : { ...idle, key: k };
          return {
            key: k,
            rows: fresh.length === 0 ? base.rows : [...fresh, ...base.rows].slice(0, MAX_LIVE_ROWS),
            added: base.added + fresh.length,
            window: { head: page.head, tail: page.tail },
            error: null,
          };
        });
        if (!page.nextCursor) break;
      }
    } catch (error) {
      if (!isAborted(error)) {
        const k = args.current.key;
        setState((previous) => ({
          ...(previous.key === k ? previous : { ...idle, key: k }),
          error: toApiError(error),
        }));
      }
    } finally {
      busy.current = false;
      if (abort.current === controller) abort.current = null;
      if (again.current && !controller.signal.aborted) {
        again.current = false;
        void pull();
      }
    }
  }, []);

  useEffect(() => {
    if (!active) return;
    return () => {
      abort.current?.abort();
      again.current = false;
    };
  }, [active, key]);

  const streams = Array.isArray(selection.stream) ? selection.stream : [];
  const single = streams.length === 1 ? streams[0]! : null;
  useStreamEvents(
    active && single !== null
      ? {
          stream: /^\d+$/.test(String(single)) ? Number(single) : String(single),
          ...(selection.node !== undefined ? { where: { node: selection.node } } : {}),
          payload: 'none',
          maxPerSecond: 20,
        }
      : null,
    (message) => {
      if (message.type === 'events') void pull();
    },
  );

  const metrics = useMetrics(1000);
  const head = active ? (metrics?.snapshot.head ?? null) : null;
  useEffect(() => {
    if (head !== null && head > next.current.from) void pull();
  }, [head, pull]);

  const { state: socketState } = useHubSocket();
  useEffect(() => {
    if (!active || socketState === 'open') return;
    const timer = setInterval(() => void pull(), FALLBACK_POLL_MS);
    return () => clearInterval(timer);
  }, [active, socketState, pull]);

  if (!active || state.key !== key) return idle;
  const { rows, added, window, error } = state;
  return { rows, added, window, error };
}
