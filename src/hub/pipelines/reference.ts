/**
 * A slow, obviously right evaluation of a pipeline over a whole list of events, for the property test that
 * the engine (and so the dry run) computes the same thing. It works stage by stage on complete lists — no
 * watermark, no incremental windows, no state — so it shares none of the engine's machinery: each window's
 * records are collected first and measured afterwards. Conditions and expressions are evaluated with the
 * query evaluator and the expression evaluator, which have their own tests.
 *
 * It covers chains (every node has at most one input; no join), which is what the property generates.
 *
 * @module
 */
import { evaluate } from '../query/evaluate.ts';
import type { SourceEvent } from './engine.ts';
import { evaluateExpression, ExprEvalError } from './expr.ts';
import { deletePath, type Fields, getPath, PipeRecord, RecordContext, setPath } from './record.ts';
import type { Measure, PipelineRecordView } from './schema.ts';
import type { CompiledNode, CompiledPipeline } from './validate.ts';

interface Flow {
  records: PipeRecord[];
  errors: number;
}

function measure(m: Measure, records: PipeRecord[]): unknown {
  if (m.fn === 'count') return records.length;
  const path = m.field!.split('.');
  const numbers = records
    .map((r) => getPath(r.fields, path))
    .filter((v): v is number => typeof v === 'number');
  let sum = 0;
  for (const n of numbers) sum += n;
  switch (m.fn) {
    case 'sum':
      return sum;
    case 'avg':
      return numbers.length === 0 ? null : sum / numbers.length;
    case 'min':
      return numbers.length === 0 ? null : numbers.reduce((a, b) => (b < a ? b : a));
    case 'max':
      return numbers.length === 0 ? null : numbers.reduce((a, b) => (b > a ? b : a));
    case 'percentile': {
      if (numbers.length === 0) return null;
      const sorted = [...numbers].sort((a, b) => a - b);
      // Nearest rank: the smallest value with at least p% of the values at or below it.
      for (let i = 0; i < sorted.length; i++) if ((i + 1) * 100 >= m.p! * sorted.length) return sorted[i];
      return sorted[sorted.length - 1];
    }
  }
}

function stage(node: CompiledNode, input: PipeRecord[]): Flow {
  switch (node.kind) {
    case 'source':
    case 'sink':
      return { records: input, errors: 0 };
    case 'join':
      throw new Error('the reference evaluator does not cover joins');
    case 'filter': {
      const ctx = new RecordContext();
      return { records: input.filter((r) => evaluate(node.condition, ctx.use(r))), errors: 0 };
    }
    case 'transform': {
      const out: PipeRecord[] = [];
      let errors = 0;
      for (const r of input) {
        const fields = JSON.parse(JSON.stringify(r.fields)) as Fields;
        const scope = {
          field: (p: readonly string[]) => getPath(fields, p),
          seq: r.seq,
          time: r.time,
          stream: r.stream,
          node: r.node,
        };
        try {
          for (const op of node.ops) {
            if (op.op === 'set') setPath(fields, op.path, evaluateExpression(op.expr, scope));
            else if (op.op === 'drop') deletePath(fields, op.path);
            else if (getPath(fields, op.from) !== undefined) {
              const v = getPath(fields, op.from);
              deletePath(fields, op.from);
              setPath(fields, op.to, v);
            }
          }
          out.push(r.derive(fields));
        } catch (error) {
          if (!(error instanceof ExprEvalError)) throw error;
          errors++;
        }
      }
      return { records: out, errors };
    }
    case 'aggregate': {
      const { window, groupBy, measures } = node.config;
      const slide = window.kind === 'tumbling' ? window.sizeMs : window.slideMs;
      const buckets = new Map<
        string,
        { start: number; key: string; values: unknown[]; records: PipeRecord[] }
      >();
      for (const r of input) {
        const values = groupBy.map((g) => getPath(r.fields, g.split('.')) ?? null);
        const key = JSON.stringify(values);
        // Every window start (a multiple of the slide) whose window holds r.time.
        for (let start = 0; start <= r.time; start += slide) {
          if (r.time >= start + window.sizeMs) continue;
          const id = `${start}|${key}`;
          const bucket = buckets.get(id) ?? { start, key, values, records: [] };
          bucket.records.push(r);
          buckets.set(id, bucket);
        }
      }
      const ordered = [...buckets.values()].sort(
        (a, b) => a.start - b.start || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
      );
      return {
        errors: 0,
        records: ordered.map((b) => {
          const fields: Fields = { window_start: b.start, window_end: b.start + window.sizeMs };
          groupBy.forEach((g, i) => setPath(fields, g.split('.'), b.values[i]));
          for (const m of measures) fields[m.as] = measure(m, b.records);
          const last = b.records[b.records.length - 1]!;
          return new PipeRecord(last.seq, b.start + window.sizeMs - 1, null, 0, 0, { fields });
        }),
      };
    }
  }
}

export interface ReferenceResult {
  /** Records out of each node, in order. */
  outputs: Record<string, PipelineRecordView[]>;
  errors: Record<string, number>;
}

/** Evaluates a chain-shaped pipeline over a complete list of events. */
export function referenceEvaluate(
  pipeline: CompiledPipeline,
  events: readonly SourceEvent[],
): ReferenceResult {
  const inputOf = new Map<string, string>();
  for (const [from, targets] of pipeline.outputs) for (const { to } of targets) inputOf.set(to, from);
  const flows = new Map<string, Flow>();
  for (const node of pipeline.nodes) {
    let input: PipeRecord[];
    if (node.kind === 'source')
      input = events
        .filter((e) => e.stream === node.config.stream)
        .map(
          (e) => new PipeRecord(e.seq, e.time, e.stream, e.streamId, e.node, { text: e.text, size: e.size }),
        );
    else {
      const from = inputOf.get(node.id);
      input = from === undefined ? [] : flows.get(from)!.records;
    }
    flows.set(node.id, stage(node, input));
  }
  return {
    outputs: Object.fromEntries(
      [...flows].map(([id, f]) => [id, f.records.map((r) => structuredClone(r.view()))]),
    ),
    errors: Object.fromEntries([...flows].map(([id, f]) => [id, f.errors])),
  };
}
