/**
 * Live events for `/ws`: one scanner per hub reads each newly published slot once, for all subscribers
 * together, and fans the events out to per-client subscriptions (`EventsSubscription`) that coalesce them into
 * at most one `events` message per 50 ms, bounded in events, bytes and rate; whatever does not fit is counted
 * in `dropped` instead of queued.
 *
 * Scans are triggered by the sequencer's publications (IPC) and, as a fallback when the sequencer is not
 * connected or a publication was coalesced away, by polling the journal head. A pass reads at most
 * `SCAN_BUDGET` slots, then yields to the event loop.
 *
 * @module
 */
import type { CausalEvent } from '../../core/causal-event.ts';
import type { JournalReader } from '../../journal/reader.ts';
import type { JournalSource } from '../journal-source.ts';
import type { SequencerLink } from '../sequencer-link.ts';
import { type RawEvent, readEvents, viewOf } from './event-view.ts';
import { type PayloadMode, WS_LIMITS } from './schema.ts';

/** Slots read per pass at most before yielding. */
const SCAN_BUDGET = 16_384;
/** Head polling while anyone subscribes (publications usually arrive first). */
const POLL_MS = 100;

/** One client's live-events subscription as the scanner sees it. */
export interface LiveSink {
  readonly streamId: number;
  readonly node: number | null;
  /** Events from this sequence on are delivered. */
  from: number;
  /** Whether the sink takes this event now (counts it as dropped when not); called before it is copied. */
  admit(event: CausalEvent, seq: number): boolean;
  offer(raw: RawEvent): void;
  /** Events of unknown stream the scanner lost to eviction. */
  gap(count: number): void;
  /** End of a scan pass: send what is pending once the batch interval allows. */
  flushSoon(): void;
}

export class LiveEvents {
  readonly #journal: JournalSource;
  readonly #sequencer: SequencerLink;
  readonly #byStream = new Map<number, Set<LiveSink>>();
  #count = 0;
  /** Next sequence to scan; null while nobody subscribes. */
  #next: number | null = null;
  #scanQueued = false;
  #poll: NodeJS.Timeout | null = null;
  #offPublication: (() => void) | null = null;
  #stopped = false;
  /** Slots read and passes made since start (for the benchmark and diagnostics). */
  readonly stats = { passes: 0, slots: 0, lost: 0 };

  constructor(journal: JournalSource, sequencer: SequencerLink) {
    this.#journal = journal;
    this.#sequencer = sequencer;
  }

  get subscribers(): number {
    return this.#count;
  }

  /** Adds a sink starting at the current head; returns the unsubscribe function. */
  subscribe(sink: LiveSink, reader: JournalReader): () => void {
    const head = reader.loadHead();
    sink.from = head;
    if (this.#count === 0) {
      this.#next = head;
      this.#offPublication = this.#sequencer.onPublication(() => this.#queueScan());
      this.#poll = setInterval(() => this.#queueScan(), POLL_MS);
      this.#poll.unref();
    }
    let sinks = this.#byStream.get(sink.streamId);
    if (sinks === undefined) {
      sinks = new Set();
      this.#byStream.set(sink.streamId, sinks);
    }
    sinks.add(sink);
    this.#count++;
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      const set = this.#byStream.get(sink.streamId);
      set?.delete(sink);
      if (set?.size === 0) this.#byStream.delete(sink.streamId);
      if (--this.#count === 0) this.#idle();
    };
  }

  stop(): void {
    this.#stopped = true;
    this.#idle();
    this.#byStream.clear();
    this.#count = 0;
  }

  #idle(): void {
    this.#next = null;
    this.#offPublication?.();
    this.#offPublication = null;
    if (this.#poll !== null) clearInterval(this.#poll);
    this.#poll = null;
  }

  #queueScan(): void {
    if (this.#scanQueued || this.#stopped) return;
    this.#scanQueued = true;
    setImmediate(() => {
      this.#scanQueued = false;
      this.#scan();
    });
  }

  #scan(): void {
    if (this.#count === 0 || this.#next === null) return;
    const reader = this.#journal.reader();
    if (reader === null) return;
    const head = reader.loadHead();
    if (head < this.#next) {
      // The journal was replaced by a new file: follow it from its head.
      this.#next = head;
      for (const sinks of this.#byStream.values()) for (const sink of sinks) sink.from = head;
      return;
    }
    if (head === this.#next) return;
    const end = Math.min(head, this.#next + SCAN_BUDGET);
    const byStream = this.#byStream;
    // Which sinks admitted each copied event: decided before the copy, so rate-limited events cost no copy.
    const admitted = new Map<number, LiveSink[]>();
    const { events, next, lost } = readEvents(reader, this.#next, end, {
      want: (event, seq) => {
        const sinks = byStream.get(event.streamId);
        if (sinks === undefined) return false;
        let takers: LiveSink[] | null = null;
        for (const sink of sinks) {
          if (seq < sink.from || (sink.node !== null && sink.node !== event.nodeId)) continue;
          if (sink.admit(event, seq)) (takers ??= []).push(sink);
        }
        if (takers === null) return false;
        admitted.set(seq, takers);
        return true;
      },
    });
    this.stats.passes++;
    this.stats.slots += next - this.#next;
    this.#next = next;
    if (lost > 0) {
      this.stats.lost += lost;
      for (const sinks of byStream.values()) for (const sink of sinks) sink.gap(lost);
    }
    for (const raw of events) for (const sink of admitted.get(raw.seq)!) sink.offer(raw);
    for (const sinks of byStream.values()) for (const sink of sinks) sink.flushSoon();
    if (this.#next < head) this.#queueScan();
  }
}

export interface EventsSubscriptionOptions {
  streamId: number;
  streamName: string | null;
  node: number | null;
  maxPerSecond: number;
  payload: PayloadMode;
  /** Sends a message; false when the client is gone (or was just dropped as too slow). */
  send: (text: string) => boolean;
}

/** A client's live-events queue: rate limit (token bucket), bounded pending events, coalesced batches. */
export class EventsSubscription implements LiveSink {
  readonly streamId: number;
  readonly streamName: string | null;
  readonly node: number | null;
  readonly maxPerSecond: number;
  readonly payload: PayloadMode;
  from = 0;
  readonly #send: (text: string) => boolean;
  #pending: string[] = [];
  #pendingBytes = 0;
  #dropped = 0;
  #gap = 0;
  #tokens: number;
  #refilledAt = performance.now();
  #lastFlush = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: EventsSubscriptionOptions) {
    this.streamId = options.streamId;
    this.streamName = options.streamName;
    this.node = options.node;
    this.maxPerSecond = options.maxPerSecond;
    this.payload = options.payload;
    this.#send = options.send;
    this.#tokens = options.maxPerSecond;
  }

  admit(event: CausalEvent): boolean {
    if (this.#closed) return false;
    const now = performance.now();
    this.#tokens = Math.min(
      this.maxPerSecond,
      this.#tokens + ((now - this.#refilledAt) / 1000) * this.maxPerSecond,
    );
    this.#refilledAt = now;
    if (
      this.#tokens < 1 ||
      this.#pending.length >= WS_LIMITS.maxPendingEvents ||
      this.#pendingBytes + event.payloadLength > WS_LIMITS.maxPendingBytes
    ) {
      this.#dropped++;
      return false;
    }
    this.#tokens -= 1;
    return true;
  }

  offer(raw: RawEvent): void {
    const { json } = viewOf(raw, this.payload);
    this.#pending.push(json);
    this.#pendingBytes += json.length;
  }

  gap(count: number): void {
    this.#gap += count;
  }

  flushSoon(): void {
    if (this.#closed || this.#timer !== null) return;
    if (this.#pending.length === 0 && this.#dropped === 0 && this.#gap === 0) return;
    const wait = this.#lastFlush + WS_LIMITS.batchIntervalMs - performance.now();
    if (wait <= 0) {
      this.#flush();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#flush();
    }, wait);
    this.#timer.unref();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending = [];
  }

  #flush(): void {
    if (this.#closed) return;
    let count = 0;
    let bytes = 0;
    while (
      count < this.#pending.length &&
      count < WS_LIMITS.maxBatchEvents &&
      (count === 0 || bytes + this.#pending[count]!.length <= WS_LIMITS.maxBatchBytes)
    ) {
      bytes += this.#pending[count]!.length;
      count++;
    }
    const batch = this.#pending.splice(0, count);
    this.#pendingBytes -= bytes;
    const text =
      `{"type":"events","stream":${this.streamId},"streamName":${JSON.stringify(this.streamName)},` +
      `"events":[${batch.join(',')}],"dropped":${this.#dropped},"gap":${this.#gap}}`;
    this.#dropped = 0;
    this.#gap = 0;
    this.#lastFlush = performance.now();
    if (!this.#send(text)) {
      this.close();
      return;
    }
    if (this.#pending.length > 0) this.flushSoon();
  }
}
