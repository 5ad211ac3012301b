/**
 * Builds a large journal for benchmarks through the sequencer's submit path (in-process, no UDP, nothing lost):
 * JSON payloads on a few streams from a few nodes. The events' clock values are the sequencer's own (a clock
 * hint can only move the clock forward, never into the past), so they span the build's wall time, about
 * 3 µs apart: callers that bound by time read the journal's real first and last times.
 */
import { loadAddon } from '../../src/native/binding.ts';

export interface FixtureOptions {
  count: number;
  slots: number;
  blobSize: number;
  streams?: string[];
  onProgress?: (done: number) => void;
}

export async function buildJournal(path: string, options: FixtureOptions): Promise<void> {
  const { Sequencer } = loadAddon();
  const sequencer = new Sequencer({
    journal: path,
    slots: options.slots,
    blobSize: options.blobSize,
    listens: [],
    submitQueueCapacity: 64,
  });
  sequencer.start(() => {});
  try {
    const streamIds = (options.streams ?? ['orders', 'payments', 'metrics', 'logs']).map((s) =>
      sequencer.registerStream(s),
    );
    const batch = 20_000;
    for (let done = 0; done < options.count; done += batch) {
      const n = Math.min(batch, options.count - done);
      const text = Array.from({ length: n }, (_, i) => {
        const k = done + i;
        return `{"seq":${k},"price":${(k * 7919) % 10_000},"status":"${k % 10 === 0 ? 'error' : 'ok'}","user":"u${k % 997}"}`;
      });
      const bytes = Buffer.from(text.join(''));
      let offset = 0;
      const events = text.map((t, i) => {
        const length = Buffer.byteLength(t);
        const payload = bytes.subarray(offset, offset + length);
        offset += length;
        return {
          streamId: streamIds[(done + i) % streamIds.length]!,
          nodeId: 1 + ((done + i) % 8),
          payload,
        };
      });
      const result = await sequencer.submit(events);
      if (result.statuses.some((s) => s !== 'journaled'))
        throw new Error(`fixture: events not journaled at ${done}`);
      options.onProgress?.(done + n);
    }
  } finally {
    sequencer.close();
  }
}
