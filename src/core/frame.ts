/**
 * Framed datagrams: the checked wire format for senders that want to name their node and stream, carry
 * application flags and a clock hint, and have their bytes verified. The layout and every rule are in
 * docs/wire-format.md; the offsets below are that table.
 *
 * `decodeFrame` never throws: every way a datagram can be wrong is a `FrameDecodeError` with its own code.
 *
 * @module
 */
import { crc32c } from './crc32c.ts';
import { type HlcTimestamp, hlcFromWords, hlcHighWord, hlcLowWord, isHlcTimestamp } from './hlc.ts';
import { isU16, isU32 } from './u64.ts';

/** The bytes "CZFR" read as a little-endian u32. */
export const FRAME_MAGIC = 0x52465a43;
export const FRAME_VERSION = 1;
export const FRAME_HEADER_SIZE = 32;
/** The largest UDP payload over IPv4 (65 535 - 8 - 20) minus the frame header. */
export const FRAME_MAX_PAYLOAD_LENGTH = 65_507 - FRAME_HEADER_SIZE;

export const FRAME_MAGIC_OFFSET = 0;
export const FRAME_VERSION_OFFSET = FRAME_MAGIC_OFFSET + 4;
export const FRAME_FLAGS_OFFSET = FRAME_VERSION_OFFSET + 1;
export const FRAME_STREAM_ID_OFFSET = FRAME_FLAGS_OFFSET + 1;
export const FRAME_NODE_ID_OFFSET = FRAME_STREAM_ID_OFFSET + 2;
export const FRAME_PAYLOAD_LENGTH_OFFSET = FRAME_NODE_ID_OFFSET + 4;
export const FRAME_CLOCK_HINT_OFFSET = FRAME_PAYLOAD_LENGTH_OFFSET + 4;
export const FRAME_PAYLOAD_CHECKSUM_OFFSET = FRAME_CLOCK_HINT_OFFSET + 8;
export const FRAME_HEADER_CHECKSUM_OFFSET = FRAME_PAYLOAD_CHECKSUM_OFFSET + 4;

export interface Frame {
  /** Application flags (8 bits), copied into the journal slot's low flag byte. */
  flags: number;
  /** 0 means "the stream of the port it arrived on". */
  streamId: number;
  nodeId: number;
  /** The sender's clock value for this event, or null when the sender sent none (zero on the wire). */
  clockHint: HlcTimestamp | null;
  payloadChecksum: number;
  /** A view into the datagram, not a copy. */
  payload: Uint8Array;
}

export type FrameErrorCode =
  | 'NOT_BYTES'
  | 'TRUNCATED_HEADER'
  | 'BAD_MAGIC'
  | 'UNSUPPORTED_VERSION'
  | 'HEADER_CHECKSUM_MISMATCH'
  | 'PAYLOAD_TOO_LARGE'
  | 'LENGTH_MISMATCH'
  | 'PAYLOAD_CHECKSUM_MISMATCH';

export interface FrameDecodeError {
  code: FrameErrorCode;
  message: string;
}

export type FrameDecodeResult = { ok: true; frame: Frame } | { ok: false; error: FrameDecodeError };

/** Errors the sequencer counts as checksum failures; every other code counts as a malformed frame. */
export function isChecksumFailure(code: FrameErrorCode): boolean {
  return code === 'HEADER_CHECKSUM_MISMATCH' || code === 'PAYLOAD_CHECKSUM_MISMATCH';
}

/** True when `bytes` starts with the frame magic: the sequencer then treats it as a frame, not raw. */
export function looksFramed(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x43 && // C
    bytes[1] === 0x5a && // Z
    bytes[2] === 0x46 && // F
    bytes[3] === 0x52 // R
  );
}

export interface FrameInput {
  nodeId: number;
  streamId?: number;
  flags?: number;
  clockHint?: HlcTimestamp | null;
  payload: Uint8Array;
}

/**
 * Builds a frame around `payload`.
 * @throws RangeError naming the field when an input does not fit the format.
 */
export function encodeFrame(input: FrameInput): Uint8Array {
  const { nodeId, streamId = 0, flags = 0, clockHint = null, payload } = input;
  if (!isU32(nodeId)) throw new RangeError(`nodeId must be a u32, got ${nodeId}`);
  if (!isU16(streamId)) throw new RangeError(`streamId must be a u16, got ${streamId}`);
  if (!Number.isInteger(flags) || flags < 0 || flags > 0xff) {
    throw new RangeError(`flags must be an 8-bit application flag set, got ${flags}`);
  }
  if (clockHint !== null && !isHlcTimestamp(clockHint))
    throw new RangeError('clockHint is not a valid clock value');
  if (!(payload instanceof Uint8Array)) throw new RangeError('payload must be a Uint8Array');
  if (payload.length > FRAME_MAX_PAYLOAD_LENGTH) {
    throw new RangeError(
      `payload is ${payload.length} bytes; a frame carries at most ${FRAME_MAX_PAYLOAD_LENGTH}`,
    );
  }
  const bytes = new Uint8Array(FRAME_HEADER_SIZE + payload.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(FRAME_MAGIC_OFFSET, FRAME_MAGIC, true);
  view.setUint8(FRAME_VERSION_OFFSET, FRAME_VERSION);
  view.setUint8(FRAME_FLAGS_OFFSET, flags);
  view.setUint16(FRAME_STREAM_ID_OFFSET, streamId, true);
  view.setUint32(FRAME_NODE_ID_OFFSET, nodeId, true);
  view.setUint32(FRAME_PAYLOAD_LENGTH_OFFSET, payload.length, true);
  if (clockHint !== null) {
    view.setUint32(FRAME_CLOCK_HINT_OFFSET, hlcLowWord(clockHint), true);
    view.setUint32(FRAME_CLOCK_HINT_OFFSET + 4, hlcHighWord(clockHint), true);
  }
  const payloadChecksum = crc32c(payload);
  view.setUint32(FRAME_PAYLOAD_CHECKSUM_OFFSET, payloadChecksum, true);
  view.setUint32(FRAME_HEADER_CHECKSUM_OFFSET, crc32c(bytes.subarray(0, FRAME_HEADER_CHECKSUM_OFFSET)), true);
  bytes.set(payload, FRAME_HEADER_SIZE);
  return bytes;
}

function fail(code: FrameErrorCode, message: string): FrameDecodeResult {
  return { ok: false, error: { code, message } };
}

/** Checks and decodes one datagram. Never throws. */
export function decodeFrame(bytes: Uint8Array): FrameDecodeResult {
  if (!(bytes instanceof Uint8Array)) return fail('NOT_BYTES', 'a frame must be given as a Uint8Array');
  if (bytes.length < FRAME_HEADER_SIZE) {
    return fail(
      'TRUNCATED_HEADER',
      `datagram is ${bytes.length} bytes; a frame header is ${FRAME_HEADER_SIZE}`,
    );
  }
  if (!looksFramed(bytes)) return fail('BAD_MAGIC', 'datagram does not start with the frame magic "CZFR"');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(FRAME_VERSION_OFFSET);
  if (version !== FRAME_VERSION) {
    return fail(
      'UNSUPPORTED_VERSION',
      `frame version ${version} is not supported (this build reads ${FRAME_VERSION})`,
    );
  }
  const headerChecksum = view.getUint32(FRAME_HEADER_CHECKSUM_OFFSET, true);
  if (crc32c(bytes.subarray(0, FRAME_HEADER_CHECKSUM_OFFSET)) !== headerChecksum) {
    return fail('HEADER_CHECKSUM_MISMATCH', 'frame header checksum does not match its bytes');
  }
  const payloadLength = view.getUint32(FRAME_PAYLOAD_LENGTH_OFFSET, true);
  if (payloadLength > FRAME_MAX_PAYLOAD_LENGTH) {
    return fail(
      'PAYLOAD_TOO_LARGE',
      `frame declares ${payloadLength} payload bytes; at most ${FRAME_MAX_PAYLOAD_LENGTH}`,
    );
  }
  if (payloadLength !== bytes.length - FRAME_HEADER_SIZE) {
    return fail(
      'LENGTH_MISMATCH',
      `frame declares ${payloadLength} payload bytes but carries ${bytes.length - FRAME_HEADER_SIZE}`,
    );
  }
  const payload = bytes.subarray(FRAME_HEADER_SIZE);
  const payloadChecksum = view.getUint32(FRAME_PAYLOAD_CHECKSUM_OFFSET, true);
  if (crc32c(payload) !== payloadChecksum) {
    return fail('PAYLOAD_CHECKSUM_MISMATCH', 'frame payload checksum does not match its bytes');
  }
  const hintLo = view.getUint32(FRAME_CLOCK_HINT_OFFSET, true);
  const hintHi = view.getUint32(FRAME_CLOCK_HINT_OFFSET + 4, true);
  return {
    ok: true,
    frame: {
      flags: view.getUint8(FRAME_FLAGS_OFFSET),
      streamId: view.getUint16(FRAME_STREAM_ID_OFFSET, true),
      nodeId: view.getUint32(FRAME_NODE_ID_OFFSET, true),
      clockHint: hintHi === 0 && hintLo === 0 ? null : hlcFromWords(hintHi, hintLo),
      payloadChecksum,
      payload,
    },
  };
}
