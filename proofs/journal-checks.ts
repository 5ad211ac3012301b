/**
 * Invariant checks of a live journal (`cz verify --journal`): the properties the format promises, checked on
 * the retained events of a real file — while a sequencer may be writing it. Each check reads a consistent
 * window (the seqlock protocol of the reader) and reports what it examined.
 *
 * @module
 */
import type { CausalEvent } from '../src/core/causal-event.ts';
import { compareU64 } from '../src/core/u64.ts';
import { PAYLOAD_ALIGNMENT } from '../src/journal/layout.ts';
import { type JournalReader, slotIsMalformed } from '../src/journal/reader.ts';

export interface JournalCheckResult {
  name: string;
  passed: boolean;
  /** Events (or items) examined. */
  examined: number;
  /** What failed, first failure first; empty when passed. */
  detail: string;
}

interface Window {
  head: number;
  tail: number;
  events: { sequence: number; event: CausalEvent; checksumOk: boolean }[];
  overwrittenWhileReading: number;
}

function readWindow(reader: JournalReader): Window {
  const { head, tail } = reader.publication();
  const events: Window['events'] = [];
  const { overwritten } = reader.scan(tail, head, (event, sequence) => {
    events.push({
      sequence,
      event: { ...event },
      checksumOk: reader.payloadChecksum(event) === event.checksum,
    });
  });
  // Checksums were computed on payloads that may have been overwritten after the scan's tail check.
  const tailNow = reader.loadTail();
  return {
    head,
    tail,
    events: events.filter((e) => e.sequence >= tailNow),
    overwrittenWhileReading: overwritten,
  };
}

export function checkJournal(reader: JournalReader): JournalCheckResult[] {
  const results: JournalCheckResult[] = [];
  const check = (name: string, examined: number, failure: string | null): void => {
    results.push({ name, passed: failure === null, examined, detail: failure ?? '' });
  };
  const identity = reader.identity();
  const writer = reader.writer();
  const window = readWindow(reader);
  const { head, tail, events } = window;

  check(
    'retained range fits the ring: 0 <= head - tail <= slot_count',
    1,
    head >= tail && head - tail <= identity.slotCount
      ? null
      : `head ${head}, tail ${tail}, ${identity.slotCount} slots`,
  );

  const malformed = events.find((e) => slotIsMalformed(e.event, identity.blobSize, writer.maxPayload));
  check(
    'every retained slot describes a payload inside the blob region',
    events.length,
    malformed ? `slot of sequence ${malformed.sequence} points outside the blob or past max_payload` : null,
  );

  const badChecksum = events.find((e) => !e.checksumOk);
  check(
    'every retained payload matches its CRC32C',
    events.length,
    badChecksum ? `sequence ${badChecksum.sequence}: checksum mismatch` : null,
  );

  let clockFailure: string | null = null;
  for (let i = 1; i < events.length && clockFailure === null; i++) {
    const a = events[i - 1]!.event;
    const b = events[i]!.event;
    if (compareU64(a.lamportHi, a.lamportLo, b.lamportHi, b.lamportLo) >= 0) {
      clockFailure = `clock of sequence ${events[i]!.sequence} is not after that of ${events[i - 1]!.sequence}`;
    }
  }
  check('clock values strictly increase in sequence order', events.length, clockFailure);

  let placementFailure: string | null = null;
  for (let i = 0; i < events.length && placementFailure === null; i++) {
    const e = events[i]!.event;
    if (e.payloadOffset % PAYLOAD_ALIGNMENT !== 0)
      placementFailure = `sequence ${events[i]!.sequence}: payload not 8-byte aligned`;
    else if (i > 0) {
      const previous = events[i - 1]!.event;
      if (e.payloadOffset < previous.payloadOffset + previous.payloadLength) {
        placementFailure = `sequence ${events[i]!.sequence}: payload overlaps the previous one`;
      }
    }
  }
  if (placementFailure === null && events.length > 0) {
    const first = events[0]!.event;
    const last = events[events.length - 1]!.event;
    if (last.payloadOffset + last.payloadLength - first.payloadOffset > identity.blobSize) {
      placementFailure = 'retained payloads span more than the blob region';
    }
  }
  check(
    'payloads are aligned, in order, non-overlapping and within one blob span',
    events.length,
    placementFailure,
  );

  const counters = reader.counters();
  check(
    // Counters are stored with each publication, so they are exact only once the writer has closed.
    'head equals events journaled minus torn events cut at recovery',
    1,
    head === counters.EVENTS_JOURNALED - counters.TORN_EVENTS_TRUNCATED || writer.open
      ? null
      : `head ${head}, journaled ${counters.EVENTS_JOURNALED}, truncated ${counters.TORN_EVENTS_TRUNCATED}`,
  );

  check(
    'the tail is where the counted evictions put it',
    1,
    tail === counters.EVENTS_EVICTED || writer.open
      ? null
      : `tail ${tail} but ${counters.EVENTS_EVICTED} evictions counted`,
  );
  return results;
}
