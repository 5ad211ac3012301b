import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { crc32cBitwise } from '../../proofs/references.ts';
import { crc32c } from './crc32c.ts';

describe('crc32c', () => {
  it('gives the standard check value for "123456789"', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
  });

  it('matches the RFC 3720 iSCSI test vectors', () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it('matches the bitwise reference on random buffers of every length up to 300 and on 1 MiB', () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = randomBytes(length);
      expect(crc32c(bytes), `length ${length}`).toBe(crc32cBitwise(bytes));
    }
    const big = randomBytes(1 << 20);
    expect(crc32c(big)).toBe(crc32cBitwise(big));
  });

  it('continues over split input', () => {
    const bytes = randomBytes(1000);
    expect(crc32c(bytes.subarray(333), crc32c(bytes.subarray(0, 333)))).toBe(crc32c(bytes));
  });
});
