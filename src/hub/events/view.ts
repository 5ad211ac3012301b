/**
 * A journal slot as the API shows it (`EventView` of schema.ts): sequence and ring slot, the clock value as
 * decimal text and split into wall time and counter, the stream's name, and the flag bits by name.
 *
 * @module
 */
import { type CausalEvent, EventFlags } from '../../core/causal-event.ts';
import { wallMsOfWords } from '../../core/hlc.ts';
import { u64ToDecimal } from '../../core/u64.ts';
import type { JournalReader } from '../../journal/reader.ts';
import type { EventView } from './schema.ts';

const NAMED_FLAGS: readonly [number, string][] = [
  [EventFlags.FRAMED, 'FRAMED'],
  [EventFlags.SUBMITTED, 'SUBMITTED'],
  [EventFlags.CLOCK_HINT_APPLIED, 'CLOCK_HINT_APPLIED'],
  [EventFlags.SOURCE_IPV6, 'SOURCE_IPV6'],
];
const KNOWN = NAMED_FLAGS.reduce<number>((mask, [bit]) => mask | bit, EventFlags.APPLICATION_MASK);

/** Names of the sequencer's bits in `flags`; bits it does not know yet are shown as hex. */
export function flagNames(flags: number): string[] {
  const names: string[] = [];
  for (const [bit, name] of NAMED_FLAGS) if (flags & bit) names.push(name);
  for (let bit = 0x100; bit <= 0x8000; bit <<= 1) {
    if (flags & bit & ~KNOWN) names.push(`0x${bit.toString(16).padStart(4, '0')}`);
  }
  return names;
}

/**
 * Stream names for the events of one request. Names are only ever added to the journal's table, so a name
 * seen once stays valid for the request; looking each id up once keeps the header reads off the per-event path.
 */
export class StreamNames {
  readonly #reader: JournalReader;
  readonly #cache = new Map<number, string | null>();

  constructor(reader: JournalReader) {
    this.#reader = reader;
  }

  name(streamId: number): string | null {
    let name = this.#cache.get(streamId);
    if (name === undefined) {
      name = this.#reader.streamName(streamId);
      this.#cache.set(streamId, name);
    }
    return name;
  }
}

export function eventView(seq: number, event: CausalEvent, slotCount: number, names: StreamNames): EventView {
  return {
    seq,
    slot: seq % slotCount,
    lamport: u64ToDecimal(event.lamportHi, event.lamportLo),
    timeMs: wallMsOfWords(event.lamportHi, event.lamportLo),
    logical: event.lamportLo & 0xffff,
    streamId: event.streamId,
    stream: names.name(event.streamId),
    nodeId: event.nodeId,
    flags: event.flags,
    flagNames: flagNames(event.flags),
    size: event.payloadLength,
    checksum: event.checksum,
  };
}

export function copyEvent(from: CausalEvent, into: CausalEvent): CausalEvent {
  into.lamportHi = from.lamportHi;
  into.lamportLo = from.lamportLo;
  into.nodeId = from.nodeId;
  into.streamId = from.streamId;
  into.flags = from.flags;
  into.payloadOffset = from.payloadOffset;
  into.checksum = from.checksum;
  into.payloadLength = from.payloadLength;
  return into;
}
