/**
 * Reference implementations: slow, obviously right definitions that contracts compare the product's
 * fast implementations against. Nothing outside proofs/ may use them.
 *
 * @module
 */
import { CRC32C_POLYNOMIAL_REFLECTED } from '../src/core/crc32c.ts';

/** CRC32C one bit at a time, straight from the definition of a reflected CRC. */
export function crc32cBitwise(bytes: Uint8Array, previous = 0): number {
  let crc = ~previous >>> 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ CRC32C_POLYNOMIAL_REFLECTED : crc >>> 1;
  }
  return ~crc >>> 0;
}
