/**
 * The framed-datagram contract: the decoder is total (a typed result for any input, never an exception),
 * every valid frame round-trips, and every corruption a checksum or a length check can see is rejected.
 *
 * @module
 */
import fc from 'fast-check';
import { u16, u32 } from '../arbitraries.ts';
import { FRAME_HEADER_SIZE, type FrameDecodeResult, type FrameInput } from '../../src/core/frame.ts';
import { compareHlc, HLC_LOGICAL_MAX } from '../../src/core/hlc.ts';
import type { ContractSuite } from '../runner.ts';

export interface FrameCodec {
  encode(input: FrameInput): Uint8Array;
  decode(bytes: Uint8Array): FrameDecodeResult;
}

const frameInput: fc.Arbitrary<FrameInput> = fc.record({
  nodeId: u32,
  streamId: u16,
  flags: fc.integer({ min: 0, max: 0xff }),
  clockHint: fc.option(
    fc.record({
      wallMs: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
      logical: fc.integer({ min: 0, max: HLC_LOGICAL_MAX }),
    }),
    { nil: null },
  ),
  payload: fc.uint8Array({ maxLength: 512 }),
});

function decodesWithoutThrowing(codec: FrameCodec, input: unknown): boolean {
  try {
    const result = codec.decode(input as Uint8Array);
    return result.ok || (typeof result.error.code === 'string' && typeof result.error.message === 'string');
  } catch {
    return false;
  }
}

export function frameContract(codec: FrameCodec): ContractSuite {
  return {
    name: 'frame',
    description: 'the framed-datagram decoder never throws, round-trips valid frames and rejects corruption',
    properties: [
      {
        name: 'total on arbitrary bytes: a typed result, never an exception',
        property: fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) =>
          decodesWithoutThrowing(codec, bytes),
        ),
      },
      {
        name: 'total on bytes that start like a frame',
        property: fc.property(fc.uint8Array({ maxLength: 100 }), (tail) => {
          const bytes = new Uint8Array(4 + tail.length);
          bytes.set([0x43, 0x5a, 0x46, 0x52]);
          bytes.set(tail, 4);
          return decodesWithoutThrowing(codec, bytes);
        }),
      },
      {
        name: 'total on values that are not bytes at all',
        property: fc.property(fc.anything(), (value) => decodesWithoutThrowing(codec, value)),
        numRuns: 300,
      },
      {
        name: 'round-trip: every valid frame decodes to what was encoded',
        property: fc.property(frameInput, (input) => {
          const result = codec.decode(codec.encode(input));
          if (!result.ok) return false;
          const { frame } = result;
          const hint = input.clockHint ?? null;
          const expectedHint = hint === null || (hint.wallMs === 0 && hint.logical === 0) ? null : hint;
          return (
            frame.nodeId === input.nodeId &&
            frame.streamId === (input.streamId ?? 0) &&
            frame.flags === (input.flags ?? 0) &&
            (expectedHint === null
              ? frame.clockHint === null
              : frame.clockHint !== null && compareHlc(frame.clockHint, expectedHint) === 0) &&
            frame.payload.length === input.payload.length &&
            frame.payload.every((b, i) => b === input.payload[i])
          );
        }),
      },
      {
        name: 'any single flipped bit is rejected',
        property: fc.property(frameInput, fc.nat(), (input, bit) => {
          const bytes = codec.encode(input);
          const index = bit % (bytes.length * 8);
          bytes[index >> 3]! ^= 1 << (index & 7);
          return !codec.decode(bytes).ok;
        }),
      },
      {
        name: 'a truncated or extended frame is rejected',
        property: fc.property(
          frameInput,
          fc.integer({ min: -600, max: 64 }).filter((d) => d !== 0),
          (input, delta) => {
            const bytes = codec.encode(input);
            const length = Math.max(0, bytes.length + delta);
            const resized = new Uint8Array(length);
            resized.set(bytes.subarray(0, Math.min(length, bytes.length)));
            const result = codec.decode(resized);
            return (
              !result.ok && (length < FRAME_HEADER_SIZE ? result.error.code === 'TRUNCATED_HEADER' : true)
            );
          },
        ),
      },
    ],
  };
}
