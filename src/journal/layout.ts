/**
 * The journal file layout (docs/journal-format.md is the prose and the diagram; this is the source of
 * truth for offsets on the TypeScript side). Every offset is derived from the one before it, so moving a
 * field moves everything after it consistently. The native writer pins the same numbers with
 * `static_assert`s and a test compares the offsets the addon reports with these.
 *
 * All integers are little-endian. "line" means a 64-byte cache line.
 *
 * @module
 */
import { CAUSAL_EVENT_SIZE } from '../core/causal-event.ts';

export const CACHE_LINE_SIZE = 64;
export const JOURNAL_FORMAT_VERSION = 1;
/** The bytes "LCRMJRNL" read as a little-endian u64. */
export const JOURNAL_MAGIC = 0x4c4e524a4d52434cn;
/** Header size; also the alignment of the ring and the blob region (the largest common page size). */
export const JOURNAL_HEADER_SIZE = 65_536;
export const REGION_ALIGNMENT = JOURNAL_HEADER_SIZE;

// ── line 0: identity, written once when the file is created ─────────────────────────────────────────
export const IDENTITY_LINE_OFFSET = 0;
export const MAGIC_OFFSET = IDENTITY_LINE_OFFSET; //          u64
export const VERSION_OFFSET = MAGIC_OFFSET + 8; //             u32
export const HEADER_SIZE_OFFSET = VERSION_OFFSET + 4; //       u32
export const SLOT_COUNT_OFFSET = HEADER_SIZE_OFFSET + 4; //    u64, a power of two
export const BLOB_SIZE_OFFSET = SLOT_COUNT_OFFSET + 8; //      u64, a power of two
export const RING_OFFSET_OFFSET = BLOB_SIZE_OFFSET + 8; //     u64, byte offset of slot 0 in the file
export const BLOB_OFFSET_OFFSET = RING_OFFSET_OFFSET + 8; //   u64, byte offset of the blob region
export const FILE_SIZE_OFFSET = BLOB_OFFSET_OFFSET + 8; //     u64
export const CREATED_MS_OFFSET = FILE_SIZE_OFFSET + 8; //      u64, wall-clock ms
export const IDENTITY_LINE_END = CREATED_MS_OFFSET + 8;

// ── line 1: the writer's session ────────────────────────────────────────────────────────────────────
export const WRITER_LINE_OFFSET = IDENTITY_LINE_OFFSET + CACHE_LINE_SIZE;
export const WRITER_PID_OFFSET = WRITER_LINE_OFFSET; //               u32, 0 when no writer
export const WRITER_STATE_OFFSET = WRITER_PID_OFFSET + 4; //          u32, WriterState
export const WRITER_OPENED_MS_OFFSET = WRITER_STATE_OFFSET + 4; //    u64
export const OPEN_COUNT_OFFSET = WRITER_OPENED_MS_OFFSET + 8; //      u64, writer sessions so far
export const FSYNC_MODE_OFFSET = OPEN_COUNT_OFFSET + 8; //            u32, FsyncMode
export const MAX_PAYLOAD_OFFSET = FSYNC_MODE_OFFSET + 4; //           u32, largest payload accepted
export const DURABLE_HEAD_OFFSET = MAX_PAYLOAD_OFFSET + 4; //         u64, head at the last completed fsync
export const WRITER_LINE_END = DURABLE_HEAD_OFFSET + 8;

// ── line 2: publication, stored by the writer once per batch and polled by readers ─────────────────
export const PUBLICATION_LINE_OFFSET = WRITER_LINE_OFFSET + CACHE_LINE_SIZE;
export const HEAD_OFFSET = PUBLICATION_LINE_OFFSET; //          u64, next sequence number to be written
export const BLOB_HEAD_OFFSET = HEAD_OFFSET + 8; //             u64, monotonic offset of the next payload byte
export const CLOCK_OFFSET = BLOB_HEAD_OFFSET + 8; //            u64, last clock value issued
export const PUBLISHED_MS_OFFSET = CLOCK_OFFSET + 8; //         u64, wall-clock ms of the last publication
export const PUBLICATION_LINE_END = PUBLISHED_MS_OFFSET + 8;

// ── line 3: retention, moved by the writer when it evicts ──────────────────────────────────────────
export const RETENTION_LINE_OFFSET = PUBLICATION_LINE_OFFSET + CACHE_LINE_SIZE;
export const TAIL_OFFSET = RETENTION_LINE_OFFSET; //            u64, oldest retained sequence number
export const BLOB_TAIL_OFFSET = TAIL_OFFSET + 8; //             u64, payload offset of the event at `tail`
export const RETENTION_LINE_END = BLOB_TAIL_OFFSET + 8;

// ── lines 4..7: counters, u64 each, written only by the writer ──────────────────────────────────────
export const COUNTERS_OFFSET = RETENTION_LINE_OFFSET + CACHE_LINE_SIZE;
export const COUNTER_CAPACITY = 32;
export const COUNTERS_END = COUNTERS_OFFSET + COUNTER_CAPACITY * 8;

/**
 * Counter ids are stable: a counter keeps its id forever, new ones take the next free id. Names follow
 * NOUN_PAST_VERB. The hub, `/metrics` and the UI label counters from this one table.
 */
export const COUNTERS = [
  { id: 0, name: 'DATAGRAMS_RECEIVED', help: 'UDP datagrams taken from the sockets' },
  { id: 1, name: 'BYTES_RECEIVED', help: 'Bytes of UDP datagrams taken from the sockets' },
  { id: 2, name: 'EVENTS_JOURNALED', help: 'Events written to the journal and published' },
  { id: 3, name: 'PAYLOAD_BYTES_JOURNALED', help: 'Payload bytes written to the blob region' },
  {
    id: 4,
    name: 'CHECKSUMS_FAILED',
    help: 'Framed datagrams rejected for a header or payload checksum mismatch',
  },
  { id: 5, name: 'FRAMES_MALFORMED', help: 'Framed datagrams rejected as structurally malformed' },
  { id: 6, name: 'DATAGRAMS_OVERSIZED', help: 'Datagrams rejected for exceeding the maximum payload size' },
  { id: 7, name: 'DATAGRAMS_EMPTY', help: 'Zero-length datagrams (journaled as empty events)' },
  { id: 8, name: 'EVENTS_EVICTED', help: 'Oldest events evicted to make room' },
  {
    id: 9,
    name: 'EVENTS_DROPPED',
    help: 'New events dropped because eviction would overtake a live consumer',
  },
  {
    id: 10,
    name: 'KERNEL_DROPS_REPORTED',
    help: 'Datagrams the kernel dropped on full socket queues (SO_RXQ_OVFL)',
  },
  { id: 11, name: 'SUBMITS_ACCEPTED', help: 'Events submitted through the command queue and journaled' },
  { id: 12, name: 'SUBMITS_REJECTED', help: 'Submissions refused (queue full, invalid, or dropped)' },
  { id: 13, name: 'CLOCK_HINTS_APPLIED', help: 'Clock hints that raised the sequencer clock' },
  { id: 14, name: 'CLOCK_HINTS_REJECTED', help: 'Clock hints ignored for being too far ahead of local time' },
  { id: 15, name: 'BATCHES_PUBLISHED', help: 'Publications of head (one per receive batch)' },
  { id: 16, name: 'FSYNCS_COMPLETED', help: 'fsync/msync calls completed' },
  { id: 17, name: 'TORN_EVENTS_TRUNCATED', help: 'Events cut from a torn tail during recovery at open' },
] as const;

export type CounterName = (typeof COUNTERS)[number]['name'];

export function counterOffset(id: number): number {
  if (!Number.isInteger(id) || id < 0 || id >= COUNTER_CAPACITY)
    throw new RangeError(`no counter slot ${id}`);
  return COUNTERS_OFFSET + id * 8;
}

// ── consumer cursors: a summary line, then one line per cursor, written by the consumers' processes ──
/** u32 bit mask: bit i is set while cursor i is active, so the writer reads one line when none are. */
export const CURSOR_ACTIVE_MASK_OFFSET = COUNTERS_END;
export const CURSOR_TABLE_OFFSET = 1024;
export const CURSOR_CAPACITY = 16;
export const CURSOR_SIZE = CACHE_LINE_SIZE;
export const CURSOR_STATE = 0; //                            u32, CursorState; claimed by compare-and-swap
export const CURSOR_PID = CURSOR_STATE + 4; //               u32, owning process
export const CURSOR_POSITION = CURSOR_PID + 4; //            u64, next sequence the consumer still needs
export const CURSOR_HEARTBEAT_MS = CURSOR_POSITION + 8; //   u64, wall-clock ms of the last heartbeat
export const CURSOR_LEASE_MS = CURSOR_HEARTBEAT_MS + 8; //   u32, live while now - heartbeat <= lease
export const CURSOR_RESERVED = CURSOR_LEASE_MS + 4; //       u32, zero
export const CURSOR_NAME = CURSOR_RESERVED + 4; //           32 bytes UTF-8, NUL-padded
export const CURSOR_NAME_CAPACITY = CURSOR_SIZE - CURSOR_NAME;
export const CURSOR_TABLE_END = CURSOR_TABLE_OFFSET + CURSOR_CAPACITY * CURSOR_SIZE;

export function cursorOffset(index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= CURSOR_CAPACITY)
    throw new RangeError(`no cursor ${index}`);
  return CURSOR_TABLE_OFFSET + index * CURSOR_SIZE;
}

// ── stream-name table: entry i names stream id i ────────────────────────────────────────────────────
export const STREAM_TABLE_OFFSET = 4096;
export const STREAM_TABLE_CAPACITY = 1024;
export const STREAM_ENTRY_SIZE = 32;
export const STREAM_NAME_LENGTH = 0; //      u8, 0 = unnamed; stored last (release) when a name is registered
export const STREAM_NAME_BYTES = 1; //       up to 31 bytes of UTF-8
export const STREAM_NAME_CAPACITY = STREAM_ENTRY_SIZE - STREAM_NAME_BYTES;
export const STREAM_TABLE_END = STREAM_TABLE_OFFSET + STREAM_TABLE_CAPACITY * STREAM_ENTRY_SIZE;

export function streamEntryOffset(streamId: number): number {
  if (!Number.isInteger(streamId) || streamId < 0 || streamId >= STREAM_TABLE_CAPACITY) {
    throw new RangeError(`stream id ${streamId} has no name-table entry (0..${STREAM_TABLE_CAPACITY - 1})`);
  }
  return STREAM_TABLE_OFFSET + streamId * STREAM_ENTRY_SIZE;
}

// ── regions after the header ────────────────────────────────────────────────────────────────────────
export const RING_OFFSET = JOURNAL_HEADER_SIZE;
export const SLOT_SIZE = CAUSAL_EVENT_SIZE;
/** Payloads start on 8-byte boundaries so that word-wise checksumming and reads stay aligned. */
export const PAYLOAD_ALIGNMENT = 8;

export const MIN_SLOT_COUNT = 1024;
export const MAX_SLOT_COUNT = 2 ** 30;
export const DEFAULT_SLOT_COUNT = 2 ** 20;
export const MIN_BLOB_SIZE = 2 ** 16;
export const MAX_BLOB_SIZE = 2 ** 40;
export const DEFAULT_BLOB_SIZE = 2 ** 28;
/** A payload may take at most a quarter of the blob, so one event can never evict the whole journal. */
export const MAX_PAYLOAD_FRACTION = 4;

export const WriterState = { CLOSED_CLEANLY: 0, OPEN: 1 } as const;
/** CLAIMING is transient: a consumer took the entry by compare-and-swap and is filling it in. */
export const CursorState = { FREE: 0, ACTIVE: 1, CLAIMING: 2 } as const;
export const FsyncMode = { NONE: 0, INTERVAL: 1, ALWAYS: 2 } as const;

export interface JournalGeometry {
  slotCount: number;
  blobSize: number;
  ringOffset: number;
  blobOffset: number;
  fileSize: number;
}

function isPowerOfTwo(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0 && 2 ** Math.round(Math.log2(value)) === value;
}

export function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

/**
 * Computes the geometry of a journal with `slotCount` slots and a `blobSize`-byte blob region.
 * @throws RangeError naming the parameter and the accepted range.
 */
export function journalGeometry(slotCount: number, blobSize: number): JournalGeometry {
  if (!isPowerOfTwo(slotCount) || slotCount < MIN_SLOT_COUNT || slotCount > MAX_SLOT_COUNT) {
    throw new RangeError(`slot count must be a power of two in [${MIN_SLOT_COUNT}, 2^30], got ${slotCount}`);
  }
  if (!isPowerOfTwo(blobSize) || blobSize < MIN_BLOB_SIZE || blobSize > MAX_BLOB_SIZE) {
    throw new RangeError(`blob size must be a power of two in [64 KiB, 1 TiB], got ${blobSize}`);
  }
  const ringOffset = RING_OFFSET;
  const blobOffset = alignUp(ringOffset + slotCount * SLOT_SIZE, REGION_ALIGNMENT);
  return { slotCount, blobSize, ringOffset, blobOffset, fileSize: blobOffset + blobSize };
}

/** Byte offset in the file of the slot holding sequence number `sequence`. */
export function slotFileOffset(geometry: JournalGeometry, sequence: number): number {
  return geometry.ringOffset + (sequence % geometry.slotCount) * SLOT_SIZE;
}

/** Byte offset in the file of a payload stored at monotonic offset `payloadOffset`. */
export function payloadFileOffset(geometry: JournalGeometry, payloadOffset: number): number {
  return geometry.blobOffset + (payloadOffset % geometry.blobSize);
}

export function maxPayloadLength(blobSize: number): number {
  return Math.min(0xffff_ffff, blobSize / MAX_PAYLOAD_FRACTION);
}
