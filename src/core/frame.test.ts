import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c.ts';
import {
  decodeFrame,
  encodeFrame,
  FRAME_HEADER_SIZE,
  FRAME_MAX_PAYLOAD_LENGTH,
  type FrameErrorCode,
  isChecksumFailure,
  looksFramed,
} from './frame.ts';

const payload = new TextEncoder().encode('{"price":101}');
const valid = () =>
  encodeFrame({
    nodeId: 7,
    streamId: 3,
    flags: 0x21,
    clockHint: { wallMs: 1_763_000_000_000, logical: 2 },
    payload,
  });

function errorCode(bytes: Uint8Array): FrameErrorCode | 'ok' {
  const result = decodeFrame(bytes);
  return result.ok ? 'ok' : result.error.code;
}

/** Rewrites the header checksum after a deliberate header edit, so a later check is what fails. */
function resealHeader(bytes: Uint8Array): Uint8Array {
  new DataView(bytes.buffer).setUint32(28, crc32c(bytes.subarray(0, 28)), true);
  return bytes;
}

describe('framed datagrams', () => {
  it('lays out the 32-byte header as documented in docs/wire-format.md', () => {
    const bytes = valid();
    const view = new DataView(bytes.buffer);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('CZFR');
    expect(view.getUint8(4)).toBe(1);
    expect(view.getUint8(5)).toBe(0x21);
    expect(view.getUint16(6, true)).toBe(3);
    expect(view.getUint32(8, true)).toBe(7);
    expect(view.getUint32(12, true)).toBe(payload.length);
    expect(view.getBigUint64(16, true)).toBe((1_763_000_000_000n << 16n) | 2n);
    expect(view.getUint32(24, true)).toBe(crc32c(payload));
    expect(view.getUint32(28, true)).toBe(crc32c(bytes.subarray(0, 28)));
    expect(bytes.length).toBe(FRAME_HEADER_SIZE + payload.length);
  });

  it('decodes a valid frame with the payload as a view, not a copy', () => {
    const bytes = valid();
    const result = decodeFrame(bytes);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.frame).toMatchObject({
      nodeId: 7,
      streamId: 3,
      flags: 0x21,
      clockHint: { wallMs: 1_763_000_000_000, logical: 2 },
    });
    expect(result.frame.payload.buffer).toBe(bytes.buffer);
    expect(Buffer.from(result.frame.payload).toString()).toBe('{"price":101}');
  });

  it('reads a zero clock hint as "no hint"', () => {
    const result = decodeFrame(encodeFrame({ nodeId: 1, payload }));
    expect(result.ok && result.frame.clockHint).toBeNull();
  });

  it('names every kind of malformed input', () => {
    expect(errorCode('not bytes' as unknown as Uint8Array)).toBe('NOT_BYTES');
    expect(errorCode(valid().subarray(0, 31))).toBe('TRUNCATED_HEADER');
    expect(errorCode(new Uint8Array(40))).toBe('BAD_MAGIC');
    const badVersion = valid();
    badVersion[4] = 2;
    expect(errorCode(badVersion)).toBe('UNSUPPORTED_VERSION');
    const badHeader = valid();
    badHeader[8]! ^= 1;
    expect(errorCode(badHeader)).toBe('HEADER_CHECKSUM_MISMATCH');
    const tooLarge = valid();
    new DataView(tooLarge.buffer).setUint32(12, FRAME_MAX_PAYLOAD_LENGTH + 1, true);
    expect(errorCode(resealHeader(tooLarge))).toBe('PAYLOAD_TOO_LARGE');
    expect(errorCode(valid().subarray(0, FRAME_HEADER_SIZE + 3))).toBe('LENGTH_MISMATCH');
    const badPayload = valid();
    badPayload[FRAME_HEADER_SIZE]! ^= 0x80;
    expect(errorCode(badPayload)).toBe('PAYLOAD_CHECKSUM_MISMATCH');
  });

  it('classifies checksum failures apart from malformed frames', () => {
    expect(isChecksumFailure('PAYLOAD_CHECKSUM_MISMATCH')).toBe(true);
    expect(isChecksumFailure('HEADER_CHECKSUM_MISMATCH')).toBe(true);
    expect(isChecksumFailure('LENGTH_MISMATCH')).toBe(false);
  });

  it('recognises the magic so raw payloads are not mistaken for frames', () => {
    expect(looksFramed(valid())).toBe(true);
    expect(looksFramed(new TextEncoder().encode('hi\n'))).toBe(false);
  });

  it('refuses to encode what the format cannot carry', () => {
    expect(() => encodeFrame({ nodeId: 2 ** 32, payload })).toThrow(/nodeId/);
    expect(() => encodeFrame({ nodeId: 1, flags: 0x100, payload })).toThrow(/flags/);
    expect(() => encodeFrame({ nodeId: 1, payload: new Uint8Array(FRAME_MAX_PAYLOAD_LENGTH + 1) })).toThrow(
      /at most/,
    );
  });
});
