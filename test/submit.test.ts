/**
 * The submit path of the native sequencer (in-process): acknowledgements carry sequence numbers in order,
 * a full command queue is an explicit error (never a silent drop), and submissions after stop are refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JournalReader } from '../src/journal/reader.ts';
import { loadAddon, type NativeSequencer } from '../src/native/binding.ts';

const dirs: string[] = [];
const open: NativeSequencer[] = [];

function sequencer(options: { submitQueueCapacity?: number } = {}): { s: NativeSequencer; journal: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cz-submit-'));
  dirs.push(dir);
  const journal = join(dir, 'journal.db');
  const s = new (loadAddon().Sequencer)({ journal, slots: 1024, blobSize: 65_536, listens: [], ...options });
  open.push(s);
  return { s, journal };
}

afterEach(() => {
  for (const s of open.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const event = (text: string) => ({ streamId: 0, nodeId: 1, payload: Buffer.from(text) });

describe('submit path', () => {
  it('acknowledges each submission once journaled, with consecutive sequence numbers', async () => {
    const { s, journal } = sequencer();
    s.start(() => {});
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => s.submit([event(`a${i}`), event(`b${i}`)])),
    );
    const sequences = results.flatMap((r) => r.sequences);
    expect(sequences).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const reader = JournalReader.open(journal);
    expect(reader.publication().head).toBe(100);
    expect(Buffer.from(reader.payloadView(reader.readEvent(99)!)).toString()).toBe('b49');
    reader.close();
  });

  it('rejects with SUBMIT_QUEUE_FULL when the bounded queue is full, and counts the rejected events', async () => {
    const { s, journal } = sequencer({ submitQueueCapacity: 2 });
    s.start(() => {});
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => s.submit([event(`e${i}`)])),
    );
    const rejected = outcomes.filter((o) => o.status === 'rejected');
    const accepted = outcomes.filter((o) => o.status === 'fulfilled');
    expect(rejected.length).toBeGreaterThan(0);
    for (const r of rejected)
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'SUBMIT_QUEUE_FULL' });
    const reader = JournalReader.open(journal);
    expect(reader.publication().head).toBe(accepted.length);
    // Rejections are counted off the receive thread and folded in at a later publication.
    await s.submit([event('one more')]);
    expect(reader.counters().SUBMITS_REJECTED).toBe(rejected.length);
    reader.close();
  });

  it('refuses submissions once stopped, naming why', async () => {
    const { s } = sequencer();
    expect(() => s.submit([event('early')])).toThrow(expect.objectContaining({ code: 'SEQUENCER_STOPPED' }));
    s.start(() => {});
    s.stop();
    expect(() => s.submit([event('late')])).toThrow(expect.objectContaining({ code: 'SEQUENCER_STOPPED' }));
  });

  it('validates the events it is given', () => {
    const { s } = sequencer();
    s.start(() => {});
    expect(() => s.submit([{ streamId: 0, nodeId: 1, payload: 'text' as unknown as Uint8Array }])).toThrow(
      /payload must be a Uint8Array/,
    );
    expect(() => s.submit('nope' as unknown as [])).toThrow(/needs an array/);
  });
});
