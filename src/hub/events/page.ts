/**
 * Bounded scans of the journal for the event endpoints. Both directions decode slots in chunks through the
 * reader's `scan` (which re-checks the tail after each chunk), test the stream/node filter on the slot, and
 * stop at whichever comes first: enough matches, the end of the range, or the slot budget — so a request costs
 * at most `budget` slot decodes however rare its matches, and holds at most one page plus one chunk.
 *
 * Descending scans read a chunk forwards and keep its newest matches in a small ring, since the reader only
 * scans upwards.
 *
 * @module
 */
import { type CausalEvent, emptyCausalEvent } from '../../core/causal-event.ts';
import type { JournalReader } from '../../journal/reader.ts';
import { renderPayload } from './payload.ts';
import { type EventFilter, isFiltered, matches } from './range.ts';
import type { EventView, PayloadMode } from './schema.ts';
import { copyEvent, eventView, type StreamNames } from './view.ts';

export interface Matched {
  seq: number;
  event: CausalEvent;
}

export interface ScanStep {
  matched: Matched[];
  /** asc: the next sequence to examine; desc: the exclusive upper bound of what is left. */
  next: number;
  /** Slots decoded. */
  examined: number;
  /** Slots of the range found evicted (below the tail) instead of examined. */
  evicted: number;
}

const MIN_CHUNK = 256;
const MAX_CHUNK = 16_384;

/**
 * The first `max` matching events of [position, hi), examining at most `budget` slots. `stopAfter` may end
 * the step early after a match (the export uses it to bound the bytes of one step).
 */
export function scanForward(
  reader: JournalReader,
  position: number,
  hi: number,
  filter: EventFilter,
  max: number,
  budget: number,
  stopAfter?: (event: CausalEvent) => boolean,
): ScanStep {
  const matched: Matched[] = [];
  const filtered = isFiltered(filter);
  let pos = position;
  let examined = 0;
  let evicted = 0;
  let chunk = MIN_CHUNK;
  let stopped = false;
  while (!stopped && matched.length < max && pos < hi && examined < budget) {
    const tail = reader.loadTail();
    if (pos < tail) {
      const skip = Math.min(tail, hi) - pos;
      evicted += skip;
      pos += skip;
      continue;
    }
    // Unfiltered, every slot matches: decode exactly what the page still needs.
    const want = filtered ? chunk : max - matched.length;
    const n = Math.min(want, hi - pos, budget - examined);
    const end = pos + n;
    const result = reader.scan(
      pos,
      end,
      (event, seq) => {
        if (!matches(filter, event)) return;
        matched.push({ seq, event: copyEvent(event, emptyCausalEvent()) });
        if (matched.length >= max || (stopAfter !== undefined && stopAfter(event))) {
          stopped = true;
          return false;
        }
      },
      n,
    );
    const next = Math.min(result.next, end);
    examined += next - pos;
    evicted += result.overwritten;
    pos = next;
    chunk = Math.min(chunk * 2, MAX_CHUNK);
  }
  return { matched, next: pos, examined, evicted };
}

/** The last `max` matching events of [lo, position), newest first, examining at most `budget` slots. */
export function scanBackward(
  reader: JournalReader,
  position: number,
  lo: number,
  filter: EventFilter,
  max: number,
  budget: number,
): ScanStep {
  const matched: Matched[] = [];
  const filtered = isFiltered(filter);
  const ring = Array.from({ length: Math.max(1, max) }, emptyCausalEvent);
  const ringSeq = new Float64Array(ring.length);
  let pos = position;
  let examined = 0;
  let evicted = 0;
  let chunk = MIN_CHUNK;
  while (matched.length < max && pos > lo && examined < budget) {
    const floor = Math.max(lo, reader.loadTail());
    if (pos <= floor) {
      evicted += pos - lo;
      pos = lo;
      break;
    }
    const want = max - matched.length;
    const n = Math.min(filtered ? chunk : want, pos - floor, budget - examined);
    const start = pos - n;
    let found = 0;
    const result = reader.scan(
      start,
      pos,
      (event, seq) => {
        if (!matches(filter, event)) return;
        const i = found % want;
        copyEvent(event, ring[i]!);
        ringSeq[i] = seq;
        found++;
      },
      n,
    );
    examined += n;
    evicted += result.overwritten;
    const take = Math.min(found, want);
    for (let j = 1; j <= take; j++) {
      const i = (found - j) % want;
      matched.push({ seq: ringSeq[i]!, event: copyEvent(ring[i]!, emptyCausalEvent()) });
    }
    // Matches older than the ones taken remain below the oldest taken: continue from there.
    pos = found > want ? matched.at(-1)!.seq : start;
    chunk = Math.min(chunk * 2, MAX_CHUNK);
  }
  return { matched, next: pos, examined, evicted };
}

export interface PageRequest {
  order: 'asc' | 'desc';
  lo: number;
  hi: number;
  position: number;
  limit: number;
  budget: number;
  filter: EventFilter;
}

export interface PageResult {
  matched: Matched[];
  /** Where the next page starts, or null when the range is exhausted. */
  next: number | null;
  scanned: { from: number; to: number; count: number; evicted: number };
}

export function readPage(reader: JournalReader, request: PageRequest): PageResult {
  const { order, lo, hi, position, limit, budget, filter } = request;
  if (order === 'asc') {
    const step = scanForward(reader, position, hi, filter, limit, budget);
    return {
      matched: step.matched,
      next: step.next >= hi ? null : step.next,
      scanned: { from: position, to: step.next, count: step.examined, evicted: step.evicted },
    };
  }
  const step = scanBackward(reader, position, lo, filter, limit, budget);
  return {
    matched: step.matched,
    next: step.next <= lo ? null : step.next,
    scanned: { from: step.next, to: position, count: step.examined, evicted: step.evicted },
  };
}

/**
 * The events of a page as the API shows them, payload previews included when asked. Payloads are rendered
 * straight from the mapping, then the tail is re-checked once: an event evicted meanwhile loses its payload
 * (the bytes may already belong to a newer event) and is marked `overwritten`.
 */
export function pageViews(
  reader: JournalReader,
  matched: readonly Matched[],
  names: StreamNames,
  payload: PayloadMode,
  maxPayloadBytes: number,
): EventView[] {
  const views = matched.map(({ seq, event }) => {
    const view = eventView(seq, event, reader.slotCount, names);
    if (payload !== 'none') view.payload = renderPayload(reader.payloadView(event), payload, maxPayloadBytes);
    return view;
  });
  if (payload !== 'none') {
    const tail = reader.loadTail();
    for (const view of views) {
      if (view.seq < tail) {
        delete view.payload;
        view.overwritten = true;
      }
    }
  }
  return views;
}
