/**
 * `POST /api/query`: parse, plan, run. A read, though a POST (the query text is a body, not a URL), so it
 * needs the read scope and leaves no audit entry. JSON answers collect the rows; NDJSON answers stream them
 * chunk by chunk as the scan finds them, pulled by the socket, and stop the scan when the client goes away.
 *
 * @module
 */
import { HubError } from '../errors.ts';
import type { HubServices } from '../hub.ts';
import { type AnyRoute, defineRoute } from '../routes.ts';
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
import {
  QUERY_JSON_DEFAULT_LIMIT,
  QUERY_JSON_MAX_ROWS,
  type QueryResult,
  queryBodySchema,
} from './schema.ts';

export interface QueryRouteOptions {
  scanBudget?: number;
  timeBudgetMs?: number;
}

export function queryRoutes(services: HubServices, options: QueryRouteOptions = {}): AnyRoute[] {
  const { journal, now } = services;
  const maxScan = options.scanBudget ?? DEFAULT_SCAN_BUDGET;
  const maxMs = options.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;

  return [
    defineRoute({
      method: 'POST',
      path: '/api/query',
      summary: 'Run a query of the query language (docs/query.md) over the journal',
      readOnly: true,
      body: queryBodySchema,
      handler: async (c, { body }) => {
        const parsed = parseQuery(body.query);
        if (!parsed.ok) {
          const { message, ...details } = parsed.error;
          throw new HubError(400, 'QUERY_SYNTAX', message, details);
        }
        const query = parsed.query;
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
          return c.json(result);
        }

        const encoder = new TextEncoder();
        const line = (value: unknown): Uint8Array => encoder.encode(`${JSON.stringify(value)}\n`);
        let started = false;
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
                }
                return;
              }
              try {
                for (;;) {
                  const rows = await run.next();
                  if (rows === null) {
                    controller.enqueue(line({ stats: run.stats() }));
                    controller.close();
                    return;
                  }
                  if (rows.length > 0) {
                    controller.enqueue(encoder.encode(rows.map((r) => `${JSON.stringify(r)}\n`).join('')));
                    return;
                  }
                }
              } catch (error) {
                if (!(error instanceof HubError)) throw error;
                controller.enqueue(line(error.body()));
                controller.close();
              }
            },
            cancel() {
              cancel.abort();
            },
          },
          { highWaterMark: 0 },
        );
        return new Response(stream, {
          status: 200,
          headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' },
        });
      },
    }),
  ];
}
