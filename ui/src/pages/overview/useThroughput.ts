/**
 * The Overview's live series: seeded from `GET /api/metrics/history` so the charts are full on load, then
 * extended by every new `/ws` metrics snapshot (the hub samples once a second; a snapshot seen twice is kept
 * once). A gap of several seconds (hub restarted, socket reconnecting) becomes a break in the line, not a slope.
 *
 * @module
 */
import { useEffect, useMemo, useState } from 'react';
import type { SeriesName } from '../../../../src/hub/metrics/schema.ts';
import type { MetricsMessage } from '../../../../src/hub/ws/schema.ts';
import { type ApiState, getMetricsHistory, type HistoryResponse, useApi } from '../../api/index.ts';
import { useHubSocket } from '../../ws/hooks.tsx';

export interface ThroughputPoint {
  t: number;
  /** Events journaled per second; null marks a gap. */
  events: number | null;
  /** Payload bytes journaled per second. */
  bytes: number | null;
  /** Events dropped per second (the drop rule). */
  dropped: number | null;
}

const SERIES: SeriesName[] = ['eventsPerSec', 'payloadBytesPerSec', 'droppedPerSec'];
/** Consecutive samples further apart than this are drawn with a break between them. */
const GAP_MS = 5000;
/** Live points kept at most (an hour at the hub's 1 s sampling). */
const MAX_LIVE = 3600;

export interface Throughput {
  history: ApiState<HistoryResponse>;
  /** The newest metrics message, null until the first arrives. */
  latest: MetricsMessage | null;
  /** History then live points, oldest first, within the window ending at the newest point. */
  points: ThroughputPoint[];
  /** The window's end: the newest sample's time (0 before any). */
  end: number;
}

export function useThroughput(windowMs: number): Throughput {
  const { socket } = useHubSocket();
  const history = useApi(
    (signal) => getMetricsHistory({ since: Date.now() - windowMs, series: SERIES }, { signal }),
    [windowMs],
  );
  const [live, setLive] = useState<{ latest: MetricsMessage | null; points: ThroughputPoint[] }>({
    latest: null,
    points: [],
  });

  useEffect(
    () =>
      socket.subscribeMetrics(1000, (message) => {
        setLive((previous) => {
          const { snapshot } = message;
          const last = previous.points[previous.points.length - 1];
          if (last && last.t >= snapshot.at) return { latest: message, points: previous.points };
          const point: ThroughputPoint = {
            t: snapshot.at,
            events: snapshot.rates.eventsPerSec,
            bytes: snapshot.rates.payloadBytesPerSec,
            dropped: snapshot.rates.droppedPerSec,
          };
          const points = [...previous.points, point];
          return { latest: message, points: points.length > MAX_LIVE ? points.slice(-MAX_LIVE) : points };
        });
      }),
    [socket],
  );

  const points = useMemo(
    () => mergeSeries(history.data?.points ?? [], live.points, windowMs),
    [history.data, live.points, windowMs],
  );
  const end = points.length > 0 ? points[points.length - 1]!.t : (live.latest?.snapshot.at ?? 0);
  return { history, latest: live.latest, points, end };
}

/** History points older than the first live one, then the live ones; breaks inserted at gaps; trimmed to the window. */
export function mergeSeries(
  history: readonly HistoryResponse['points'][number][],
  live: readonly ThroughputPoint[],
  windowMs: number,
): ThroughputPoint[] {
  const firstLive = live.length > 0 ? live[0]!.t : Infinity;
  const seeded: ThroughputPoint[] = history
    .filter((p) => p.t < firstLive)
    .map((p) => ({
      t: p.t,
      events: p.eventsPerSec ?? null,
      bytes: p.payloadBytesPerSec ?? null,
      dropped: p.droppedPerSec ?? null,
    }));
  const all = [...seeded, ...live];
  if (all.length === 0) return all;
  const start = all[all.length - 1]!.t - windowMs;
  const out: ThroughputPoint[] = [];
  let previous: ThroughputPoint | null = null;
  for (const point of all) {
    if (point.t < start) continue;
    if (previous && point.t - previous.t > GAP_MS) {
      out.push({ t: previous.t + 1, events: null, bytes: null, dropped: null });
    }
    out.push(point);
    previous = point;
  }
  return out;
}
