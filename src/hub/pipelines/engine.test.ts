import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PipelineEngine, type SourceEvent } from './engine.ts';
import { referenceEvaluate } from './reference.ts';
import { type PipelineGraph, pipelineGraphSchema } from './schema.ts';
import { type CompiledPipeline, validatePipeline } from './validate.ts';

function compile(g: unknown): CompiledPipeline {
  const result = validatePipeline(pipelineGraphSchema.parse(g));
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.compiled;
}

/** Runs events through a fresh engine to the end (as a dry run does): per node, the records it emitted. */
function runEngine(pipeline: CompiledPipeline, events: readonly SourceEvent[], from?: EngineSplit) {
  const engine = new PipelineEngine(pipeline, { sample: 1_000_000 });
  let rest = events;
  if (from) {
    // Process a prefix, snapshot through JSON (as SQLite stores it), and continue in a new engine.
    const first = new PipelineEngine(pipeline, { sample: 0 });
    for (const e of events.slice(0, from.at)) first.push(e);
    const delivered = first.takeDelivered();
    engine.restore(JSON.parse(JSON.stringify(first.snapshot())));
    rest = events.slice(from.at);
    for (const e of rest) engine.push(e);
    engine.finish();
    const after = engine.takeDelivered();
    const sinks = new Set([...delivered.keys(), ...after.keys()]);
    return {
      delivered: Object.fromEntries(
        [...sinks].map((id) => [
          id,
          [...(delivered.get(id) ?? []), ...(after.get(id) ?? [])].map((r) => r.view()),
        ]),
      ),
      counters: engine.counters(),
    };
  }
  for (const e of rest) engine.push(e);
  engine.finish();
  return {
    samples: engine.samples(),
    delivered: Object.fromEntries(
      [...engine.takeDelivered()].map(([id, rs]) => [id, rs.map((r) => r.view())]),
    ),
    counters: engine.counters(),
  };
}
interface EngineSplit {
  at: number;
}

const payloadArb = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .record(
        {
          k: fc.constantFrom('x', 'y', 'z'),
          v: fc.oneof(fc.integer({ min: -50, max: 50 }), fc.constant('n/a')),
          s: fc.constantFrom('alpha', 'beta', 'gamma'),
          nested: fc.record({ w: fc.integer({ min: 0, max: 9 }) }),
        },
        { requiredKeys: ['k'] },
      )
      .map((o) => JSON.stringify(o)),
  },
  { weight: 1, arbitrary: fc.constantFrom('plain text', '[1,2]', '42', '{broken') },
);

const eventsArb: fc.Arbitrary<SourceEvent[]> = fc
  .array(
    fc.tuple(
      fc.integer({ min: 0, max: 40 }),
      fc.constantFrom('a', 'a', 'a', 'b'),
      payloadArb,
      fc.integer({ min: 1, max: 3 }),
    ),
    {
      maxLength: 80,
    },
  )
  .map((list) => {
    let time = 1000;
    return list.map(([gap, stream, text, node], seq) => {
      time += gap + 1;
      return {
        seq,
        time,
        streamId: stream === 'a' ? 1 : 2,
        stream,
        node,
        text,
        size: Buffer.byteLength(text),
      };
    });
  });

const conditionArb = fc.constantFrom(
  'v > 0',
  'k = "x"',
  'k != "y" AND v <= 20',
  'NOT s CONTAINS "ph"',
  'nested.w >= 5 OR k = "z"',
  'node = 2',
  'payload STARTSWITH "{"',
);
const opArb = fc.constantFrom(
  { op: 'set', field: 'w', expr: 'v * 2 + 1' },
  { op: 'set', field: 'label', expr: 'upper(k) + "-" + str($node)' },
  { op: 'set', field: 'nested.w', expr: 'coalesce(nested.w, 0) + 100' },
  { op: 'set', field: 'bucket', expr: '$time % 7' },
  { op: 'drop', field: 's' },
  { op: 'rename', from: 'k', to: 'key' },
  { op: 'rename', from: 's', to: 'tag.name' },
);
const windowArb = fc.oneof(
  fc.constantFrom(10, 25, 100).map((sizeMs) => ({ kind: 'tumbling', sizeMs })),
  fc
    .constantFrom([20, 10], [30, 10], [50, 25], [10, 10])
    .map(([sizeMs, slideMs]) => ({ kind: 'sliding', sizeMs, slideMs })),
);
const measureArb = fc.constantFrom(
  { fn: 'count', as: 'n' },
  { fn: 'sum', field: 'v', as: 'total' },
  { fn: 'avg', field: 'v', as: 'mean' },
  { fn: 'min', field: 'nested.w', as: 'lo' },
  { fn: 'max', field: 'w', as: 'hi' },
  { fn: 'percentile', field: 'v', p: 90, as: 'p90' },
  { fn: 'percentile', field: 'v', p: 50, as: 'p50' },
);

/** Random chains: source → [filter] → [transform] → [aggregate] → sink. */
const graphArb: fc.Arbitrary<PipelineGraph> = fc
  .record({
    filter: fc.option(conditionArb),
    ops: fc.option(fc.array(opArb, { minLength: 1, maxLength: 3 })),
    aggregate: fc.option(
      fc.record({
        window: windowArb,
        groupBy: fc.constantFrom([], ['k'], ['k', 'nested.w'], ['key']),
        measures: fc.uniqueArray(measureArb, { minLength: 1, maxLength: 4, selector: (m) => m.as }),
      }),
    ),
  })
  .map(({ filter, ops, aggregate }) => {
    const nodes: unknown[] = [{ id: 'src', kind: 'source', config: { stream: 'a' } }];
    if (filter !== null) nodes.push({ id: 'f', kind: 'filter', config: { condition: filter } });
    if (ops !== null) nodes.push({ id: 't', kind: 'transform', config: { ops } });
    if (aggregate !== null) nodes.push({ id: 'agg', kind: 'aggregate', config: aggregate });
    nodes.push({ id: 'out', kind: 'sink', config: { kind: 'stream', stream: 'derived' } });
    const ids = nodes.map((n) => (n as { id: string }).id);
    return pipelineGraphSchema.parse({ nodes, edges: ids.slice(1).map((to, i) => ({ from: ids[i]!, to })) });
  });

describe('the pipeline engine', () => {
  it('is deterministic and equal to the reference evaluation (property)', () => {
    fc.assert(
      fc.property(graphArb, eventsArb, (graph, events) => {
        const pipeline = compile(graph);
        const once = runEngine(pipeline, events);
        const twice = runEngine(pipeline, events);
        expect(twice).toEqual(once);
        const reference = referenceEvaluate(pipeline, events);
        for (const node of pipeline.nodes) {
          expect(once.samples![node.id], node.id).toEqual(reference.outputs[node.id]);
          expect(once.counters[node.id]!.out, node.id).toBe(reference.outputs[node.id]!.length);
          expect(once.counters[node.id]!.errors, node.id).toBe(reference.errors[node.id]);
        }
        expect(once.delivered.out ?? []).toEqual(reference.outputs.out);
      }),
      { numRuns: 400 },
    );
  });

  it('continues from a snapshot exactly as if it had never stopped (property)', () => {
    fc.assert(
      fc.property(graphArb, eventsArb, fc.nat(), (graph, events, cut) => {
        const pipeline = compile(graph);
        const whole = runEngine(pipeline, events);
        const split = runEngine(pipeline, events, { at: events.length === 0 ? 0 : cut % events.length });
        expect(split.delivered.out ?? []).toEqual(whole.delivered.out ?? []);
        expect(split.counters).toEqual(whole.counters);
      }),
      { numRuns: 300 },
    );
  });

  const ev = (seq: number, time: number, stream: string, fields: object): SourceEvent => {
    const text = JSON.stringify(fields);
    return { seq, time, streamId: stream.length, stream, node: 1, text, size: text.length };
  };

  it('joins two inputs on a key within the window, in arrival order', () => {
    const pipeline = compile({
      nodes: [
        { id: 'orders', kind: 'source', config: { stream: 'orders' } },
        { id: 'pays', kind: 'source', config: { stream: 'payments' } },
        { id: 'j', kind: 'join', config: { leftKey: 'order', rightKey: 'ref', windowMs: 100 } },
        { id: 'out', kind: 'sink', config: { kind: 'webhook', url: 'http://127.0.0.1:9/x' } },
      ],
      edges: [
        { from: 'orders', to: 'j', port: 'left' },
        { from: 'pays', to: 'j', port: 'right' },
        { from: 'j', to: 'out' },
      ],
    });
    const result = runEngine(pipeline, [
      ev(0, 1000, 'orders', { order: 1, amount: 5 }),
      ev(1, 1050, 'payments', { ref: 1, ok: true }),
      ev(2, 1060, 'orders', { order: 2 }),
      ev(3, 1200, 'payments', { ref: 2 }), // 140 ms after order 2: outside the window
      ev(4, 1210, 'payments', { ref: 1 }), // order 1 long gone
      ev(5, 1250, 'payments', { nope: 1 }),
    ]);
    expect(result.delivered.out).toEqual([
      {
        seq: 1,
        time: 1050,
        stream: 'payments',
        fields: { key: 1, left: { order: 1, amount: 5 }, right: { ref: 1, ok: true } },
      },
    ]);
    expect(result.counters.j).toMatchObject({
      in: 6,
      out: 1,
      errors: 1,
      lastError: 'a record has no ref to join on',
    });
  });

  it('closes tumbling and sliding windows as the journal clock passes their end', () => {
    const pipeline = compile({
      nodes: [
        { id: 's', kind: 'source', config: { stream: 'm' } },
        {
          id: 'a',
          kind: 'aggregate',
          config: {
            window: { kind: 'sliding', sizeMs: 20, slideMs: 10 },
            measures: [{ fn: 'sum', field: 'v', as: 'sum' }],
          },
        },
        {
          id: 'out',
          kind: 'sink',
          config: { kind: 'dashboard', stream: 'd', series: 's', valueField: 'sum' },
        },
      ],
      edges: [
        { from: 's', to: 'a' },
        { from: 'a', to: 'out' },
      ],
    });
    const engine = new PipelineEngine(pipeline);
    engine.push(ev(0, 105, 'm', { v: 1 }));
    expect(engine.takeDelivered().size).toBe(0);
    engine.push(ev(1, 112, 'm', { v: 2 })); // [90,110) holds 105 and ends before 112
    expect(
      engine
        .takeDelivered()
        .get('out')!
        .map((r) => r.fields),
    ).toEqual([{ window_start: 90, window_end: 110, sum: 1 }]);
    engine.push(ev(2, 120, 'other', {})); // another stream's event moves time too: [100,120) closes
    expect(
      engine
        .takeDelivered()
        .get('out')!
        .map((r) => r.fields),
    ).toEqual([{ window_start: 100, window_end: 120, sum: 3 }]);
    engine.advance(140);
    expect(
      engine
        .takeDelivered()
        .get('out')!
        .map((r) => r.fields),
    ).toEqual([{ window_start: 110, window_end: 130, sum: 2 }]);
    expect(engine.counters().a!.pending).toBe(0);
  });
});
