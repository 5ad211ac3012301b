/**
 * A rule's evaluation window for one group, as time buckets of counters: each matching event adds to the
 * bucket of its clock time, evaluation drops the buckets that have left the window, and the value is folded
 * from the few buckets left — so evaluating never re-reads the journal. A bucket is 1/60 of the window (at
 * least 250 ms), so the window's edge is exact to within one bucket. The first and last matching sequence and
 * a few recent ones are kept as the evidence of what made the value.
 *
 * @module
 */
import type { AggregateFn, Evidence } from './schema.ts';

interface Bucket {
  start: number;
  /** Matching events. */
  count: number;
  /** Numeric values of the aggregated field among them (sum/avg/min/max). */
  numbers: number;
  sum: number;
  min: number;
  max: number;
  firstSeq: number;
  lastSeq: number;
}

const SAMPLES = 10;

export function bucketSizeOf(windowMs: number): number {
  return Math.max(250, Math.ceil(windowMs / 60));
}

export class GroupWindow {
  readonly bucketMs: number;
  readonly #buckets: Bucket[] = [];
  /** Most recent matching sequences and their times, oldest first. */
  readonly #samples: { seq: number; time: number }[] = [];

  constructor(windowMs: number) {
    this.bucketMs = bucketSizeOf(windowMs);
  }

  /** Adds a matching event; `value` is the aggregated field's number, or NaN when it has none. */
  add(time: number, seq: number, value: number): void {
    const start = time - (time % this.bucketMs);
    let bucket = this.#buckets.at(-1);
    if (bucket === undefined || bucket.start < start) {
      bucket = {
        start,
        count: 0,
        numbers: 0,
        sum: 0,
        min: Infinity,
        max: -Infinity,
        firstSeq: seq,
        lastSeq: seq,
      };
      this.#buckets.push(bucket);
    } else if (bucket.start > start) {
      // Clock values only grow with the sequence; an older time can only come from a rebuilt window: fold it in.
      bucket = this.#buckets.find((b) => b.start === start) ?? bucket;
    }
    bucket.count++;
    bucket.lastSeq = Math.max(bucket.lastSeq, seq);
    bucket.firstSeq = Math.min(bucket.firstSeq, seq);
    if (!Number.isNaN(value)) {
      bucket.numbers++;
      bucket.sum += value;
      if (value < bucket.min) bucket.min = value;
      if (value > bucket.max) bucket.max = value;
    }
    this.#samples.push({ seq, time });
    if (this.#samples.length > SAMPLES) this.#samples.shift();
  }

  /** Drops what ended at or before `cutoff` (now − window). */
  prune(cutoff: number): void {
    let drop = 0;
    while (drop < this.#buckets.length && this.#buckets[drop]!.start + this.bucketMs <= cutoff) drop++;
    if (drop > 0) this.#buckets.splice(0, drop);
    while (this.#samples.length > 0 && this.#samples[0]!.time < cutoff - this.bucketMs) this.#samples.shift();
  }

  get empty(): boolean {
    return this.#buckets.length === 0;
  }

  /** Matching events in the window. */
  count(): number {
    let n = 0;
    for (const b of this.#buckets) n += b.count;
    return n;
  }

  /** The window's value: the count, or the aggregate of the field's numbers (null when there are none). */
  value(fn: AggregateFn): number | null {
    if (fn === 'count') return this.count();
    let numbers = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const b of this.#buckets) {
      numbers += b.numbers;
      sum += b.sum;
      min = Math.min(min, b.min);
      max = Math.max(max, b.max);
    }
    if (numbers === 0) return null;
    switch (fn) {
      case 'sum':
        return sum;
      case 'avg':
        return sum / numbers;
      case 'min':
        return min;
      case 'max':
        return max;
    }
  }

  evidence(fn: AggregateFn): Evidence {
    const first = this.#buckets[0];
    const last = this.#buckets.at(-1);
    const firstSeq = first?.firstSeq ?? null;
    return {
      firstSeq,
      lastSeq: last?.lastSeq ?? null,
      samples: this.#samples.filter((s) => firstSeq !== null && s.seq >= firstSeq).map((s) => s.seq),
      value: this.value(fn),
    };
  }
}
