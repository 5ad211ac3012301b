/**
 * Background jobs of the event feature (simulate, replay): a registry that caps how many run at once, keeps
 * recent finished ones for their progress, and stops them all with the hub; and the pacer that spreads a job's
 * events over time in ~10 ms batches.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { HubError } from '../errors.ts';
import type { IpcSubmitEventInput, IpcSubmitResult } from '../../ipc/protocol.ts';
import type { SequencerLink } from '../sequencer-link.ts';
import type { JobState } from './schema.ts';

export interface Job<V> {
  readonly id: string;
  readonly state: JobState;
  view(): V;
  /** Asks the job to stop and resolves once it has. */
  stop(): Promise<void>;
}

/**
 * The lifecycle both job kinds share: `running` until `work` returns (`completed`), is aborted by `stop`
 * (`stopped`) or throws (`failed`, with the error's code and message).
 */
export abstract class RunningJob<V> implements Job<V> {
  readonly id: string;
  protected readonly now: () => number;
  readonly #abort = new AbortController();
  readonly #createdAt: number;
  #state: JobState = 'running';
  #error: { code: string; message: string } | null = null;
  #finishedAt: number | null = null;
  #done: Promise<void> = Promise.resolve();

  constructor(id: string, now: () => number) {
    this.id = id;
    this.now = now;
    this.#createdAt = now();
  }

  get state(): JobState {
    return this.#state;
  }

  start(): void {
    this.#done = this.#run();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#done;
  }

  abstract view(): V;

  /** The job's work: returns when it is done, when it gives up, or soon after `signal` aborts. */
  protected abstract work(signal: AbortSignal): Promise<void>;

  /** The fields every job view starts with. */
  protected lifecycle(): {
    id: string;
    state: JobState;
    error: { code: string; message: string } | null;
    createdAt: number;
    finishedAt: number | null;
  } {
    return {
      id: this.id,
      state: this.#state,
      error: this.#error,
      createdAt: this.#createdAt,
      finishedAt: this.#finishedAt,
    };
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    try {
      await this.work(signal);
      this.#finish(signal.aborted ? 'stopped' : 'completed');
    } catch (error) {
      this.#finish('failed', jobError(error));
    }
  }

  #finish(state: JobState, error: { code: string; message: string } | null = null): void {
    this.#state = state;
    this.#error = error;
    this.#finishedAt = this.now();
  }
}

export const newJobId = (prefix: 'sim' | 'rpl'): string => `${prefix}_${randomBytes(6).toString('hex')}`;

export class JobRegistry<V, J extends Job<V> = Job<V>> {
  readonly #jobs = new Map<string, J>();
  readonly #what: string;
  readonly #maxRunning: number;
  readonly #keepFinished: number;

  constructor(what: string, options: { maxRunning?: number; keepFinished?: number } = {}) {
    this.#what = what;
    this.#maxRunning = options.maxRunning ?? 4;
    this.#keepFinished = options.keepFinished ?? 50;
  }

  /** @throws HubError 429 TOO_MANY_JOBS when the running cap is reached. */
  checkCapacity(): void {
    const running = [...this.#jobs.values()].filter((j) => j.state === 'running').length;
    if (running >= this.#maxRunning) {
      throw new HubError(
        429,
        'TOO_MANY_JOBS',
        `${running} ${this.#what} jobs are running, the most allowed at once; stop one (DELETE) or wait`,
        undefined,
        { 'Retry-After': '5' },
      );
    }
  }

  add(job: J): void {
    this.#jobs.set(job.id, job);
    const finished = [...this.#jobs.values()].filter((j) => j.state !== 'running');
    for (const old of finished.slice(0, Math.max(0, finished.length - this.#keepFinished))) {
      this.#jobs.delete(old.id);
    }
  }

  /** @throws HubError 404 when there is no such job. */
  get(id: string): J {
    const job = this.#jobs.get(id);
    if (!job)
      throw new HubError(404, 'NOT_FOUND', `no ${this.#what} job ${id} (finished jobs are kept a while)`);
    return job;
  }

  /** Newest first. */
  list(): V[] {
    return [...this.#jobs.values()].reverse().map((j) => j.view());
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#jobs.values()].map((j) => j.stop()));
  }
}

/** Batches are sent about this often. */
export const TICK_MS = 10;

/**
 * How many events a job may send now to hold `rate` per second. A job that falls behind (the sequencer was
 * slow, the host loaded) catches up by at most 100 ms worth: beyond that the schedule slides, so a stall is
 * never followed by a flood.
 */
export class Pacer {
  readonly #rate: number;
  readonly #maxLag: number;
  #start: number;

  constructor(rate: number, now: number) {
    this.#rate = rate;
    this.#maxLag = Math.max(1, Math.ceil(rate / 10));
    this.#start = now;
  }

  /** Events allowed now, given `done` sent so far. */
  due(now: number, done: number): number {
    const allowed = Math.floor(((now - this.#start) * this.#rate) / 1000);
    if (allowed - done > this.#maxLag) {
      this.#start = now - ((done + this.#maxLag) * 1000) / this.#rate;
      return this.#maxLag;
    }
    return Math.max(0, allowed - done);
  }

  /** Milliseconds until `total` events are allowed (at least 1, at most one tick). */
  wait(now: number, total: number): number {
    const at = this.#start + (total * 1000) / this.#rate;
    return Math.min(TICK_MS, Math.max(1, Math.ceil(at - now)));
  }
}

/** Sleeps; resolves false (without throwing) when `signal` aborts first. */
export async function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** Events per batch at `rate`: what one tick carries (at least 1). */
export const batchSize = (rate: number): number => Math.max(1, Math.floor((rate * TICK_MS) / 1000));

/** Progress counters of a job that submits through the sequencer. */
export interface SubmitTally {
  submitted: number;
  journaled: number;
  dropped: number;
  rejected: number;
  backoffs: number;
  firstSeq: number | null;
  lastSeq: number | null;
}

/**
 * Submits one batch. A full submit queue (503 SUBMIT_QUEUE_FULL) is not a failure: the batch is retried after
 * a pause growing from 10 ms to 1 s, and each refusal is counted in `backoffs`. Resolves false when stopped
 * while waiting (the batch was then not journaled); any other error is thrown.
 */
export async function submitWithBackoff(
  sequencer: SequencerLink,
  events: IpcSubmitEventInput[],
  tally: SubmitTally,
  signal: AbortSignal,
): Promise<boolean> {
  let pause = 10;
  for (;;) {
    tally.submitted += events.length;
    let result: IpcSubmitResult;
    try {
      result = await sequencer.submit(events);
    } catch (error) {
      tally.submitted -= events.length;
      if (!(error instanceof HubError && error.code === 'SUBMIT_QUEUE_FULL')) throw error;
      tally.backoffs++;
      if (!(await sleep(pause, signal))) return false;
      pause = Math.min(pause * 2, 1000);
      continue;
    }
    for (let i = 0; i < result.statuses.length; i++) {
      const status = result.statuses[i];
      const seq = result.sequences[i];
      if (status === 'journaled' && seq !== null && seq !== undefined) {
        tally.journaled++;
        tally.firstSeq = tally.firstSeq === null ? seq : Math.min(tally.firstSeq, seq);
        tally.lastSeq = tally.lastSeq === null ? seq : Math.max(tally.lastSeq, seq);
      } else if (status === 'dropped') tally.dropped++;
      else tally.rejected++;
    }
    return true;
  }
}

/** A HubError's code and message for a job's `error`, or INTERNAL for anything else. */
export function jobError(error: unknown): { code: string; message: string } {
  if (error instanceof HubError) return { code: error.code, message: error.message };
  process.stderr.write(`hub: job failed: ${(error as Error)?.stack ?? String(error)}\n`);
  return { code: 'INTERNAL', message: 'the job failed unexpectedly; the hub log has the details' };
}
