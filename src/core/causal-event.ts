/**
 * `CausalEvent`: the 32-byte record stored in every journal slot.
 *
 * ```
 *  byte  0               8       12  14  16              24      28      32
 *        +---------------+-------+---+---+---------------+-------+-------+
 *        | lamport_ts    |node_id|str|flg| payload_offset|checksm|pay_len|
 *        | u64           | u32   |u16|u16| u64           | u32   | u32   |
 *        +---------------+-------+---+---+---------------+-------+-------+
 * ```
 * All fields little-endian. `lamport_ts` is a hybrid-logical-clock value (see hlc.ts); `payload_offset` is
 * a monotonic byte offset into the journal's blob region; `checksum` is the CRC32C of the payload.
 *
 * @module
 */
import { isSafeU64, isU16, isU32, safeIntegerHighWord, safeIntegerLowWord } from './u64.ts';

export const CAUSAL_EVENT_SIZE = 32;
export const LAMPORT_TS_OFFSET = 0;
export const NODE_ID_OFFSET = LAMPORT_TS_OFFSET + 8;
export const STREAM_ID_OFFSET = NODE_ID_OFFSET + 4;
export const FLAGS_OFFSET = STREAM_ID_OFFSET + 2;
export const PAYLOAD_OFFSET_OFFSET = FLAGS_OFFSET + 2;
export const CHECKSUM_OFFSET = PAYLOAD_OFFSET_OFFSET + 8;
export const PAYLOAD_LENGTH_OFFSET = CHECKSUM_OFFSET + 4;

/**
 * Flag bits. The low byte carries the sender's application flags from a framed datagram unchanged; the
 * high byte is set by the sequencer.
 */
export const EventFlags = {
  APPLICATION_MASK: 0x00ff,
  /** Arrived as a framed datagram (wire-format.md) rather than a raw payload. */
  FRAMED: 0x0100,
  /** Entered through the submit path (connectors, simulate, replay), not over UDP. */
  SUBMITTED: 0x0200,
  /** The sender's clock hint raised the sequencer clock for this event. */
  CLOCK_HINT_APPLIED: 0x0400,
  /** The source address was IPv6 (the node id is then a hash of it, see docs/wire-format.md). */
  SOURCE_IPV6: 0x0800,
} as const;

/**
 * One decoded slot. `lamport_ts` is split into two u32 halves (`lamportHi`, `lamportLo`): see u64.ts for
 * why. `payloadOffset` is a plain number: the journal writer never lets it pass 2^53 - 1 (9 PiB written).
 */
export interface CausalEvent {
  lamportHi: number;
  lamportLo: number;
  nodeId: number;
  streamId: number;
  flags: number;
  payloadOffset: number;
  checksum: number;
  payloadLength: number;
}

export function emptyCausalEvent(): CausalEvent {
  return {
    lamportHi: 0,
    lamportLo: 0,
    nodeId: 0,
    streamId: 0,
    flags: 0,
    payloadOffset: 0,
    checksum: 0,
    payloadLength: 0,
  };
}

/** Names the first field of `event` that does not fit its slot width, or returns null when all fit. */
export function invalidCausalEventField(event: CausalEvent): string | null {
  if (!isU32(event.lamportHi)) return 'lamportHi';
  if (!isU32(event.lamportLo)) return 'lamportLo';
  if (!isU32(event.nodeId)) return 'nodeId';
  if (!isU16(event.streamId)) return 'streamId';
  if (!isU16(event.flags)) return 'flags';
  if (!isSafeU64(event.payloadOffset)) return 'payloadOffset';
  if (!isU32(event.checksum)) return 'checksum';
  if (!isU32(event.payloadLength)) return 'payloadLength';
  return null;
}

/**
 * Writes `event` as 32 bytes at `byteOffset`.
 * @throws RangeError naming the field when a value does not fit its width.
 */
export function encodeCausalEvent(event: CausalEvent, view: DataView, byteOffset: number): void {
  const badField = invalidCausalEventField(event);
  if (badField !== null) {
    throw new RangeError(
      `CausalEvent.${badField} is out of range: ${String(event[badField as keyof CausalEvent])}`,
    );
  }
  view.setUint32(byteOffset + LAMPORT_TS_OFFSET, event.lamportLo, true);
  view.setUint32(byteOffset + LAMPORT_TS_OFFSET + 4, event.lamportHi, true);
  view.setUint32(byteOffset + NODE_ID_OFFSET, event.nodeId, true);
  view.setUint16(byteOffset + STREAM_ID_OFFSET, event.streamId, true);
  view.setUint16(byteOffset + FLAGS_OFFSET, event.flags, true);
  view.setUint32(byteOffset + PAYLOAD_OFFSET_OFFSET, safeIntegerLowWord(event.payloadOffset), true);
  view.setUint32(byteOffset + PAYLOAD_OFFSET_OFFSET + 4, safeIntegerHighWord(event.payloadOffset), true);
  view.setUint32(byteOffset + CHECKSUM_OFFSET, event.checksum, true);
  view.setUint32(byteOffset + PAYLOAD_LENGTH_OFFSET, event.payloadLength, true);
}

/**
 * Reads the 32 bytes at `byteOffset` into `into` (reused, so scanning many slots allocates nothing) and
 * returns it. A payload offset at or above 2^53 cannot come from a healthy journal; it decodes to an
 * inexact number and `isSafeU64(event.payloadOffset)` is false, which readers treat as a torn slot.
 */
export function decodeCausalEvent(
  view: DataView,
  byteOffset: number,
  into: CausalEvent = emptyCausalEvent(),
): CausalEvent {
  into.lamportLo = view.getUint32(byteOffset + LAMPORT_TS_OFFSET, true);
  into.lamportHi = view.getUint32(byteOffset + LAMPORT_TS_OFFSET + 4, true);
  into.nodeId = view.getUint32(byteOffset + NODE_ID_OFFSET, true);
  into.streamId = view.getUint16(byteOffset + STREAM_ID_OFFSET, true);
  into.flags = view.getUint16(byteOffset + FLAGS_OFFSET, true);
  into.payloadOffset =
    view.getUint32(byteOffset + PAYLOAD_OFFSET_OFFSET + 4, true) * 0x1_0000_0000 +
    view.getUint32(byteOffset + PAYLOAD_OFFSET_OFFSET, true);
  into.checksum = view.getUint32(byteOffset + CHECKSUM_OFFSET, true);
  into.payloadLength = view.getUint32(byteOffset + PAYLOAD_LENGTH_OFFSET, true);
  return into;
}
