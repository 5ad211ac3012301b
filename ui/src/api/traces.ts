/**
 * `/api/traces…`: the hub's traces. Answers are parsed with src/hub/traces/schema.ts; spans sent in the simple
 * shape are checked against the hub's schema before sending.
 *
 * @module
 */
import type { z } from 'zod';
import {
  ingestResultSchema,
  serviceGraphSchema,
  simpleIngestBodySchema,
  traceDetailSchema,
  traceListSchema,
} from '../../../src/hub/traces/schema.ts';
import { request, type RequestOptions, queryString, segment } from './transport.ts';

/** The filters of `GET /api/traces` (docs/api.md). */
export interface TracesQuery {
  service?: string | undefined;
  operation?: string | undefined;
  minDurationMs?: number | undefined;
  maxDurationMs?: number | undefined;
  /** Epoch ms, RFC 3339, or ago (`5m`, `2h`). */
  since?: string | undefined;
  errorOnly?: boolean | undefined;
  limit?: number | undefined;
}

/** `GET /api/traces` — trace summaries, newest first. */
export const listTraces = (query: TracesQuery = {}, options: RequestOptions = {}) =>
  request(
    'GET',
    `/api/traces${queryString({ ...query, errorOnly: query.errorOnly ? 'true' : undefined })}`,
    traceListSchema,
    options,
  );

/** `GET /api/traces/:id` — one trace with its spans depth-first, ready for a timeline. */
export const getTrace = (id: string, options: RequestOptions = {}) =>
  request('GET', `/api/traces/${segment(id)}`, traceDetailSchema, options);

/** `GET /api/traces/service-graph` — services and the calls between them. */
export const getServiceGraph = (since?: string, options: RequestOptions = {}) =>
  request('GET', `/api/traces/service-graph${queryString({ since })}`, serviceGraphSchema, options);

/** `POST /api/traces/ingest` — stores spans in the simple shape. */
export const ingestSpans = (body: z.input<typeof simpleIngestBodySchema>, options: RequestOptions = {}) =>
  request('POST', '/api/traces/ingest', ingestResultSchema, {
    ...options,
    body,
    bodySchema: simpleIngestBodySchema,
  });
