/**
 * Hybrid logical clock.
 *
 * A clock value is a u64 whose upper 48 bits are wall-clock milliseconds since the Unix epoch and whose
 * lower 16 bits are a logical counter. Compared as integers, values order first by wall time and then by
 * counter. Each event gets
 *
 *     L := max(L + 1, now << 16, hint + 1)
 *
 * so values are strictly increasing on one clock, stay within a counter's reach of real time, and an event
 * received with a sender's clock value `hint` is stamped strictly after it (the Lamport condition:
 * if a happened before b then L(a) < L(b)). `+ 1` on a full counter carries into the millisecond field,
 * which then runs ahead of the wall clock until real time catches up.
 *
 * A hint further ahead of local time than `maxDriftMs` is ignored and counted: one sender with a broken
 * clock must not drag the journal's timeline into the future.
 *
 * @module
 */
export const HLC_LOGICAL_BITS = 16;
export const HLC_LOGICAL_MAX = 0xffff;
/** The largest wall-clock millisecond value that fits in 48 bits (year 10889). */
export const HLC_WALL_MS_MAX = 2 ** 48 - 1;
export const DEFAULT_MAX_CLOCK_DRIFT_MS = 60_000;

export interface HlcTimestamp {
  readonly wallMs: number;
  readonly logical: number;
}

export const HLC_ZERO: HlcTimestamp = Object.freeze({ wallMs: 0, logical: 0 });

export function isHlcTimestamp(value: HlcTimestamp): boolean {
  return (
    Number.isInteger(value.wallMs) &&
    value.wallMs >= 0 &&
    value.wallMs <= HLC_WALL_MS_MAX &&
    Number.isInteger(value.logical) &&
    value.logical >= 0 &&
    value.logical <= HLC_LOGICAL_MAX
  );
}

export function compareHlc(a: HlcTimestamp, b: HlcTimestamp): number {
  if (a.wallMs !== b.wallMs) return a.wallMs < b.wallMs ? -1 : 1;
  if (a.logical !== b.logical) return a.logical < b.logical ? -1 : 1;
  return 0;
}

/** Upper 32 bits of the u64 encoding. */
export function hlcHighWord(ts: HlcTimestamp): number {
  return Math.floor(ts.wallMs / 0x1_0000);
}

/** Lower 32 bits of the u64 encoding: the low 16 bits of wall time, then the counter. */
export function hlcLowWord(ts: HlcTimestamp): number {
  return (ts.wallMs % 0x1_0000) * 0x1_0000 + ts.logical;
}

export function hlcFromWords(hi: number, lo: number): HlcTimestamp {
  return { wallMs: hi * 0x1_0000 + (lo >>> 16), logical: lo & 0xffff };
}

/** Wall-clock milliseconds of a u64 clock value given as words, without building an object. */
export function wallMsOfWords(hi: number, lo: number): number {
  return hi * 0x1_0000 + (lo >>> 16);
}

export function hlcToBigInt(ts: HlcTimestamp): bigint {
  return (BigInt(ts.wallMs) << 16n) | BigInt(ts.logical);
}

export function hlcFromBigInt(value: bigint): HlcTimestamp {
  if (value < 0n || value >= 1n << 64n) throw new RangeError(`clock value out of u64 range: ${value}`);
  return { wallMs: Number(value >> 16n), logical: Number(value & 0xffffn) };
}

/** The smallest clock value greater than `ts`. */
export function hlcSuccessor(ts: HlcTimestamp): HlcTimestamp {
  if (ts.logical < HLC_LOGICAL_MAX) return { wallMs: ts.wallMs, logical: ts.logical + 1 };
  if (ts.wallMs >= HLC_WALL_MS_MAX) throw new RangeError('hybrid logical clock exhausted its 64 bits');
  return { wallMs: ts.wallMs + 1, logical: 0 };
}

export interface HybridLogicalClockOptions {
  /** Hints more than this far ahead of `now` are ignored and counted. Default 60 000 ms. */
  maxDriftMs?: number;
  /** The last value issued before (for example read back from a journal header). Default zero. */
  initial?: HlcTimestamp;
}

export class HybridLogicalClock {
  #last: HlcTimestamp;
  readonly #maxDriftMs: number;
  /** Hints that raised the clock. */
  hintsApplied = 0;
  /** Hints ignored because they were too far ahead of local time. */
  hintsRejected = 0;

  constructor(options: HybridLogicalClockOptions = {}) {
    const maxDriftMs = options.maxDriftMs ?? DEFAULT_MAX_CLOCK_DRIFT_MS;
    if (!Number.isSafeInteger(maxDriftMs) || maxDriftMs < 0) {
      throw new RangeError(`maxDriftMs must be a non-negative integer, got ${maxDriftMs}`);
    }
    const initial = options.initial ?? HLC_ZERO;
    if (!isHlcTimestamp(initial)) throw new RangeError('initial is not a valid clock value');
    this.#maxDriftMs = maxDriftMs;
    this.#last = initial;
  }

  /** The last value issued (or the initial value). */
  get last(): HlcTimestamp {
    return this.#last;
  }

  /**
   * Issues the clock value for a new event observed at wall time `nowMs`, optionally caused by a remote
   * event stamped `remoteHint`.
   * @throws RangeError when `nowMs` is not an integer in [0, 2^48) or the clock is exhausted.
   */
  tick(nowMs: number, remoteHint?: HlcTimestamp): HlcTimestamp {
    if (!Number.isInteger(nowMs) || nowMs < 0 || nowMs > HLC_WALL_MS_MAX) {
      throw new RangeError(`nowMs must be an integer in [0, 2^48), got ${nowMs}`);
    }
    let next = hlcSuccessor(this.#last);
    if (nowMs > next.wallMs) next = { wallMs: nowMs, logical: 0 };
    if (remoteHint !== undefined) {
      if (!isHlcTimestamp(remoteHint)) throw new RangeError('remoteHint is not a valid clock value');
      if (remoteHint.wallMs > nowMs + this.#maxDriftMs) {
        this.hintsRejected++;
      } else {
        const afterHint = hlcSuccessor(remoteHint);
        if (compareHlc(afterHint, next) > 0) {
          next = afterHint;
          this.hintsApplied++;
        }
      }
    }
    this.#last = next;
    return next;
  }
}
