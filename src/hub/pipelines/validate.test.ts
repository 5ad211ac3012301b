import { describe, expect, it } from 'vitest';
import { type PipelineGraph, pipelineGraphSchema } from './schema.ts';
import { validatePipeline } from './validate.ts';

const graph = (g: unknown): PipelineGraph => pipelineGraphSchema.parse(g);

const good = {
  nodes: [
    { id: 'src', kind: 'source', config: { stream: 'orders' } },
    { id: 'big', kind: 'filter', config: { condition: 'amount > 100' } },
    {
      id: 'shape',
      kind: 'transform',
      config: { ops: [{ op: 'set', field: 'cents', expr: 'amount * 100' }] },
    },
    {
      id: 'agg',
      kind: 'aggregate',
      config: {
        window: { kind: 'tumbling', sizeMs: 1000 },
        groupBy: ['user'],
        measures: [{ fn: 'count', as: 'n' }],
      },
    },
    { id: 'out', kind: 'sink', config: { kind: 'stream', stream: 'big-orders' } },
  ],
  edges: [
    { from: 'src', to: 'big' },
    { from: 'big', to: 'shape' },
    { from: 'shape', to: 'agg' },
    { from: 'agg', to: 'out' },
  ],
};

function issuesOf(g: unknown) {
  const result = validatePipeline(graph(g));
  if (result.ok) throw new Error('expected issues');
  return result.issues;
}

describe('validatePipeline', () => {
  it('compiles a valid chain in topological order', () => {
    const shuffled = { ...good, nodes: [...good.nodes].reverse() };
    const result = validatePipeline(graph(shuffled));
    expect(result.ok).toBe(true);
    expect(result.compiled!.nodes.map((n) => n.id)).toEqual(['src', 'big', 'shape', 'agg', 'out']);
  });

  it('points at the node and field of a bad config', () => {
    const g = structuredClone(good) as { nodes: { config: unknown }[] };
    g.nodes[1]!.config = { condition: 'amount >' };
    g.nodes[2]!.config = { ops: [{ op: 'set', field: 'x', expr: '1 +' }] };
    g.nodes[3]!.config = { window: { kind: 'tumbling', sizeMs: 0 }, measures: [{ fn: 'sum', as: 's' }] };
    expect(issuesOf(g)).toEqual([
      {
        nodeId: 'big',
        path: 'nodes[1].config.condition',
        message: expect.stringMatching(/^line 1, column 9: /),
      },
      {
        nodeId: 'shape',
        path: 'nodes[2].config.ops.0.expr',
        message: 'column 4: expected a value, a field or a function but found the end',
      },
      { nodeId: 'agg', path: 'nodes[3].config.window.sizeMs', message: expect.any(String) },
      { nodeId: 'agg', path: 'nodes[3].config.measures.0.field', message: 'sum needs a field' },
    ]);
  });

  it('finds an unconfigured node', () => {
    const g = structuredClone(good);
    g.nodes[4]!.config = {} as never;
    expect(issuesOf(g)).toEqual([
      { nodeId: 'out', path: 'nodes[4].config.kind', message: expect.any(String) },
    ]);
  });

  it('rejects incompatible ports and edges to unknown nodes', () => {
    const g = structuredClone(good);
    g.edges.push({ from: 'out', to: 'agg' }, { from: 'src', to: 'big', port: 'left' } as never, {
      from: 'agg',
      to: 'ghost',
    });
    expect(issuesOf(g)).toEqual([
      { nodeId: 'out', path: 'edges[4].from', message: 'a sink has no output to connect from' },
      { nodeId: 'big', path: 'edges[5].port', message: 'a filter has the input port in, not left' },
      { nodeId: 'agg', path: 'edges[6].to', message: 'no node has the id ghost' },
    ]);
  });

  it('finds cycles and nodes no source reaches', () => {
    const g = structuredClone(good);
    g.nodes.push(
      { id: 'f2', kind: 'filter', config: { condition: 'a = 1' } },
      { id: 'f3', kind: 'filter', config: { condition: 'a = 2' } },
      { id: 'f4', kind: 'filter', config: { condition: 'a = 3' } },
    );
    g.edges.push({ from: 'f2', to: 'f3' }, { from: 'f3', to: 'f2' }, { from: 'f2', to: 'f4' });
    expect(issuesOf(g)).toEqual([
      { nodeId: 'f2', path: 'nodes[5]', message: 'this node is on a cycle; pipelines are acyclic' },
      { nodeId: 'f3', path: 'nodes[6]', message: 'this node is on a cycle; pipelines are acyclic' },
      { nodeId: 'f4', path: 'nodes[7]', message: 'this node follows a cycle; pipelines are acyclic' },
    ]);
  });

  it('wants a source, a sink, connected inputs and both sides of a join', () => {
    expect(
      issuesOf({
        nodes: [
          { id: 'j', kind: 'join', config: { leftKey: 'id', rightKey: 'id', windowMs: 1000 } },
          { id: 'f', kind: 'filter', config: { condition: 'a = 1' } },
        ],
        edges: [{ from: 'f', to: 'j', port: 'left' }],
      }),
    ).toEqual([
      { nodeId: 'j', path: 'nodes[0]', message: 'the join’s right input is not connected'.replace('’', "'") },
      { nodeId: 'f', path: 'nodes[1]', message: 'the filter has no input: connect it to a source' },
      { nodeId: 'j', path: 'nodes[0]', message: 'no source reaches this join' },
      { nodeId: null, path: 'nodes', message: 'a pipeline needs a source' },
      { nodeId: null, path: 'nodes', message: 'a pipeline needs a sink' },
    ]);
  });

  it('refuses a sink that writes into a stream the pipeline reads, and duplicate ids', () => {
    const g = structuredClone(good);
    g.nodes[4]!.config = { kind: 'stream', stream: 'orders' };
    g.nodes.push({ id: 'src', kind: 'source', config: { stream: 'x' } });
    expect(issuesOf(g)).toEqual([
      { nodeId: 'src', path: 'nodes[5].id', message: 'the id src is used twice' },
      {
        nodeId: 'out',
        path: 'nodes[4].config.stream',
        message: expect.stringMatching(/feed the pipeline its own output/),
      },
    ]);
  });
});
