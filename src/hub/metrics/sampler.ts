/**
 * The metrics sampler: once per interval (1 s) it reads the journal header — publication line and counters —
 * and derives rates and utilization into a `MetricsSnapshot`. Everything that shows live numbers (the `/ws`
 * snapshots, `/metrics`, history, the UI) reads from here, so the header is read once per second however many
 * clients watch. Each sample also drives the `StreamTracker` (tracker.ts), which reads the slots published since
 * the previous sample for per-stream and per-node numbers, and measures the hub process itself.
 *
 * Fields added after the first version are optional in the types, so hand-made snapshots (test fakes of
 * `MetricsSource`) keep compiling; the sampler always fills them in. The snapshot types are type aliases, not
 * interfaces, so they stay assignable to the loose zod schemas of their consumers (ws/schema.ts).
 *
 * @module
 */
import type { z } from 'zod';
import type { CounterName } from '../../journal/layout.ts';
import type { JournalSource } from '../journal-source.ts';
import type { SequencerLink } from '../sequencer-link.ts';
import type { metricsSnapshot } from '../ws/schema.ts';
import {
  type FlowStats,
  type NodeStats,
  type PayloadSizeHistogram,
  StreamTracker,
  type StreamStats,
  type TrackerOptions,
  type TrackerState,
} from './tracker.ts';

export type { FlowStats, NodeStats, PayloadSizeHistogram, StreamStats, TrackerState } from './tracker.ts';

export type RateSet = {
  eventsPerSec: number;
  payloadBytesPerSec: number;
  datagramsPerSec: number;
  bytesPerSec: number;
  droppedPerSec: number;
  evictedPerSec: number;
  /** Datagrams rejected: checksum failures, malformed frames and oversized datagrams. */
  rejectedPerSec?: number;
  kernelDropsPerSec?: number;
};

export type ConsumerSnapshot = {
  index: number;
  name: string;
  position: number;
  /** Events between the cursor and head. */
  lag: number;
  live: boolean;
  /** How fast the position moves (events per second over the last sample interval). */
  eventsPerSec?: number;
};

/** The hub process, measured at each sample. */
export type ProcessSnapshot = {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** CPU time (user + system) over the last sample interval, in percent of one core. */
  cpuPercent: number;
  /** CPU seconds used since the process started. */
  cpuSecondsTotal: number;
};

export type MetricsSnapshot = {
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
  /** Per stream, named streams included even without traffic (tracker.ts). */
  streams?: StreamStats[];
  nodes?: NodeStats[];
  /** Node → stream traffic. */
  flows?: FlowStats[];
  /** Payload sizes of every event the tracker has seen (the backfilled window included). */
  payloadSizes?: PayloadSizeHistogram;
  /** Payload sizes of the events published while the hub was tracking (for the Prometheus histogram). */
  livePayloadSizes?: PayloadSizeHistogram;
  tracker?: TrackerState;
  process?: ProcessSnapshot;
};

// Compile-time guard: /ws sends snapshots as they are, so the schema clients parse them with must accept this type.
// (It sits here rather than in ws/schema.ts, which must not import server modules: the UI imports it.)
const _snapshotFits = (s: MetricsSnapshot): z.infer<typeof metricsSnapshot> => s;
void _snapshotFits;

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
  rejectedPerSec: 0,
  kernelDropsPerSec: 0,
};

export class MetricsSampler implements MetricsSource {
  readonly #journal: JournalSource;
  readonly #sequencer: SequencerLink;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #listeners = new Set<(snapshot: MetricsSnapshot) => void>();
  readonly #tracker: StreamTracker;
  #timer: NodeJS.Timeout | null = null;
  #last: MetricsSnapshot | null = null;
  #cpu = process.cpuUsage();
  #cpuAt = performance.now();

  constructor(
    journal: JournalSource,
    sequencer: SequencerLink,
    options: { intervalMs?: number; now?: () => number; tracker?: TrackerOptions } = {},
  ) {
    this.#journal = journal;
    this.#sequencer = sequencer;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#now = options.now ?? Date.now;
    this.#tracker = new StreamTracker(options.tracker);
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  /** The tracker behind `streams`, `nodes` and `flows` (tests finish its backfill through it). */
  get tracker(): StreamTracker {
    return this.#tracker;
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
      this.#tracker.update(null, null, at);
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
        ...this.#trackerFields(),
        process: this.#process(),
      };
    } else {
      const p = reader.publication();
      const counters = reader.counters();
      this.#tracker.update(reader, p, at);
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
          rejectedPerSec: rate('CHECKSUMS_FAILED') + rate('FRAMES_MALFORMED') + rate('DATAGRAMS_OVERSIZED'),
          kernelDropsPerSec: rate('KERNEL_DROPS_REPORTED'),
        },
        consumers: reader.cursors(at).map((c) => {
          const before = previous?.consumers.find((x) => x.index === c.index && x.name === c.name);
          return {
            index: c.index,
            name: c.name,
            position: c.position,
            lag: Math.max(0, p.head - c.position),
            live: c.live,
            eventsPerSec: before && seconds > 0 ? Math.max(0, c.position - before.position) / seconds : 0,
          };
        }),
        ...this.#trackerFields(),
        process: this.#process(),
      };
    }
    this.#last = snapshot;
    for (const listener of this.#listeners) listener(snapshot);
    return snapshot;
  }

  #trackerFields(): Pick<
    MetricsSnapshot,
    'streams' | 'nodes' | 'flows' | 'payloadSizes' | 'livePayloadSizes' | 'tracker'
  > {
    const view = this.#tracker.view();
    return {
      streams: view.streams,
      nodes: view.nodes,
      flows: view.flows,
      payloadSizes: view.payloadSizes,
      livePayloadSizes: view.livePayloadSizes,
      tracker: view.state,
    };
  }

  #process(): ProcessSnapshot {
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    const nowPerf = performance.now();
    const usedMicros = cpu.user - this.#cpu.user + (cpu.system - this.#cpu.system);
    const elapsedMs = nowPerf - this.#cpuAt;
    this.#cpu = cpu;
    this.#cpuAt = nowPerf;
    return {
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      heapTotalBytes: memory.heapTotal,
      cpuPercent: elapsedMs > 0 ? usedMicros / 10 / elapsedMs : 0,
      cpuSecondsTotal: (cpu.user + cpu.system) / 1e6,
    };
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
    this.#tracker.stop();
  }
}
