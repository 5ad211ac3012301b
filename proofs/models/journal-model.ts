/**
 * The journal's reference model: docs/journal-format.md's retention rules written as plainly as possible —
 * a map of retained events, a monotonic blob cursor, eviction of the oldest, and the drop rule for live
 * consumer cursors. The model-based suite (contracts/journal.ts) holds the native journal to it.
 *
 * It deliberately shares no code with the writer: the arithmetic (8-byte alignment, skipping to the next
 * wrap when a payload would straddle the end of the blob) is restated here from the format document.
 *
 * @module
 */

export interface ModelEvent {
  sequence: number;
  streamId: number;
  nodeId: number;
  /** Flags as journaled (application byte plus the sequencer's high byte). */
  flags: number;
  payload: Uint8Array;
  payloadOffset: number;
}

export interface ModelAppend {
  streamId: number;
  nodeId: number;
  flags: number;
  payload: Uint8Array;
}

export class JournalModel {
  readonly slotCount: number;
  readonly blobSize: number;
  readonly maxPayload: number;
  head = 0;
  tail = 0;
  blobHead = 0;
  blobTail = 0;
  evicted = 0;
  dropped = 0;
  journaled = 0;
  readonly events = new Map<number, ModelEvent>();
  /** Live consumer cursors: id -> position (the next sequence the consumer needs). */
  readonly cursors = new Map<number, number>();

  constructor(slotCount: number, blobSize: number, maxPayload: number) {
    this.slotCount = slotCount;
    this.blobSize = blobSize;
    this.maxPayload = maxPayload;
  }

  #minCursor(): number {
    let min = Infinity;
    for (const position of this.cursors.values()) min = Math.min(min, position);
    return min;
  }

  #evictOldest(): boolean {
    if (this.tail === this.head || this.tail >= this.#minCursor()) return false;
    this.events.delete(this.tail);
    this.tail++;
    this.blobTail = this.tail === this.head ? this.blobHead : this.events.get(this.tail)!.payloadOffset;
    this.evicted++;
    return true;
  }

  /** Appends an event; returns its sequence, or null when it was dropped to protect a live cursor. */
  append(input: ModelAppend): number | null {
    const length = input.payload.length;
    if (length > this.maxPayload)
      throw new RangeError('the model is only asked to journal payloads that fit');
    let room = true;
    while (this.head - this.tail >= this.slotCount) {
      if (!this.#evictOldest()) {
        room = false;
        break;
      }
    }
    let start = Math.ceil(this.blobHead / 8) * 8;
    const position = start % this.blobSize;
    if (position + length > this.blobSize) start += this.blobSize - position;
    while (room && start + length - this.blobTail > this.blobSize) {
      if (!this.#evictOldest()) room = false;
    }
    if (!room) {
      this.dropped++;
      return null;
    }
    const sequence = this.head++;
    this.events.set(sequence, { sequence, ...input, payloadOffset: start });
    this.blobHead = start + length;
    this.journaled++;
    return sequence;
  }
}
