/**
 * `/api/query…`: running queries, checking them as they are typed, saved queries and the history. Answers are
 * parsed with src/hub/query/schema.ts; bodies are checked against the hub's schemas before sending.
 *
 * @module
 */
import { z } from 'zod';
import {
  queryBodySchema,
  queryCheckBodySchema,
  queryCheckResultSchema,
  queryHistorySchema,
  queryNdjsonEndSchema,
  queryNdjsonHeadSchema,
  queryResultSchema,
  savedQueryBodySchema,
  savedQueryListSchema,
  savedQuerySchema,
  savedQueryUpdateBodySchema,
  type SavedQueryBody,
  type SavedQueryUpdateBody,
} from '../../../src/hub/query/schema.ts';
import { ApiError, CLIENT_CODES } from './errors.ts';
import { queryString, request, type RequestOptions, segment, send } from './transport.ts';

/** Queries may scan for up to the hub's time budget (30 s by default): wait a little longer than that. */
const QUERY_TIMEOUT_MS = 45_000;

/** `POST /api/query` (JSON) — columns, rows (at most LIMIT, default 1000), stats, and the plan for EXPLAIN. */
export const runQuery = (query: string, options: RequestOptions = {}) =>
  request('POST', '/api/query', queryResultSchema, {
    timeoutMs: QUERY_TIMEOUT_MS,
    ...options,
    body: { query },
    bodySchema: queryBodySchema,
  });

/** `POST /api/query/check` — the canonical text, or the syntax error with the span to underline. */
export const checkQuery = (query: string, options: RequestOptions = {}) =>
  request('POST', '/api/query/check', queryCheckResultSchema, {
    ...options,
    body: { query },
    bodySchema: queryCheckBodySchema,
  });

/** The complete answer of a query as NDJSON lines, as the hub streamed it. */
export interface QueryDownload {
  columns: string[];
  rows: unknown[][];
  /** The hub's lines, unchanged: the head, one array per row, then the stats. */
  ndjson: string;
}

/**
 * `POST /api/query` with `format: "ndjson"` — every row (no default limit), for downloads. A query that stops
 * half-way (its budget) rejects with the hub's error from the last line.
 */
export async function downloadQuery(query: string, options: RequestOptions = {}): Promise<QueryDownload> {
  const what = 'POST /api/query';
  const response = await send('POST', '/api/query', {
    timeoutMs: QUERY_TIMEOUT_MS,
    ...options,
    body: { query, format: 'ndjson' },
    bodySchema: queryBodySchema,
  });
  const ndjson = await response.text();
  const lines = ndjson.split('\n').filter((line) => line !== '');
  const invalid = (message: string) =>
    new ApiError({ status: response.status, code: CLIENT_CODES.INVALID_RESPONSE, message, request: what });
  let parsed: unknown[];
  try {
    parsed = lines.map((line) => JSON.parse(line) as unknown);
  } catch {
    throw invalid(`${what}: a line of the NDJSON answer is not JSON`);
  }
  const head = queryNdjsonHeadSchema.safeParse(parsed[0]);
  const end = queryNdjsonEndSchema.safeParse(parsed.at(-1));
  if (!head.success || !end.success || parsed.length < 2)
    throw invalid(`${what}: the NDJSON answer lacks its first or last line`);
  if ('error' in end.data) {
    const { code, message, details } = end.data.error;
    throw new ApiError({ status: response.status, code, message, details, request: what });
  }
  const rows = z.array(z.array(z.unknown())).safeParse(parsed.slice(1, -1));
  if (!rows.success) throw invalid(`${what}: a row of the NDJSON answer is not an array`);
  return { columns: head.data.columns, rows: rows.data, ndjson };
}

/** `GET /api/query/saved` — saved queries by name. */
export const listSavedQueries = (options: RequestOptions = {}) =>
  request('GET', '/api/query/saved', savedQueryListSchema, options);

/** `POST /api/query/saved` — saves a query under a new name (409 NAME_TAKEN when in use). */
export const saveQuery = (body: SavedQueryBody, options: RequestOptions = {}) =>
  request('POST', '/api/query/saved', savedQuerySchema, {
    ...options,
    body,
    bodySchema: savedQueryBodySchema,
  });

/** `PUT /api/query/saved/:id` — renames a saved query or changes its text. */
export const updateSavedQuery = (id: number, body: SavedQueryUpdateBody, options: RequestOptions = {}) =>
  request('PUT', `/api/query/saved/${segment(id)}`, savedQuerySchema, {
    ...options,
    body,
    bodySchema: savedQueryUpdateBodySchema,
  });

/** `DELETE /api/query/saved/:id` — answers the deleted query. */
export const deleteSavedQuery = (id: number, options: RequestOptions = {}) =>
  request('DELETE', `/api/query/saved/${segment(id)}`, savedQuerySchema, options);

/** `GET /api/query/history` — the newest runs of `POST /api/query`, newest first. */
export const getQueryHistory = (limit?: number, options: RequestOptions = {}) =>
  request('GET', `/api/query/history${queryString({ limit })}`, queryHistorySchema, options);
