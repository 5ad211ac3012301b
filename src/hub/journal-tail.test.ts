import { afterEach, describe, expect, it } from 'vitest';
import type { JournalReader } from '../journal/reader.ts';
import { closeTestJournals, testJournal } from './events/test-journal.ts';
import { JournalTail } from './journal-tail.ts';

const payload = (i: number) => Buffer.from(`event-${i}`);
const events = (from: number, count: number) =>
  Array.from({ length: count }, (_, k) => ({ streamId: 0, nodeId: 1, payload: payload(from + k) }));

/** The payload texts of [from, to), as a handler sees them. */
function texts(reader: JournalReader, from: number, to: number): string[] {
  const out: string[] = [];
  reader.scan(from, to, (event, seq) => {
    const read = reader.readPayload(seq, event);
    out.push(Buffer.from(read.bytes).toString());
  });
  return out;
}

const tails: JournalTail[] = [];
function tail(options: ConstructorParameters<typeof JournalTail>[0]): JournalTail {
  const t = new JournalTail(options);
  tails.push(t);
  return t;
}

afterEach(async () => {
  for (const t of tails.splice(0)) await t.stop();
  closeTestJournals();
});

describe('JournalTail', () => {
  it('delivers every published event once, in order, in bounded batches', async () => {
    const journal = testJournal();
    const seen: string[] = [];
    const ranges: [number, number][] = [];
    const t = tail({
      journal,
      name: 'test-all',
      from: 0,
      batchSize: 7,
      onEvents(reader, from, to) {
        ranges.push([from, to]);
        seen.push(...texts(reader, from, to));
      },
    });
    await journal.write(events(0, 30));
    t.start();
    await t.drained();
    await journal.write(events(30, 20));
    await t.drained();
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => `event-${i}`));
    expect(ranges.every(([from, to]) => to > from && to - from <= 7)).toBe(true);
    expect(t.position).toBe(50);
    expect(t.lag).toBe(0);
  });

  it('starts at the head by default and resumes exactly where a stopped tail left off', async () => {
    const journal = testJournal();
    await journal.write(events(0, 10));
    const first: string[] = [];
    const a = tail({
      journal,
      name: 'test-resume',
      onEvents: (r, f, t) => void first.push(...texts(r, f, t)),
    });
    a.start();
    await a.drained();
    expect(first).toEqual([]);
    await journal.write(events(10, 5));
    await a.drained();
    await a.stop();
    const saved = a.position!;
    await journal.write(events(15, 5));

    const second: string[] = [];
    const b = tail({
      journal,
      name: 'test-resume',
      from: saved,
      onEvents: (r, f, t) => void second.push(...texts(r, f, t)),
    });
    b.start();
    await b.drained();
    expect(first).toEqual(['event-10', 'event-11', 'event-12', 'event-13', 'event-14']);
    expect(second).toEqual(['event-15', 'event-16', 'event-17', 'event-18', 'event-19']);
  });

  it('offers a range again when its handler throws, and only then moves on', async () => {
    const journal = testJournal();
    let failures = 2;
    const seen: string[] = [];
    const errors: string[] = [];
    const t = tail({
      journal,
      name: 'test-retry',
      from: 0,
      onEvents(reader, from, to) {
        if (failures > 0) {
          failures--;
          throw new Error('sequencer away');
        }
        seen.push(...texts(reader, from, to));
      },
      onError: (error) => errors.push(error.message),
    });
    await journal.write(events(0, 3));
    t.start();
    await t.drained();
    expect(errors).toEqual(['sequencer away', 'sequencer away']);
    expect(seen).toEqual(['event-0', 'event-1', 'event-2']);
  });

  it('reports events evicted before a resumed tail could see them, then delivers the rest', async () => {
    const journal = testJournal({ slots: 1024 });
    await journal.write(events(0, 3000));
    const gaps: [number, number, number][] = [];
    const seen: string[] = [];
    const t = tail({
      journal,
      name: 'test-gap',
      from: 0,
      onEvents: (r, f, to) => void seen.push(...texts(r, f, to)),
      onGap: (lost, from, to) => gaps.push([lost, from, to]),
    });
    t.start();
    await t.drained();
    const tailSeq = journal.reader.loadTail();
    expect(tailSeq).toBeGreaterThan(0);
    expect(gaps).toEqual([[tailSeq, 0, tailSeq]]);
    expect(seen).toEqual(Array.from({ length: 3000 - tailSeq }, (_, i) => `event-${tailSeq + i}`));
    expect(t.stats).toMatchObject({ lost: tailSeq, delivered: 3000 - tailSeq });
  });

  it('holds back eviction while it lags: the sequencer drops new events instead of undelivered ones', async () => {
    const journal = testJournal({ slots: 1024 });
    let blocked = true;
    const seen: string[] = [];
    const t = tail({
      journal,
      name: 'test-hold',
      from: 0,
      onEvents(reader, from, to) {
        if (blocked) throw new Error('not yet');
        seen.push(...texts(reader, from, to));
      },
    });
    t.start();
    // Let the tail claim its cursor at 0 before the ring fills.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const sequences = await journal.write(events(0, 3000));
    const journaled = sequences.filter((s) => s >= 0).length;
    expect(journaled).toBeLessThan(3000);
    expect(journal.reader.loadTail()).toBe(0);
    blocked = false;
    await t.drained();
    expect(seen).toEqual(Array.from({ length: journaled }, (_, i) => `event-${i}`));
    expect(t.stats.lost).toBe(0);
  });

  it('without holding eviction, lets the writer evict what it has not delivered and reports the gap', async () => {
    const journal = testJournal({ slots: 1024 });
    let blocked = true;
    const gaps: number[] = [];
    const seen: string[] = [];
    const t = tail({
      journal,
      name: 'test-follow',
      from: 0,
      holdEviction: false,
      onEvents(reader, from, to) {
        if (blocked) throw new Error('not yet');
        seen.push(...texts(reader, from, to));
      },
      onGap: (lost) => gaps.push(lost),
    });
    t.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const sequences = await journal.write(events(0, 3000));
    expect(sequences.every((s) => s >= 0)).toBe(true);
    expect(journal.reader.cursors()).toEqual([]);
    const evicted = journal.reader.loadTail();
    expect(evicted).toBeGreaterThan(0);
    blocked = false;
    await t.drained();
    expect(gaps.reduce((a, b) => a + b, 0)).toBe(evicted);
    expect(seen).toEqual(Array.from({ length: 3000 - evicted }, (_, i) => `event-${evicted + i}`));
  });

  it('refuses names the journal header cannot hold', () => {
    const onEvents = () => {};
    const journal = { path: '/nonexistent' };
    expect(() => new JournalTail({ journal, name: '', onEvents })).toThrow(RangeError);
    expect(() => new JournalTail({ journal, name: 'x'.repeat(40), onEvents })).toThrow(/at most|1 to/);
    expect(() => new JournalTail({ journal, name: 'ok', from: -1, onEvents })).toThrow(/from/);
  });
});
