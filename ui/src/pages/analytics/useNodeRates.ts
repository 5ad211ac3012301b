import { useEffect, useState } from 'react';
import type { MetricsMessage } from '../../../../src/hub/ws/schema.ts';
import { useHubSocket } from '../../ws/hooks.tsx';
import type { Point } from './series.ts';

/** Seconds of per-sender rates kept (the hub keeps no per-sender history: this is what the page saw). */
export const NODE_SERIES_SECONDS = 300;

export type Snapshot = MetricsMessage['snapshot'];
export type NodeStats = NonNullable<Snapshot['nodes']>[number];

export interface NodeRates {
  /** The newest snapshot's per-sender statistics (null before the first). */
  nodes: NodeStats[] | null;
  /** The newest snapshot as a whole. */
  snapshot: Snapshot | null;
  /** One point per snapshot: `t` and `node_<id>` = events/s. */
  points: Point[];
  /** When the page started collecting. */
  since: number | null;
}

/**
 * Collects per-sender event rates from the `/ws` metrics snapshots, one point a second, for the last
 * NODE_SERIES_SECONDS while the page is open.
 */
export function useNodeRates(): NodeRates {
  const { socket } = useHubSocket();
  const [state, setState] = useState<NodeRates>({ nodes: null, snapshot: null, points: [], since: null });
  useEffect(
    () =>
      socket.subscribeMetrics(1000, (message) => {
        const { snapshot } = message;
        setState((previous) => {
          if (previous.snapshot?.at === snapshot.at) return previous;
          const point = { t: snapshot.at } as Point;
          for (const node of snapshot.nodes ?? []) point[`node_${node.id}`] = node.eventsPerSec;
          const points = [...previous.points, point].filter(
            (p) => p.t > snapshot.at - NODE_SERIES_SECONDS * 1000,
          );
          return { nodes: snapshot.nodes ?? null, snapshot, points, since: previous.since ?? snapshot.at };
        });
      }),
    [socket],
  );
  return state;
}
