/**
 * Builds a large journal for benchmarks through the sequencer's submit path (in-process, no UDP, nothing lost):
 * JSON payloads on a few streams from a few nodes, with clock hints spreading the events over a time span so
 * time-bounded queries have something to bound.
 */
import { loadAddon } from '../../src/native/binding.ts';
import { hlcToBigInt } from '../../src/core/hlc.ts';

export interface FixtureOptions {
  count: number;
  slots: number;
  blobSize: number;
  streams?: string[];
  /** Wall-clock span the events' clock values cover, ending now. */
  spanMs?: number;
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
    const spanMs = options.spanMs ?? 3_600_000;
    const start = Date.now() - spanMs;
    const batch = 20_000;
    for (let done = 0; done < options.count; done += batch) {
      const n = Math.min(batch, options.count - done);
      const text = Array.from({ length: n }, (_, i) => {
        const k = done + i;
        return `{"seq":${k},"price":${(k * 7919) % 10_000},"status":"${k % 10 === 0 ? 'error' : 'ok'}","user":"u${k % 997}"}`;
      });
      const bytes = Buffer.from(text.join(''));
      let offset = 0;
      // The clock hint only moves the clock forward; spacing it evenly spreads the batch over the span.
      const hint = hlcToBigInt({ wallMs: start + Math.floor((spanMs * done) / options.count), logical: 0 });
      const events = text.map((t, i) => {
        const length = Buffer.byteLength(t);
        const payload = bytes.subarray(offset, offset + length);
        offset += length;
        return {
          streamId: streamIds[(done + i) % streamIds.length]!,
          nodeId: 1 + ((done + i) % 8),
          payload,
          ...(i === 0 ? { clockHint: hint } : {}),
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
