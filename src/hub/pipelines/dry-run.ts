/**
 * The dry run: a journal range replayed through a pipeline with a fresh engine, nothing delivered anywhere.
 * Event time is the journal clock and nothing reads the wall clock, so the same range always gives the same
 * counters and records. Windows still open at the end of the range are closed, so short ranges show output.
 *
 * @module
 */
import type { JournalReader } from '../../journal/reader.ts';
import { HubError } from '../errors.ts';
import { parseTimeBound, resolveTimeBound, TIME_HINT } from '../events/time.ts';
import { PipelineEngine } from './engine.ts';
import { replayRange } from './replay.ts';
import { DRY_RUN_MAX_SLOTS, type DryRunResult } from './schema.ts';
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

export function dryRun(
  reader: JournalReader,
  pipeline: CompiledPipeline,
  range: { from: number; to: number },
  sample: number,
): DryRunResult {
  const engine = new PipelineEngine(pipeline, { sample });
  const stats = replayRange(reader, engine, range.from, range.to);
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
