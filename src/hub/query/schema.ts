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
  /** Characters of the input the error points at (the offending token); 0 at the end of the input. */
  length: z.number(),
});
export type QuerySyntaxDetails = z.infer<typeof querySyntaxDetailsSchema>;

// ── editor support ───────────────────────────────────────────────────────────────────────────────────

/** For the editor's highlighting and completion: the lexer's keywords and the fields every event has. */
export { QUERY_KEYWORDS } from './vocabulary.ts';
export { BUILTIN_FIELDS as QUERY_BUILTIN_FIELDS } from './vocabulary.ts';

/** `POST /api/query/check`: parses without running. */
export const queryCheckBodySchema = z.strictObject({
  query: z.string().max(QUERY_MAX_LENGTH, `query is longer than ${QUERY_MAX_LENGTH} characters`),
});
export type QueryCheckBody = z.input<typeof queryCheckBodySchema>;

export const queryCheckResultSchema = z.discriminatedUnion('ok', [
  /** `query`: the canonical text. */
  z.object({ ok: z.literal(true), query: z.string() }),
  z.object({
    ok: z.literal(false),
    error: querySyntaxDetailsSchema.extend({ message: z.string() }),
  }),
]);
export type QueryCheckResult = z.infer<typeof queryCheckResultSchema>;

// ── saved queries ────────────────────────────────────────────────────────────────────────────────────

export const SAVED_QUERY_NAME_MAX = 100;
/** Saved queries a hub keeps at most. */
export const SAVED_QUERIES_MAX = 1000;

const savedQueryName = z
  .string()
  .trim()
  .min(1, 'name is empty')
  .max(SAVED_QUERY_NAME_MAX, `name is longer than ${SAVED_QUERY_NAME_MAX} characters`)
  // eslint-disable-next-line no-control-regex -- a name is one line of printable text
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'name must not contain control characters');

const savedQueryText = z
  .string()
  .min(1, 'query is empty')
  .max(QUERY_MAX_LENGTH, `query is longer than ${QUERY_MAX_LENGTH} characters`);

export const savedQueryBodySchema = z.strictObject({ name: savedQueryName, query: savedQueryText });
export type SavedQueryBody = z.input<typeof savedQueryBodySchema>;

/** `PUT /api/query/saved/:id`: a new name, a new text, or both. */
export const savedQueryUpdateBodySchema = z
  .strictObject({ name: savedQueryName.optional(), query: savedQueryText.optional() })
  .refine((b) => b.name !== undefined || b.query !== undefined, 'give a name, a query, or both');
export type SavedQueryUpdateBody = z.input<typeof savedQueryUpdateBodySchema>;

export const savedQueryParams = z.strictObject({
  id: z
    .string()
    .regex(/^[1-9]\d{0,15}$/, 'id must be a positive integer')
    .transform(Number),
});

export const savedQuerySchema = z.object({
  id: z.number(),
  name: z.string(),
  query: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  /** The key that saved or last changed it. */
  updatedBy: z.string().nullable(),
});
export type SavedQuery = z.infer<typeof savedQuerySchema>;

export const savedQueryListSchema = z.object({ queries: z.array(savedQuerySchema) });
export type SavedQueryList = z.infer<typeof savedQueryListSchema>;

// ── history ──────────────────────────────────────────────────────────────────────────────────────────

/** Executed queries the hub keeps; older ones are dropped. */
export const QUERY_HISTORY_MAX = 500;

export const queryHistoryEntrySchema = z.object({
  id: z.number(),
  /** Epoch ms when the query was received. */
  at: z.number(),
  query: z.string(),
  format: z.enum(['json', 'ndjson']),
  keyId: z.string().nullable(),
  keyName: z.string().nullable(),
  /** Rows answered (0 for an error or EXPLAIN). */
  rows: z.number(),
  /** Slots scanned, when the scan started. */
  scanned: z.number().nullable(),
  durationMs: z.number(),
  ok: z.boolean(),
  /** The error code when not ok (QUERY_SYNTAX, UNKNOWN_STREAM, QUERY_BUDGET_EXCEEDED, QUERY_CANCELLED, …). */
  errorCode: z.string().nullable(),
});
export type QueryHistoryEntry = z.infer<typeof queryHistoryEntrySchema>;

export const queryHistorySchema = z.object({ entries: z.array(queryHistoryEntrySchema) });
export type QueryHistory = z.infer<typeof queryHistorySchema>;
