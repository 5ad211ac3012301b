/**
 * The journal reader: maps journal.db (through the addon, read-only), and reads the header, slot ranges and
 * payloads with the seqlock-style check of docs/journal-format.md — read, then re-load `tail`, and treat
 * everything that fell below it as overwritten. Used by the hub, `cz status`, `cz verify --journal` and tests.
 *
 * Sequence numbers and byte offsets are plain numbers: they stay below 2^53 for centuries at any ingest rate.
 *
 * @module
 */
import { type CausalEvent, decodeCausalEvent, emptyCausalEvent } from '../core/causal-event.ts';
import { type HlcTimestamp, hlcFromWords, wallMsOfWords } from '../core/hlc.ts';
import { loadAddon, type NativeJournalMapping } from '../native/binding.ts';
import {
  BLOB_SIZE_OFFSET,
  COUNTERS,
  COUNTERS_OFFSET,
  type CounterName,
  CREATED_MS_OFFSET,
  CURSOR_HEARTBEAT_MS,
  CURSOR_LEASE_MS,
  CURSOR_NAME,
  CURSOR_NAME_CAPACITY,
  CURSOR_PID,
  CURSOR_POSITION,
  CURSOR_STATE,
  CURSOR_CAPACITY,
  cursorOffset,
  CursorState,
  DURABLE_HEAD_OFFSET,
  FILE_SIZE_OFFSET,
  FSYNC_MODE_OFFSET,
  MAX_PAYLOAD_OFFSET,
  OPEN_COUNT_OFFSET,
  SLOT_COUNT_OFFSET,
  SLOT_SIZE,
  STREAM_NAME_BYTES,
  STREAM_NAME_LENGTH,
  STREAM_TABLE_CAPACITY,
  streamEntryOffset,
  VERSION_OFFSET,
  WRITER_OPENED_MS_OFFSET,
  WRITER_PID_OFFSET,
  WRITER_STATE_OFFSET,
  WriterState,
} from './layout.ts';

export const FSYNC_MODE_NAMES = ['none', 'interval', 'always'] as const;
export type FsyncModeName = (typeof FSYNC_MODE_NAMES)[number];

export interface JournalIdentity {
  version: number;
  slotCount: number;
  blobSize: number;
  fileSize: number;
  createdMs: number;
}

export interface WriterSession {
  pid: number;
  /** True while a sequencer has it open, and after a crash until the next open recovers it. */
  open: boolean;
  openedMs: number;
  openCount: number;
  fsync: FsyncModeName;
  maxPayload: number;
  durableHead: number;
}

export interface Publication {
  /** Next sequence number to be written. */
  head: number;
  /** Oldest retained sequence number. */
  tail: number;
  blobHead: number;
  blobTail: number;
  /** The last clock value issued. */
  clock: HlcTimestamp;
  clockHi: number;
  clockLo: number;
  publishedMs: number;
}

export interface CursorInfo {
  index: number;
  name: string;
  pid: number;
  position: number;
  heartbeatMs: number;
  leaseMs: number;
  /** Active and within its lease: the writer will not evict what it still needs. */
  live: boolean;
}

export interface PayloadRead {
  /** A copy of the payload bytes, taken before the overwrite check. */
  bytes: Uint8Array;
  /** The writer evicted the event while (or before) it was read: `bytes` must not be trusted. */
  overwritten: boolean;
}

/** Read on a slot whose fields cannot describe a payload in this journal (a torn or foreign slot). */
export function slotIsMalformed(event: CausalEvent, blobSize: number, maxPayload: number): boolean {
  return (
    event.payloadLength > maxPayload ||
    !Number.isSafeInteger(event.payloadOffset) ||
    (event.payloadOffset % blobSize) + event.payloadLength > blobSize
  );
}

const utf8 = new TextDecoder('utf-8');

export interface OpenOptions {
  /** Also map the header writable, to register consumer cursors. */
  cursors?: boolean;
}

export class JournalReader {
  readonly path: string;
  readonly slotCount: number;
  readonly blobSize: number;
  readonly #mapping: NativeJournalMapping;
  readonly #header: DataView;
  readonly #ring: DataView;
  readonly #blob: Uint8Array;
  readonly #slotMask: number;
  #closed = false;

  private constructor(mapping: NativeJournalMapping) {
    this.#mapping = mapping;
    this.path = mapping.path;
    this.slotCount = mapping.slotCount;
    this.blobSize = mapping.blobSize;
    this.#header = new DataView(mapping.header);
    this.#ring = new DataView(mapping.ring);
    this.#blob = new Uint8Array(mapping.blob);
    this.#slotMask = this.slotCount - 1;
  }

  /**
   * Maps an existing journal read-only.
   * @throws Error with `code` JOURNAL_NOT_FOUND, NOT_A_JOURNAL, UNSUPPORTED_VERSION, CORRUPT_HEADER or JOURNAL_IO.
   */
  static open(path: string, options: OpenOptions = {}): JournalReader {
    const { JournalMapping } = loadAddon();
    return new JournalReader(new JournalMapping(path, { cursors: options.cursors ?? false }));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#mapping.close();
  }

  #u64(offset: number): number {
    return this.#header.getUint32(offset + 4, true) * 0x1_0000_0000 + this.#header.getUint32(offset, true);
  }

  identity(): JournalIdentity {
    return {
      version: this.#header.getUint32(VERSION_OFFSET, true),
      slotCount: this.#u64(SLOT_COUNT_OFFSET),
      blobSize: this.#u64(BLOB_SIZE_OFFSET),
      fileSize: this.#u64(FILE_SIZE_OFFSET),
      createdMs: this.#u64(CREATED_MS_OFFSET),
    };
  }

  writer(): WriterSession {
    const mode = this.#header.getUint32(FSYNC_MODE_OFFSET, true);
    return {
      pid: this.#header.getUint32(WRITER_PID_OFFSET, true),
      open: this.#header.getUint32(WRITER_STATE_OFFSET, true) === WriterState.OPEN,
      openedMs: this.#u64(WRITER_OPENED_MS_OFFSET),
      openCount: this.#u64(OPEN_COUNT_OFFSET),
      fsync: FSYNC_MODE_NAMES[mode] ?? 'none',
      maxPayload: this.#header.getUint32(MAX_PAYLOAD_OFFSET, true),
      durableHead: this.#u64(DURABLE_HEAD_OFFSET),
    };
  }

  /** Head acquire-loaded first, then the rest, as the reading protocol requires. */
  publication(): Publication {
    const p = this.#mapping.publication();
    const clockHi = p[4]!;
    const clockLo = p[5]!;
    return {
      head: p[0]!,
      tail: Math.min(p[1]!, p[0]!),
      blobHead: p[2]!,
      blobTail: p[3]!,
      clock: hlcFromWords(clockHi, clockLo),
      clockHi,
      clockLo,
      publishedMs: p[6]!,
    };
  }

  /** Acquire-loads `tail`: call after reading slots or payloads, discard what is now below it. */
  loadTail(): number {
    return this.#mapping.loadTail();
  }

  loadHead(): number {
    return this.#mapping.loadHead();
  }

  counters(): Record<CounterName, number> {
    const out = {} as Record<CounterName, number>;
    for (const c of COUNTERS) out[c.name] = this.#u64(COUNTERS_OFFSET + c.id * 8);
    return out;
  }

  counter(name: CounterName): number {
    const c = COUNTERS.find((x) => x.name === name)!;
    return this.#u64(COUNTERS_OFFSET + c.id * 8);
  }

  /** Named streams, by id. */
  streams(): { id: number; name: string }[] {
    const out: { id: number; name: string }[] = [];
    for (let id = 0; id < STREAM_TABLE_CAPACITY; id++) {
      const name = this.streamName(id);
      if (name !== null) out.push({ id, name });
    }
    return out;
  }

  /** The registered name of a stream id, or null when it has none. */
  streamName(streamId: number): string | null {
    if (streamId >= STREAM_TABLE_CAPACITY) return null;
    const entry = streamEntryOffset(streamId);
    const length = this.#header.getUint8(entry + STREAM_NAME_LENGTH);
    if (length === 0) return null;
    const start = this.#header.byteOffset + entry + STREAM_NAME_BYTES;
    return utf8.decode(new Uint8Array(this.#header.buffer, start, length));
  }

  streamId(name: string): number | null {
    return this.streams().find((s) => s.name === name)?.id ?? null;
  }

  cursors(nowMs = Date.now()): CursorInfo[] {
    const out: CursorInfo[] = [];
    for (let index = 0; index < CURSOR_CAPACITY; index++) {
      const at = cursorOffset(index);
      if (this.#header.getUint32(at + CURSOR_STATE, true) !== CursorState.ACTIVE) continue;
      const heartbeatMs = this.#u64(at + CURSOR_HEARTBEAT_MS);
      const leaseMs = this.#header.getUint32(at + CURSOR_LEASE_MS, true);
      const nameBytes = new Uint8Array(this.#header.buffer, at + CURSOR_NAME, CURSOR_NAME_CAPACITY);
      const end = nameBytes.indexOf(0);
      out.push({
        index,
        name: utf8.decode(end === -1 ? nameBytes : nameBytes.subarray(0, end)),
        pid: this.#header.getUint32(at + CURSOR_PID, true),
        position: this.#u64(at + CURSOR_POSITION),
        heartbeatMs,
        leaseMs,
        live: nowMs <= heartbeatMs || nowMs - heartbeatMs <= leaseMs,
      });
    }
    return out;
  }

  /**
   * Decodes the slot of `sequence` into `into` without any check: the caller must know it is in
   * [tail, head) and re-check `loadTail()` afterwards.
   */
  decodeSlot(sequence: number, into: CausalEvent = emptyCausalEvent()): CausalEvent {
    return decodeCausalEvent(this.#ring, (sequence & this.#slotMask) * SLOT_SIZE, into);
  }

  /**
   * Visits the events of [from, to) that are still retained, in order, `chunkSize` slots at a time: each
   * chunk is decoded, then `tail` is re-loaded, and only the slots still at or above it are visited. The
   * visitor gets a reused event object; copy what it keeps. Returning `false` (exactly) stops the scan.
   * Returns the first sequence not visited and how many requested events were already overwritten.
   */
  scan(
    from: number,
    to: number,
    visit: (event: CausalEvent, sequence: number) => unknown,
    chunkSize = 1024,
  ): { next: number; overwritten: number } {
    const { head, tail } = this.publication();
    let sequence = Math.max(from, tail);
    const end = Math.min(to, head);
    let overwritten = Math.max(0, Math.min(tail, to) - from);
    const chunk = Array.from({ length: Math.min(chunkSize, Math.max(0, end - sequence)) }, emptyCausalEvent);
    while (sequence < end) {
      const count = Math.min(chunk.length, end - sequence);
      for (let i = 0; i < count; i++) this.decodeSlot(sequence + i, chunk[i]);
      const tailNow = this.loadTail();
      let i = 0;
      if (tailNow > sequence) {
        const lost = Math.min(count, tailNow - sequence);
        overwritten += lost;
        i = lost;
      }
      for (; i < count; i++) {
        if (visit(chunk[i]!, sequence + i) === false) return { next: sequence + i + 1, overwritten };
      }
      sequence += count;
      if (tailNow > sequence) {
        const skip = Math.min(end, tailNow) - sequence;
        overwritten += skip;
        sequence += skip;
      }
    }
    return { next: Math.max(sequence, end), overwritten };
  }

  /** Reads one event, or null when `sequence` is not retained (evicted, or not yet written). */
  readEvent(sequence: number): CausalEvent | null {
    const { head, tail } = this.publication();
    if (sequence < tail || sequence >= head) return null;
    const event = this.decodeSlot(sequence);
    return this.loadTail() > sequence ? null : event;
  }

  /**
   * A zero-copy view of an event's payload. Valid only while the event is retained: check
   * `loadTail() <= sequence` after using it, or use readPayload() for a checked copy.
   */
  payloadView(event: CausalEvent): Uint8Array {
    const position = event.payloadOffset % this.blobSize;
    const length = Math.min(event.payloadLength, this.blobSize - position);
    return this.#blob.subarray(position, position + length);
  }

  /** Copies an event's payload, then checks it was not overwritten meanwhile. */
  readPayload(sequence: number, event: CausalEvent): PayloadRead {
    const bytes = Uint8Array.from(this.payloadView(event));
    return { bytes, overwritten: this.loadTail() > sequence };
  }

  /** CRC32C of the payload as stored now (hardware-accelerated through the addon). */
  payloadChecksum(event: CausalEvent): number {
    return loadAddon().crc32c(this.payloadView(event));
  }

  /**
   * The first retained sequence whose clock time is at or after `wallMs`, by binary search (clock values are
   * strictly increasing in sequence order). Returns head when every retained event is earlier.
   */
  findByTime(wallMs: number): number {
    const { head, tail } = this.publication();
    let low = tail;
    let high = head;
    const scratch = emptyCausalEvent();
    while (low < high) {
      const middle = low + Math.floor((high - low) / 2);
      this.decodeSlot(middle, scratch);
      if (wallMsOfWords(scratch.lamportHi, scratch.lamportLo) < wallMs) low = middle + 1;
      else high = middle;
    }
    // If the writer evicted part of the searched range meanwhile, the answer is at least the new tail.
    return Math.max(low, this.loadTail());
  }

  /**
   * Registers a consumer cursor: while it is live (heartbeats within `leaseMs`), the writer drops new events
   * rather than evict events at or after its position. Needs the reader opened with `{ cursors: true }`.
   * @throws Error with code CURSORS_FULL when all entries are held by live consumers.
   */
  registerCursor(name: string, options: { position?: number; leaseMs?: number } = {}): ConsumerCursor {
    const leaseMs = options.leaseMs ?? 10_000;
    const position = options.position ?? this.publication().head;
    const index = this.#mapping.claimCursor(name, position, leaseMs, Date.now());
    if (index < 0) {
      const error = new Error(
        `all ${CURSOR_CAPACITY} consumer cursors of ${this.path} are held by live consumers`,
      );
      (error as Error & { code: string }).code = 'CURSORS_FULL';
      throw error;
    }
    return new ConsumerCursor(this.#mapping, index, position);
  }
}

/** A consumer's place in the journal; see JournalReader.registerCursor. */
export class ConsumerCursor {
  readonly index: number;
  #position: number;
  readonly #mapping: NativeJournalMapping;
  #released = false;

  constructor(mapping: NativeJournalMapping, index: number, position: number) {
    this.#mapping = mapping;
    this.index = index;
    this.#position = position;
  }

  /** The next sequence this consumer still needs. */
  get position(): number {
    return this.#position;
  }

  /** Declares everything below `position` consumed (positions only move forward) and renews the lease. */
  advance(position: number): void {
    if (this.#released) throw new Error('cursor was released');
    if (!Number.isSafeInteger(position) || position < this.#position) {
      throw new RangeError(`cursor position only moves forward: ${this.#position} -> ${position}`);
    }
    this.#position = position;
    this.#mapping.updateCursor(this.index, position, Date.now());
  }

  /** Renews the lease without moving. */
  heartbeat(): void {
    if (this.#released) return;
    this.#mapping.updateCursor(this.index, this.#position, Date.now());
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#mapping.releaseCursor(this.index);
  }
}
