/**
 * Wire shapes of `POST /api/query`, shared with the UI and `cz query`. Imports only zod.
 *
 * @module
 */
import { z } from 'zod';

export const QUERY_MAX_LENGTH = 10_000;
/** Rows a JSON answer carries at most; NDJSON streams any number. */
export const QUERY_JSON_MAX_ROWS = 100_000;
export const QUERY_JSON_DEFAULT_LIMIT = 1000;

export const queryBodySchema = z.strictObject({
  query: z
    .string()
    .min(1, 'query is empty')
    .max(QUERY_MAX_LENGTH, `query is longer than ${QUERY_MAX_LENGTH} characters`),
  format: z.enum(['json', 'ndjson']).default('json'),
  /** Lower the hub's scan budget (slots) for this query. */
  maxScan: z.number().int().positive().optional(),
  /** Lower the hub's time budget (milliseconds) for this query. */
  timeoutMs: z.number().int().positive().optional(),
});
export type QueryBody = z.input<typeof queryBodySchema>;

export const queryStatsSchema = z.object({
  scanned: z.object({ from: z.number(), to: z.number(), count: z.number() }),
  matched: z.number(),
  overwritten: z.number(),
  payloadsDecoded: z.number(),
  payloadsSkippedByBytes: z.number(),
  elapsedMs: z.number(),
});
export type QueryStatsView = z.infer<typeof queryStatsSchema>;

export const queryPlanSchema = z.object({
  streams: z.array(z.object({ id: z.number(), name: z.string().nullable() })).nullable(),
  range: z.object({ from: z.number(), to: z.number(), slots: z.number() }),
  head: z.number(),
  tail: z.number(),
  sinceMs: z.number().nullable(),
  untilMs: z.number().nullable(),
  where: z.string().nullable(),
  readsPayload: z.boolean(),
  columns: z.array(z.string()),
  aggregate: z.object({ groupBy: z.string().nullable(), bucketMs: z.number().nullable() }).nullable(),
  limit: z.number().nullable(),
  offset: z.number(),
  budget: z.object({ slots: z.number(), ms: z.number() }),
});
export type QueryPlanView = z.infer<typeof queryPlanSchema>;

export const queryResultSchema = z.object({
  query: z.string(),
  columns: z.array(z.string()),
  rows: z.array(z.array(z.unknown())),
  stats: queryStatsSchema,
  plan: queryPlanSchema.optional(),
});
export type QueryResult = z.infer<typeof queryResultSchema>;

/** Lines of the NDJSON answer: the columns first, then one array per row, then the stats or an error. */
export const queryNdjsonHeadSchema = z.object({ columns: z.array(z.string()), query: z.string() });
export const queryNdjsonEndSchema = z.union([
  z.object({ stats: queryStatsSchema }),
  z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) }),
]);

/** `details` of a QUERY_SYNTAX error. */
export const querySyntaxDetailsSchema = z.object({
  line: z.number(),
  column: z.number(),
  offset: z.number(),
  expected: z.array(z.string()),
  found: z.string(),
});
