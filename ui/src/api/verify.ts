/**
 * `/api/verify`: property suites and journal checks run by the hub in a worker. Answers are parsed with
 * src/hub/verify/schema.ts; the start body is checked against the hub's schema before sending.
 *
 * @module
 */
import {
  type StartVerifyBody,
  startVerifyBodySchema,
  verifyRunListSchema,
  verifyRunSchema,
  verifyRunSummarySchema,
} from '../../../src/hub/verify/schema.ts';
import { request, type RequestOptions, segment } from './transport.ts';

/** `POST /api/verify` — starts a run (202; 409 VERIFY_RUNNING while one is in progress). */
export const startVerifyRun = (body: StartVerifyBody = {}, options: RequestOptions = {}) =>
  request('POST', '/api/verify', verifyRunSummarySchema, {
    ...options,
    body,
    bodySchema: startVerifyBodySchema,
  });

/** `GET /api/verify` — runs newest first; `before` (epoch ms) pages back. */
export const listVerifyRuns = (
  query: { limit?: number; before?: number } = {},
  options: RequestOptions = {},
) => request('GET', '/api/verify', verifyRunListSchema, { ...options, query });

/** `GET /api/verify/:id` — one run with every result (counterexamples, seeds) and the journal checks. */
export const getVerifyRun = (id: string, options: RequestOptions = {}) =>
  request('GET', `/api/verify/${segment(id)}`, verifyRunSchema, options);
