/**
 * What a query selects: a sequence range [lo, hi) from `from`/`to` and `since`/`until` (times mapped to
 * sequences by the reader's binary search, clock values being strictly increasing in sequence order), and a
 * filter on the slot's stream and node, applied before any payload is touched.
 *
 * @module
 */
import type { CausalEvent } from '../../core/causal-event.ts';
import type { JournalReader } from '../../journal/reader.ts';
import { HubError } from '../errors.ts';
import { resolveTimeBound, type TimeBound } from './time.ts';

export interface EventFilter {
  /** Stream ids to keep, or null for all. */
  streams: readonly number[] | null;
  node: number | null;
}

export const NO_FILTER: EventFilter = { streams: null, node: null };

export function matches(filter: EventFilter, event: CausalEvent): boolean {
  if (filter.node !== null && event.nodeId !== filter.node) return false;
  return filter.streams === null || filter.streams.includes(event.streamId);
}

export const isFiltered = (filter: EventFilter): boolean => filter.streams !== null || filter.node !== null;

/** A stream as a client names it: a numeric id or a registered name. */
export type StreamSelector = number | string;

/**
 * Stream ids for the selectors. A name the journal does not know is a 400 naming it (and the known names),
 * since a typo would otherwise look like an empty stream.
 */
export function resolveStreams(
  reader: JournalReader,
  selectors: readonly StreamSelector[],
  field: string,
): number[] {
  const ids = new Set<number>();
  let known: { id: number; name: string }[] | null = null;
  for (const selector of selectors) {
    if (typeof selector === 'number') {
      ids.add(selector);
      continue;
    }
    known ??= reader.streams();
    const found = known.find((s) => s.name === selector);
    if (!found) {
      const names = known.map((s) => s.name).join(', ') || 'none';
      const message = `${field}: no stream is named "${selector}" (known streams: ${names})`;
      throw new HubError(400, 'INVALID_REQUEST', message, { issues: [{ field, message }] });
    }
    ids.add(found.id);
  }
  return [...ids].sort((a, b) => a - b);
}

export interface RangeQuery {
  from?: number | undefined;
  to?: number | undefined;
  since?: TimeBound | undefined;
  until?: TimeBound | undefined;
}

export interface ResolvedRange {
  /** First sequence selected. */
  lo: number;
  /** One past the last sequence selected; never beyond the head at resolution time. */
  hi: number;
  head: number;
  tail: number;
}

/** Maps the bounds onto the retained journal, [tail, head) as published now. */
export function resolveRange(reader: JournalReader, query: RangeQuery, now: number): ResolvedRange {
  const { head, tail } = reader.publication();
  let lo = Math.max(tail, query.from ?? 0);
  let hi = Math.min(head, query.to ?? head);
  if (query.since !== undefined) lo = Math.max(lo, reader.findByTime(resolveTimeBound(query.since, now)));
  if (query.until !== undefined) hi = Math.min(hi, reader.findByTime(resolveTimeBound(query.until, now)));
  return { lo, hi: Math.max(lo, hi), head, tail };
}
