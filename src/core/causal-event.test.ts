import { describe, expect, it } from 'vitest';
import {
  CAUSAL_EVENT_SIZE,
  type CausalEvent,
  decodeCausalEvent,
  emptyCausalEvent,
  encodeCausalEvent,
} from './causal-event.ts';

const sample: CausalEvent = {
  lamportHi: 0x0102_0304,
  lamportLo: 0x0506_0708,
  nodeId: 0x7f00_0001,
  streamId: 0x0a0b,
  flags: 0x0100,
  payloadOffset: 0x0001_0000_0000_0010,
  checksum: 0xe306_9283,
  payloadLength: 9,
};

describe('CausalEvent codec', () => {
  it('writes the documented little-endian layout byte by byte', () => {
    const bytes = new Uint8Array(CAUSAL_EVENT_SIZE);
    encodeCausalEvent(sample, new DataView(bytes.buffer), 0);
    expect(Buffer.from(bytes).toString('hex')).toBe(
      [
        '0807060504030201', // lamport_ts u64 @0
        '0100007f', //         node_id u32 @8
        '0b0a', //             stream_id u16 @12
        '0001', //             flags u16 @14
        '1000000000000100', // payload_offset u64 @16
        '839206e3', //         checksum u32 @24
        '09000000', //         payload_len u32 @28
      ].join(''),
    );
  });

  it('decodes into a caller-supplied object without allocating a new one', () => {
    const view = new DataView(new ArrayBuffer(CAUSAL_EVENT_SIZE * 2));
    encodeCausalEvent(sample, view, CAUSAL_EVENT_SIZE);
    const target = emptyCausalEvent();
    const decoded = decodeCausalEvent(view, CAUSAL_EVENT_SIZE, target);
    expect(decoded).toBe(target);
    expect(decoded).toEqual(sample);
  });

  it('refuses values that do not fit, naming the field', () => {
    const view = new DataView(new ArrayBuffer(CAUSAL_EVENT_SIZE));
    expect(() => encodeCausalEvent({ ...sample, streamId: 0x1_0000 }, view, 0)).toThrow(/streamId/);
    expect(() => encodeCausalEvent({ ...sample, nodeId: -1 }, view, 0)).toThrow(/nodeId/);
    expect(() => encodeCausalEvent({ ...sample, payloadOffset: 2 ** 53 }, view, 0)).toThrow(/payloadOffset/);
    expect(() => encodeCausalEvent({ ...sample, checksum: 1.5 }, view, 0)).toThrow(RangeError);
  });
});
