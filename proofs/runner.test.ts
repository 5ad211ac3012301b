/**
 * The runner reports failures as data, and each contract catches the kind of bug it exists for: these
 * tests hand the contracts deliberately broken implementations and expect named properties to fail.
 */
import { describe, expect, it } from 'vitest';
import { crc32c } from '../src/core/crc32c.ts';
import { decodeFrame, encodeFrame } from '../src/core/frame.ts';
import {
  compareHlc,
  type HlcTimestamp,
  HybridLogicalClock,
  hlcFromWords,
  hlcHighWord,
  hlcLowWord,
} from '../src/core/hlc.ts';
import { compareCausal, type OrderKey, sortCausal } from '../src/core/order.ts';
import { decodeCausalEvent, encodeCausalEvent } from '../src/core/causal-event.ts';
import { clockContract } from './contracts/clock.ts';
import { codecContract } from './contracts/codec.ts';
import { crc32cContract } from './contracts/crc32c.ts';
import { frameContract } from './contracts/frame.ts';
import { orderContract, sortContract } from './contracts/order.ts';
import { type ContractSuite, type PropertyResult, runSuites } from './runner.ts';

const failedNames = (results: PropertyResult[]): string[] =>
  results.filter((r) => !r.passed).map((r) => r.property);

async function run(suite: ContractSuite, seed = 42): Promise<PropertyResult[]> {
  return runSuites([suite], { numRuns: 300, seed });
}

describe('runner', () => {
  it('returns one structured result per property, in order, with runs and seed', async () => {
    const results = await run(orderContract(compareCausal));
    expect(results.map((r) => r.property)).toEqual(
      orderContract(compareCausal).properties.map((p) => p.name),
    );
    for (const r of results) {
      expect(r).toMatchObject({
        suite: 'order',
        passed: true,
        seed: 42,
        counterexample: null,
        error: null,
        path: null,
      });
      expect(r.runs).toBe(300);
    }
  });

  it('reports a failure with its shrunk counterexample, replay path and seed, and the same seed reproduces it', async () => {
    const signedLamport = (a: OrderKey, b: OrderKey): number =>
      (a.lamportHi | 0) - (b.lamportHi | 0) || compareCausal(a, b);
    const first = await run(orderContract(signedLamport), 7);
    const failure = first.find((r) => r.property.startsWith('defined by the key'));
    expect(failure?.passed).toBe(false);
    expect(failure?.counterexample).toMatch(/lamportHi/);
    expect(failure?.path).toEqual(expect.any(String));
    const again = await run(orderContract(signedLamport), 7);
    expect(again.find((r) => r.property === failure!.property)?.counterexample).toBe(failure!.counterexample);
  });

  it('calls onResult for each property and stops when aborted', async () => {
    const seen: number[] = [];
    const controller = new AbortController();
    const results = await runSuites([orderContract(compareCausal)], {
      numRuns: 10,
      signal: controller.signal,
      onResult: (_r, index, total) => {
        seen.push(index);
        expect(total).toBe(6);
        if (index === 1) controller.abort();
      },
    });
    expect(seen).toEqual([0, 1]);
    expect(results).toHaveLength(2);
  });
});

describe('contracts catch broken implementations', () => {
  it('order: a comparator that ignores stream_id is not the specified order', async () => {
    const noStream = (a: OrderKey, b: OrderKey): number =>
      compareCausal({ ...a, streamId: 0 }, { ...b, streamId: 0 });
    expect(failedNames(await run(orderContract(noStream)))).toEqual([
      'antisymmetric: a <= b and b <= a only when the keys are equal',
      'defined by the key: agrees with unsigned (lamport_ts, node_id, stream_id) comparison',
    ]);
  });

  it('order: a comparator that is not reflexive or consistent fails those properties', async () => {
    const lessOrGreater = (a: OrderKey, b: OrderKey): number => (compareCausal(a, b) < 0 ? -1 : 1);
    const failed = failedNames(await run(orderContract(lessOrGreater)));
    expect(failed).toContain('reflexive: every event compares equal to itself');
    expect(failed).toContain('total: any two events are comparable, consistently in both directions');
  });

  it('sort: a sort that drops duplicates or keeps arrival order is caught', async () => {
    const dedupe = (xs: readonly OrderKey[]): OrderKey[] =>
      sortCausal(xs).filter((e, i, all) => i === 0 || compareCausal(all[i - 1]!, e) !== 0);
    expect(failedNames(await run(sortContract(dedupe)))).toContain(
      'a permutation: sorting neither loses nor invents events',
    );
    const unsorted = (xs: readonly OrderKey[]): OrderKey[] => [...xs];
    expect(failedNames(await run(sortContract(unsorted)))).toContain(
      'monotone: each sorted event is <= the next',
    );
  });

  it('codec: swapping the lamport words is caught', async () => {
    const swapped = codecContract({
      encode: (e, view, offset) =>
        encodeCausalEvent({ ...e, lamportHi: e.lamportLo, lamportLo: e.lamportHi }, view, offset),
      decode: (view, offset) => decodeCausalEvent(view, offset),
    });
    expect(failedNames(await run(swapped))).toContain('round-trip: decode(encode(e)) = e at any offset');
  });

  it('clock: a clock that ignores hints breaks the Lamport condition', async () => {
    const deaf = clockContract({
      create: (options) => {
        const clock = new HybridLogicalClock(options);
        return { tick: (now: number) => clock.tick(now) };
      },
      toWords: (ts) => [hlcHighWord(ts), hlcLowWord(ts)],
      fromWords: hlcFromWords,
    });
    const failed = failedNames(await run(deaf));
    expect(failed).toContain(
      'Lamport condition: an event that happened before another has a smaller clock value',
    );
    expect(failed).toContain('a hint within the drift bound is honoured: the event is stamped after it');
  });

  it('clock: a clock that follows the wall clock backwards is not monotonic', async () => {
    const wallOnly = clockContract({
      create: () => {
        let last: HlcTimestamp = { wallMs: 0, logical: 0 };
        return {
          tick: (now: number) => {
            last =
              now === last.wallMs ? { wallMs: now, logical: last.logical + 1 } : { wallMs: now, logical: 0 };
            return last;
          },
        };
      },
      toWords: (ts) => [hlcHighWord(ts), hlcLowWord(ts)],
      fromWords: hlcFromWords,
    });
    expect(failedNames(await run(wallOnly))).toContain(
      'strictly increasing, even when the wall clock stalls or jumps back',
    );
    expect(compareHlc({ wallMs: 1, logical: 0 }, { wallMs: 0, logical: 9 })).toBe(1);
  });

  it('crc32c: the plain CRC-32 polynomial is not CRC32C', async () => {
    const ieee = (bytes: Uint8Array, previous = 0): number => {
      let c = ~previous >>> 0;
      for (const b of bytes) {
        c ^= b;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
      }
      return ~c >>> 0;
    };
    const failed = failedNames(await run(crc32cContract(ieee)));
    expect(failed).toContain('published check values (123456789 -> 0xE3069283, RFC 3720 B.4)');
    expect(failed).toContain('agrees with the bitwise reference on random data of any length and alignment');
    expect(failedNames(await run(crc32cContract(crc32c)))).toEqual([]);
  });

  it('frame: a decoder that throws, or skips the payload checksum, is caught', async () => {
    const throwing = frameContract({
      encode: encodeFrame,
      decode: (bytes) => {
        if (bytes.length < 32) throw new RangeError('short');
        return decodeFrame(bytes);
      },
    });
    expect(failedNames(await run(throwing))).toContain(
      'total on arbitrary bytes: a typed result, never an exception',
    );
    const trusting = frameContract({
      encode: encodeFrame,
      decode: (bytes) => {
        const copy = Uint8Array.from(bytes);
        if (copy.length >= 32) {
          const view = new DataView(copy.buffer);
          view.setUint32(24, crc32c(copy.subarray(32)), true);
          view.setUint32(28, crc32c(copy.subarray(0, 28)), true);
        }
        return decodeFrame(copy);
      },
    });
    expect(failedNames(await run(trusting))).toContain('any single flipped bit is rejected');
  });
});
