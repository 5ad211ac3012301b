/**
 * Feeding a journal range into an engine, shared by the live runner and the dry run. Slots are read in chunks
 * with the executor's pattern: decode (only the payloads of streams a source reads), re-load the tail, and
 * push only the events that were still retained afterwards, so an overwritten payload never reaches a node.
 * Every event, whatever its stream, moves the watermark: it is the journal clock.
 *
 * The live runner replays small increments at once; a dry run may replay millions of slots, so it uses the
 * cooperative form, which hands the event loop back between slices and stops when cancelled or out of time.
 *
 * @module
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { wallMsOfWords } from '../../core/hlc.ts';
import type { JournalReader } from '../../journal/reader.ts';
import { decodeUtf8 } from '../events/payload.ts';
import type { PipelineEngine, SourceEvent } from './engine.ts';

const CHUNK = 4096;
/** A cooperative replay yields after this many slots… */
export const SLICE_SLOTS = 16_384;
/** …or after this much work, whichever comes first, so the hub answers within tens of milliseconds. */
export const SLICE_MS = 20;

export interface ReplayStats {
  scanned: number;
  overwritten: number;
}

/** Reads [from, to) of the journal chunk by chunk into one engine; `step` does one chunk and says where it ended. */
class RangeFeeder {
  readonly stats: ReplayStats = { scanned: 0, overwritten: 0 };
  position: number;
  readonly #reader: JournalReader;
  readonly #engine: PipelineEngine;
  readonly #to: number;
  readonly #wanted = new Map<number, string>();
  readonly #batch: (SourceEvent | number)[] = [];
  readonly #seqs: number[] = [];

  constructor(reader: JournalReader, engine: PipelineEngine, from: number, to: number) {
    this.#reader = reader;
    this.#engine = engine;
    this.#to = to;
    this.position = from;
    for (const name of engine.streams) {
      const id = reader.streamId(name);
      if (id !== null) this.#wanted.set(id, name);
    }
  }

  get done(): boolean {
    return this.position >= this.#to;
  }

  /** Replays one chunk; returns false when the journal cannot move further (nothing left to read). */
  step(): boolean {
    const reader = this.#reader;
    const engine = this.#engine;
    const stats = this.stats;
    const batch = this.#batch;
    const seqs = this.#seqs;
    const wanted = this.#wanted;
    const end = Math.min(this.#to, this.position + CHUNK);
    batch.length = 0;
    seqs.length = 0;
    const scan = reader.scan(
      this.position,
      end,
      (event, seq) => {
        const time = wallMsOfWords(event.lamportHi, event.lamportLo);
        const stream = wanted.get(event.streamId);
        seqs.push(seq);
        if (stream === undefined) batch.push(time);
        else
          batch.push({
            seq,
            time,
            streamId: event.streamId,
            stream,
            node: event.nodeId,
            text: decodeUtf8(reader.payloadView(event)),
            size: event.payloadLength,
          });
      },
      CHUNK,
    );
    stats.overwritten += scan.overwritten;
    const tail = reader.loadTail();
    for (let i = 0; i < batch.length; i++) {
      if (seqs[i]! < tail) {
        stats.overwritten++;
        continue;
      }
      stats.scanned++;
      const item = batch[i]!;
      if (typeof item === 'number') engine.advance(item);
      else engine.push(item);
    }
    if (scan.next <= this.position) return false;
    this.position = scan.next;
    return true;
  }
}

/** Pushes the retained events of [from, to) into `engine`, in sequence order, without yielding. */
export function replayRange(
  reader: JournalReader,
  engine: PipelineEngine,
  from: number,
  to: number,
): ReplayStats {
  const feeder = new RangeFeeder(reader, engine, from, to);
  while (!feeder.done) if (!feeder.step()) break;
  return feeder.stats;
}

export interface CooperativeReplayOptions {
  /** Checked between slices: once aborted, the replay stops and `check` decides what to throw. */
  signal?: AbortSignal | undefined;
  /** Milliseconds since some origin; default performance.now. */
  clock?: () => number;
  /**
   * Called between slices with the progress so far (slots read and time elapsed); throws to stop the replay
   * (cancellation, time budget). The replay checks nothing itself, so callers own their error wording.
   */
  check?: (progress: ReplayProgress) => void;
}

export interface ReplayProgress extends ReplayStats {
  /** The next slot to read: [from, position) has been replayed. */
  position: number;
  elapsedMs: number;
  aborted: boolean;
}

/**
 * The same replay as `replayRange` (same chunks, same events in the same order, so the same engine state),
 * cut into slices of at most SLICE_SLOTS slots or SLICE_MS of work; between slices it yields to the event
 * loop (setImmediate, so pending I/O runs first) and calls `check`.
 */
export async function replayRangeCooperatively(
  reader: JournalReader,
  engine: PipelineEngine,
  from: number,
  to: number,
  options: CooperativeReplayOptions = {},
): Promise<ReplayStats> {
  const clock = options.clock ?? (() => performance.now());
  const started = clock();
  const feeder = new RangeFeeder(reader, engine, from, to);
  const progress = (): ReplayProgress => ({
    ...feeder.stats,
    position: feeder.position,
    elapsedMs: clock() - started,
    aborted: options.signal?.aborted ?? false,
  });
  options.check?.(progress());
  while (!feeder.done) {
    const sliceStart = clock();
    const sliceEnd = feeder.position + SLICE_SLOTS;
    let moved = true;
    while (!feeder.done && feeder.position < sliceEnd && clock() - sliceStart < SLICE_MS) {
      moved = feeder.step();
      if (!moved) break;
    }
    if (!moved) break;
    if (feeder.done) break;
    await nextTurn();
    options.check?.(progress());
  }
  return feeder.stats;
}
