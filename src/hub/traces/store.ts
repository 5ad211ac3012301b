/**
 * Spans in SQLite. `trace_spans` holds one row per span (unique per trace and span id, so an exporter's retry
 * replaces rather than duplicates); `trace_summaries` holds one row per trace — start, duration, span and error
 * counts, root span, services — recomputed for the traces an ingest touched, so listing and filtering traces
 * reads indexes instead of grouping every span. Retention keeps at most `maxSpans` spans by dropping the
 * oldest traces whole.
 *
 * @module
 */
import type { Db, Migration } from '../db.ts';
import {
  SPAN_KINDS,
  STATUS_CODES,
  type ServiceGraph,
  type TraceDetail,
  type TraceSpan,
  type TraceSummary,
} from './schema.ts';

export const traceMigrations: Migration[] = [
  {
    id: 'traces-001',
    sql: `
      CREATE TABLE trace_spans (
        id INTEGER PRIMARY KEY,
        trace_id TEXT NOT NULL,
        span_id TEXT NOT NULL,
        parent_span_id TEXT,
        service TEXT NOT NULL,
        name TEXT NOT NULL,
        kind INTEGER NOT NULL,
        start_ns TEXT NOT NULL,
        end_ns TEXT NOT NULL,
        start_us INTEGER NOT NULL,
        duration_us INTEGER NOT NULL,
        status_code INTEGER NOT NULL,
        status_message TEXT,
        error INTEGER NOT NULL,
        attributes TEXT NOT NULL,
        resource TEXT NOT NULL,
        events TEXT NOT NULL,
        UNIQUE (trace_id, span_id)
      );
      CREATE INDEX trace_spans_service ON trace_spans(service, name);
      CREATE INDEX trace_spans_start ON trace_spans(start_us);
      CREATE INDEX trace_spans_duration ON trace_spans(duration_us);
      CREATE INDEX trace_spans_error ON trace_spans(trace_id) WHERE error = 1;
      CREATE TABLE trace_summaries (
        trace_id TEXT PRIMARY KEY,
        start_us INTEGER NOT NULL,
        duration_us INTEGER NOT NULL,
        span_count INTEGER NOT NULL,
        error_count INTEGER NOT NULL,
        root_span_id TEXT NOT NULL,
        root_service TEXT NOT NULL,
        root_name TEXT NOT NULL,
        services TEXT NOT NULL
      );
      CREATE INDEX trace_summaries_start ON trace_summaries(start_us);
      CREATE INDEX trace_summaries_duration ON trace_summaries(duration_us);
      CREATE INDEX trace_summaries_error ON trace_summaries(start_us) WHERE error_count > 0;
    `,
  },
];

/** A span ready to store: ids lower-case hex, times in nanoseconds since the epoch. */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  service: string;
  name: string;
  /** OTLP kind, 0..5. */
  kind: number;
  startNs: bigint;
  endNs: bigint;
  /** OTLP status code, 0..2 (2 = error). */
  statusCode: number;
  statusMessage: string | null;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  events: { name: string; timeNs: bigint; attributes: Record<string, unknown> }[];
}

export interface TraceFilter {
  service?: string;
  operation?: string;
  minDurationMs?: number;
  maxDurationMs?: number;
  /** Epoch milliseconds: traces that started at or after it. */
  since?: number;
  errorOnly?: boolean;
  limit: number;
}

interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  service: string;
  name: string;
  kind: number;
  start_ns: string;
  end_ns: string;
  start_us: number;
  duration_us: number;
  status_code: number;
  status_message: string | null;
  error: number;
  attributes: string;
  resource: string;
  events: string;
}

interface SummaryRow {
  trace_id: string;
  start_us: number;
  duration_us: number;
  span_count: number;
  error_count: number;
  root_span_id: string;
  root_service: string;
  root_name: string;
  services: string;
}

/** Default retention: spans kept before the oldest traces are dropped. */
export const DEFAULT_MAX_SPANS = 1_000_000;

const usOf = (ns: bigint): number => Number(ns / 1000n);

function toSummary(row: SummaryRow): TraceSummary {
  return {
    traceId: row.trace_id,
    root: { spanId: row.root_span_id, service: row.root_service, name: row.root_name },
    startTimeUnixMs: row.start_us / 1000,
    durationMs: row.duration_us / 1000,
    spanCount: row.span_count,
    errorCount: row.error_count,
    error: row.error_count > 0,
    services: JSON.parse(row.services) as string[],
  };
}

/** The spans of one trace as parent → children, and which spans are roots (no parent, or parent not stored). */
function forest<T extends { span_id: string; parent_span_id: string | null }>(
  rows: readonly T[],
): { roots: T[]; children: Map<string, T[]> } {
  const ids = new Set(rows.map((r) => r.span_id));
  const roots: T[] = [];
  const children = new Map<string, T[]>();
  for (const row of rows) {
    if (row.parent_span_id === null || !ids.has(row.parent_span_id) || row.parent_span_id === row.span_id) {
      roots.push(row);
    } else {
      const list = children.get(row.parent_span_id) ?? [];
      list.push(row);
      children.set(row.parent_span_id, list);
    }
  }
  return { roots, children };
}

export class TraceStore {
  readonly #db: Db;
  readonly #maxSpans: number;
  #total: number;

  constructor(db: Db, options: { maxSpans?: number } = {}) {
    this.#db = db;
    this.#maxSpans = options.maxSpans ?? DEFAULT_MAX_SPANS;
    this.#total = db.prepare('SELECT COUNT(*) FROM trace_spans').pluck().get() as number;
  }

  /** Spans stored now. */
  get size(): number {
    return this.#total;
  }

  /** Stores spans (replacing same-id ones), refreshes their traces' summaries, then applies retention. */
  ingest(spans: readonly SpanRecord[]): { accepted: number; traces: number } {
    const upsert = this.#db.prepare(
      `INSERT INTO trace_spans (trace_id, span_id, parent_span_id, service, name, kind, start_ns, end_ns,
         start_us, duration_us, status_code, status_message, error, attributes, resource, events)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (trace_id, span_id) DO UPDATE SET parent_span_id = excluded.parent_span_id,
         service = excluded.service, name = excluded.name, kind = excluded.kind, start_ns = excluded.start_ns,
         end_ns = excluded.end_ns, start_us = excluded.start_us, duration_us = excluded.duration_us,
         status_code = excluded.status_code, status_message = excluded.status_message, error = excluded.error,
         attributes = excluded.attributes, resource = excluded.resource, events = excluded.events`,
    );
    const traceIds = new Set<string>();
    this.#db.transaction(() => {
      for (const s of spans) {
        traceIds.add(s.traceId);
        upsert.run(
          s.traceId,
          s.spanId,
          s.parentSpanId,
          s.service,
          s.name,
          s.kind,
          s.startNs.toString(),
          s.endNs.toString(),
          usOf(s.startNs),
          usOf(s.endNs - s.startNs),
          s.statusCode,
          s.statusMessage,
          s.statusCode === 2 ? 1 : 0,
          JSON.stringify(s.attributes),
          JSON.stringify(s.resource),
          JSON.stringify(
            s.events.map((e) => ({ name: e.name, timeNs: e.timeNs.toString(), attributes: e.attributes })),
          ),
        );
      }
      for (const id of traceIds) this.#summarize(id);
      this.#trim();
    })();
    return { accepted: spans.length, traces: traceIds.size };
  }

  #summarize(traceId: string): void {
    const rows = this.#db
      .prepare(
        'SELECT span_id, parent_span_id, service, name, start_us, duration_us, error FROM trace_spans WHERE trace_id = ? ORDER BY start_us, span_id',
      )
      .all(traceId) as Pick<
      SpanRow,
      'span_id' | 'parent_span_id' | 'service' | 'name' | 'start_us' | 'duration_us' | 'error'
    >[];
    const before =
      (this.#db.prepare('SELECT span_count FROM trace_summaries WHERE trace_id = ?').pluck().get(traceId) as
        number | undefined) ?? 0;
    this.#total += rows.length - before;
    if (rows.length === 0) {
      this.#db.prepare('DELETE FROM trace_summaries WHERE trace_id = ?').run(traceId);
      return;
    }
    const root = forest(rows).roots[0] ?? rows[0]!;
    const start = rows[0]!.start_us;
    const end = Math.max(...rows.map((r) => r.start_us + r.duration_us));
    this.#db
      .prepare(
        `INSERT OR REPLACE INTO trace_summaries (trace_id, start_us, duration_us, span_count, error_count,
           root_span_id, root_service, root_name, services) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        traceId,
        start,
        end - start,
        rows.length,
        rows.filter((r) => r.error === 1).length,
        root.span_id,
        root.service,
        root.name,
        JSON.stringify([...new Set(rows.map((r) => r.service))].sort()),
      );
  }

  /** Drops the oldest traces, whole, until at most `maxSpans` spans remain. */
  #trim(): void {
    if (this.#total <= this.#maxSpans) return;
    const oldest = this.#db.prepare(
      'SELECT trace_id, span_count FROM trace_summaries ORDER BY start_us, trace_id LIMIT 500',
    );
    const dropSpans = this.#db.prepare('DELETE FROM trace_spans WHERE trace_id = ?');
    const dropSummary = this.#db.prepare('DELETE FROM trace_summaries WHERE trace_id = ?');
    while (this.#total > this.#maxSpans) {
      const batch = oldest.all() as { trace_id: string; span_count: number }[];
      if (batch.length === 0) break;
      for (const { trace_id, span_count } of batch) {
        if (this.#total <= this.#maxSpans) break;
        dropSpans.run(trace_id);
        dropSummary.run(trace_id);
        this.#total -= span_count;
      }
    }
  }

  /** Traces matching the filter, newest first. Service and operation must hold for one span together. */
  list(filter: TraceFilter): TraceSummary[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.since !== undefined) {
      where.push('t.start_us >= ?');
      args.push(Math.floor(filter.since * 1000));
    }
    if (filter.minDurationMs !== undefined) {
      where.push('t.duration_us >= ?');
      args.push(Math.ceil(filter.minDurationMs * 1000));
    }
    if (filter.maxDurationMs !== undefined) {
      where.push('t.duration_us <= ?');
      args.push(Math.floor(filter.maxDurationMs * 1000));
    }
    if (filter.errorOnly) where.push('t.error_count > 0');
    if (filter.service !== undefined || filter.operation !== undefined) {
      const inner: string[] = ['s.trace_id = t.trace_id'];
      if (filter.service !== undefined) {
        inner.push('s.service = ?');
        args.push(filter.service);
      }
      if (filter.operation !== undefined) {
        inner.push('s.name = ?');
        args.push(filter.operation);
      }
      where.push(`EXISTS (SELECT 1 FROM trace_spans s WHERE ${inner.join(' AND ')})`);
    }
    args.push(filter.limit);
    const rows = this.#db
      .prepare(
        `SELECT * FROM trace_summaries t ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY t.start_us DESC, t.trace_id LIMIT ?`,
      )
      .all(...args) as SummaryRow[];
    return rows.map(toSummary);
  }

  /** One trace with its spans depth-first (children by start time), or null. */
  get(traceId: string): TraceDetail | null {
    const summary = this.#db.prepare('SELECT * FROM trace_summaries WHERE trace_id = ?').get(traceId) as
      SummaryRow | undefined;
    if (!summary) return null;
    const rows = this.#db
      .prepare('SELECT * FROM trace_spans WHERE trace_id = ? ORDER BY start_us, span_id')
      .all(traceId) as SpanRow[];
    const { roots, children } = forest(rows);
    const spans: TraceSpan[] = [];
    const visit = (row: SpanRow, depth: number, orphan: boolean): void => {
      spans.push(this.#span(row, summary.start_us, depth, orphan));
      for (const child of children.get(row.span_id) ?? []) visit(child, depth + 1, false);
    };
    for (const root of roots) visit(root, 0, root.parent_span_id !== null);
    return { trace: toSummary(summary), spans };
  }

  #span(row: SpanRow, traceStartUs: number, depth: number, orphan: boolean): TraceSpan {
    const events = JSON.parse(row.events) as {
      name: string;
      timeNs: string;
      attributes: Record<string, unknown>;
    }[];
    return {
      spanId: row.span_id,
      parentSpanId: row.parent_span_id,
      service: row.service,
      name: row.name,
      kind: SPAN_KINDS[row.kind] ?? 'unspecified',
      startTimeUnixNano: row.start_ns,
      endTimeUnixNano: row.end_ns,
      offsetMs: (row.start_us - traceStartUs) / 1000,
      durationMs: row.duration_us / 1000,
      depth,
      orphan,
      status: STATUS_CODES[row.status_code] ?? 'unset',
      statusMessage: row.status_message,
      error: row.error === 1,
      attributes: JSON.parse(row.attributes) as TraceSpan['attributes'],
      resource: JSON.parse(row.resource) as TraceSpan['resource'],
      events: events.map((e) => ({
        name: e.name,
        offsetMs: (usOf(BigInt(e.timeNs)) - traceStartUs) / 1000,
        attributes: e.attributes as TraceSpan['attributes'],
      })),
    };
  }

  /** Services and the calls between them: a parent span of one service with a child span of another. */
  serviceGraph(since?: number): ServiceGraph {
    const sinceUs = since === undefined ? 0 : Math.floor(since * 1000);
    const services = this.#db
      .prepare(
        `SELECT service AS name, COUNT(*) AS spans, SUM(error) AS errors FROM trace_spans
         WHERE start_us >= ? GROUP BY service ORDER BY service`,
      )
      .all(sinceUs) as ServiceGraph['services'];
    const edges = this.#db
      .prepare(
        `SELECT p.service AS parent, c.service AS child, COUNT(*) AS calls, SUM(c.error) AS errors
         FROM trace_spans c JOIN trace_spans p ON p.trace_id = c.trace_id AND p.span_id = c.parent_span_id
         WHERE c.start_us >= ? AND p.service != c.service
         GROUP BY p.service, c.service ORDER BY p.service, c.service`,
      )
      .all(sinceUs) as ServiceGraph['edges'];
    return { services, edges };
  }
}
