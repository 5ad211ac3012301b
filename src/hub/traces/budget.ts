/**
 * The span ingestion budget: a token bucket of spans. Spans are written to SQLite synchronously on the event
 * loop, so the write rate is what overload means here; the bucket refills at `spansPerSecond` up to
 * `burstSpans`, and a request is admitted whole or not at all. A refused request learns how long to wait
 * (OTLP's 429 + Retry-After); one larger than the bucket could ever hold is told to send smaller batches.
 *
 * @module
 */

/** Default sustained rate: spans per second both ingest endpoints may store together. */
export const DEFAULT_SPANS_PER_SECOND = 50_000;

export interface IngestBudgetOptions {
  /** Sustained rate (default 50 000). */
  spansPerSecond?: number;
  /** Most spans admitted at once after a quiet period (default: one second's worth, at least 1). */
  burstSpans?: number;
  /** Monotonic milliseconds; `performance.now` unless a test drives the clock. */
  clock?: () => number;
}

export type BudgetVerdict =
  | { admitted: true }
  /** Not now: enough spans will have been refilled after `retryAfterSeconds` (whole seconds, at least 1). */
  | { admitted: false; reason: 'overloaded'; retryAfterSeconds: number }
  /** Never: the request has more spans than the bucket holds. */
  | { admitted: false; reason: 'too-large'; burstSpans: number };

export class IngestBudget {
  readonly spansPerSecond: number;
  readonly burstSpans: number;
  readonly #clock: () => number;
  #tokens: number;
  #at: number;

  constructor(options: IngestBudgetOptions = {}) {
    this.spansPerSecond = options.spansPerSecond ?? DEFAULT_SPANS_PER_SECOND;
    if (!Number.isFinite(this.spansPerSecond) || this.spansPerSecond <= 0)
      throw new RangeError(`spansPerSecond must be a positive number, got ${this.spansPerSecond}`);
    this.burstSpans = options.burstSpans ?? Math.max(1, Math.floor(this.spansPerSecond));
    if (!Number.isSafeInteger(this.burstSpans) || this.burstSpans < 1)
      throw new RangeError(`burstSpans must be a positive integer, got ${this.burstSpans}`);
    this.#clock = options.clock ?? (() => performance.now());
    this.#tokens = this.burstSpans;
    this.#at = this.#clock();
  }

  /** Spans that could be admitted right now. */
  available(): number {
    const now = this.#clock();
    this.#tokens = Math.min(this.burstSpans, this.#tokens + ((now - this.#at) / 1000) * this.spansPerSecond);
    this.#at = now;
    return this.#tokens;
  }

  /** Takes `spans` from the bucket if they are all there; otherwise takes nothing. */
  take(spans: number): BudgetVerdict {
    if (spans > this.burstSpans) return { admitted: false, reason: 'too-large', burstSpans: this.burstSpans };
    const tokens = this.available();
    if (tokens >= spans) {
      this.#tokens = tokens - spans;
      return { admitted: true };
    }
    const seconds = (spans - tokens) / this.spansPerSecond;
    return { admitted: false, reason: 'overloaded', retryAfterSeconds: Math.max(1, Math.ceil(seconds)) };
  }
}
