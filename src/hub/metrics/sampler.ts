/**
 * The metrics sampler: once per interval (1 s) it reads the journal header — publication line and counters —
 * and derives rates and utilization into a `MetricsSnapshot`. Everything that shows live numbers (the `/ws`
 * snapshots, `/metrics`, history, the UI) reads from here, so the header is read once per second however many
 * clients watch.
 *
 * @module
 */
import type { CounterName } from '../../journal/layout.ts';
import type { JournalSource } from '../journal-source.ts';
import type { SequencerLink } from '../sequencer-link.ts';

export interface RateSet {
  eventsPerSec: number;
  payloadBytesPerSec: number;
  datagramsPerSec: number;
  bytesPerSec: number;
  droppedPerSec: number;
  evictedPerSec: number;
}

export interface ConsumerSnapshot {
  index: number;
  name: string;
  position: number;
  /** Events between the cursor and head. */
  lag: number;
  live: boolean;
}

export interface MetricsSnapshot {
  /** Wall-clock ms of the sample. */
  at: number;
  journal: { available: boolean; path: string };
  sequencer: { state: 'connected' | 'disconnected'; backend: string | null; pid: number | null };
  head: number;
  tail: number;
  ring: { slotCount: number; used: number; utilization: number };
  blob: { size: number; used: number; utilization: number };
  counters: Record<CounterName, number> | null;
  rates: RateSet;
  consumers: ConsumerSnapshot[];
}

export interface MetricsSource {
  /** The newest snapshot (taken at once when none exists yet). */
  latest(): MetricsSnapshot;
  /** Called after each sample; returns an unsubscribe function. */
  onSample(listener: (snapshot: MetricsSnapshot) => void): () => void;
  start(): void;
  stop(): void;
}

const ZERO_RATES: RateSet = {
  eventsPerSec: 0,
  payloadBytesPerSec: 0,
  datagramsPerSec: 0,
  bytesPerSec: 0,
  droppedPerSec: 0,
  evictedPerSec: 0,
};

export class MetricsSampler implements MetricsSource {
  readonly #journal: JournalSource;
  readonly #sequencer: SequencerLink;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #listeners = new Set<(snapshot: MetricsSnapshot) => void>();
  #timer: NodeJS.Timeout | null = null;
  #last: MetricsSnapshot | null = null;

  constructor(
    journal: JournalSource,
    sequencer: SequencerLink,
    options: { intervalMs?: number; now?: () => number } = {},
  ) {
    this.#journal = journal;
    this.#sequencer = sequencer;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#now = options.now ?? Date.now;
  }

  latest(): MetricsSnapshot {
    return this.#last ?? this.sample();
  }

  onSample(listener: (snapshot: MetricsSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Takes a sample now (also what the timer calls). */
  sample(): MetricsSnapshot {
    const at = this.#now();
    const reader = this.#journal.reader();
    const hello = this.#sequencer.hello;
    const previous = this.#last;
    let snapshot: MetricsSnapshot;
    if (reader === null) {
      snapshot = {
        at,
        journal: { available: false, path: this.#journal.path },
        sequencer: { state: this.#sequencer.state, backend: hello?.backend ?? null, pid: hello?.pid ?? null },
        head: 0,
        tail: 0,
        ring: { slotCount: 0, used: 0, utilization: 0 },
        blob: { size: 0, used: 0, utilization: 0 },
        counters: null,
        rates: ZERO_RATES,
        consumers: [],
      };
    } else {
      const p = reader.publication();
      const counters = reader.counters();
      const retained = p.head - p.tail;
      const blobUsed = Math.min(reader.blobSize, Math.max(0, p.blobHead - p.blobTail));
      const seconds = previous && previous.counters ? (at - previous.at) / 1000 : 0;
      const rate = (name: CounterName): number =>
        seconds > 0 && previous?.counters
          ? Math.max(0, counters[name] - previous.counters[name]) / seconds
          : 0;
      snapshot = {
        at,
        journal: { available: true, path: this.#journal.path },
        sequencer: { state: this.#sequencer.state, backend: hello?.backend ?? null, pid: hello?.pid ?? null },
        head: p.head,
        tail: p.tail,
        ring: { slotCount: reader.slotCount, used: retained, utilization: retained / reader.slotCount },
        blob: { size: reader.blobSize, used: blobUsed, utilization: blobUsed / reader.blobSize },
        counters,
        rates: {
          eventsPerSec: rate('EVENTS_JOURNALED'),
          payloadBytesPerSec: rate('PAYLOAD_BYTES_JOURNALED'),
          datagramsPerSec: rate('DATAGRAMS_RECEIVED'),
          bytesPerSec: rate('BYTES_RECEIVED'),
          droppedPerSec: rate('EVENTS_DROPPED'),
          evictedPerSec: rate('EVENTS_EVICTED'),
        },
        consumers: reader.cursors(at).map((c) => ({
          index: c.index,
          name: c.name,
          position: c.position,
          lag: Math.max(0, p.head - c.position),
          live: c.live,
        })),
      };
    }
    this.#last = snapshot;
    for (const listener of this.#listeners) listener(snapshot);
    return snapshot;
  }

  start(): void {
    if (this.#timer) return;
    this.sample();
    this.#timer = setInterval(() => this.sample(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
