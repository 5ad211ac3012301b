/**
 * `POST /api/query`: parse, plan, run. A read, though a POST (the query text is a body, not a URL), so it
 * needs the read scope and leaves no audit entry. JSON answers collect the rows; NDJSON answers stream them
 * chunk by chunk as the scan finds them, pulled by the socket, and stop the scan when the client goes away.
 * Every run, answered or failed, is appended to the query history (not the audit log: it changes nothing).
 *
 * `POST /api/query/check` parses without running (the console's live error underline); `/api/query/saved…`
 * keeps named queries, checked to parse before they are stored; `GET /api/query/history` lists past runs.
 *
 * @module
 */
import { z } from 'zod';
import { HubError } from '../errors.ts';
import type { HubServices } from '../hub.ts';
import { type AnyRoute, defineRoute, type HubContext, limitParam } from '../routes.ts';
import {
  DEFAULT_SCAN_BUDGET,
  DEFAULT_TIME_BUDGET_MS,
  planQuery,
  QueryRun,
  type Row,
  type RunOptions,
} from './executor.ts';
import { parseQuery } from './parser.ts';
import { printQuery } from './printer.ts';
import { type HistoryRecord, QueryStore } from './saved.ts';
import {
  QUERY_HISTORY_MAX,
  QUERY_JSON_DEFAULT_LIMIT,
  QUERY_JSON_MAX_ROWS,
  type QueryCheckResult,
  type QueryResult,
  queryBodySchema,
  queryCheckBodySchema,
  type QueryHistory,
  type SavedQueryList,
  savedQueryBodySchema,
  savedQueryParams,
  savedQueryUpdateBodySchema,
} from './schema.ts';

export interface QueryRouteOptions {
  scanBudget?: number;
  timeBudgetMs?: number;
}

type QueryBodyParsed = z.output<typeof queryBodySchema>;

/** Parses `text`, or throws the 400 QUERY_SYNTAX answer with the parser's position. */
function parseOrThrow(text: string) {
  const parsed = parseQuery(text);
  if (!parsed.ok) {
    const { message, ...details } = parsed.error;
    throw new HubError(400, 'QUERY_SYNTAX', message, details);
  }
  return parsed.query;
}

export function queryRoutes(
  services: HubServices,
  store: QueryStore,
  options: QueryRouteOptions = {},
): AnyRoute[] {
  const { journal, now } = services;
  const maxScan = options.scanBudget ?? DEFAULT_SCAN_BUDGET;
  const maxMs = options.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;

  /** History must never cost the caller the answer: a failed write (the hub closing) is only logged. */
  const record = (entry: HistoryRecord): void => {
    try {
      store.recordRun(entry);
    } catch (error) {
      console.warn(`query history: could not record a run: ${(error as Error).message}`);
    }
  };

  return [
    defineRoute({
      method: 'POST',
      path: '/api/query',
      summary: 'Run a query of the query language (docs/query.md) over the journal',
      readOnly: true,
      body: queryBodySchema,
      handler: async (c, { body, principal }) => {
        const at = now();
        const started = performance.now();
        let run: QueryRun | null = null;
        const finish = (rows: number, errorCode: string | null): void =>
          record({
            at,
            query: body.query,
            format: body.format,
            keyId: principal?.keyId ?? null,
            keyName: principal?.keyName ?? null,
            rows,
            scanned: run?.stats().scanned.count ?? null,
            durationMs: Math.round((performance.now() - started) * 1000) / 1000,
            ok: errorCode === null,
            errorCode,
          });
        try {
          return await runQuery(c, body, (r) => (run = r), finish);
        } catch (error) {
          finish(0, error instanceof HubError ? error.code : 'INTERNAL');
          throw error;
        }
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/query/check',
      summary: 'Parse a query without running it: its canonical text, or the syntax error with its position',
      readOnly: true,
      body: queryCheckBodySchema,
      handler: (c, { body }) => {
        const parsed = parseQuery(body.query);
        const result: QueryCheckResult = parsed.ok
          ? { ok: true, query: printQuery(parsed.query) }
          : { ok: false, error: parsed.error };
        return c.json(result);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/query/history',
      summary: 'Queries run through POST /api/query, newest first',
      query: z.strictObject({ limit: limitParam(QUERY_HISTORY_MAX, 50) }),
      handler: (c, { query }) => c.json({ entries: store.history(query.limit) } satisfies QueryHistory),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/query/saved',
      summary: 'Saved queries, by name',
      query: z.strictObject({}),
      handler: (c) => c.json({ queries: store.listSaved() } satisfies SavedQueryList),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/query/saved',
      summary: 'Save a query under a new name (the query must parse)',
      body: savedQueryBodySchema,
      audit: { action: 'query.save' },
      handler: (c, { body, principal }) => {
        parseOrThrow(body.query);
        const saved = store.createSaved(body.name, body.query, principal?.keyName ?? null, now());
        c.set('auditTarget', String(saved.id));
        c.set('auditDetail', { name: saved.name });
        return c.json(saved, 201, { location: `/api/query/saved/${saved.id}` });
      },
    }),
    defineRoute({
      method: 'PUT',
      path: '/api/query/saved/:id',
      summary: 'Rename a saved query or change its text (the query must parse)',
      params: savedQueryParams,
      body: savedQueryUpdateBodySchema,
      audit: { action: 'query.update' },
      handler: (c, { params, body, principal }) => {
        if (body.query !== undefined) parseOrThrow(body.query);
        const saved = store.updateSaved(params.id, body, principal?.keyName ?? null, now());
        c.set('auditDetail', { name: saved.name });
        return c.json(saved);
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/api/query/saved/:id',
      summary: 'Delete a saved query',
      params: savedQueryParams,
      audit: { action: 'query.delete' },
      handler: (c, { params }) => {
        const deleted = store.deleteSaved(params.id);
        c.set('auditDetail', { name: deleted.name });
        return c.json(deleted);
      },
    }),
  ];

  /**
   * Runs one query and builds its answer. `onScan` learns the slot count once the plan is known; `finish` is
   * called once when the answer is complete (for NDJSON: when the stream ends, fails or is cancelled).
   */
  async function runQuery(
    c: HubContext,
    body: QueryBodyParsed,
    onRun: (run: QueryRun) => void,
    finish: (rows: number, errorCode: string | null) => void,
  ): Promise<Response> {
    const query = parseOrThrow(body.query);
    const json = body.format === 'json';
    if (json && query.limit !== null && query.limit > QUERY_JSON_MAX_ROWS) {
      const message = `LIMIT ${query.limit} is above the ${QUERY_JSON_MAX_ROWS} rows of a JSON answer: ask for format "ndjson"`;
      throw new HubError(400, 'QUERY_LIMIT_TOO_LARGE', message, { max: QUERY_JSON_MAX_ROWS });
    }
    const reader = journal.require();
    const cancel = new AbortController();
    const runOptions: RunOptions = {
      defaultLimit: json ? QUERY_JSON_DEFAULT_LIMIT : null,
      scanBudget: Math.min(maxScan, body.maxScan ?? maxScan),
      timeBudgetMs: Math.min(maxMs, body.timeoutMs ?? maxMs),
      signal: AbortSignal.any([cancel.signal, c.req.raw.signal]),
    };
    const plan = planQuery(reader, query, now(), runOptions);
    const run = new QueryRun(reader, query, plan, runOptions);
    onRun(run);
    const text = printQuery(query);

    if (json) {
      const rows: Row[] = [];
      if (!query.explain) {
        for (let chunk = await run.next(); chunk !== null; chunk = await run.next()) rows.push(...chunk);
      }
      const result: QueryResult = {
        query: text,
        columns: plan.columns,
        rows,
        stats: run.stats(),
        ...(query.explain ? { plan } : {}),
      };
      finish(rows.length, null);
      return c.json(result);
    }

    const encoder = new TextEncoder();
    const line = (value: unknown): Uint8Array => encoder.encode(`${JSON.stringify(value)}\n`);
    let started = false;
    let sent = 0;
    let finished = false;
    const end = (errorCode: string | null): void => {
      if (finished) return;
      finished = true;
      finish(sent, errorCode);
    };
    const stream = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          if (!started) {
            started = true;
            controller.enqueue(
              line({ query: text, columns: plan.columns, ...(query.explain ? { plan } : {}) }),
            );
            if (query.explain) {
              controller.enqueue(line({ stats: run.stats() }));
              controller.close();
              end(null);
            }
            return;
          }
          try {
            for (;;) {
              const rows = await run.next();
              if (rows === null) {
                controller.enqueue(line({ stats: run.stats() }));
                controller.close();
                end(null);
                return;
              }
              if (rows.length > 0) {
                sent += rows.length;
                controller.enqueue(encoder.encode(rows.map((r) => `${JSON.stringify(r)}\n`).join('')));
                return;
              }
            }
          } catch (error) {
            end(error instanceof HubError ? error.code : 'INTERNAL');
            if (!(error instanceof HubError)) throw error;
            controller.enqueue(line(error.body()));
            controller.close();
          }
        },
        cancel() {
          cancel.abort();
          end('QUERY_CANCELLED');
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(stream, {
      status: 200,
      headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' },
    });
  }
}
