/**
 * For the unit tests of this folder: a real journal written in-process by the native sequencer (submit path,
 * no sockets), read back through a `JournalReader`, and removed afterwards.
 *
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JournalReader } from '../../journal/reader.ts';
import { loadAddon, type NativeSequencer, type NativeSubmitEvent } from '../../native/binding.ts';

export interface TestJournal {
  sequencer: NativeSequencer;
  reader: JournalReader;
  path: string;
  /** Journals the events in batches and resolves with their sequence numbers. */
  write(events: NativeSubmitEvent[]): Promise<number[]>;
  close(): void;
}

const open = new Set<TestJournal>();

export function testJournal(options: { slots?: number; blobSize?: number } = {}): TestJournal {
  const dir = mkdtempSync(join(tmpdir(), 'cz-events-'));
  const path = join(dir, 'journal.db');
  const sequencer = new (loadAddon().Sequencer)({
    journal: path,
    slots: options.slots ?? 4096,
    blobSize: options.blobSize ?? 1 << 20,
    listens: [],
  });
  sequencer.start(() => {});
  const reader = JournalReader.open(path);
  const journal: TestJournal = {
    sequencer,
    reader,
    path,
    async write(events) {
      const out: number[] = [];
      for (let i = 0; i < events.length; i += 500) {
        const result = await sequencer.submit(events.slice(i, i + 500));
        out.push(...result.sequences.map((s) => s ?? -1));
      }
      return out;
    },
    close() {
      open.delete(journal);
      reader.close();
      sequencer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  open.add(journal);
  return journal;
}

/** Closes every journal a test left open (call in afterEach). */
export function closeTestJournals(): void {
  for (const j of [...open]) j.close();
}
