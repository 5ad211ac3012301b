/**
 * The event order contract: any comparator and sort used for events must pass it, whatever its
 * implementation (the TS comparator today; the native one or a JetStream merger later).
 *
 * @module
 */
import fc from 'fast-check';
import { causalEvent, orderKey, orderKeys } from '../arbitraries.ts';
import type { Comparator, OrderKey } from '../../src/core/order.ts';
import type { ContractSuite } from '../runner.ts';

/** The specification: the key as one unsigned 144-bit number, compared as a bigint. */
function referenceKey(k: OrderKey): bigint {
  return (
    (BigInt(k.lamportHi) << 112n) |
    (BigInt(k.lamportLo) << 80n) |
    (BigInt(k.nodeId) << 48n) |
    BigInt(k.streamId)
  );
}

function referenceCompare(a: OrderKey, b: OrderKey): number {
  const ka = referenceKey(a);
  const kb = referenceKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);
const sameKey = (a: OrderKey, b: OrderKey): boolean => referenceKey(a) === referenceKey(b);

const pair = orderKeys(2).map(([a, b]) => [a!, b!] as const);
const triple = orderKeys(3).map(([a, b, c]) => [a!, b!, c!] as const);

export function orderContract(compare: Comparator<OrderKey>): ContractSuite {
  return {
    name: 'order',
    description: 'the (lamport_ts, node_id, stream_id) comparator is a total order on exactly that key',
    properties: [
      {
        name: 'reflexive: every event compares equal to itself',
        property: fc.property(orderKey, (a) => compare(a, a) === 0),
      },
      {
        name: 'antisymmetric: a <= b and b <= a only when the keys are equal',
        property: fc.property(pair, ([a, b]) => {
          if (compare(a, b) <= 0 && compare(b, a) <= 0) return sameKey(a, b);
          return sign(compare(a, b)) === -sign(compare(b, a));
        }),
      },
      {
        name: 'transitive: a <= b and b <= c imply a <= c',
        property: fc.property(triple, ([a, b, c]) => {
          const triples: [OrderKey, OrderKey, OrderKey][] = [
            [a, b, c],
            [a, c, b],
            [b, a, c],
            [b, c, a],
            [c, a, b],
            [c, b, a],
          ];
          return triples.every(
            ([x, y, z]) => !(compare(x, y) <= 0 && compare(y, z) <= 0) || compare(x, z) <= 0,
          );
        }),
      },
      {
        name: 'total: any two events are comparable, consistently in both directions',
        property: fc.property(pair, ([a, b]) => {
          const ab = compare(a, b);
          const ba = compare(b, a);
          return Number.isFinite(ab) && Number.isFinite(ba) && (ab <= 0 || ba <= 0) && sign(ab) === -sign(ba);
        }),
      },
      {
        name: 'defined by the key: agrees with unsigned (lamport_ts, node_id, stream_id) comparison',
        property: fc.property(pair, ([a, b]) => sign(compare(a, b)) === referenceCompare(a, b)),
      },
      {
        name: 'payload location, length, flags and checksum never take part',
        property: fc.property(causalEvent, causalEvent, (a, b) => {
          const bWithAsKey = {
            ...b,
            lamportHi: a.lamportHi,
            lamportLo: a.lamportLo,
            nodeId: a.nodeId,
            streamId: a.streamId,
          };
          return compare(a, bWithAsKey) === 0;
        }),
      },
    ],
  };
}

export type EventSort = (events: readonly OrderKey[]) => OrderKey[];

export function sortContract(sort: EventSort): ContractSuite {
  const events = fc.oneof(
    fc.array(orderKey, { maxLength: 64, size: 'max' }),
    fc.nat(64).chain((n) => orderKeys(n)),
  );
  return {
    name: 'sort',
    description: 'sorting events yields the same monotone sequence whatever order they arrive in',
    properties: [
      {
        name: 'monotone: each sorted event is <= the next',
        property: fc.property(events, (xs) => {
          const sorted = sort(xs);
          return sorted.every((e, i) => i === 0 || referenceCompare(sorted[i - 1]!, e) <= 0);
        }),
      },
      {
        name: 'a permutation: sorting neither loses nor invents events',
        property: fc.property(events, (xs) => {
          const sorted = sort(xs);
          const count = (list: readonly OrderKey[]): Map<bigint, number> => {
            const m = new Map<bigint, number>();
            for (const e of list) m.set(referenceKey(e), (m.get(referenceKey(e)) ?? 0) + 1);
            return m;
          };
          const before = count(xs);
          const after = count(sorted);
          return sorted.length === xs.length && [...before].every(([k, n]) => after.get(k) === n);
        }),
      },
      {
        name: 'independent of arrival order: any shuffle sorts to the same key sequence',
        property: fc.property(
          events.chain((xs) => fc.tuple(fc.constant(xs), fc.shuffledSubarray(xs, { minLength: xs.length }))),
          ([xs, shuffled]) => {
            const a = sort(xs).map(referenceKey);
            const b = sort(shuffled).map(referenceKey);
            return a.length === b.length && a.every((k, i) => k === b[i]);
          },
        ),
      },
      {
        name: 'sorting with the comparator and with the reference agree',
        property: fc.property(events, (xs) => {
          const ours = sort(xs).map(referenceKey);
          const reference = [...xs].sort(referenceCompare).map(referenceKey);
          return ours.length === reference.length && ours.every((k, i) => k === reference[i]);
        }),
      },
    ],
  };
}
