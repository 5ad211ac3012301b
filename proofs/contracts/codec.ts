/**
 * The CausalEvent codec contract: 32 bytes, every field round-trips at every value it may take
 * (extremes included), and encoding touches nothing outside its 32 bytes.
 *
 * @module
 */
import fc from 'fast-check';
import { causalEvent } from '../arbitraries.ts';
import { CAUSAL_EVENT_SIZE, type CausalEvent } from '../../src/core/causal-event.ts';
import type { ContractSuite } from '../runner.ts';

export interface EventCodec {
  encode(event: CausalEvent, view: DataView, byteOffset: number): void;
  decode(view: DataView, byteOffset: number): CausalEvent;
}

const FIELDS = [
  'lamportHi',
  'lamportLo',
  'nodeId',
  'streamId',
  'flags',
  'payloadOffset',
  'checksum',
  'payloadLength',
] as const satisfies readonly (keyof CausalEvent)[];

const sameEvent = (a: CausalEvent, b: CausalEvent): boolean => FIELDS.every((f) => a[f] === b[f]);

const extremeEvent: fc.Arbitrary<CausalEvent> = fc.record({
  lamportHi: fc.constantFrom(0, 0xffff_ffff),
  lamportLo: fc.constantFrom(0, 0xffff_ffff),
  nodeId: fc.constantFrom(0, 0xffff_ffff),
  streamId: fc.constantFrom(0, 0xffff),
  flags: fc.constantFrom(0, 0xffff),
  payloadOffset: fc.constantFrom(0, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER),
  checksum: fc.constantFrom(0, 0xffff_ffff),
  payloadLength: fc.constantFrom(0, 0xffff_ffff),
});

export function codecContract(codec: EventCodec): ContractSuite {
  const placement = fc.record({
    before: fc.nat(64),
    after: fc.nat(64),
    fill: fc.integer({ min: 0, max: 255 }),
  });
  return {
    name: 'codec',
    description: 'CausalEvent encodes to exactly 32 little-endian bytes and decodes back unchanged',
    properties: [
      {
        name: 'round-trip: decode(encode(e)) = e at any offset',
        property: fc.property(causalEvent, placement, (event, { before, after, fill }) => {
          const view = new DataView(new Uint8Array(before + CAUSAL_EVENT_SIZE + after).fill(fill).buffer);
          codec.encode(event, view, before);
          return sameEvent(codec.decode(view, before), event);
        }),
      },
      {
        name: 'round-trip at the extremes of every field',
        property: fc.property(extremeEvent, (event) => {
          const view = new DataView(new ArrayBuffer(CAUSAL_EVENT_SIZE));
          codec.encode(event, view, 0);
          return sameEvent(codec.decode(view, 0), event);
        }),
        numRuns: 300,
      },
      {
        name: 'encoding writes exactly its 32 bytes and nothing around them',
        property: fc.property(causalEvent, placement, (event, { before, after, fill }) => {
          const bytes = new Uint8Array(before + CAUSAL_EVENT_SIZE + after).fill(fill);
          codec.encode(event, new DataView(bytes.buffer), before);
          const untouched = (b: number): boolean => b === fill;
          return (
            bytes.subarray(0, before).every(untouched) &&
            bytes.subarray(before + CAUSAL_EVENT_SIZE).every(untouched)
          );
        }),
      },
      {
        name: 'bytes -> event -> bytes is the identity for every slot a writer can produce',
        property: fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (raw) => {
          raw[23] = 0; // payload_offset < 2^53: the writer never produces more
          raw[22] = raw[22]! & 0x1f;
          const decoded = codec.decode(new DataView(raw.buffer), 0);
          const again = new Uint8Array(CAUSAL_EVENT_SIZE);
          codec.encode(decoded, new DataView(again.buffer), 0);
          return again.every((b, i) => b === raw[i]);
        }),
      },
      {
        name: 'little-endian layout: lamport_ts low word first at byte 0, payload_len at byte 28',
        property: fc.property(causalEvent, (event) => {
          const view = new DataView(new ArrayBuffer(CAUSAL_EVENT_SIZE));
          codec.encode(event, view, 0);
          return (
            view.getUint32(0, true) === event.lamportLo &&
            view.getUint32(4, true) === event.lamportHi &&
            view.getUint32(8, true) === event.nodeId &&
            view.getUint16(12, true) === event.streamId &&
            view.getUint16(14, true) === event.flags &&
            view.getUint32(16, true) + view.getUint32(20, true) * 2 ** 32 === event.payloadOffset &&
            view.getUint32(24, true) === event.checksum &&
            view.getUint32(28, true) === event.payloadLength
          );
        }),
      },
    ],
  };
}
