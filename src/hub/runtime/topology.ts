/**
 * The live topology graph: nodes (senders) → streams → consumers (cursors), built from one metrics snapshot.
 * Node → stream edges carry the tracker's measured rates. A cursor reads the whole journal, not one stream,
 * so a stream → consumer edge carries an estimate: the consumer's measured rate split by each stream's share
 * of the traffic (a consumer keeping up reads each stream at that stream's rate; a stalled one reads none).
 * Services join later, from traces.
 *
 * @module
 */
import type { MetricsSnapshot } from '../metrics/sampler.ts';
import { nodeLabel } from '../metrics/tracker.ts';

export type TopologyNode =
  | {
      id: string;
      kind: 'node';
      label: string;
      nodeId: number;
      source: string;
      events: number;
      eventsPerSec: number;
      lastSeenMs: number | null;
    }
  | {
      id: string;
      kind: 'stream';
      label: string;
      streamId: number;
      named: boolean;
      events: number;
      eventsPerSec: number;
      lastSeenMs: number | null;
    }
  | {
      id: string;
      kind: 'consumer';
      label: string;
      index: number;
      position: number;
      lag: number;
      live: boolean;
      eventsPerSec: number;
    };

export type TopologyEdge = {
  id: string;
  from: string;
  to: string;
  eventsPerSec: number;
  /** Events seen along the edge (node → stream only). */
  events?: number;
  /** True when the rate is an estimate (stream → consumer). */
  estimated: boolean;
};

export type Topology = {
  at: number;
  nodes: TopologyNode[];
  edges: TopologyEdge[];
};

export const nodeKey = (id: number): string => `node:${id}`;
export const streamNodeKey = (id: number): string => `stream:${id}`;
export const consumerKey = (index: number): string => `consumer:${index}`;

export function buildTopology(snapshot: MetricsSnapshot): Topology {
  const nodes: TopologyNode[] = [];
  const seen = new Set<string>();
  for (const n of snapshot.nodes ?? []) {
    nodes.push({
      id: nodeKey(n.id),
      kind: 'node',
      label: n.label,
      nodeId: n.id,
      source: n.source,
      events: n.events,
      eventsPerSec: n.eventsPerSec,
      lastSeenMs: n.lastSeenMs,
    });
    seen.add(nodeKey(n.id));
  }
  const streams = snapshot.streams ?? [];
  for (const s of streams) {
    nodes.push({
      id: streamNodeKey(s.id),
      kind: 'stream',
      label: s.name,
      streamId: s.id,
      named: s.named,
      events: s.events,
      eventsPerSec: s.eventsPerSec,
      lastSeenMs: s.lastSeenMs,
    });
    seen.add(streamNodeKey(s.id));
  }
  for (const c of snapshot.consumers) {
    nodes.push({
      id: consumerKey(c.index),
      kind: 'consumer',
      label: c.name,
      index: c.index,
      position: c.position,
      lag: c.lag,
      live: c.live,
      eventsPerSec: c.eventsPerSec ?? 0,
    });
  }

  const edges: TopologyEdge[] = [];
  for (const f of snapshot.flows ?? []) {
    const from = nodeKey(f.nodeId);
    const to = streamNodeKey(f.streamId);
    // The tracker's maps have separate limits: an edge may outlive one of its ends.
    if (!seen.has(from)) {
      seen.add(from);
      nodes.push({
        id: from,
        kind: 'node',
        label: nodeLabel(f.nodeId, 'framed'),
        nodeId: f.nodeId,
        source: 'unknown',
        events: 0,
        eventsPerSec: 0,
        lastSeenMs: null,
      });
    }
    if (!seen.has(to)) {
      seen.add(to);
      nodes.push({
        id: to,
        kind: 'stream',
        label: `stream-${f.streamId}`,
        streamId: f.streamId,
        named: false,
        events: 0,
        eventsPerSec: 0,
        lastSeenMs: null,
      });
    }
    edges.push({
      id: `${from}->${to}`,
      from,
      to,
      eventsPerSec: f.eventsPerSec,
      events: f.events,
      estimated: false,
    });
  }
  const total = streams.reduce((sum, s) => sum + s.eventsPerSec, 0);
  for (const c of snapshot.consumers) {
    const rate = c.eventsPerSec ?? 0;
    for (const s of streams) {
      if (s.events === 0) continue;
      const from = streamNodeKey(s.id);
      const to = consumerKey(c.index);
      edges.push({
        id: `${from}->${to}`,
        from,
        to,
        eventsPerSec: total > 0 ? (rate * s.eventsPerSec) / total : 0,
        estimated: true,
      });
    }
  }
  return { at: snapshot.at, nodes, edges };
}
