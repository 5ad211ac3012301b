/**
 * The dry run: a journal range replayed through a pipeline with a fresh engine, nothing delivered anywhere.
 * Event time is the journal clock and nothing reads the wall clock, so the same range always gives the same
 * counters and records. Windows still open at the end of the range are closed, so short ranges show output.
 *
 * A range may hold up to DRY_RUN_MAX_SLOTS slots, seconds of work: the replay yields to the event loop between
 * slices (the hub keeps answering meanwhile), stops when the client goes away, and is bounded by a time budget.
 *
 * @module
 */
import type { JournalReader } from '../../journal/reader.ts';
import { HubError } from '../errors.ts';
import { parseTimeBound, resolveTimeBound, TIME_HINT } from '../events/time.ts';
import { PipelineEngine } from './engine.ts';
import { type ReplayProgress, replayRangeCooperatively } from './replay.ts';
import { DRY_RUN_MAX_SLOTS, DRY_RUN_TIME_BUDGET_MS, type DryRunResult } from './schema.ts';
import type { CompiledPipeline } from './validate.ts';

export interface DryRunRequest {
  from?: number | undefined;
  to?: number | undefined;
  since?: number | string | undefined;
  until?: number | string | undefined;
  sample: number;
}

function timeOf(value: number | string, field: string, now: number): number {
  if (typeof value === 'number') return value;
  const bound = parseTimeBound(value);
  if (bound === null) throw new HubError(400, 'INVALID_REQUEST', `body.${field}: expected ${TIME_HINT}`);
  return resolveTimeBound(bound, now);
}

/** The slot range [from, to) a request names, clamped to what is published. */
export function resolveRange(
  reader: JournalReader,
  request: DryRunRequest,
  now: number,
): { from: number; to: number } {
  const { head, tail } = reader.publication();
  let from = request.from ?? tail;
  let to = request.to ?? head;
  if (request.since !== undefined) from = reader.findByTime(timeOf(request.since, 'since', now));
  if (request.until !== undefined) to = reader.findByTime(timeOf(request.until, 'until', now));
  to = Math.min(to, head);
  from = Math.min(from, to);
  if (to - from > DRY_RUN_MAX_SLOTS)
    throw new HubError(
      400,
      'DRY_RUN_TOO_LARGE',
      `the range ${from}–${to} holds ${to - from} slots; a dry run replays at most ${DRY_RUN_MAX_SLOTS}: narrow from/to or since/until`,
      { from, to, max: DRY_RUN_MAX_SLOTS },
    );
  return { from, to };
}

export interface DryRunOptions {
  /** Aborted when the client goes away: the replay stops at the next slice with DRY_RUN_CANCELLED. */
  signal?: AbortSignal | undefined;
  /** Wall-clock milliseconds the replay may take; beyond, DRY_RUN_BUDGET_EXCEEDED. Default DRY_RUN_TIME_BUDGET_MS. */
  timeBudgetMs?: number | undefined;
  /** For elapsed time (tests); default performance.now. */
  clock?: () => number;
  /** Told the progress between slices, before the checks (tests, benchmarks). */
  onProgress?: (progress: ReplayProgress) => void;
}

/** The progress so far, as the error details of a dry run that stopped early (the query executor's shape). */
function progressDetails(range: { from: number; to: number }, progress: ReplayProgress, budgetMs: number) {
  return {
    range,
    scanned: { from: range.from, to: progress.position, count: progress.position - range.from },
    overwritten: progress.overwritten,
    elapsedMs: Math.round(progress.elapsedMs),
    budget: { ms: budgetMs },
  };
}

export async function dryRun(
  reader: JournalReader,
  pipeline: CompiledPipeline,
  range: { from: number; to: number },
  sample: number,
  options: DryRunOptions = {},
): Promise<DryRunResult> {
  const budgetMs = options.timeBudgetMs ?? DRY_RUN_TIME_BUDGET_MS;
  const engine = new PipelineEngine(pipeline, { sample });
  const stats = await replayRangeCooperatively(reader, engine, range.from, range.to, {
    signal: options.signal,
    ...(options.clock ? { clock: options.clock } : {}),
    check: (progress) => {
      options.onProgress?.(progress);
      if (progress.aborted)
        throw new HubError(
          400,
          'DRY_RUN_CANCELLED',
          'the dry run was cancelled (the client went away)',
          progressDetails(range, progress, budgetMs),
        );
      if (progress.elapsedMs > budgetMs)
        throw new HubError(
          400,
          'DRY_RUN_BUDGET_EXCEEDED',
          `the dry run went over its budget of ${budgetMs} ms after replaying sequences ${range.from}–${progress.position} of ${range.from}–${range.to}: narrow from/to or since/until`,
          progressDetails(range, progress, budgetMs),
        );
    },
  });
  engine.finish();
  const counters = engine.counters();
  const samples = engine.samples();
  return {
    range,
    scanned: stats.scanned,
    overwritten: stats.overwritten,
    nodes: Object.fromEntries(
      Object.entries(counters).map(([id, c]) => [id, { ...c, sample: samples[id] ?? [] }]),
    ),
  };
}
