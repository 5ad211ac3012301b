import { describe, expect, it } from 'vitest';
import { compareCausal, sortCausal } from './order.ts';

const key = (lamportHi: number, lamportLo: number, nodeId: number, streamId: number) => ({
  lamportHi,
  lamportLo,
  nodeId,
  streamId,
});

describe('causal order', () => {
  it('compares lamport_ts first, then node_id, then stream_id', () => {
    expect(compareCausal(key(0, 1, 9, 9), key(0, 2, 0, 0))).toBeLessThan(0);
    expect(compareCausal(key(1, 0, 0, 0), key(0, 0xffff_ffff, 9, 9))).toBeGreaterThan(0);
    expect(compareCausal(key(0, 5, 1, 9), key(0, 5, 2, 0))).toBeLessThan(0);
    expect(compareCausal(key(0, 5, 2, 1), key(0, 5, 2, 0))).toBeGreaterThan(0);
    expect(compareCausal(key(0, 5, 2, 1), key(0, 5, 2, 1))).toBe(0);
  });

  it('treats every field as unsigned', () => {
    expect(compareCausal(key(0xffff_ffff, 0, 0, 0), key(0, 0, 0, 0))).toBeGreaterThan(0);
    expect(compareCausal(key(0, 0, 0x8000_0000, 0), key(0, 0, 1, 0))).toBeGreaterThan(0);
  });

  it('sorts a copy and leaves the input alone', () => {
    const input = [key(0, 3, 0, 0), key(0, 1, 0, 0), key(0, 2, 0, 0)];
    const sorted = sortCausal(input);
    expect(sorted.map((k) => k.lamportLo)).toEqual([1, 2, 3]);
    expect(input.map((k) => k.lamportLo)).toEqual([3, 1, 2]);
  });
});
