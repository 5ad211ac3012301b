/**
 * The pipeline engine: pushes records through a compiled graph, one journal event at a time, on event time.
 * Both the live runner and the dry run drive it, so what a dry run shows is what a run does.
 *
 * Time: every record carries its event's journal clock time. The watermark is the time of the latest event
 * pushed (journal clock values increase with the sequence), so before an event at time t is processed every
 * window ending at or before t closes, in topological order so a window's output still reaches downstream
 * windows that are open. An aggregate's output record has the window's last millisecond as its time. The
 * live runner may also advance the watermark from the wall clock when no events come (so windows close on a
 * quiet stream); a dry run never does, and closes whatever is still open at the end of its range (`finish`).
 *
 * Nothing here reads a clock or does I/O: the same events give the same outputs.
 *
 * @module
 */
import { evaluate } from '../query/evaluate.ts';
import { evaluateExpression, ExprEvalError, type ExprScope } from './expr.ts';
import {
  cloneFields,
  deletePath,
  type Fields,
  getPath,
  PipeRecord,
  RecordContext,
  setPath,
} from './record.ts';
import type { Measure, NodeCounters, PipelineRecordView, WindowSpec } from './schema.ts';
import { type CompiledNode, type CompiledPipeline, splitPath } from './validate.ts';

/** A journal event as a source sees it. */
export interface SourceEvent {
  seq: number;
  time: number;
  streamId: number;
  stream: string | null;
  node: number;
  /** The payload as UTF-8 text, or null when it is not valid UTF-8. */
  text: string | null;
  size: number;
}

/** Join buffers and open windows hold at most this many records or groups per node; beyond, the oldest go. */
export const MAX_STATE_PER_NODE = 100_000;

interface Accumulator {
  count: number;
  sum: number;
  numbers: number;
  min: number | null;
  max: number | null;
  values: number[];
}

interface Group {
  values: unknown[];
  accs: Accumulator[];
  /** Sequence of the last record in the group, and of the first (absent in state saved before it existed). */
  seq: number;
  firstSeq?: number;
}

type NodeState =
  | { kind: 'aggregate'; windows: Map<number, Map<string, Group>> }
  | { kind: 'join'; left: PipeRecord[]; right: PipeRecord[] }
  | null;

interface Runtime {
  node: CompiledNode;
  counters: NodeCounters;
  sample: PipelineRecordView[];
  state: NodeState;
  outputs: { to: Runtime; port: string }[];
  groupPaths: string[][];
  measurePaths: (string[] | null)[];
  /** Windows ending at or before this have been closed (emitted). */
  closedThrough: number;
}

/** Windows [start, start + size) that contain t, earliest first. */
export function windowsOf(window: WindowSpec, t: number): number[] {
  if (window.kind === 'tumbling') return [Math.floor(t / window.sizeMs) * window.sizeMs];
  const { sizeMs, slideMs } = window;
  const last = Math.floor(t / slideMs) * slideMs;
  const out: number[] = [];
  for (let start = last; start > t - sizeMs; start -= slideMs) if (start >= 0) out.unshift(start);
  return out;
}

/** Nearest-rank percentile of sorted values. */
export function percentileOf(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100));
  return sorted[rank - 1]!;
}

export function measureResult(m: Measure, acc: Accumulator): unknown {
  switch (m.fn) {
    case 'count':
      return acc.count;
    case 'sum':
      return acc.sum;
    case 'avg':
      return acc.numbers === 0 ? null : acc.sum / acc.numbers;
    case 'min':
      return acc.min;
    case 'max':
      return acc.max;
    case 'percentile':
      return percentileOf(
        [...acc.values].sort((a, b) => a - b),
        m.p!,
      );
  }
}

const emptyAccumulator = (): Accumulator => ({
  count: 0,
  sum: 0,
  numbers: 0,
  min: null,
  max: null,
  values: [],
});

export interface EngineOptions {
  /** Records kept per node for display (dry-run samples). */
  sample?: number;
}

export class PipelineEngine {
  readonly #runtimes: Runtime[];
  readonly #byId = new Map<string, Runtime>();
  readonly #sources = new Map<string, Runtime[]>();
  readonly #sampleSize: number;
  readonly #ctx = new RecordContext();
  #watermark = -Infinity;
  #delivered = new Map<string, PipeRecord[]>();

  constructor(pipeline: CompiledPipeline, options: EngineOptions = {}) {
    this.#sampleSize = options.sample ?? 0;
    this.#runtimes = pipeline.nodes.map((node) => {
      const rt: Runtime = {
        node,
        counters: { in: 0, out: 0, errors: 0, pending: 0, lag: 0, lastError: null },
        sample: [],
        state:
          node.kind === 'aggregate'
            ? { kind: 'aggregate', windows: new Map() }
            : node.kind === 'join'
              ? { kind: 'join', left: [], right: [] }
              : null,
        outputs: [],
        groupPaths: node.kind === 'aggregate' ? node.config.groupBy.map(splitPath) : [],
        measurePaths:
          node.kind === 'aggregate'
            ? node.config.measures.map((m) => (m.field === undefined ? null : splitPath(m.field)))
            : [],
        closedThrough: -Infinity,
      };
      this.#byId.set(node.id, rt);
      if (node.kind === 'source') {
        const list = this.#sources.get(node.config.stream) ?? [];
        list.push(rt);
        this.#sources.set(node.config.stream, list);
      }
      return rt;
    });
    for (const rt of this.#runtimes)
      rt.outputs = (pipeline.outputs.get(rt.node.id) ?? []).map(({ to, port }) => ({
        to: this.#byId.get(to)!,
        port,
      }));
  }

  /** The stream names the sources read. */
  get streams(): string[] {
    return [...this.#sources.keys()];
  }

  get watermark(): number {
    return this.#watermark;
  }

  /** Pushes one journal event: closes the windows it proves complete, then feeds the sources of its stream. */
  push(event: SourceEvent): void {
    this.advance(event.time);
    const sources = event.stream === null ? undefined : this.#sources.get(event.stream);
    if (sources === undefined) return;
    const record = new PipeRecord(event.seq, event.time, event.stream, event.streamId, event.node, {
      text: event.text,
      size: event.size,
    });
    for (const rt of sources) {
      rt.counters.in++;
      this.#emit(rt, record);
    }
  }

  /** Moves event time forward: closes windows ending at or before `watermark`, forgets unmatchable join records. */
  advance(watermark: number): void {
    if (watermark <= this.#watermark) return;
    this.#watermark = watermark;
    for (const rt of this.#runtimes) {
      if (rt.state?.kind === 'aggregate') {
        this.#closeWindows(rt, (end) => end <= watermark);
        rt.closedThrough = watermark;
      } else if (rt.state?.kind === 'join') {
        const horizon = watermark - (rt.node.config as { windowMs: number }).windowMs;
        const keep = (r: PipeRecord) => r.time >= horizon;
        rt.state.left = rt.state.left.filter(keep);
        rt.state.right = rt.state.right.filter(keep);
        rt.counters.pending = rt.state.left.length + rt.state.right.length;
      }
    }
  }

  /** Closes every open window (the end of a dry run's range). */
  finish(): void {
    for (const rt of this.#runtimes) if (rt.state?.kind === 'aggregate') this.#closeWindows(rt, () => true);
  }

  /** Whether any window is open or any join record is buffered (so moving time on could emit something). */
  hasPending(): boolean {
    return this.#runtimes.some((rt) => rt.counters.pending > 0);
  }

  /** Records that reached each sink since the last call, by sink node id. */
  takeDelivered(): Map<string, PipeRecord[]> {
    const out = this.#delivered;
    this.#delivered = new Map();
    return out;
  }

  /** Each node's counters; `lag` here is what its state holds (a live run adds the journal and delivery lag). */
  counters(): Record<string, NodeCounters> {
    return Object.fromEntries(
      this.#runtimes.map((rt) => [rt.node.id, { ...rt.counters, lag: rt.counters.pending }]),
    );
  }

  samples(): Record<string, PipelineRecordView[]> {
    return Object.fromEntries(this.#runtimes.map((rt) => [rt.node.id, rt.sample]));
  }

  /** Adds to a node's error count (a sink's failed delivery). */
  countError(nodeId: string, message: string, n = 1): void {
    const rt = this.#byId.get(nodeId);
    if (!rt) return;
    rt.counters.errors += n;
    rt.counters.lastError = message;
  }

  // ── state that survives a restart ─────────────────────────────────────────────────────────────────

  snapshot(): EngineSnapshot {
    const nodes: EngineSnapshot['nodes'] = {};
    for (const rt of this.#runtimes) {
      const s = rt.state;
      nodes[rt.node.id] = {
        counters: { ...rt.counters },
        windows:
          s?.kind === 'aggregate'
            ? [...s.windows].map(([start, groups]) => [
                start,
                [...groups].map(([k, g]) => [k, structuredClone(g)]),
              ])
            : undefined,
        left: s?.kind === 'join' ? s.left.map((r) => r.toJSON()) : undefined,
        right: s?.kind === 'join' ? s.right.map((r) => r.toJSON()) : undefined,
      };
    }
    return { watermark: Number.isFinite(this.#watermark) ? this.#watermark : null, nodes };
  }

  restore(snapshot: EngineSnapshot): void {
    this.#watermark = snapshot.watermark ?? -Infinity;
    for (const rt of this.#runtimes) {
      if (rt.state?.kind === 'aggregate') rt.closedThrough = this.#watermark;
      const saved = snapshot.nodes[rt.node.id];
      if (!saved) continue;
      rt.counters = { ...saved.counters, lag: 0 };
      const s = rt.state;
      if (s?.kind === 'aggregate' && saved.windows)
        s.windows = new Map(
          saved.windows.map(([start, groups]) => [
            start,
            new Map(groups.map(([k, g]) => [k, structuredClone(g)])),
          ]),
        );
      if (s?.kind === 'join') {
        s.left = (saved.left ?? []).map((r) =>
          PipeRecord.fromJSON(r as Parameters<typeof PipeRecord.fromJSON>[0]),
        );
        s.right = (saved.right ?? []).map((r) =>
          PipeRecord.fromJSON(r as Parameters<typeof PipeRecord.fromJSON>[0]),
        );
      }
    }
  }

  // ── nodes ─────────────────────────────────────────────────────────────────────────────────────────

  #emit(rt: Runtime, record: PipeRecord): void {
    if (rt.node.kind === 'sink') {
      let list = this.#delivered.get(rt.node.id);
      if (!list) this.#delivered.set(rt.node.id, (list = []));
      list.push(record);
    }
    rt.counters.out++;
    if (rt.sample.length < this.#sampleSize) rt.sample.push(structuredClone(record.view()));
    for (const { to, port } of rt.outputs) this.#receive(to, port, record);
  }

  #fail(rt: Runtime, error: unknown): void {
    if (!(error instanceof ExprEvalError)) throw error;
    rt.counters.errors++;
    rt.counters.lastError = error.message;
  }

  #receive(rt: Runtime, port: string, record: PipeRecord): void {
    rt.counters.in++;
    const node = rt.node;
    switch (node.kind) {
      case 'source':
        return;
      case 'sink':
        return this.#emit(rt, record);
      case 'filter':
        if (evaluate(node.condition, this.#ctx.use(record))) this.#emit(rt, record);
        return;
      case 'transform': {
        const fields = cloneFields(record.fields);
        const scope: ExprScope = {
          field: (path) => getPath(fields, path),
          seq: record.seq,
          time: record.time,
          stream: record.stream,
          node: record.node,
        };
        try {
          for (const op of node.ops) {
            if (op.op === 'set') setPath(fields, op.path, evaluateExpression(op.expr, scope));
            else if (op.op === 'drop') deletePath(fields, op.path);
            else {
              const value = getPath(fields, op.from);
              if (value === undefined) continue;
              deletePath(fields, op.from);
              setPath(fields, op.to, value);
            }
          }
        } catch (error) {
          return this.#fail(rt, error);
        }
        return this.#emit(rt, record.derive(fields));
      }
      case 'join':
        return this.#join(rt, port, record);
      case 'aggregate':
        return this.#aggregate(rt, record);
    }
  }

  #join(rt: Runtime, port: string, record: PipeRecord): void {
    const state = rt.state as { kind: 'join'; left: PipeRecord[]; right: PipeRecord[] };
    const config = rt.node.config as { leftKey: string; rightKey: string; windowMs: number };
    const isLeft = port === 'left';
    const keyOf = (r: PipeRecord, left: boolean) =>
      JSON.stringify(getPath(r.fields, splitPath(left ? config.leftKey : config.rightKey)) ?? null);
    const key = getPath(record.fields, splitPath(isLeft ? config.leftKey : config.rightKey));
    if (key === undefined || key === null) {
      rt.counters.errors++;
      rt.counters.lastError = `a record has no ${isLeft ? config.leftKey : config.rightKey} to join on`;
      return;
    }
    const text = JSON.stringify(key);
    for (const other of isLeft ? state.right : state.left) {
      if (Math.abs(other.time - record.time) > config.windowMs || keyOf(other, !isLeft) !== text) continue;
      const [l, r] = isLeft ? [record, other] : [other, record];
      this.#emit(
        rt,
        record.derive(
          { key, left: cloneFields(l.fields), right: cloneFields(r.fields) },
          Math.max(l.time, r.time),
          Math.max(l.seq, r.seq),
          Math.min(l.firstSeq, r.firstSeq),
        ),
      );
    }
    const side = isLeft ? state.left : state.right;
    side.push(record);
    if (side.length > MAX_STATE_PER_NODE) {
      side.shift();
      rt.counters.errors++;
      rt.counters.lastError = `the join holds more than ${MAX_STATE_PER_NODE} records per side; the oldest was dropped`;
    }
    rt.counters.pending = state.left.length + state.right.length;
  }

  #aggregate(rt: Runtime, record: PipeRecord): void {
    const node = rt.node as Extract<CompiledNode, { kind: 'aggregate' }>;
    const state = rt.state as { kind: 'aggregate'; windows: Map<number, Map<string, Group>> };
    const fields = record.fields;
    const values = rt.groupPaths.map((p) => getPath(fields, p) ?? null);
    const key = JSON.stringify(values);
    for (const start of windowsOf(node.config.window, record.time)) {
      if (start + node.config.window.sizeMs <= rt.closedThrough) {
        rt.counters.errors++;
        rt.counters.lastError = 'a record arrived after its window closed';
        continue;
      }
      let groups = state.windows.get(start);
      if (!groups) state.windows.set(start, (groups = new Map()));
      let group = groups.get(key);
      if (!group) {
        if (rt.counters.pending >= MAX_STATE_PER_NODE) {
          rt.counters.errors++;
          rt.counters.lastError = `the aggregate holds more than ${MAX_STATE_PER_NODE} open groups; group by fewer values`;
          continue;
        }
        groups.set(
          key,
          (group = {
            values,
            accs: node.config.measures.map(emptyAccumulator),
            seq: record.seq,
            firstSeq: record.firstSeq,
          }),
        );
        rt.counters.pending++;
      }
      group.seq = record.seq;
      node.config.measures.forEach((m, i) => {
        const acc = group.accs[i]!;
        acc.count++;
        const path = rt.measurePaths[i];
        if (path === null || path === undefined) return;
        const v = getPath(fields, path);
        if (typeof v !== 'number') return;
        acc.numbers++;
        acc.sum += v;
        acc.min = acc.min === null ? v : Math.min(acc.min, v);
        acc.max = acc.max === null ? v : Math.max(acc.max, v);
        if (m.fn === 'percentile') acc.values.push(v);
      });
    }
  }

  #closeWindows(rt: Runtime, closes: (end: number) => boolean): void {
    const node = rt.node as Extract<CompiledNode, { kind: 'aggregate' }>;
    const state = rt.state as { kind: 'aggregate'; windows: Map<number, Map<string, Group>> };
    const size = node.config.window.sizeMs;
    const starts = [...state.windows.keys()].filter((s) => closes(s + size)).sort((a, b) => a - b);
    for (const start of starts) {
      const groups = state.windows.get(start)!;
      state.windows.delete(start);
      rt.counters.pending -= groups.size;
      const keys = [...groups.keys()].sort();
      for (const key of keys) {
        const group = groups.get(key)!;
        const fields: Fields = { window_start: start, window_end: start + size };
        node.config.groupBy.forEach((path, i) => setPath(fields, splitPath(path), group.values[i]));
        node.config.measures.forEach((m, i) => {
          fields[m.as] = measureResult(m, group.accs[i]!);
        });
        this.#emit(
          rt,
          new PipeRecord(group.seq, start + size - 1, null, 0, 0, { fields }, group.firstSeq ?? group.seq),
        );
      }
    }
  }
}

export interface EngineSnapshot {
  watermark: number | null;
  nodes: Record<
    string,
    {
      counters: NodeCounters;
      windows?: [number, [string, Group][]][] | undefined;
      left?: unknown[] | undefined;
      right?: unknown[] | undefined;
    }
  >;
}
