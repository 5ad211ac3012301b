/**
 * Stream and node tracking: the sampler hands the tracker each new publication, and the tracker reads the
 * slots published since the last sample (slots only, never payloads) to keep per-stream, per-node and per
 * node→stream ("flow") counts, bytes, last-seen times and per-second rates, the payload-size distribution,
 * and how far ahead of the hub's clock senders' clock hints were.
 *
 * Work and memory are bounded whatever the journal's size: each sample scans for at most `liveBudgetMs`, the
 * retained window found at start is backfilled in small time slices between other work, and the maps hold at
 * most `maxStreams` / `maxNodes` / `maxFlows` entries (the least recently seen quarter is dropped when one is
 * full, and counted).
 *
 * @module
 */
import { type CausalEvent, EventFlags } from '../../core/causal-event.ts';
import { wallMsOfWords } from '../../core/hlc.ts';
import type { JournalReader, Publication } from '../../journal/reader.ts';

/** Upper bounds (inclusive, bytes) of the payload-size buckets; one more bucket, +Inf, follows. */
export const PAYLOAD_SIZE_BOUNDS = [0, 16, 64, 256, 1024, 4096, 16_384, 65_536, 1_048_576] as const;

/** How a node id came about (docs/wire-format.md): it decides how the id is shown. */
export type NodeSource = 'ipv4' | 'ipv6' | 'framed' | 'submitted';

export type PayloadSizeHistogram = {
  /** `PAYLOAD_SIZE_BOUNDS`; `counts` has one more entry, for larger payloads. */
  bounds: readonly number[];
  /** Per bucket, not cumulative. */
  counts: number[];
  count: number;
  sum: number;
};

export type StreamStats = {
  id: number;
  /** The registered name, or `stream-<id>`. */
  name: string;
  named: boolean;
  /** Events seen: the retained window backfilled at start plus everything published since. */
  events: number;
  payloadBytes: number;
  /** Events published while the hub was tracking (no backfill): what `/metrics` exports as a counter. */
  liveEvents: number;
  livePayloadBytes: number;
  eventsPerSec: number;
  payloadBytesPerSec: number;
  /** Clock time of the newest event seen, or null. */
  lastSeenMs: number | null;
};

export type ClockHintStats = {
  /** Events of this node whose clock hint raised the sequencer clock. */
  applied: number;
  /** How many of them were seen live, so that their lead could be measured. */
  measured: number;
  /**
   * How far the event's clock ran ahead of the hub's sample time, in ms. A lower bound of the sender's lead:
   * the event was stamped up to one sample interval before the sample. Null until one is measured.
   */
  lastAheadMs: number | null;
  maxAheadMs: number | null;
  meanAheadMs: number | null;
};

export type NodeStats = {
  id: number;
  /** `127.0.0.1` for IPv4 sources, `ipv6:<hex>` for hashed IPv6 sources, `node-<id>` otherwise. */
  label: string;
  source: NodeSource;
  events: number;
  payloadBytes: number;
  liveEvents: number;
  eventsPerSec: number;
  payloadBytesPerSec: number;
  lastSeenMs: number | null;
  payloadSizes: number[];
  clockHints: ClockHintStats;
};

export type FlowStats = {
  nodeId: number;
  streamId: number;
  events: number;
  payloadBytes: number;
  eventsPerSec: number;
  lastSeenMs: number | null;
};

export type TrackerState = {
  /** Wall-clock ms when tracking of the current journal began (null while there is none). */
  since: number | null;
  /** The next sequence the live scan will read. */
  next: number;
  /** Published events not yet scanned (the live scan ran out of its budget). */
  lagEvents: number;
  backfill: { from: number; to: number; next: number; done: boolean };
  /** Events evicted from the journal before the tracker could read them. */
  missedEvents: number;
  /** Map entries dropped for space (least recently seen first). */
  dropped: { streams: number; nodes: number; flows: number };
};

export type TrackerView = {
  streams: StreamStats[];
  nodes: NodeStats[];
  flows: FlowStats[];
  /** Every event seen, backfill included. */
  payloadSizes: PayloadSizeHistogram;
  /** Events seen live only (a proper Prometheus counter: it starts at zero with the hub). */
  livePayloadSizes: PayloadSizeHistogram;
  state: TrackerState;
};

export type TrackerOptions = {
  maxStreams?: number;
  maxNodes?: number;
  maxFlows?: number;
  /** Longest a sample's live scan may run before leaving the rest to the next sample. */
  liveBudgetMs?: number;
  /** Length of one backfill slice; slices run from setImmediate, so I/O is served in between. */
  backfillSliceMs?: number;
  /** Backfill at most this many of the newest retained events. */
  maxBackfill?: number;
  /** Slots per `reader.scan` call: the time budgets are checked between calls (default 16384). */
  scanStep?: number;
};

/** Counts a stream or node carries over from flows dropped for space (its live flows are added on top). */
interface Carried {
  events: number;
  payloadBytes: number;
  liveEvents: number;
  livePayloadBytes: number;
  lastSeenMs: number;
}

interface StreamRecord extends Carried {
  id: number;
}

interface NodeRecord extends Carried {
  id: number;
  source: NodeSource;
  sizes: Float64Array;
  hintsApplied: number;
  hintsMeasured: number;
  hintAheadSum: number;
  hintAheadMax: number;
  hintAheadLast: number;
}

const carried = (): Carried => ({
  events: 0,
  payloadBytes: 0,
  liveEvents: 0,
  livePayloadBytes: 0,
  lastSeenMs: -1,
});

function fold(into: Carried, d: Float64Array, o: number): void {
  into.events += d[o + F_EVENTS]!;
  into.payloadBytes += d[o + F_BYTES]!;
  into.liveEvents += d[o + F_LIVE_EVENTS]!;
  into.livePayloadBytes += d[o + F_LIVE_BYTES]!;
  into.lastSeenMs = Math.max(into.lastSeenMs, d[o + F_LAST]!);
}

// The flow table: one row of STRIDE doubles per (node, stream) pair. Events are counted per flow only;
// streams and nodes are sums of their flows, computed once per sample. Typed arrays keep the per-event path
// free of hidden-class changes (a field going from small integer to double) that made object entries slow.
const F_EVENTS = 0;
const F_BYTES = 1;
const F_LIVE_EVENTS = 2;
const F_LIVE_BYTES = 3;
const F_PENDING_EVENTS = 4;
const F_PENDING_BYTES = 5;
const F_LAST = 6;
const F_RATE = 7;
const F_BYTE_RATE = 8;
const STRIDE = 9;

const BUCKETS = PAYLOAD_SIZE_BOUNDS.length + 1;

export function sizeBucket(length: number): number {
  for (let i = 0; i < PAYLOAD_SIZE_BOUNDS.length; i++) if (length <= PAYLOAD_SIZE_BOUNDS[i]!) return i;
  return PAYLOAD_SIZE_BOUNDS.length;
}

export function nodeSourceOf(flags: number): NodeSource {
  if (flags & EventFlags.SUBMITTED) return 'submitted';
  if (flags & EventFlags.FRAMED) return 'framed';
  if (flags & EventFlags.SOURCE_IPV6) return 'ipv6';
  return 'ipv4';
}

export function nodeLabel(id: number, source: NodeSource): string {
  if (source === 'ipv4') return [id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff].join('.');
  if (source === 'ipv6') return `ipv6:${id.toString(16).padStart(8, '0')}`;
  return `node-${id}`;
}

/** Flow rows cached by a hash of (node, stream): most traffic comes from a few senders into a few streams. */
const CACHE_BITS = 10;
const CACHE_SIZE = 1 << CACHE_BITS;
const cacheSlot = (nodeId: number, streamId: number): number =>
  Math.imul(nodeId ^ (streamId << 16), 0x9e37_79b1) >>> (32 - CACHE_BITS);

function histogram(counts: Float64Array, sum: number): PayloadSizeHistogram {
  return { bounds: PAYLOAD_SIZE_BOUNDS, counts: [...counts], count: counts.reduce((a, b) => a + b, 0), sum };
}

export class StreamTracker {
  readonly #maxStreams: number;
  readonly #maxNodes: number;
  readonly #maxFlows: number;
  readonly #liveBudgetMs: number;
  readonly #sliceMs: number;
  readonly #maxBackfill: number;
  readonly #scanStep: number;

  #reader: JournalReader | null = null;
  readonly #flowData: Float64Array;
  /** The flow key (nodeId × 65536 + streamId) of each row, -1 for a free row. */
  readonly #flowKey: Float64Array;
  readonly #flowStream: (StreamRecord | undefined)[];
  readonly #flowNode: (NodeRecord | undefined)[];
  #flowIndex = new Map<number, number>();
  #free: number[] = [];
  #streams = new Map<number, StreamRecord>();
  #nodes = new Map<number, NodeRecord>();
  /** Per bucket: every event, then live events only. */
  readonly #sizes = new Float64Array(BUCKETS);
  readonly #liveSizes = new Float64Array(BUCKETS);
  /** [payload bytes of every event, of live events]. */
  readonly #sizeSums = new Float64Array(2);
  #since: number | null = null;
  #next = 0;
  #lagEvents = 0;
  #backfill = { from: 0, to: 0, next: 0, done: true };
  #backfillTimer: NodeJS.Immediate | null = null;
  #missed = 0;
  #dropped = { streams: 0, nodes: 0, flows: 0 };
  #lastUpdate: number | null = null;
  #names = new Map<number, string>();

  // The visitor's context, set before each scan (one closure, no allocation per event).
  #live = false;
  #sampleAt = 0;
  readonly #cacheKeys = new Float64Array(CACHE_SIZE);
  readonly #cacheRows = new Int32Array(CACHE_SIZE);
  readonly #visit = (event: CausalEvent): void => this.#count(event);

  constructor(options: TrackerOptions = {}) {
    // Modest limits: the whole view travels in every `/ws` metrics message.
    this.#maxStreams = options.maxStreams ?? 2048;
    this.#maxNodes = options.maxNodes ?? 256;
    this.#maxFlows = options.maxFlows ?? 1024;
    this.#liveBudgetMs = options.liveBudgetMs ?? 100;
    this.#sliceMs = options.backfillSliceMs ?? 10;
    this.#maxBackfill = options.maxBackfill ?? 2 ** 24;
    this.#scanStep = options.scanStep ?? 16_384;
    this.#flowData = new Float64Array(this.#maxFlows * STRIDE);
    this.#flowKey = new Float64Array(this.#maxFlows);
    this.#flowStream = new Array<StreamRecord | undefined>(this.#maxFlows);
    this.#flowNode = new Array<NodeRecord | undefined>(this.#maxFlows);
    this.#reset();
  }

  #reset(): void {
    this.#cancelBackfill();
    this.#flowData.fill(0);
    this.#flowKey.fill(-1);
    this.#flowStream.fill(undefined);
    this.#flowNode.fill(undefined);
    this.#flowIndex = new Map();
    // Popped from the end: rows are used from 0 upwards.
    this.#free = Array.from({ length: this.#maxFlows }, (_, i) => this.#maxFlows - 1 - i);
    this.#streams = new Map();
    this.#nodes = new Map();
    this.#sizes.fill(0);
    this.#liveSizes.fill(0);
    this.#sizeSums.fill(0);
    this.#since = null;
    this.#next = 0;
    this.#lagEvents = 0;
    this.#backfill = { from: 0, to: 0, next: 0, done: true };
    this.#missed = 0;
    this.#dropped = { streams: 0, nodes: 0, flows: 0 };
    this.#lastUpdate = null;
    this.#names = new Map();
    this.#invalidateCache();
  }

  #invalidateCache(): void {
    this.#cacheKeys.fill(-1);
  }

  /**
   * Called once per sample with the journal's reader and the publication the sampler just read (null while
   * the journal is unavailable). Scans newly published slots, then turns what each flow gained since the
   * previous call into per-second rates.
   */
  update(reader: JournalReader | null, publication: Publication | null, at: number): void {
    if (reader === null || publication === null) {
      if (this.#reader !== null) this.#reset();
      this.#reader = null;
      return;
    }
    if (reader !== this.#reader) {
      // A new (or replaced) journal: start over, backfilling its retained window in the background.
      this.#reset();
      this.#reader = reader;
      this.#since = at;
      const from = Math.max(publication.tail, publication.head - this.#maxBackfill);
      this.#backfill = { from, to: publication.head, next: from, done: from >= publication.head };
      this.#next = publication.head;
      this.#scheduleBackfill();
    } else if (publication.head < this.#next) {
      // Torn-tail recovery moved head back: those sequences will be written again, so count from head.
      this.#next = publication.head;
    }
    this.#names = new Map(reader.streams().map((s) => [s.id, s.name]));
    this.#scanLive(reader, publication.head, at);
    this.#lagEvents = Math.max(0, publication.head - this.#next);
    this.#updateRates(at);
  }

  #scanLive(reader: JournalReader, head: number, at: number): void {
    this.#live = true;
    this.#sampleAt = at;
    const started = performance.now();
    // At least one step per sample, however small the budget, so the scan always makes progress.
    do {
      if (this.#next >= head) break;
      const result = reader.scan(this.#next, Math.min(head, this.#next + this.#scanStep), this.#visit, 1024);
      this.#missed += result.overwritten;
      this.#next = result.next;
    } while (performance.now() - started < this.#liveBudgetMs);
  }

  #scheduleBackfill(): void {
    if (this.#backfill.done || this.#backfillTimer !== null) return;
    this.#backfillTimer = setImmediate(() => {
      this.#backfillTimer = null;
      this.#backfillSlice();
    });
  }

  #cancelBackfill(): void {
    if (this.#backfillTimer !== null) clearImmediate(this.#backfillTimer);
    this.#backfillTimer = null;
  }

  #backfillSlice(): void {
    const reader = this.#reader;
    if (reader === null || this.#backfill.done) return;
    this.#live = false;
    const started = performance.now();
    const b = this.#backfill;
    try {
      do {
        if (b.next >= b.to) break;
        const result = reader.scan(b.next, Math.min(b.to, b.next + this.#scanStep), this.#visit, 1024);
        this.#missed += result.overwritten;
        b.next = result.next;
      } while (performance.now() - started < this.#sliceMs);
    } catch {
      // The journal source closed this reader (the file was replaced): the next update starts over.
      b.done = true;
      return;
    }
    b.done = b.next >= b.to;
    this.#scheduleBackfill();
  }

  /** Runs the backfill to its end at once (tests, and callers that want exact numbers now). */
  finishBackfill(): void {
    this.#cancelBackfill();
    const reader = this.#reader;
    if (reader === null) return;
    this.#live = false;
    const b = this.#backfill;
    while (b.next < b.to) {
      const result = reader.scan(b.next, Math.min(b.to, b.next + this.#scanStep), this.#visit, 1024);
      this.#missed += result.overwritten;
      b.next = result.next;
    }
    b.done = true;
  }

  #count(event: CausalEvent): void {
    const length = event.payloadLength;
    const key = event.nodeId * 0x1_0000 + event.streamId;
    const slot = cacheSlot(event.nodeId, event.streamId);
    let row: number;
    if (this.#cacheKeys[slot] === key) row = this.#cacheRows[slot]!;
    else {
      row = this.#row(event, key);
      // #row may have cleared the cache (rows were dropped); cache its answer afterwards.
      this.#cacheKeys[slot] = key;
      this.#cacheRows[slot] = row;
    }
    const d = this.#flowData;
    const o = row * STRIDE;
    const wallMs = wallMsOfWords(event.lamportHi, event.lamportLo);
    d[o + F_EVENTS]!++;
    d[o + F_BYTES]! += length;
    if (wallMs > d[o + F_LAST]!) d[o + F_LAST] = wallMs;
    const bucket = sizeBucket(length);
    this.#sizes[bucket]!++;
    this.#sizeSums[0]! += length;
    const node = this.#flowNode[row]!;
    node.sizes[bucket]!++;
    if (this.#live) {
      d[o + F_LIVE_EVENTS]!++;
      d[o + F_LIVE_BYTES]! += length;
      d[o + F_PENDING_EVENTS]!++;
      d[o + F_PENDING_BYTES]! += length;
      this.#liveSizes[bucket]!++;
      this.#sizeSums[1]! += length;
    }
    if (event.flags & EventFlags.CLOCK_HINT_APPLIED) {
      node.hintsApplied++;
      // Only a live event can be compared with a clock read close to when it arrived.
      if (this.#live) {
        const ahead = Math.max(0, wallMs - this.#sampleAt);
        node.hintsMeasured++;
        node.hintAheadSum += ahead;
        node.hintAheadLast = ahead;
        if (ahead > node.hintAheadMax) node.hintAheadMax = ahead;
      }
    }
  }

  /** The flow row of an event, created (dropping the least recently seen rows or records if full) as needed. */
  #row(event: CausalEvent, key: number): number {
    const existing = this.#flowIndex.get(key);
    if (existing !== undefined) return existing;
    const stream = this.#streamRecord(event.streamId);
    const node = this.#nodeRecord(event);
    if (this.#free.length === 0) this.#dropRows(this.#oldestRows(this.#activeRows()), 'both');
    const row = this.#free.pop()!;
    this.#flowData.fill(0, row * STRIDE, (row + 1) * STRIDE);
    this.#flowData[row * STRIDE + F_LAST] = -1;
    this.#flowKey[row] = key;
    this.#flowIndex.set(key, row);
    this.#flowStream[row] = stream;
    this.#flowNode[row] = node;
    return row;
  }

  #streamRecord(id: number): StreamRecord {
    let record = this.#streams.get(id);
    if (record === undefined) {
      if (this.#streams.size >= this.#maxStreams) this.#shrinkRecords('streams');
      record = { ...carried(), id };
      this.#streams.set(id, record);
    }
    return record;
  }

  #nodeRecord(event: CausalEvent): NodeRecord {
    let record = this.#nodes.get(event.nodeId);
    if (record === undefined) {
      if (this.#nodes.size >= this.#maxNodes) this.#shrinkRecords('nodes');
      record = {
        ...carried(),
        id: event.nodeId,
        source: nodeSourceOf(event.flags),
        sizes: new Float64Array(BUCKETS),
        hintsApplied: 0,
        hintsMeasured: 0,
        hintAheadSum: 0,
        hintAheadMax: 0,
        hintAheadLast: 0,
      };
      this.#nodes.set(event.nodeId, record);
    }
    return record;
  }

  #activeRows(): number[] {
    return [...this.#flowIndex.values()];
  }

  /** The least recently seen quarter (at least one) of `rows`. */
  #oldestRows(rows: number[]): number[] {
    const last = (row: number) => this.#flowData[row * STRIDE + F_LAST]!;
    rows.sort((a, b) => last(a) - last(b));
    return rows.slice(0, Math.max(1, Math.floor(rows.length / 4)));
  }

  /**
   * Frees flow rows. Their counts move to the stream and node records (`both`), or only to the record that
   * stays when the other one is being dropped.
   */
  #dropRows(rows: number[], foldInto: 'both' | 'stream' | 'node'): void {
    for (const row of rows) {
      const o = row * STRIDE;
      if (foldInto !== 'node') fold(this.#flowStream[row]!, this.#flowData, o);
      if (foldInto !== 'stream') fold(this.#flowNode[row]!, this.#flowData, o);
      this.#flowIndex.delete(this.#flowKey[row]!);
      this.#flowKey[row] = -1;
      this.#flowStream[row] = undefined;
      this.#flowNode[row] = undefined;
      this.#free.push(row);
    }
    if (foldInto === 'both') this.#dropped.flows += rows.length;
    this.#invalidateCache();
  }

  /** Drops the least recently seen quarter of the stream or node records, with their flows. */
  #shrinkRecords(kind: 'streams' | 'nodes'): void {
    const records: Map<number, Carried & { id: number }> = kind === 'streams' ? this.#streams : this.#nodes;
    const owner = kind === 'streams' ? this.#flowStream : this.#flowNode;
    const lastSeen = new Map<Carried, number>();
    for (const r of records.values()) lastSeen.set(r, r.lastSeenMs);
    for (const row of this.#flowIndex.values()) {
      const r = owner[row]!;
      lastSeen.set(r, Math.max(lastSeen.get(r) ?? -1, this.#flowData[row * STRIDE + F_LAST]!));
    }
    const sorted = [...records.values()].sort((a, b) => lastSeen.get(a)! - lastSeen.get(b)!);
    const gone = new Set<Carried>(sorted.slice(0, Math.max(1, Math.floor(sorted.length / 4))));
    for (const r of gone) records.delete((r as Carried & { id: number }).id);
    const rows = this.#activeRows().filter((row) => gone.has(owner[row]!));
    this.#dropRows(rows, kind === 'streams' ? 'node' : 'stream');
    this.#dropped[kind] += gone.size;
  }

  #updateRates(at: number): void {
    const seconds = this.#lastUpdate === null ? 0 : (at - this.#lastUpdate) / 1000;
    this.#lastUpdate = at;
    const d = this.#flowData;
    for (const row of this.#flowIndex.values()) {
      const o = row * STRIDE;
      d[o + F_RATE] = seconds > 0 ? d[o + F_PENDING_EVENTS]! / seconds : 0;
      d[o + F_BYTE_RATE] = seconds > 0 ? d[o + F_PENDING_BYTES]! / seconds : 0;
      d[o + F_PENDING_EVENTS] = 0;
      d[o + F_PENDING_BYTES] = 0;
    }
  }

  /** Stops background backfill (the hub is shutting down). */
  stop(): void {
    this.#cancelBackfill();
  }

  view(): TrackerView {
    type Sum = Carried & { eventsPerSec: number; payloadBytesPerSec: number };
    const start = (c: Carried): Sum => ({ ...c, eventsPerSec: 0, payloadBytesPerSec: 0 });
    const streamSums = new Map<number, Sum>();
    const nodeSums = new Map<number, Sum>();
    for (const r of this.#streams.values()) streamSums.set(r.id, start(r));
    for (const r of this.#nodes.values()) nodeSums.set(r.id, start(r));
    const d = this.#flowData;
    const flows: FlowStats[] = [];
    for (const [key, row] of [...this.#flowIndex.entries()].sort((a, b) => a[0] - b[0])) {
      const o = row * STRIDE;
      for (const sum of [
        streamSums.get(this.#flowStream[row]!.id)!,
        nodeSums.get(this.#flowNode[row]!.id)!,
      ]) {
        fold(sum, d, o);
        sum.eventsPerSec += d[o + F_RATE]!;
        sum.payloadBytesPerSec += d[o + F_BYTE_RATE]!;
      }
      flows.push({
        nodeId: Math.floor(key / 0x1_0000),
        streamId: key % 0x1_0000,
        events: d[o + F_EVENTS]!,
        payloadBytes: d[o + F_BYTES]!,
        eventsPerSec: d[o + F_RATE]!,
        lastSeenMs: d[o + F_LAST]! < 0 ? null : d[o + F_LAST]!,
      });
    }
    const lastSeen = (c: Carried) => (c.lastSeenMs < 0 ? null : c.lastSeenMs);
    const zero: Sum = { ...carried(), eventsPerSec: 0, payloadBytesPerSec: 0 };
    const streams = [...new Set([...this.#names.keys(), ...streamSums.keys()])]
      .sort((a, b) => a - b)
      .map((id): StreamStats => {
        const c = streamSums.get(id) ?? zero;
        const name = this.#names.get(id);
        return {
          id,
          name: name ?? `stream-${id}`,
          named: name !== undefined,
          events: c.events,
          payloadBytes: c.payloadBytes,
          liveEvents: c.liveEvents,
          livePayloadBytes: c.livePayloadBytes,
          eventsPerSec: c.eventsPerSec,
          payloadBytesPerSec: c.payloadBytesPerSec,
          lastSeenMs: lastSeen(c),
        };
      });
    const nodes = [...this.#nodes.values()]
      .sort((a, b) => a.id - b.id)
      .map((n): NodeStats => {
        const c = nodeSums.get(n.id)!;
        return {
          id: n.id,
          label: nodeLabel(n.id, n.source),
          source: n.source,
          events: c.events,
          payloadBytes: c.payloadBytes,
          liveEvents: c.liveEvents,
          eventsPerSec: c.eventsPerSec,
          payloadBytesPerSec: c.payloadBytesPerSec,
          lastSeenMs: lastSeen(c),
          payloadSizes: [...n.sizes],
          clockHints: {
            applied: n.hintsApplied,
            measured: n.hintsMeasured,
            lastAheadMs: n.hintsMeasured > 0 ? n.hintAheadLast : null,
            maxAheadMs: n.hintsMeasured > 0 ? n.hintAheadMax : null,
            meanAheadMs: n.hintsMeasured > 0 ? n.hintAheadSum / n.hintsMeasured : null,
          },
        };
      });
    return {
      streams,
      nodes,
      flows,
      payloadSizes: histogram(this.#sizes, this.#sizeSums[0]!),
      livePayloadSizes: histogram(this.#liveSizes, this.#sizeSums[1]!),
      state: {
        since: this.#since,
        next: this.#next,
        lagEvents: this.#lagEvents,
        backfill: { ...this.#backfill },
        missedEvents: this.#missed,
        dropped: { ...this.#dropped },
      },
    };
  }
}
