/**
 * The Topology page's graph model and its placement. `combineTopology` joins the hub's runtime topology
 * (`GET /api/topology`: senders → streams → consumer cursors) with the services seen in traces
 * (`GET /api/traces/service-graph`): services become nodes of their own kind, calls between them edges.
 * The two parts share no edge — a span does not say which stream its service writes to — so they are placed
 * as two bands: the runtime columns by kind — senders, streams, consumers — each centred on the same line,
 * and below them the services in columns by call depth, callers left of the services they call. Streams keep
 * their id order; senders are ordered by the mean row of the streams they feed (one barycentre pass), which
 * removes most edge crossings; consumers keep their cursor index order. Pure.
 *
 * @module
 */
import type { TopologyResponse } from '../../api/index.ts';
import { serviceColumns } from '../../lib/service-graph.ts';
import type { ServiceGraph } from '../../../../src/hub/traces/schema.ts';

export type RuntimeEntity = TopologyResponse['nodes'][number];
/** A service seen in traces, with its spans and error spans within the page's window. */
export interface ServiceEntity {
  id: string;
  kind: 'service';
  label: string;
  spans: number;
  errors: number;
}
export type TopologyEntity = RuntimeEntity | ServiceEntity;
export type Kind = TopologyEntity['kind'];

/** Events flowing sender → stream → consumer, measured (or estimated) by the hub's tracker. */
export type FlowEdge = TopologyResponse['edges'][number];
/** Calls from spans of one service to child spans of another. */
export interface CallEdge {
  id: string;
  from: string;
  to: string;
  calls: number;
  errors: number;
}
export type TopologyEdge = FlowEdge | CallEdge;

export interface TopologyGraph {
  at: number;
  nodes: TopologyEntity[];
  edges: TopologyEdge[];
}

export const isCall = (edge: TopologyEdge): edge is CallEdge => 'calls' in edge;

export const serviceKey = (name: string): string => `service:${name}`;

export function combineTopology(topology: TopologyResponse, services: ServiceGraph | null): TopologyGraph {
  if (!services) return topology;
  const stats = new Map(services.services.map((s) => [s.name, s]));
  // An edge's ends are services too, even when the graph's list left one out.
  const names = new Set([...stats.keys(), ...services.edges.flatMap((e) => [e.parent, e.child])]);
  const nodes: TopologyEntity[] = [...topology.nodes];
  for (const name of [...names].sort()) {
    nodes.push({
      id: serviceKey(name),
      kind: 'service',
      label: name,
      spans: stats.get(name)?.spans ?? 0,
      errors: stats.get(name)?.errors ?? 0,
    });
  }
  const edges: TopologyEdge[] = [...topology.edges];
  for (const e of services.edges) {
    const from = serviceKey(e.parent);
    const to = serviceKey(e.child);
    edges.push({ id: `${from}->${to}`, from, to, calls: e.calls, errors: e.errors });
  }
  return { at: topology.at, nodes, edges };
}

export const COLUMN: Record<Exclude<Kind, 'service'>, number> = { node: 0, stream: 1, consumer: 2 };
export const COLUMN_WIDTH = 330;
export const ROW_HEIGHT = 96;
/** Space between the runtime band and the services band, in rows. */
const BAND_GAP_ROWS = 0.75;

export interface Placement {
  id: string;
  x: number;
  y: number;
}

export function layoutTopology(graph: TopologyGraph): Placement[] {
  const byKind: Record<Kind, TopologyEntity[]> = { node: [], stream: [], consumer: [], service: [] };
  for (const entity of graph.nodes) byKind[entity.kind].push(entity);

  byKind.stream.sort((a, b) => streamId(a) - streamId(b) || a.id.localeCompare(b.id));
  byKind.consumer.sort((a, b) => consumerIndex(a) - consumerIndex(b) || a.id.localeCompare(b.id));
  const streamRow = new Map(byKind.stream.map((s, i) => [s.id, i]));
  const rowsOf = new Map<string, number[]>();
  for (const edge of graph.edges) {
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
  const runtimeRows = Math.max(byKind.node.length, byKind.stream.length, byKind.consumer.length);
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

  // Services: their band starts below the tallest runtime column (or on the centre line when there is none).
  const top = runtimeRows === 0 ? 0 : ((runtimeRows - 1) / 2 + 1 + BAND_GAP_ROWS) * ROW_HEIGHT;
  const nameOf = new Map(byKind.service.map((s) => [s.id, s.label]));
  const columns = serviceColumns({
    services: byKind.service.map((s) => ({ name: s.label, spans: 0, errors: 0 })),
    edges: graph.edges.filter(isCall).map((e) => ({
      parent: nameOf.get(e.from) ?? e.from,
      child: nameOf.get(e.to) ?? e.to,
      calls: e.calls,
      errors: e.errors,
    })),
  });
  const rowInColumn = new Map<number, number>();
  for (const service of byKind.service) {
    const col = columns.get(service.label) ?? 0;
    const row = rowInColumn.get(col) ?? 0;
    rowInColumn.set(col, row + 1);
    out.push({ id: service.id, x: col * COLUMN_WIDTH, y: top + row * ROW_HEIGHT });
  }
  return out;
}

/** Rows the graph needs: the tallest runtime column, plus the services band's tallest column. */
export function graphRows(graph: TopologyGraph): number {
  const placed = layoutTopology(graph);
  if (placed.length === 0) return 0;
  const ys = placed.map((p) => p.y);
  return (Math.max(...ys) - Math.min(...ys)) / ROW_HEIGHT + 1;
}

function streamId(entity: TopologyEntity): number {
  return entity.kind === 'stream' ? entity.streamId : 0;
}

function consumerIndex(entity: TopologyEntity): number {
  return entity.kind === 'consumer' ? entity.index : 0;
}
