import { describe, expect, it } from 'vitest';
import type { TopologyResponse } from '../../api/index.ts';
import { COLUMN_WIDTH, combineTopology, graphRows, layoutTopology, ROW_HEIGHT } from './layout.ts';

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

  it('adds the services of traces as their own nodes and calls, in a band below, callers left of callees', () => {
    const runtime: TopologyResponse = {
      at: 5,
      nodes: [sender(1, 'a'), stream(0, 'default'), stream(1, 'orders')],
      edges: [edge('node:1', 'stream:0')],
    };
    const graph = combineTopology(runtime, {
      services: [
        { name: 'web', spans: 10, errors: 0 },
        { name: 'db', spans: 4, errors: 1 },
        { name: 'cart', spans: 3, errors: 0 },
      ],
      edges: [
        { parent: 'web', child: 'db', calls: 4, errors: 1 },
        { parent: 'web', child: 'cart', calls: 3, errors: 0 },
        // An edge may name a service the list left out: it becomes a node all the same.
        { parent: 'cart', child: 'queue', calls: 2, errors: 0 },
      ],
    });
    expect(graph.at).toBe(5);
    expect(graph.nodes.filter((n) => n.kind === 'service')).toEqual([
      { id: 'service:cart', kind: 'service', label: 'cart', spans: 3, errors: 0 },
      { id: 'service:db', kind: 'service', label: 'db', spans: 4, errors: 1 },
      { id: 'service:queue', kind: 'service', label: 'queue', spans: 0, errors: 0 },
      { id: 'service:web', kind: 'service', label: 'web', spans: 10, errors: 0 },
    ]);
    expect(graph.edges).toContainEqual({
      id: 'service:web->service:db',
      from: 'service:web',
      to: 'service:db',
      calls: 4,
      errors: 1,
    });
    expect(graph.edges).toHaveLength(4);

    const placed = new Map(layoutTopology(graph).map((p) => [p.id, p]));
    // The runtime band is two rows tall (centred on 0): services start below it.
    const top = placed.get('service:web')!.y;
    expect(top).toBeGreaterThan(placed.get('stream:1')!.y + ROW_HEIGHT / 2);
    expect(placed.get('service:web')!.x).toBe(0);
    expect(placed.get('service:cart')).toEqual({ id: 'service:cart', x: COLUMN_WIDTH, y: top });
    expect(placed.get('service:db')).toEqual({ id: 'service:db', x: COLUMN_WIDTH, y: top + ROW_HEIGHT });
    expect(placed.get('service:queue')).toEqual({ id: 'service:queue', x: 2 * COLUMN_WIDTH, y: top });
    expect(graphRows(graph)).toBeGreaterThan(3);
  });

  it('leaves the runtime topology as it is when there are no traces', () => {
    const runtime: TopologyResponse = { at: 1, nodes: [stream(0, 'default')], edges: [] };
    expect(combineTopology(runtime, null)).toBe(runtime);
    const onlyServices = combineTopology(
      { at: 1, nodes: [], edges: [] },
      { services: [{ name: 'solo', spans: 1, errors: 0 }], edges: [] },
    );
    expect(layoutTopology(onlyServices)).toEqual([{ id: 'service:solo', x: 0, y: 0 }]);
  });
});
