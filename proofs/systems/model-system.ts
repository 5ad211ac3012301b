/**
 * The reference model itself as a `JournalSystem`. Running the journal contract against it checks the
 * harness (commands, agreement checks) independently of the native code.
 *
 * @module
 */
import { crc32c } from '../../src/core/crc32c.ts';
import { EventFlags } from '../../src/core/causal-event.ts';
import type {
  FramedInput,
  JournalSnapshot,
  JournalSystem,
  JournalSystemFactory,
} from '../contracts/journal.ts';
import { JournalModel, type ModelAppend } from '../models/journal-model.ts';

class ModelSystem implements JournalSystem {
  readonly listenerStreams = [0, 1, 2];
  readonly sourceNodeId = 0x7f00_0001;
  readonly maxPayload: number;
  readonly #model: JournalModel;
  readonly #clocks = new Map<number, bigint>();
  #clock = 0n;
  #rejected = 0;
  #nextCursor = 0;

  constructor(
    readonly slotCount: number,
    readonly blobSize: number,
    readonly ignoreCursors: boolean,
  ) {
    this.maxPayload = blobSize / 4;
    this.#model = new JournalModel(slotCount, blobSize, this.maxPayload);
  }

  #append(input: ModelAppend): number | null {
    const sequence = this.#model.append(input);
    if (sequence !== null) this.#clocks.set(sequence, ++this.#clock);
    return sequence;
  }

  async receiveRaw(payloads: readonly Uint8Array[], listener: number): Promise<void> {
    for (const payload of payloads) {
      this.#append({
        streamId: this.listenerStreams[listener]!,
        nodeId: this.sourceNodeId,
        flags: 0,
        payload,
      });
    }
  }

  async receiveFramed(input: FramedInput): Promise<void> {
    this.#append({
      streamId: input.streamId === 0 ? this.listenerStreams[0]! : input.streamId,
      nodeId: input.nodeId,
      flags: input.flags | EventFlags.FRAMED,
      payload: input.payload,
    });
  }

  async receiveCorrupt(): Promise<void> {
    this.#rejected++;
  }

  async submit(events: readonly ModelAppend[]): Promise<(number | null)[]> {
    return events.map((e) => this.#append({ ...e, flags: (e.flags & 0xff) | EventFlags.SUBMITTED }));
  }

  async claimCursor(position: number): Promise<number> {
    if (!this.ignoreCursors) this.#model.cursors.set(this.#nextCursor, position);
    return this.#nextCursor++;
  }

  async advanceCursor(cursor: number, position: number): Promise<void> {
    if (!this.ignoreCursors) this.#model.cursors.set(cursor, position);
  }

  async releaseCursor(cursor: number): Promise<void> {
    this.#model.cursors.delete(cursor);
  }

  async reopen(): Promise<void> {}

  snapshot(): JournalSnapshot {
    const m = this.#model;
    const events = [...m.events.values()]
      .sort((a, b) => a.sequence - b.sequence)
      .map((e) => ({
        sequence: e.sequence,
        streamId: e.streamId,
        nodeId: e.nodeId,
        flags: e.flags,
        payload: e.payload,
        checksumOk: crc32c(e.payload) === crc32c(e.payload),
        lamport: this.#clocks.get(e.sequence)!,
      }));
    return {
      head: m.head,
      tail: m.tail,
      journaled: m.journaled,
      evicted: m.evicted,
      dropped: m.dropped,
      rejected: this.#rejected,
      events,
    };
  }

  async close(): Promise<void> {}
}

/** `ignoreCursors` makes a deliberately broken system that evicts past live cursors (the contract must notice). */
export function modelSystem(
  options: { slotCount?: number; blobSize?: number; ignoreCursors?: boolean } = {},
): JournalSystemFactory {
  const { slotCount = 1024, blobSize = 65_536, ignoreCursors = false } = options;
  return {
    name: ignoreCursors ? 'cursor-ignoring model' : 'reference model',
    slotCount,
    blobSize,
    open: async () => new ModelSystem(slotCount, blobSize, ignoreCursors),
  };
}
