/**
 * Feeding a journal range into an engine, shared by the live runner and the dry run. Slots are read in chunks
 * with the executor's pattern: decode (only the payloads of streams a source reads), re-load the tail, and
 * push only the events that were still retained afterwards, so an overwritten payload never reaches a node.
 * Every event, whatever its stream, moves the watermark: it is the journal clock.
 *
 * @module
 */
import { wallMsOfWords } from '../../core/hlc.ts';
import type { JournalReader } from '../../journal/reader.ts';
import { decodeUtf8 } from '../events/payload.ts';
import type { PipelineEngine, SourceEvent } from './engine.ts';

const CHUNK = 4096;

export interface ReplayStats {
  scanned: number;
  overwritten: number;
}

/** Pushes the retained events of [from, to) into `engine`, in sequence order. */
export function replayRange(
  reader: JournalReader,
  engine: PipelineEngine,
  from: number,
  to: number,
): ReplayStats {
  const wanted = new Map<number, string>();
  for (const name of engine.streams) {
    const id = reader.streamId(name);
    if (id !== null) wanted.set(id, name);
  }
  const stats: ReplayStats = { scanned: 0, overwritten: 0 };
  let position = from;
  const batch: (SourceEvent | number)[] = [];
  const seqs: number[] = [];
  while (position < to) {
    const end = Math.min(to, position + CHUNK);
    batch.length = 0;
    seqs.length = 0;
    const scan = reader.scan(
      position,
      end,
      (event, seq) => {
        const time = wallMsOfWords(event.lamportHi, event.lamportLo);
        const stream = wanted.get(event.streamId);
        seqs.push(seq);
        if (stream === undefined) batch.push(time);
        else
          batch.push({
            seq,
            time,
            streamId: event.streamId,
            stream,
            node: event.nodeId,
            text: decodeUtf8(reader.payloadView(event)),
            size: event.payloadLength,
          });
      },
      CHUNK,
    );
    stats.overwritten += scan.overwritten;
    const tail = reader.loadTail();
    for (let i = 0; i < batch.length; i++) {
      if (seqs[i]! < tail) {
        stats.overwritten++;
        continue;
      }
      stats.scanned++;
      const item = batch[i]!;
      if (typeof item === 'number') engine.advance(item);
      else engine.push(item);
    }
    if (scan.next <= position) break;
    position = scan.next;
  }
  return stats;
}
