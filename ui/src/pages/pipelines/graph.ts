/**
 * The editor's model: xyflow nodes and edges ↔ the hub's pipeline graph, a default config per node kind, and
 * one-line summaries of configs for the nodes on the canvas. Pure functions, no React.
 *
 * @module
 */
import type { Edge, Node } from '@xyflow/react';
import {
  INPUT_PORTS,
  type NodeCounters,
  type NodeKind,
  type PipelineView,
  type ValidationIssue,
} from '../../../../src/hub/pipelines/schema.ts';

export type Config = Record<string, unknown>;

export interface PipeNodeData extends Record<string, unknown> {
  kind: NodeKind;
  label: string;
  config: Config;
  issues: string[];
  counters: NodeCounters | null;
}

export type PipeNode = Node<PipeNodeData, 'pipe'>;

export const KIND_TITLES: Record<NodeKind, string> = {
  source: 'Source',
  filter: 'Filter',
  transform: 'Transform',
  join: 'Join',
  aggregate: 'Aggregate',
  sink: 'Sink',
};

export const KIND_HINTS: Record<NodeKind, string> = {
  source: 'Events of a stream (a connector journals into its own stream)',
  filter: 'Keep records matching a query condition',
  transform: 'Set, rename or drop fields with expressions',
  join: 'Match two inputs on a key within a time window',
  aggregate: 'count/sum/avg/min/max/percentile per window and group',
  sink: 'A derived stream, a webhook, alert events or dashboard points',
};

export function defaultConfig(kind: NodeKind, streams: readonly string[]): Config {
  switch (kind) {
    case 'source':
      return { stream: streams[0] ?? '' };
    case 'filter':
      return { condition: '' };
    case 'transform':
      return { ops: [{ op: 'set', field: '', expr: '' }] };
    case 'join':
      return { leftKey: '', rightKey: '', windowMs: 1000 };
    case 'aggregate':
      return {
        window: { kind: 'tumbling', sizeMs: 10_000 },
        groupBy: [],
        measures: [{ fn: 'count', as: 'n' }],
      };
    case 'sink':
      return { kind: 'stream', stream: '' };
  }
}

/** A fresh node id of this kind: `filter-1`, `filter-2`, … */
export function nextId(kind: NodeKind, taken: readonly { id: string }[]): string {
  const ids = new Set(taken.map((n) => n.id));
  for (let i = 1; ; i++) if (!ids.has(`${kind}-${i}`)) return `${kind}-${i}`;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));

/** What a node does, in a few words. */
export function summarize(kind: NodeKind, config: Config): string {
  switch (kind) {
    case 'source':
      return text(config.stream) || 'no stream';
    case 'filter':
      return text(config.condition) || 'no condition';
    case 'transform': {
      const ops = Array.isArray(config.ops) ? (config.ops as Config[]) : [];
      return ops
        .map((o) =>
          o.op === 'set'
            ? `${text(o.field)} = ${text(o.expr)}`
            : o.op === 'rename'
              ? `${text(o.from)} → ${text(o.to)}`
              : `drop ${text(o.field)}`,
        )
        .join('; ');
    }
    case 'join':
      return `${text(config.leftKey)} = ${text(config.rightKey)} within ${text(config.windowMs)} ms`;
    case 'aggregate': {
      const w = (config.window ?? {}) as Config;
      const measures = Array.isArray(config.measures) ? (config.measures as Config[]) : [];
      const groups =
        Array.isArray(config.groupBy) && config.groupBy.length > 0
          ? ` by ${(config.groupBy as string[]).join(', ')}`
          : '';
      return `${measures.map((m) => text(m.fn)).join(', ')}${groups} / ${text(w.kind)} ${text(w.sizeMs)} ms`;
    }
    case 'sink':
      return config.kind === 'webhook'
        ? `POST ${text(config.url)}`
        : config.kind === 'incident'
          ? `incident: ${text(config.title)}`
          : `${text(config.kind)} → ${text(config.stream)}`;
  }
}

export const inputPorts = (kind: NodeKind): readonly string[] => INPUT_PORTS[kind];

/** The editor's graph from a saved pipeline. */
export function fromView(view: PipelineView): { nodes: PipeNode[]; edges: Edge[] } {
  return {
    nodes: view.nodes.map((n, i) => ({
      id: n.id,
      type: 'pipe',
      position: n.position ?? { x: 40 + 240 * i, y: 80 },
      data: { kind: n.kind, label: n.label ?? '', config: n.config, issues: [], counters: null },
    })),
    edges: view.edges.map((e) => edgeOf(e.from, e.to, e.port)),
  };
}

export function edgeOf(from: string, to: string, port: string): Edge {
  return { id: `${from}->${to}:${port}`, source: from, target: to, sourceHandle: 'out', targetHandle: port };
}

/** The hub's graph from the editor's. */
export function toBody(name: string, nodes: readonly PipeNode[], edges: readonly Edge[]) {
  return {
    name,
    nodes: nodes.map((n) => ({
      id: n.id,
      kind: n.data.kind,
      ...(n.data.label ? { label: n.data.label } : {}),
      config: n.data.config,
      position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
    })),
    edges: edges.map((e) => ({ from: e.source, to: e.target, port: e.targetHandle ?? 'in' })),
  };
}

/** Issues by node id, and those about the whole graph. */
export function issuesByNode(issues: readonly ValidationIssue[]): {
  byNode: Map<string, string[]>;
  graph: ValidationIssue[];
} {
  const byNode = new Map<string, string[]>();
  const graph: ValidationIssue[] = [];
  for (const issue of issues) {
    if (issue.nodeId === null) graph.push(issue);
    else byNode.set(issue.nodeId, [...(byNode.get(issue.nodeId) ?? []), `${issue.path}: ${issue.message}`]);
  }
  return { byNode, graph };
}
