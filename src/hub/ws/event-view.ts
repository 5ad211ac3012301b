/**
 * Journal events as clients see them: `readEvents` copies a range's slots and payloads out of the journal
 * (with the overwrite re-check of docs/journal-format.md), and `viewOf` renders one event in a payload mode.
 * Views are cached on the event, so an event fanned out to many clients is rendered once per mode.
 *
 * @module
 */
import { isUtf8 } from 'node:buffer';
import type { CausalEvent } from '../../core/causal-event.ts';
import { wallMsOfWords } from '../../core/hlc.ts';
import type { JournalReader } from '../../journal/reader.ts';
import type { EventView, PayloadMode } from './schema.ts';

/** An event copied out of the journal: safe to keep after the writer evicts it. */
export interface RawEvent {
  seq: number;
  time: number;
  logical: number;
  node: number;
  stream: number;
  flags: number;
  payload: Buffer;
  /** Rendered views by mode, filled lazily. */
  views: Partial<Record<PayloadMode, RenderedView>>;
}

/** A view and its JSON text, serialized once however many clients receive it. */
export interface RenderedView {
  view: EventView;
  json: string;
}

export function rawEvent(reader: JournalReader, event: CausalEvent, seq: number): RawEvent {
  return {
    seq,
    time: wallMsOfWords(event.lamportHi, event.lamportLo),
    logical: event.lamportLo & 0xffff,
    node: event.nodeId,
    stream: event.streamId,
    flags: event.flags,
    // Buffer.from(Uint8Array) copies: the journal may reuse these bytes once the event is evicted.
    payload: Buffer.from(reader.payloadView(event)),
    views: {},
  };
}

/**
 * Copies out the events of [from, to) that `want` accepts (all when omitted), at most `limit` of them,
 * stopping early when `stop` says so. Events evicted before or while they were read are left out and
 * counted in `lost`. `next` is the first sequence not examined.
 */
export function readEvents(
  reader: JournalReader,
  from: number,
  to: number,
  options: {
    want?: (event: CausalEvent, seq: number) => boolean;
    stop?: (event: CausalEvent, seq: number) => boolean;
    limit?: number;
  } = {},
): { events: RawEvent[]; next: number; lost: number } {
  const events: RawEvent[] = [];
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  let next = from;
  const { overwritten } = reader.scan(from, to, (event, seq) => {
    if (events.length >= limit || options.stop?.(event, seq)) return false;
    next = seq + 1;
    if (!options.want || options.want(event, seq)) events.push(rawEvent(reader, event, seq));
    return true;
  });
  // Payloads were copied after scan's own tail check: anything now below tail may have been overwritten.
  const tail = reader.loadTail();
  let lost = overwritten;
  let firstIntact = 0;
  while (firstIntact < events.length && events[firstIntact]!.seq < tail) firstIntact++;
  if (firstIntact > 0) {
    lost += firstIntact;
    events.splice(0, firstIntact);
  }
  if (next < tail) next = Math.min(tail, to);
  return { events, next, lost };
}

/** Cheap pre-check, so that plain text does not pay for a JSON.parse exception. */
function mayBeJson(text: string): boolean {
  const first = text.trimStart()[0];
  return first !== undefined && '{["-0123456789tfn'.includes(first);
}

function render(raw: RawEvent, mode: PayloadMode): EventView {
  const base = {
    seq: raw.seq,
    time: raw.time,
    logical: raw.logical,
    node: raw.node,
    stream: raw.stream,
    flags: raw.flags,
    size: raw.payload.length,
  };
  if (mode === 'none') return { ...base, encoding: 'none' };
  // isUtf8 rather than a fatal TextDecoder: an exception per binary payload costs ~20 µs.
  const text = isUtf8(raw.payload) ? raw.payload.toString('utf8') : null;
  if (text !== null && mode === 'json' && mayBeJson(text)) {
    try {
      return { ...base, encoding: 'json', payload: JSON.parse(text) as unknown };
    } catch {
      // Not JSON: fall through to text, which is still exact.
    }
  }
  if (text !== null && mode !== 'hex') {
    return { ...base, encoding: 'text', payload: text };
  }
  return { ...base, encoding: 'hex', payload: raw.payload.toString('hex') };
}

/** The event in `mode`; `text` and `json` fall back to an exact encoding when the bytes do not fit them. */
export function viewOf(raw: RawEvent, mode: PayloadMode): RenderedView {
  let cached = raw.views[mode];
  if (cached === undefined) {
    const view = render(raw, mode);
    cached = { view, json: JSON.stringify(view) };
    raw.views[mode] = cached;
  }
  return cached;
}

/** The payload bytes of a view: exact for `text` and `hex`; for `json` the value re-serialized. */
export function payloadBytes(view: EventView): Buffer | null {
  switch (view.encoding) {
    case 'none':
      return null;
    case 'hex':
      return Buffer.from(view.payload as string, 'hex');
    case 'text':
      return Buffer.from(view.payload as string, 'utf8');
    case 'json':
      return Buffer.from(JSON.stringify(view.payload), 'utf8');
  }
}
