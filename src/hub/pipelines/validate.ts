/**
 * Pipeline validation: every node configured (its kind's config schema, filter conditions parsed by the
 * query parser, transform expressions by the expression parser), edges between existing nodes and
 * compatible ports, no cycles, every node reachable from a source, at least one source and one sink, and no
 * sink writing into a stream the same pipeline reads. Each issue names the node and the path in the body
 * (`nodes[3].config.condition: …`) so the editor can mark the node. A valid graph comes back compiled (parsed
 * conditions and expressions, nodes in topological order) for the engine.
 *
 * @module
 */
import type { Expr } from '../query/ast.ts';
import { parseCondition } from '../query/condition.ts';
import { type ExprNode, parseExpression } from './expr.ts';
import {
  CONFIG_SCHEMAS,
  hasOutput,
  INPUT_PORTS,
  type NodeConfig,
  type NodeKind,
  type PipelineEdge,
  type PipelineGraph,
  type PipelineNode,
  type ValidationIssue,
} from './schema.ts';

export type CompiledTransformOp =
  | { op: 'set'; path: string[]; expr: ExprNode }
  | { op: 'rename'; from: string[]; to: string[] }
  | { op: 'drop'; path: string[] };

export type CompiledNode =
  | { id: string; kind: 'source'; config: NodeConfig<'source'> }
  | { id: string; kind: 'filter'; config: NodeConfig<'filter'>; condition: Expr }
  | { id: string; kind: 'transform'; config: NodeConfig<'transform'>; ops: CompiledTransformOp[] }
  | { id: string; kind: 'join'; config: NodeConfig<'join'> }
  | { id: string; kind: 'aggregate'; config: NodeConfig<'aggregate'> }
  | { id: string; kind: 'sink'; config: NodeConfig<'sink'> };

export interface CompiledPipeline {
  /** In topological order: every node after all of its inputs. */
  nodes: CompiledNode[];
  /** Per node id, where its output goes, in edge order. */
  outputs: Map<string, { to: string; port: string }[]>;
}

export type ValidationResult =
  | { ok: true; issues: []; compiled: CompiledPipeline }
  | { ok: false; issues: ValidationIssue[]; compiled: null };

/** Parses a filter's condition; errors point into the condition itself. */
export function parseFilterCondition(
  condition: string,
): { ok: true; expr: Expr } | { ok: false; message: string } {
  const parsed = parseCondition(condition);
  if (parsed.ok) return parsed;
  if (parsed.kind === 'syntax') {
    return { ok: false, message: `line ${parsed.line}, column ${parsed.column}: ${parsed.message}` };
  }
  return { ok: false, message: 'a filter takes a condition only (like amount > 100 AND status = "ok")' };
}

export const splitPath = (path: string): string[] => path.split('.');

function compileNode(node: PipelineNode, index: number, issues: ValidationIssue[]): CompiledNode | null {
  const at = `nodes[${index}].config`;
  const issue = (path: string, message: string) => issues.push({ nodeId: node.id, path, message });
  const parsed = CONFIG_SCHEMAS[node.kind].safeParse(node.config);
  if (!parsed.success) {
    for (const i of parsed.error.issues) issue([at, ...i.path.map(String)].join('.'), i.message);
    return null;
  }
  const id = node.id;
  switch (node.kind) {
    case 'filter': {
      const config = parsed.data as NodeConfig<'filter'>;
      const condition = parseFilterCondition(config.condition);
      if (!condition.ok) {
        issue(`${at}.condition`, condition.message);
        return null;
      }
      return { id, kind: 'filter', config, condition: condition.expr };
    }
    case 'transform': {
      const config = parsed.data as NodeConfig<'transform'>;
      const ops: CompiledTransformOp[] = [];
      let failed = false;
      config.ops.forEach((op, i) => {
        if (op.op === 'set') {
          const expr = parseExpression(op.expr);
          if (!expr.ok) {
            issue(`${at}.ops.${i}.expr`, `column ${expr.error.offset + 1}: ${expr.error.message}`);
            failed = true;
          } else ops.push({ op: 'set', path: splitPath(op.field), expr: expr.expr });
        } else if (op.op === 'rename')
          ops.push({ op: 'rename', from: splitPath(op.from), to: splitPath(op.to) });
        else ops.push({ op: 'drop', path: splitPath(op.field) });
      });
      return failed ? null : { id, kind: 'transform', config, ops };
    }
    default:
      return { id, kind: node.kind, config: parsed.data } as CompiledNode;
  }
}

/** Checks a graph; never throws. */
export function validatePipeline(graph: PipelineGraph): ValidationResult {
  const issues: ValidationIssue[] = [];
  const byId = new Map<string, { node: PipelineNode; index: number }>();
  graph.nodes.forEach((node, index) => {
    if (byId.has(node.id))
      issues.push({
        nodeId: node.id,
        path: `nodes[${index}].id`,
        message: `the id ${node.id} is used twice`,
      });
    else byId.set(node.id, { node, index });
  });

  const compiled = new Map<string, CompiledNode>();
  for (const [id, { node, index }] of byId) {
    const c = compileNode(node, index, issues);
    if (c) compiled.set(id, c);
  }

  const outputs = new Map<string, { to: string; port: string }[]>();
  const inputs = new Map<string, Map<string, number>>();
  const goodEdges: PipelineEdge[] = [];
  graph.edges.forEach((edge, i) => {
    const from = byId.get(edge.from);
    const to = byId.get(edge.to);
    const edgeIssue = (field: string, nodeId: string | null, message: string) =>
      issues.push({ nodeId, path: `edges[${i}].${field}`, message });
    if (!from) return edgeIssue('from', null, `no node has the id ${edge.from}`);
    if (!to) return edgeIssue('to', edge.from, `no node has the id ${edge.to}`);
    if (!hasOutput(from.node.kind))
      return edgeIssue('from', edge.from, `a ${from.node.kind} has no output to connect from`);
    const ports = INPUT_PORTS[to.node.kind];
    if (ports.length === 0) return edgeIssue('to', edge.to, `a ${to.node.kind} has no input`);
    if (!ports.includes(edge.port))
      return edgeIssue(
        'port',
        edge.to,
        `a ${to.node.kind} has the input port${ports.length > 1 ? 's' : ''} ${ports.join(', ')}, not ${edge.port}`,
      );
    if (edge.from === edge.to) return edgeIssue('to', edge.to, 'a node cannot feed itself');
    if (goodEdges.some((e) => e.from === edge.from && e.to === edge.to && e.port === edge.port))
      return edgeIssue('to', edge.to, 'this edge is listed twice');
    goodEdges.push(edge);
    const list = outputs.get(edge.from) ?? [];
    list.push({ to: edge.to, port: edge.port });
    outputs.set(edge.from, list);
    const portCounts = inputs.get(edge.to) ?? new Map<string, number>();
    portCounts.set(edge.port, (portCounts.get(edge.port) ?? 0) + 1);
    inputs.set(edge.to, portCounts);
  });

  for (const [id, { node, index }] of byId) {
    const counts = inputs.get(id);
    if (node.kind === 'join') {
      for (const port of ['left', 'right']) {
        const n = counts?.get(port) ?? 0;
        if (n !== 1)
          issues.push({
            nodeId: id,
            path: `nodes[${index}]`,
            message:
              n === 0
                ? `the join's ${port} input is not connected`
                : `the join's ${port} input has ${n} edges; connect exactly one`,
          });
      }
    } else if (node.kind !== 'source' && (counts === undefined || counts.size === 0))
      issues.push({
        nodeId: id,
        path: `nodes[${index}]`,
        message: `the ${node.kind} has no input: connect it to a source`,
      });
  }

  // Kahn's algorithm: what is left over sits on a cycle.
  const indegree = new Map<string, number>([...byId.keys()].map((id) => [id, 0]));
  for (const e of goodEdges) indegree.set(e.to, indegree.get(e.to)! + 1);
  const order: string[] = [];
  const ready = [...byId.keys()].filter((id) => indegree.get(id) === 0);
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const { to } of outputs.get(id) ?? []) {
      const d = indegree.get(to)! - 1;
      indegree.set(to, d);
      if (d === 0) ready.push(to);
    }
  }
  const onCycle = [...byId.keys()].filter((id) => !order.includes(id));
  const returnsTo = (start: string): boolean => {
    const seen = new Set<string>();
    const stack = (outputs.get(start) ?? []).map((o) => o.to);
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === start) return true;
      if (seen.has(id)) continue;
      seen.add(id);
      for (const o of outputs.get(id) ?? []) stack.push(o.to);
    }
    return false;
  };
  for (const id of onCycle)
    issues.push({
      nodeId: id,
      path: `nodes[${byId.get(id)!.index}]`,
      message: returnsTo(id)
        ? 'this node is on a cycle; pipelines are acyclic'
        : 'this node follows a cycle; pipelines are acyclic',
    });

  const reached = new Set<string>();
  const visit = (id: string) => {
    if (reached.has(id)) return;
    reached.add(id);
    for (const { to } of outputs.get(id) ?? []) visit(to);
  };
  for (const [id, { node }] of byId) if (node.kind === 'source') visit(id);
  for (const [id, { node, index }] of byId)
    if (!reached.has(id) && !onCycle.includes(id) && (inputs.get(id)?.size ?? 0) > 0)
      issues.push({ nodeId: id, path: `nodes[${index}]`, message: `no source reaches this ${node.kind}` });

  const kinds = new Set<NodeKind>(graph.nodes.map((n) => n.kind));
  if (!kinds.has('source'))
    issues.push({ nodeId: null, path: 'nodes', message: 'a pipeline needs a source' });
  if (!kinds.has('sink')) issues.push({ nodeId: null, path: 'nodes', message: 'a pipeline needs a sink' });

  const read = new Set([...compiled.values()].flatMap((n) => (n.kind === 'source' ? [n.config.stream] : [])));
  for (const n of compiled.values())
    if (n.kind === 'sink' && 'stream' in n.config && read.has(n.config.stream))
      issues.push({
        nodeId: n.id,
        path: `nodes[${byId.get(n.id)!.index}].config.stream`,
        message: `this pipeline reads the stream ${n.config.stream}; writing into it would feed the pipeline its own output`,
      });

  if (issues.length > 0 || compiled.size !== byId.size) return { ok: false, issues, compiled: null };
  return { ok: true, issues: [], compiled: { nodes: order.map((id) => compiled.get(id)!), outputs } };
}
