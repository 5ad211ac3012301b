import { describe, expect, it } from 'vitest';
import type { TopologyResponse } from '../../api/index.ts';
import { COLUMN_WIDTH, layoutTopology, ROW_HEIGHT } from './layout.ts';

const sender = (id: number, label: string) => ({
  id: `node:${id}`,
  kind: 'node' as const,
  label,
  nodeId: id,
  source: 'ipv4',
  events: 1,
  eventsPerSec: 0,
  lastSeenMs: null,
});
const stream = (id: number, label: string) => ({
  id: `stream:${id}`,
  kind: 'stream' as const,
  label,
  streamId: id,
  named: true,
  events: 1,
  eventsPerSec: 0,
  lastSeenMs: null,
});
const edge = (from: string, to: string) => ({
  id: `${from}->${to}`,
  from,
  to,
  eventsPerSec: 0,
  estimated: false,
});

describe('topology layout', () => {
  it('puts senders, streams and consumers in columns, each centred, senders next to the streams they feed', () => {
    const topology: TopologyResponse = {
      at: 0,
      nodes: [
        sender(1, 'a'),
        sender(2, 'b'),
        stream(0, 'default'),
        stream(1, 'orders'),
        stream(2, 'audit'),
        {
          id: 'consumer:0',
          kind: 'consumer',
          label: 'exporter',
          index: 0,
          position: 0,
          lag: 0,
          live: true,
          eventsPerSec: 0,
        },
      ],
      edges: [edge('node:1', 'stream:2'), edge('node:2', 'stream:0')],
    };
    const placed = new Map(layoutTopology(topology).map((p) => [p.id, p]));
    expect(placed.get('stream:0')).toEqual({ id: 'stream:0', x: COLUMN_WIDTH, y: -ROW_HEIGHT });
    expect(placed.get('stream:2')).toEqual({ id: 'stream:2', x: COLUMN_WIDTH, y: ROW_HEIGHT });
    // b feeds the first stream, a the last: b goes above a although a sorts first by name.
    expect(placed.get('node:2')).toEqual({ id: 'node:2', x: 0, y: -ROW_HEIGHT / 2 });
    expect(placed.get('node:1')).toEqual({ id: 'node:1', x: 0, y: ROW_HEIGHT / 2 });
    expect(placed.get('consumer:0')).toEqual({ id: 'consumer:0', x: 2 * COLUMN_WIDTH, y: 0 });
  });
});
