/**
 * The total order of events: `(lamport_ts, node_id, stream_id)`, each compared as unsigned.
 * Payload location, length, flags and checksum never take part, so two events that differ only there
 * compare equal; that is what makes journals from several sequencers mergeable by this key alone.
 *
 * @module
 */
import type { CausalEvent } from './causal-event.ts';

/** The fields the order looks at. */
export type OrderKey = Pick<CausalEvent, 'lamportHi' | 'lamportLo' | 'nodeId' | 'streamId'>;

export type Comparator<T> = (a: T, b: T) => number;

/** Returns a negative number, zero or a positive number, like `Array.prototype.sort` expects. */
export function compareCausal(a: OrderKey, b: OrderKey): number {
  if (a.lamportHi !== b.lamportHi) return a.lamportHi < b.lamportHi ? -1 : 1;
  if (a.lamportLo !== b.lamportLo) return a.lamportLo < b.lamportLo ? -1 : 1;
  if (a.nodeId !== b.nodeId) return a.nodeId < b.nodeId ? -1 : 1;
  if (a.streamId !== b.streamId) return a.streamId < b.streamId ? -1 : 1;
  return 0;
}

/** Sorts a copy of `events` into causal order; the input is left as it was. */
export function sortCausal<T extends OrderKey>(
  events: readonly T[],
  compare: Comparator<T> = compareCausal,
): T[] {
  return [...events].sort(compare);
}
