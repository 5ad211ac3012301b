/**
 * Runs a parsed query over the journal. `planQuery` resolves the streams and time bounds (binary search) to a
 * sequence range; `QueryRun` then walks that range one chunk per `next()` call: stream ids are checked on the
 * slot before anything else, the condition decodes the payload only when it needs it, and after each chunk the
 * tail is re-read so that nothing the writer evicted meanwhile is returned. Rows come back chunk by chunk
 * (aggregations at the end), so the HTTP layer can stream them and a slow or vanished client stops the scan.
 *
 * @module
 */

import type { JournalReader } from '../../journal/reader.ts';
import { HubError } from '../errors.ts';
import { resolveTimeBound } from '../events/time.ts';
import type { Expr, Field, Query } from './ast.ts';
import {
  cellValue,
  EventContext,
  evaluate,
  mayMatch,
  payloadCell,
  readsPayload,
  requiredBytes,
} from './evaluate.ts';
import { printExpr, printField } from './printer.ts';

export type Row = unknown[];

export const DEFAULT_SCAN_BUDGET = 20_000_000;
export const DEFAULT_TIME_BUDGET_MS = 30_000;
export const DEFAULT_MAX_GROUPS = 100_000;
const CHUNK = 16_384;

export const ALL_COLUMNS = ['seq', 'time', 'stream', 'node', 'size', 'payload'];

export interface QueryPlan {
  /** Stream ids read, or null for all streams. */
  streams: { id: number; name: string | null }[] | null;
  range: { from: number; to: number; slots: number };
  head: number;
  tail: number;
  sinceMs: number | null;
  untilMs: number | null;
  where: string | null;
  readsPayload: boolean;
  columns: string[];
  aggregate: { groupBy: string | null; bucketMs: number | null } | null;
  limit: number | null;
  offset: number;
  budget: { slots: number; ms: number };
}

export interface QueryStats {
  scanned: { from: number; to: number; count: number };
  matched: number;
  overwritten: number;
  payloadsDecoded: number;
  /** Payloads ruled out by a byte search for the condition's strings, without decoding (see requiredBytes). */
  payloadsSkippedByBytes: number;
  elapsedMs: number;
}

export interface RunOptions {
  /** Rows when the query has no LIMIT (null: no limit). */
  defaultLimit?: number | null;
  scanBudget?: number;
  timeBudgetMs?: number;
  /** Groups an aggregation may hold (default 100 000): a key per event would otherwise grow without bound. */
  maxGroups?: number;
  signal?: AbortSignal;
  /** For elapsed time and the time budget. */
  clock?: () => number;
}

function columnsOf(query: Query): string[] {
  const p = query.projection;
  if (p.kind === 'all') return ALL_COLUMNS;
  if (p.kind === 'fields') return p.fields.map(printField);
  const columns: string[] = [];
  if (query.bucketMs !== null) columns.push('bucket');
  if (query.groupBy !== null) columns.push(printField(query.groupBy));
  columns.push('count');
  return columns;
}

/**
 * Conditions on `seq` and `time` that every match must meet (the top-level AND chain) narrow the sequence range
 * before the scan, like SINCE/UNTIL: `seq` directly, `time` by binary search. The condition is still evaluated on
 * every event in the range, so this only has to keep a superset of the matches.
 */
function narrowBySlotFields(
  expr: Expr | null,
  bounds: { from: number; to: number },
  reader: JournalReader,
): void {
  if (expr === null) return;
  if (expr.kind === 'and') {
    narrowBySlotFields(expr.left, bounds, reader);
    narrowBySlotFields(expr.right, bounds, reader);
    return;
  }
  if (expr.kind !== 'compare' || expr.field.kind !== 'builtin' || typeof expr.value !== 'number') return;
  const name = expr.field.name;
  if (name !== 'seq' && name !== 'time') return;
  const v = expr.value;
  // Both fields are integers: the first value meeting a lower bound, and the first one past an upper bound.
  const low = expr.op === '>' ? Math.floor(v) + 1 : Math.ceil(v);
  const high = expr.op === '<' ? Math.ceil(v) : Math.floor(v) + 1;
  const toSeq = (x: number): number => (name === 'seq' ? x : reader.findByTime(x));
  if (expr.op === '>' || expr.op === '>=' || expr.op === '=') bounds.from = Math.max(bounds.from, toSeq(low));
  if (expr.op === '<' || expr.op === '<=' || expr.op === '=') bounds.to = Math.min(bounds.to, toSeq(high));
}

/** Resolves streams and time bounds against the journal as it is now. */
export function planQuery(
  reader: JournalReader,
  query: Query,
  now: number,
  options: RunOptions = {},
): QueryPlan {
  let streams: QueryPlan['streams'] = null;
  if (query.from !== null) {
    const known = reader.streams();
    const ids = new Map<number, string | null>();
    for (const ref of query.from) {
      if (typeof ref === 'number') {
        ids.set(ref, reader.streamName(ref));
        continue;
      }
      const found = known.find((s) => s.name === ref);
      if (!found) {
        const names = known.map((s) => s.name).join(', ') || 'none';
        throw new HubError(400, 'UNKNOWN_STREAM', `no stream is named "${ref}" (known streams: ${names})`, {
          stream: ref,
          known: known.map((s) => s.name),
        });
      }
      ids.set(found.id, found.name);
    }
    streams = [...ids].sort((a, b) => a[0] - b[0]).map(([id, name]) => ({ id, name }));
  }
  const { head, tail } = reader.publication();
  const sinceMs = query.since === null ? null : resolveTimeBound(query.since, now);
  const untilMs = query.until === null ? null : resolveTimeBound(query.until, now);
  const bounds = { from: tail, to: head };
  if (sinceMs !== null) bounds.from = Math.max(bounds.from, reader.findByTime(sinceMs));
  if (untilMs !== null) bounds.to = Math.min(bounds.to, reader.findByTime(untilMs));
  narrowBySlotFields(query.where, bounds, reader);
  const from = bounds.from;
  const to = Math.max(from, bounds.to);
  const fields: Field[] = [];
  if (query.projection.kind === 'fields') fields.push(...query.projection.fields);
  if (query.projection.kind === 'all') fields.push({ kind: 'builtin', name: 'payload' });
  if (query.groupBy) fields.push(query.groupBy);
  const aggregate = query.projection.kind === 'count';
  return {
    streams,
    range: { from, to, slots: to - from },
    head,
    tail,
    sinceMs,
    untilMs,
    where: query.where === null ? null : printExpr(query.where),
    readsPayload: readsPayload(query.where, fields),
    columns: columnsOf(query),
    aggregate: aggregate
      ? { groupBy: query.groupBy === null ? null : printField(query.groupBy), bucketMs: query.bucketMs }
      : null,
    limit: query.limit ?? (aggregate ? null : (options.defaultLimit ?? null)),
    offset: query.offset ?? 0,
    budget: {
      slots: options.scanBudget ?? DEFAULT_SCAN_BUDGET,
      ms: options.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS,
    },
  };
}

interface Group {
  row: Row;
  count: number;
  bucket: number;
  key: string;
}

/** One execution of a planned query; call `next()` until it returns null. */
export class QueryRun {
  readonly plan: QueryPlan;
  readonly #reader: JournalReader;
  readonly #query: Query;
  readonly #ctx: EventContext;
  readonly #streamIds: Set<number> | null;
  readonly #signal: AbortSignal | undefined;
  readonly #clock: () => number;
  readonly #started: number;
  readonly #groups = new Map<string, Group>();
  readonly #needles: Buffer[];
  readonly #maxGroups: number;
  #skippedByBytes = 0;
  #position: number;
  #matched = 0;
  #skipped = 0;
  #emitted = 0;
  #overwritten = 0;
  #done = false;

  constructor(reader: JournalReader, query: Query, plan: QueryPlan, options: RunOptions = {}) {
    this.#reader = reader;
    this.#query = query;
    this.plan = plan;
    this.#position = plan.range.from;
    this.#needles = requiredBytes(query.where);
    this.#maxGroups = options.maxGroups ?? DEFAULT_MAX_GROUPS;
    this.#streamIds = plan.streams === null ? null : new Set(plan.streams.map((s) => s.id));
    this.#signal = options.signal;
    this.#clock = options.clock ?? Date.now;
    this.#started = this.#clock();
    const names = new Map<number, string | null>();
    this.#ctx = new EventContext(
      (event) => reader.payloadView(event),
      (id) => {
        let name = names.get(id);
        if (name === undefined) names.set(id, (name = reader.streamName(id)));
        return name;
      },
    );
  }

  stats(): QueryStats {
    const { from } = this.plan.range;
    return {
      scanned: { from, to: this.#position, count: this.#position - from },
      matched: this.#matched,
      overwritten: this.#overwritten,
      payloadsDecoded: this.#ctx.decoded,
      payloadsSkippedByBytes: this.#skippedByBytes,
      elapsedMs: this.#clock() - this.#started,
    };
  }

  get #rowsWanted(): boolean {
    const { limit } = this.plan;
    return this.plan.aggregate !== null || limit === null || this.#emitted < limit;
  }

  #check(): void {
    if (this.#signal?.aborted) {
      this.#done = true;
      throw new HubError(
        400,
        'QUERY_CANCELLED',
        'the query was cancelled (the client went away)',
        this.stats(),
      );
    }
    const { budget } = this.plan;
    const stats = this.stats();
    const over =
      stats.scanned.count >= budget.slots
        ? `${budget.slots} slots`
        : stats.elapsedMs > budget.ms
          ? `${budget.ms} ms`
          : null;
    if (over !== null) {
      this.#done = true;
      throw new HubError(
        400,
        'QUERY_BUDGET_EXCEEDED',
        `the query went over its budget of ${over} after scanning sequences ${stats.scanned.from}–${stats.scanned.to} of ${this.plan.range.from}–${this.plan.range.to}: narrow it with SINCE/UNTIL, FROM or LIMIT`,
        { ...stats, budget },
      );
    }
  }

  /** The next rows (possibly none), or null when the query is complete. Throws QUERY_BUDGET_EXCEEDED/QUERY_CANCELLED. */
  async next(): Promise<Row[] | null> {
    if (this.#done) return null;
    const { to } = this.plan.range;
    if (this.#position >= to || !this.#rowsWanted) return this.#finish();
    this.#check();
    const end = Math.min(
      to,
      this.#position + CHUNK,
      this.#position + this.plan.budget.slots - this.stats().scanned.count,
    );
    const aggregate = this.plan.aggregate !== null;
    const wanted =
      this.plan.limit === null
        ? Infinity
        : this.plan.offset + this.plan.limit - this.#skipped - this.#emitted;
    const found: { seq: number; row: Row }[] = [];
    const where = this.#query.where;
    const ctx = this.#ctx;
    const ids = this.#streamIds;
    const needles = this.#needles;
    const reader = this.#reader;
    const scan = this.#reader.scan(
      this.#position,
      end,
      (event, seq) => {
        if (ids !== null && !ids.has(event.streamId)) return;
        if (needles.length > 0 && !mayMatch(reader.payloadView(event), needles)) {
          this.#skippedByBytes++;
          return;
        }
        ctx.reset(seq, event);
        if (where !== null && !evaluate(where, ctx)) return;
        found.push({ seq, row: aggregate ? this.#groupRow() : this.#row() });
        if (!aggregate && found.length >= wanted) return false;
      },
      CHUNK,
    );
    this.#overwritten += scan.overwritten;
    this.#position = scan.next;
    // Payloads were read from the mapping: keep only what was still retained afterwards.
    const tail = this.#reader.loadTail();
    const rows: Row[] = [];
    for (const { seq, row } of found) {
      if (seq < tail) {
        this.#overwritten++;
        continue;
      }
      this.#matched++;
      if (aggregate) this.#count(row);
      else if (this.#skipped < this.plan.offset) this.#skipped++;
      else if (this.#rowsWanted) {
        rows.push(row);
        this.#emitted++;
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
    return rows;
  }

  #row(): Row {
    const ctx = this.#ctx;
    const p = this.#query.projection;
    if (p.kind === 'fields') return p.fields.map((f) => cellValue(f, ctx));
    const e = ctx.event;
    return [ctx.seq, ctx.time(), ctx.streamName() ?? e.streamId, e.nodeId, e.payloadLength, payloadCell(ctx)];
  }

  /** [bucket start, group value] of the current event. */
  #groupRow(): Row {
    const q = this.#query;
    const bucket = q.bucketMs === null ? 0 : Math.floor(this.#ctx.time() / q.bucketMs) * q.bucketMs;
    return [bucket, q.groupBy === null ? null : cellValue(q.groupBy, this.#ctx)];
  }

  #count(row: Row): void {
    const [bucket, value] = row as [number, unknown];
    const key = JSON.stringify(value) ?? 'null';
    const id = `${bucket}:${key}`;
    const group = this.#groups.get(id);
    if (group) {
      group.count++;
      return;
    }
    if (this.#groups.size >= this.#maxGroups) {
      this.#done = true;
      throw new HubError(
        400,
        'QUERY_TOO_MANY_GROUPS',
        `the aggregation has more than ${this.#maxGroups} groups: group by a field with fewer values, use a larger BY bucket, or narrow the query`,
        { ...this.stats(), maxGroups: this.#maxGroups },
      );
    }
    const q = this.#query;
    const out: Row = [];
    if (q.bucketMs !== null) out.push(bucket);
    if (q.groupBy !== null) out.push(value);
    this.#groups.set(id, { row: out, count: 1, bucket, key });
  }

  #finish(): Row[] | null {
    this.#done = true;
    if (this.plan.aggregate === null) return null;
    const groups = [...this.#groups.values()].sort(
      (a, b) => a.bucket - b.bucket || b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    );
    const q = this.#query;
    if (q.groupBy === null && q.bucketMs === null && groups.length === 0) {
      groups.push({ row: [], count: 0, bucket: 0, key: '' });
    }
    const start = this.plan.offset;
    const end = this.plan.limit === null ? groups.length : start + this.plan.limit;
    return groups.slice(start, end).map((g) => [...g.row, g.count]);
  }
}

/** Plans and runs a query to the end, collecting every row (for JSON answers and tests). */
export async function runQuery(
  reader: JournalReader,
  query: Query,
  now: number,
  options: RunOptions = {},
): Promise<{ plan: QueryPlan; rows: Row[]; stats: QueryStats }> {
  const plan = planQuery(reader, query, now, options);
  const run = new QueryRun(reader, query, plan, options);
  const rows: Row[] = [];
  if (!query.explain) {
    for (let chunk = await run.next(); chunk !== null; chunk = await run.next()) rows.push(...chunk);
  }
  return { plan, rows, stats: run.stats() };
}
