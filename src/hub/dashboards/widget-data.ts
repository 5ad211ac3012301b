/**
 * What a widget shows. Query widgets run their query (docs/query.md) with the dashboard's time range as an
 * outer bound — the query's own SINCE/UNTIL can only narrow it — through the query executor and its budgets;
 * metric widgets read the hub's metrics history. Also the save-time check that every widget's query parses
 * and suits its widget type, with errors that name the widget's field.
 *
 * @module
 */
import type { JournalSource } from '../journal-source.ts';
import { HubError } from '../errors.ts';
import { parseTimeBound, resolveTimeBound } from '../events/time.ts';
import type { MetricsHistory } from '../metrics/history.ts';
import { RESOLUTION_MS } from '../metrics/history.ts';
import type { Field, Query } from '../query/ast.ts';
import { DEFAULT_SCAN_BUDGET, planQuery, QueryRun, type Row } from '../query/executor.ts';
import { parseQuery } from '../query/parser.ts';
import {
  LOG_MAX_LINES,
  TABLE_MAX_ROWS,
  TIMESERIES_MAX_SERIES,
  TIMESERIES_TARGET_POINTS,
  type ValueAggregation,
  type WidgetData,
  type WidgetType,
} from './schema.ts';

/** Points a time series may have; a finer `BY` is widened to stay within it. */
const TIMESERIES_MAX_POINTS = 1000;
const WIDGET_TIME_BUDGET_MS = 10_000;

/** Bucket widths a time series picks from, when its query leaves the width open. */
const NICE_STEPS_MS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800,
  604_800,
].map((s) => s * 1000);

export function niceStep(rawMs: number): number {
  return (
    NICE_STEPS_MS.find((s) => s >= rawMs) ?? Math.ceil(rawMs / NICE_STEPS_MS.at(-1)!) * NICE_STEPS_MS.at(-1)!
  );
}

/** The part of a widget the data depends on. */
export interface WidgetSource {
  id: string;
  type: WidgetType;
  query?: string | undefined;
  metric?: string | undefined;
  value?: string | undefined;
  agg?: ValueAggregation | undefined;
}

/** Why a query cannot feed a widget of this type, or null when it can. */
function unsuitable(type: WidgetType, query: Query, valued: boolean): string | null {
  if (query.explain) return 'EXPLAIN answers a plan, not data: remove it';
  const counts = query.projection.kind === 'count';
  switch (type) {
    case 'timeseries':
      // A value series reads the matching events; GROUP BY (which the grammar allows with COUNT(*)) splits it.
      return counts || valued
        ? null
        : 'a timeseries widget needs SELECT COUNT(*) … (optionally GROUP BY a field and BY a bucket)';
    case 'value':
      if (!counts) return 'a value widget needs SELECT COUNT(*) …';
      return query.groupBy !== null || query.bucketMs !== null
        ? 'a value widget shows one number: remove GROUP BY and BY'
        : null;
    case 'log':
      return counts ? 'a log widget lists events: SELECT * or fields, not COUNT(*)' : null;
    case 'table':
      return null;
  }
}

/**
 * Parses a widget's query and checks it suits the widget. `field` names it in errors (`body.widgets.2.query`):
 * a syntax error is QUERY_SYNTAX with the parser's line and column, a mismatch INVALID_REQUEST.
 */
export function checkWidgetQuery(type: WidgetType, text: string, field: string, valued = false): Query {
  const parsed = parseQuery(text);
  if (!parsed.ok) {
    const { message, ...position } = parsed.error;
    throw new HubError(400, 'QUERY_SYNTAX', `${field}: ${message}`, { field, ...position });
  }
  const problem = unsuitable(type, parsed.query, valued);
  if (problem !== null) {
    throw new HubError(400, 'INVALID_REQUEST', `${field}: ${problem}`, {
      issues: [{ field, message: problem }],
    });
  }
  return parsed.query;
}

/** A widget's `value` as a query-language field. `field` names it in errors (`body.widgets.2.value`). */
export function checkValueField(text: string, field: string): Field {
  const parsed = parseQuery(`SELECT ${text} FROM *`);
  const fields = parsed.ok && parsed.query.projection.kind === 'fields' ? parsed.query.projection.fields : [];
  if (fields.length !== 1) {
    const message = `"${text}" is not a field: write a payload path like latency.ms (quote odd names: "a b".c) or seq, size`;
    throw new HubError(400, 'INVALID_REQUEST', `${field}: ${message}`, { issues: [{ field, message }] });
  }
  return fields[0]!;
}

/** Checks one widget's query and value field; `prefix` names it in errors (`body.widgets.2`). */
export function checkWidget(w: Omit<WidgetSource, 'id'>, prefix: string): void {
  if (w.query !== undefined) checkWidgetQuery(w.type, w.query, `${prefix}.query`, w.value !== undefined);
  if (w.value !== undefined) checkValueField(w.value, `${prefix}.value`);
}

/** Checks every query widget of a dashboard; `prefix` is where the widget list sits (`body.widgets`). */
export function checkWidgets(widgets: readonly Omit<WidgetSource, 'id'>[], prefix: string): void {
  widgets.forEach((w, i) => checkWidget(w, `${prefix}.${i}`));
}

/** A range in epoch milliseconds from written times; `until` null means now. */
export function resolveRange(
  since: string,
  until: string | null,
  now: number,
): { since: number; until: number } {
  const from = resolveTimeBound(parseTimeBound(since)!, now);
  const to = until === null ? now : resolveTimeBound(parseTimeBound(until)!, now);
  if (from >= to) {
    throw new HubError(
      400,
      'INVALID_REQUEST',
      `the time range is empty: since (${from}) must be before until (${to})`,
      {
        issues: [{ field: 'since', message: 'must be before until' }],
      },
    );
  }
  return { since: from, until: to };
}

export interface WidgetDataOptions {
  journal: JournalSource;
  history: MetricsHistory;
  now: number;
  signal?: AbortSignal;
  scanBudget?: number;
  timeBudgetMs?: number;
}

/** The data of one widget over `range`. */
export async function widgetData(
  widget: WidgetSource,
  range: { since: number; until: number },
  options: WidgetDataOptions,
): Promise<WidgetData> {
  if (widget.metric !== undefined) return metricData(widget, widget.metric, range, options);
  const query = checkWidgetQuery(widget.type, widget.query!, 'query', widget.value !== undefined);
  if (widget.type === 'timeseries' && widget.value !== undefined)
    return valueData(widget, query, checkValueField(widget.value, 'value'), range, options);
  return queryData(widget, query, range, options);
}

function metricData(
  widget: WidgetSource,
  metric: string,
  range: { since: number; until: number },
  options: WidgetDataOptions,
): WidgetData {
  const result = options.history.query({
    since: range.since,
    until: range.until,
    resolution: 'auto',
    series: [metric as never],
    streams: [],
    now: options.now,
  });
  const points = result.points.filter((p) => typeof p[metric] === 'number');
  const common = { widgetId: widget.id, range, stats: null };
  if (widget.type === 'value') {
    return { ...common, type: 'value', value: points.at(-1)?.[metric] ?? null, label: metric };
  }
  return {
    ...common,
    type: 'timeseries',
    stepMs: RESOLUTION_MS[result.resolution],
    series: [{ key: metric, label: metric }],
    points: points.map((p) => ({ t: p.t, [metric]: p[metric]! })),
  };
}

/** The query with the range as its outer bound: its own SINCE/UNTIL only narrow the range. */
function bounded(
  query: Query,
  range: { since: number; until: number },
  now: number,
): { query: Query; spanMs: number } {
  const since =
    query.since === null ? range.since : Math.max(range.since, resolveTimeBound(query.since, now));
  const until =
    query.until === null ? range.until : Math.min(range.until, resolveTimeBound(query.until, now));
  const end = Math.max(since, until);
  return { query: { ...query, since: { at: since }, until: { at: end } }, spanMs: end - since };
}

function runOptionsOf(options: WidgetDataOptions) {
  return {
    defaultLimit: null,
    scanBudget: options.scanBudget ?? DEFAULT_SCAN_BUDGET,
    timeBudgetMs: options.timeBudgetMs ?? WIDGET_TIME_BUDGET_MS,
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

/** The bucket width of a time series over `span` ms: the query's `BY`, widened to stay within the point cap. */
function stepOf(query: Query, span: number): number {
  const wanted = query.bucketMs ?? niceStep(span / TIMESERIES_TARGET_POINTS);
  return Math.max(wanted, niceStep(span / TIMESERIES_MAX_POINTS));
}

/** What a bucket of one series has seen of its values. */
interface Fold {
  n: number;
  sum: number;
  min: number;
  max: number;
  last: number;
  lastSeq: number;
}

function merge(into: Fold | undefined, from: Fold): Fold {
  if (into === undefined) return { ...from };
  into.n += from.n;
  into.sum += from.sum;
  into.min = Math.min(into.min, from.min);
  into.max = Math.max(into.max, from.max);
  if (from.lastSeq > into.lastSeq) {
    into.last = from.last;
    into.lastSeq = from.lastSeq;
  }
  return into;
}

function folded(fold: Fold, agg: ValueAggregation): number {
  switch (agg) {
    case 'avg':
      return fold.sum / fold.n;
    case 'sum':
      return fold.sum;
    case 'min':
      return fold.min;
    case 'max':
      return fold.max;
    case 'last':
      return fold.last;
  }
}

/**
 * A time series of a field's values: the query's matching events are scanned (their journal time, the field,
 * and the GROUP BY field when there is one) and each bucket's numbers folded by `agg`, one series per group —
 * the largest groups by event count, the rest folded together as "other". Events whose field is not a finite
 * number are left out; a bucket without numbers is a gap.
 */
async function valueData(
  widget: WidgetSource,
  parsed: Query,
  valueField: Field,
  range: { since: number; until: number },
  options: WidgetDataOptions,
): Promise<WidgetData> {
  const agg = widget.agg ?? 'avg';
  const reader = options.journal.require();
  const { query, spanMs } = bounded(parsed, range, options.now);
  const step = stepOf(query, spanMs);
  const group = query.groupBy;
  const scan: Query = {
    ...query,
    projection: {
      kind: 'fields',
      fields: [
        { kind: 'builtin', name: 'seq' },
        { kind: 'builtin', name: 'time' },
        valueField,
        ...(group === null ? [] : [group]),
      ],
    },
    groupBy: null,
    bucketMs: null,
    limit: null,
    offset: null,
  };
  const runOptions = runOptionsOf(options);
  const run = new QueryRun(reader, scan, planQuery(reader, scan, options.now, runOptions), runOptions);
  // Per group: its label, its event count (to rank it), and its fold per bucket.
  const groups = new Map<string, { label: string; events: number; buckets: Map<number, Fold> }>();
  for (let chunk = await run.next(); chunk !== null; chunk = await run.next()) {
    for (const [seq, time, value, key] of chunk as [number, number, unknown, unknown][]) {
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      const id = group === null ? 'value' : JSON.stringify(key ?? null);
      let entry = groups.get(id);
      if (!entry) {
        entry = { label: group === null ? widget.value! : groupLabel(key), events: 0, buckets: new Map() };
        groups.set(id, entry);
      }
      entry.events++;
      const bucket = Math.floor(time / step) * step;
      const one = { n: 1, sum: value, min: value, max: value, last: value, lastSeq: seq };
      entry.buckets.set(bucket, merge(entry.buckets.get(bucket), one));
    }
  }
  const ranked = [...groups.values()].sort((a, b) => b.events - a.events || (a.label < b.label ? -1 : 1));
  const shown = ranked.slice(0, TIMESERIES_MAX_SERIES);
  const lines = shown.map((g, i) => ({
    key: group === null ? 'value' : `s${i}`,
    label: g.label,
    buckets: g.buckets,
  }));
  if (ranked.length > shown.length) {
    const other = new Map<number, Fold>();
    for (const g of ranked.slice(shown.length))
      for (const [bucket, fold] of g.buckets) other.set(bucket, merge(other.get(bucket), fold));
    lines.push({ key: 'other', label: 'other', buckets: other });
  }
  const first = Math.floor(range.since / step) * step;
  const last = Math.floor((range.until - 1) / step) * step;
  const points: ({ t: number } & Record<string, number>)[] = [];
  for (let t = first; t <= last; t += step) {
    const point = { t } as { t: number } & Record<string, number>;
    for (const line of lines) {
      const fold = line.buckets.get(t);
      if (fold !== undefined) point[line.key] = folded(fold, agg);
    }
    points.push(point);
  }
  const s = run.stats();
  return {
    widgetId: widget.id,
    range,
    stats: { scanned: s.scanned.count, matched: s.matched, elapsedMs: s.elapsedMs },
    type: 'timeseries',
    stepMs: step,
    series: lines.map(({ key, label }) => ({ key, label })),
    points,
  };
}

async function queryData(
  widget: WidgetSource,
  parsed: Query,
  range: { since: number; until: number },
  options: WidgetDataOptions,
): Promise<WidgetData> {
  const reader = options.journal.require();
  const { query, spanMs: span } = bounded(parsed, range, options.now);
  let keep = 0;
  switch (widget.type) {
    case 'timeseries': {
      query.bucketMs = stepOf(query, span);
      query.limit = null;
      query.offset = null;
      break;
    }
    case 'table':
      keep = Math.min(query.limit ?? TABLE_MAX_ROWS, TABLE_MAX_ROWS);
      // One row more than shown tells whether there were more.
      query.limit = keep + 1;
      break;
    case 'log':
      keep = Math.min(query.limit ?? LOG_MAX_LINES, LOG_MAX_LINES);
      query.limit = null;
      query.offset = null;
      break;
    case 'value':
      break;
  }
  const runOptions = runOptionsOf(options);
  const plan = planQuery(reader, query, options.now, runOptions);
  const run = new QueryRun(reader, query, plan, runOptions);
  let rows: Row[] = [];
  let seen = 0;
  for (let chunk = await run.next(); chunk !== null; chunk = await run.next()) {
    seen += chunk.length;
    rows.push(...chunk);
    // A log keeps only the newest lines, so a long range costs a bounded amount of memory.
    if (widget.type === 'log' && rows.length > 2 * keep) rows = rows.slice(rows.length - keep);
  }
  const s = run.stats();
  const common = {
    widgetId: widget.id,
    range,
    stats: { scanned: s.scanned.count, matched: s.matched, elapsedMs: s.elapsedMs },
  };
  switch (widget.type) {
    case 'value':
      return { ...common, type: 'value', value: Number(rows[0]?.[0] ?? 0), label: 'events' };
    case 'table':
      return {
        ...common,
        type: 'table',
        columns: plan.columns,
        rows: rows.slice(0, keep),
        truncated: rows.length > keep,
      };
    case 'log':
      return {
        ...common,
        type: 'log',
        columns: plan.columns,
        rows: rows.slice(rows.length - keep).reverse(),
        truncated: seen > keep,
      };
    case 'timeseries':
      return { ...common, ...timeseries(rows, query, range) };
  }
}

function groupLabel(value: unknown): string {
  if (value === null || value === undefined) return '(none)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Buckets → points from the range's first bucket to its last, empty buckets as zeros. */
function timeseries(
  rows: Row[],
  query: Query,
  range: { since: number; until: number },
): Pick<Extract<WidgetData, { type: 'timeseries' }>, 'type' | 'stepMs' | 'series' | 'points'> {
  const step = query.bucketMs!;
  const grouped = query.groupBy !== null;
  // Rows are [bucket, count] or [bucket, group, count].
  const totals = new Map<string, { label: string; total: number }>();
  for (const row of rows) {
    const id = grouped ? JSON.stringify(row[1] ?? null) : 'count';
    const entry = totals.get(id) ?? { label: grouped ? groupLabel(row[1]) : 'count', total: 0 };
    entry.total += row.at(-1) as number;
    totals.set(id, entry);
  }
  const ranked = [...totals].sort((a, b) => b[1].total - a[1].total);
  const shown = ranked.slice(0, TIMESERIES_MAX_SERIES);
  const keyOf = new Map(shown.map(([id], i) => [id, grouped ? `s${i}` : 'count']));
  const series = shown.map(([id, entry]) => ({ key: keyOf.get(id)!, label: entry.label }));
  if (ranked.length > shown.length) series.push({ key: 'other', label: 'other' });

  const first = Math.floor(range.since / step) * step;
  const last = Math.floor((range.until - 1) / step) * step;
  const points = new Map<number, { t: number } & Record<string, number>>();
  for (let t = first; t <= last; t += step) {
    const point = { t } as { t: number } & Record<string, number>;
    for (const s of series) point[s.key] = 0;
    points.set(t, point);
  }
  for (const row of rows) {
    const point = points.get(row[0] as number);
    if (!point) continue;
    const key = keyOf.get(grouped ? JSON.stringify(row[1] ?? null) : 'count') ?? 'other';
    point[key] = (point[key] ?? 0) + (row.at(-1) as number);
  }
  return { type: 'timeseries', stepMs: step, series, points: [...points.values()] };
}
