/**
 * The topology graph built from a snapshot: node → stream edges with measured rates, stream → consumer edges
 * with the consumer's rate split by traffic share, and placeholder ends for edges whose end the tracker
 * dropped.
 */
import { describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../metrics/sampler.ts';
import { topologyResponseSchema } from './schema.ts';
import { buildTopology } from './topology.ts';

const stream = (id: number, name: string, events: number, eventsPerSec: number) => ({
  id,
  name,
  named: true,
  events,
  payloadBytes: 0,
  liveEvents: events,
  livePayloadBytes: 0,
  eventsPerSec,
  payloadBytesPerSec: 0,
  lastSeenMs: events > 0 ? 1000 : null,
});

const snapshot: MetricsSnapshot = {
  at: 5000,
  journal: { available: true, path: 'j' },
  sequencer: { state: 'connected', backend: 'recvmmsg', pid: 1 },
  head: 10,
  tail: 0,
  ring: { slotCount: 1024, used: 10, utilization: 0.01 },
  blob: { size: 65_536, used: 100, utilization: 0.001 },
  counters: null,
  rates: {
    eventsPerSec: 8,
    payloadBytesPerSec: 0,
    datagramsPerSec: 8,
    bytesPerSec: 0,
    droppedPerSec: 0,
    evictedPerSec: 0,
  },
  consumers: [{ index: 3, name: 'exporter', position: 5, lag: 5, live: true, eventsPerSec: 4 }],
  streams: [stream(0, 'default', 6, 6), stream(1, 'orders', 4, 2), stream(2, 'idle', 0, 0)],
  nodes: [
    {
      id: 0x7f00_0001,
      label: '127.0.0.1',
      source: 'ipv4',
      events: 10,
      payloadBytes: 0,
      liveEvents: 10,
      eventsPerSec: 8,
      payloadBytesPerSec: 0,
      lastSeenMs: 1000,
      payloadSizes: [],
      clockHints: { applied: 0, measured: 0, lastAheadMs: null, maxAheadMs: null, meanAheadMs: null },
    },
  ],
  flows: [
    { nodeId: 0x7f00_0001, streamId: 0, events: 6, payloadBytes: 0, eventsPerSec: 6, lastSeenMs: 1000 },
    { nodeId: 0x7f00_0001, streamId: 1, events: 4, payloadBytes: 0, eventsPerSec: 2, lastSeenMs: 1000 },
    { nodeId: 99, streamId: 7, events: 1, payloadBytes: 0, eventsPerSec: 0, lastSeenMs: 900 },
  ],
};

describe('buildTopology', () => {
  it('links nodes to streams to consumers with rates', () => {
    const topology = topologyResponseSchema.parse(buildTopology(snapshot));
    expect(topology.nodes.map((n) => `${n.kind} ${n.id} ${n.label}`)).toEqual([
      'node node:2130706433 127.0.0.1',
      'stream stream:0 default',
      'stream stream:1 orders',
      'stream stream:2 idle',
      'consumer consumer:3 exporter',
      'node node:99 node-99',
      'stream stream:7 stream-7',
    ]);
    const edges = Object.fromEntries(topology.edges.map((e) => [e.id, [e.eventsPerSec, e.estimated]]));
    expect(edges).toEqual({
      'node:2130706433->stream:0': [6, false],
      'node:2130706433->stream:1': [2, false],
      'node:99->stream:7': [0, false],
      // The consumer reads 4 events/s of a journal taking 8 events/s: half of each stream's rate.
      'stream:0->consumer:3': [3, true],
      'stream:1->consumer:3': [1, true],
    });
  });
});
