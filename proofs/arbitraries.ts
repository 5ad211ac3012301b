/**
 * Generators shared by the contract suites. Field generators mix uniform values with the extremes
 * (0, 1, max - 1, max) and with a tiny range, so that ties and boundary values show up often: a
 * comparator bug in the tie-breaking fields is invisible to uniform u32s.
 *
 * @module
 */
import fc from 'fast-check';
import type { CausalEvent } from '../src/core/causal-event.ts';
import { HLC_LOGICAL_MAX, HLC_WALL_MS_MAX, type HlcTimestamp } from '../src/core/hlc.ts';
import type { OrderKey } from '../src/core/order.ts';

function unsignedWithExtremes(max: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.integer({ min: 0, max }) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom(0, 1, max - 1, max) },
  );
}

export const u32 = unsignedWithExtremes(0xffff_ffff);
export const u16 = unsignedWithExtremes(0xffff);
export const safeU64 = unsignedWithExtremes(Number.MAX_SAFE_INTEGER);

export const orderKey: fc.Arbitrary<OrderKey> = fc.record({
  lamportHi: u32,
  lamportLo: u32,
  nodeId: u32,
  streamId: u16,
});

/**
 * `count` keys that often share field values: each field of each key is one of two candidates. Two such
 * keys agree on the first three fields one time in eight, so tie-breaking bugs show up within a few runs.
 */
export function keysWithTies(count: number): fc.Arbitrary<OrderKey[]> {
  const pick = fc.tuple(fc.nat(1), fc.nat(1), fc.nat(1), fc.nat(1));
  return fc
    .record({
      hi: fc.tuple(u32, u32),
      lo: fc.tuple(u32, u32),
      node: fc.tuple(u32, u32),
      stream: fc.tuple(u16, u16),
      picks: fc.array(pick, { minLength: count, maxLength: count }),
    })
    .map(({ hi, lo, node, stream, picks }) =>
      picks.map(([h, l, n, s]) => ({
        lamportHi: hi[h]!,
        lamportLo: lo[l]!,
        nodeId: node[n]!,
        streamId: stream[s]!,
      })),
    );
}

/** `count` keys, half the time independent, half the time with frequent ties. */
export function orderKeys(count: number): fc.Arbitrary<OrderKey[]> {
  return fc.oneof(keysWithTies(count), fc.array(orderKey, { minLength: count, maxLength: count }));
}

export const causalEvent: fc.Arbitrary<CausalEvent> = fc.record({
  lamportHi: u32,
  lamportLo: u32,
  nodeId: u32,
  streamId: u16,
  flags: u16,
  payloadOffset: safeU64,
  checksum: u32,
  payloadLength: u32,
});

export const hlcTimestamp: fc.Arbitrary<HlcTimestamp> = fc.record({
  wallMs: unsignedWithExtremes(HLC_WALL_MS_MAX),
  logical: unsignedWithExtremes(HLC_LOGICAL_MAX),
});

/** Wall-clock times around today, where real clocks live. */
export const plausibleWallMs = fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 });
