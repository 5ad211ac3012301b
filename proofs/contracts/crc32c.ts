/**
 * The CRC32C contract: agrees with the bitwise definition on any bytes, chains over concatenations, and
 * reproduces the published check values (the "123456789" check value and the iSCSI vectors of RFC 3720
 * appendix B.4). The native hardware implementation is held to the same contract.
 *
 * @module
 */
import fc from 'fast-check';
import { crc32cBitwise } from '../references.ts';
import type { ContractSuite } from '../runner.ts';

export type Crc32c = (bytes: Uint8Array, previous?: number) => number;

/** Published CRC32C check values. */
export const CRC32C_VECTORS: readonly { name: string; bytes: Uint8Array; crc: number }[] = [
  { name: '"123456789"', bytes: new TextEncoder().encode('123456789'), crc: 0xe3069283 },
  { name: '32 zero bytes', bytes: new Uint8Array(32), crc: 0x8a9136aa },
  { name: '32 bytes of 0xff', bytes: new Uint8Array(32).fill(0xff), crc: 0x62a8ab43 },
  { name: '32 ascending bytes 0..31', bytes: Uint8Array.from({ length: 32 }, (_, i) => i), crc: 0x46dd794e },
  {
    name: '32 descending bytes 31..0',
    bytes: Uint8Array.from({ length: 32 }, (_, i) => 31 - i),
    crc: 0x113fdb5c,
  },
  { name: 'empty input', bytes: new Uint8Array(0), crc: 0 },
];

export function crc32cContract(crc: Crc32c): ContractSuite {
  return {
    name: 'crc32c',
    description: 'CRC32C matches its bitwise definition and the published check values',
    properties: [
      {
        name: 'published check values (123456789 -> 0xE3069283, RFC 3720 B.4)',
        property: fc.property(fc.constantFrom(...CRC32C_VECTORS), (v) => crc(v.bytes) === v.crc),
        numRuns: 30,
      },
      {
        name: 'agrees with the bitwise reference on random data of any length and alignment',
        property: fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(7), (bytes, shift) => {
          const shifted = new Uint8Array(bytes.length + shift);
          shifted.set(bytes, shift);
          return crc(shifted.subarray(shift)) === crc32cBitwise(bytes);
        }),
      },
      {
        name: 'chains: crc(b, crc(a)) = crc(a ++ b)',
        property: fc.property(
          fc.uint8Array({ maxLength: 100 }),
          fc.uint8Array({ maxLength: 100 }),
          (a, b) => {
            const joined = new Uint8Array(a.length + b.length);
            joined.set(a);
            joined.set(b, a.length);
            return crc(b, crc(a)) === crc(joined);
          },
        ),
      },
      {
        name: 'detects every single-bit error',
        property: fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.nat(), (bytes, bit) => {
          const flipped = Uint8Array.from(bytes);
          const index = bit % (bytes.length * 8);
          flipped[index >> 3]! ^= 1 << (index & 7);
          return crc(flipped) !== crc(bytes);
        }),
      },
    ],
  };
}
