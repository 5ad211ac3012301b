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
import { mergeSeries, type ThroughputPoint } from './series.ts';

export type { ThroughputPoint } from './series.ts';

const SERIES: SeriesName[] = ['eventsPerSec', 'payloadBytesPerSec', 'droppedPerSec'];
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
