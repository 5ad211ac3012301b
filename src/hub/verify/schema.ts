/**
 * The wire shapes of `/api/verify`, shared by the hub, which builds them, and the UI's Verification page, which
 * validates what it receives with them. Only zod is imported here, so the browser can load this module.
 * Prose: docs/api/core.md.
 *
 * Response objects are not strict: fields a newer hub adds are dropped when parsing, not refused, so a UI built
 * against this version keeps working.
 *
 * @module
 */
import { z } from 'zod';
import { VERIFY_LIMITS } from './defaults.ts';

/**
 * The property suites a run can select, by name (proofs/index.ts `coreSuites()`; a hub test keeps the two
 * lists equal).
 */
export const VERIFY_SUITES = ['order', 'sort', 'codec', 'clock', 'crc32c', 'frame'] as const;
export type VerifySuite = (typeof VERIFY_SUITES)[number];

/** `interrupted`: the hub stopped while the run was going on. */
export const VERIFY_STATES = ['running', 'passed', 'failed', 'error', 'interrupted'] as const;
export type VerifyState = (typeof VERIFY_STATES)[number];

export { VERIFY_LIMITS };

const suiteName = z.string().refine((s) => (VERIFY_SUITES as readonly string[]).includes(s), {
  message: `must be one of ${VERIFY_SUITES.join(', ')}`,
});

/** `POST /api/verify`; the whole body is optional. */
export const startVerifyBodySchema = z
  .strictObject({
    suites: z.array(suiteName).min(1).optional(),
    runs: z.number().int().min(VERIFY_LIMITS.runs.min).max(VERIFY_LIMITS.runs.max).optional(),
    /** Reproduces a reported failure. */
    seed: z.number().int().optional(),
    /** Also check the hub journal's invariants (default true). */
    journal: z.boolean().optional(),
  })
  .optional();
export type StartVerifyBody = z.input<typeof startVerifyBodySchema>;

const epochMs = z.number().int().nonnegative();

/** A run without its results, as listed and as answered by `POST /api/verify`. */
export const verifyRunSummarySchema = z.object({
  id: z.string(),
  state: z.enum(VERIFY_STATES),
  createdAt: epochMs,
  finishedAt: epochMs.nullable(),
  /** The options in effect: `suites` null means all of them. */
  options: z.object({
    suites: z.array(z.string()).nullable(),
    runs: z.number().int(),
    seed: z.number().int().nullable(),
    journal: z.boolean(),
  }),
  /** Properties done and planned (`total` is 0 until the worker has planned the run). */
  progress: z.object({ done: z.number().int().nonnegative(), total: z.number().int().nonnegative() }),
  /** Failed properties plus failed journal checks. */
  failed: z.number().int().nonnegative(),
  createdBy: z.string().nullable(),
});
export type VerifyRunSummary = z.infer<typeof verifyRunSummarySchema>;

/** `GET /api/verify`, newest first. */
export const verifyRunListSchema = z.object({
  runs: z.array(verifyRunSummarySchema),
  /** A run is in progress (only one at a time). */
  running: z.boolean(),
});
export type VerifyRunList = z.infer<typeof verifyRunListSchema>;

/** One property's outcome (proofs/runner.ts `PropertyResult`). */
export const propertyResultSchema = z.object({
  suite: z.string(),
  property: z.string(),
  passed: z.boolean(),
  runs: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
  /** Pass it back as `seed` to reproduce this run. */
  seed: z.number().int(),
  /** fast-check's replay path of the shrunk counterexample, when the property failed. */
  path: z.string().nullable(),
  counterexample: z.string().nullable(),
  error: z.string().nullable(),
});
export type PropertyResultView = z.infer<typeof propertyResultSchema>;

/** One invariant check of the live journal (proofs/journal-checks.ts `JournalCheckResult`). */
export const journalCheckSchema = z.object({
  name: z.string(),
  passed: z.boolean(),
  examined: z.number().int().nonnegative(),
  /** What failed, first failure first; empty when passed. */
  detail: z.string(),
});
export type JournalCheckView = z.infer<typeof journalCheckSchema>;

/** `GET /api/verify/:id`. */
export const verifyRunSchema = verifyRunSummarySchema.extend({
  results: z.array(propertyResultSchema),
  /** Null when the run skipped the journal (or has not reached it yet). */
  journalChecks: z.array(journalCheckSchema).nullable(),
  error: z.string().nullable(),
});
export type VerifyRunView = z.infer<typeof verifyRunSchema>;
