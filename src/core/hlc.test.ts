import { describe, expect, it } from 'vitest';
import {
  hlcFromBigInt,
  hlcFromWords,
  hlcHighWord,
  hlcLowWord,
  hlcToBigInt,
  HybridLogicalClock,
  wallMsOfWords,
} from './hlc.ts';

const NOW = 1_763_000_000_000;

describe('hybrid logical clock', () => {
  it('starts at the wall clock and counts within one millisecond', () => {
    const clock = new HybridLogicalClock();
    expect(clock.tick(NOW)).toEqual({ wallMs: NOW, logical: 0 });
    expect(clock.tick(NOW)).toEqual({ wallMs: NOW, logical: 1 });
    expect(clock.tick(NOW + 5)).toEqual({ wallMs: NOW + 5, logical: 0 });
  });

  it('keeps counting when the wall clock goes backwards', () => {
    const clock = new HybridLogicalClock();
    clock.tick(NOW);
    expect(clock.tick(NOW - 1000)).toEqual({ wallMs: NOW, logical: 1 });
  });

  it('carries a full counter into the millisecond field', () => {
    const clock = new HybridLogicalClock({ initial: { wallMs: NOW, logical: 0xffff } });
    expect(clock.tick(NOW)).toEqual({ wallMs: NOW + 1, logical: 0 });
  });

  it('stamps a received event after the sender hint, and counts it', () => {
    const clock = new HybridLogicalClock();
    expect(clock.tick(NOW, { wallMs: NOW + 2000, logical: 7 })).toEqual({ wallMs: NOW + 2000, logical: 8 });
    expect(clock.hintsApplied).toBe(1);
    expect(clock.tick(NOW, { wallMs: NOW - 5, logical: 0 })).toEqual({ wallMs: NOW + 2000, logical: 9 });
    expect(clock.hintsApplied).toBe(1);
  });

  it('ignores and counts a hint beyond the drift bound', () => {
    const clock = new HybridLogicalClock({ maxDriftMs: 1000 });
    expect(clock.tick(NOW, { wallMs: NOW + 1001, logical: 0 })).toEqual({ wallMs: NOW, logical: 0 });
    expect(clock.hintsRejected).toBe(1);
  });

  it('rejects a wall time that is not a 48-bit integer', () => {
    const clock = new HybridLogicalClock();
    expect(() => clock.tick(-1)).toThrow(RangeError);
    expect(() => clock.tick(1.5)).toThrow(RangeError);
    expect(() => clock.tick(2 ** 48)).toThrow(RangeError);
  });

  it('encodes as u64 words with wall time in the upper 48 bits', () => {
    const ts = { wallMs: NOW, logical: 0x1234 };
    const big = hlcToBigInt(ts);
    expect(big).toBe((BigInt(NOW) << 16n) | 0x1234n);
    expect(hlcHighWord(ts)).toBe(Number(big >> 32n));
    expect(hlcLowWord(ts)).toBe(Number(big & 0xffff_ffffn));
    expect(hlcFromWords(hlcHighWord(ts), hlcLowWord(ts))).toEqual(ts);
    expect(wallMsOfWords(hlcHighWord(ts), hlcLowWord(ts))).toBe(NOW);
    expect(hlcFromBigInt(big)).toEqual(ts);
    expect(() => hlcFromBigInt(1n << 64n)).toThrow(RangeError);
  });
});
