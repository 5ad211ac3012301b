/**
 * Places the topology in columns by kind — senders, streams, consumers — each column centred on the same line.
 * Streams keep their id order; senders are ordered by the mean row of the streams they feed (one barycentre
 * pass), which removes most edge crossings; consumers keep their cursor index order. Pure.
 *
 * @module
 */
import type { TopologyResponse } from '../../api/index.ts';

export type TopologyEntity = TopologyResponse['nodes'][number];
export type Kind = TopologyEntity['kind'];

export const COLUMN: Record<Kind, number> = { node: 0, stream: 1, consumer: 2 };
export const COLUMN_WIDTH = 330;
export const ROW_HEIGHT = 96;

export interface Placement {
  id: string;
  x: number;
  y: number;
}

export function layoutTopology(topology: TopologyResponse): Placement[] {
  const byKind: Record<Kind, TopologyEntity[]> = { node: [], stream: [], consumer: [] };
  for (const entity of topology.nodes) byKind[entity.kind].push(entity);

  byKind.stream.sort((a, b) => streamId(a) - streamId(b) || a.id.localeCompare(b.id));
  byKind.consumer.sort((a, b) => consumerIndex(a) - consumerIndex(b) || a.id.localeCompare(b.id));
  const streamRow = new Map(byKind.stream.map((s, i) => [s.id, i]));
  const rowsOf = new Map<string, number[]>();
  for (const edge of topology.edges) {
    const row = streamRow.get(edge.to);
    if (row === undefined) continue;
    const rows = rowsOf.get(edge.from) ?? [];
    rows.push(row);
    rowsOf.set(edge.from, rows);
  }
  const centre = (id: string) => {
    const rows = rowsOf.get(id);
    return rows && rows.length > 0 ? rows.reduce((a, b) => a + b, 0) / rows.length : Infinity;
  };
  byKind.node.sort((a, b) => centre(a.id) - centre(b.id) || a.label.localeCompare(b.label));

  const out: Placement[] = [];
  for (const kind of ['node', 'stream', 'consumer'] as const) {
    const column = byKind[kind];
    column.forEach((entity, i) => {
      out.push({
        id: entity.id,
        x: COLUMN[kind] * COLUMN_WIDTH,
        y: (i - (column.length - 1) / 2) * ROW_HEIGHT,
      });
    });
  }
  return out;
}

function streamId(entity: TopologyEntity): number {
  return entity.kind === 'stream' ? entity.streamId : 0;
}

function consumerIndex(entity: TopologyEntity): number {
  return entity.kind === 'consumer' ? entity.index : 0;
}
