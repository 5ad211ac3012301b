/**
 * The bounded scans behind /api/events, against a real journal written by the native sequencer: paging in
 * both orders covers a range exactly (no gaps, no duplicates) whatever the page size, filter or slot budget,
 * and evicted stretches are skipped and counted rather than returned.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalReader } from '../../journal/reader.ts';
import { pageViews, readPage } from './page.ts';
import { type EventFilter, matches, NO_FILTER } from './range.ts';
import { eventSchema } from './schema.ts';
import { closeTestJournals, testJournal } from './test-journal.ts';
import { StreamNames } from './view.ts';

afterEach(closeTestJournals);

function reference(reader: JournalReader, filter: EventFilter): number[] {
  const { head, tail } = reader.publication();
  const out: number[] = [];
  reader.scan(tail, head, (e, seq) => {
    if (matches(filter, e)) out.push(seq);
  });
  return out;
}

function pageAll(
  reader: JournalReader,
  order: 'asc' | 'desc',
  filter: EventFilter,
  limit: number,
  budget = 100_000,
): { seqs: number[]; pages: number } {
  const { head, tail } = reader.publication();
  let position: number | null = order === 'asc' ? tail : head;
  const seqs: number[] = [];
  let pages = 0;
  while (position !== null) {
    const page = readPage(reader, { order, lo: tail, hi: head, position, limit, budget, filter });
    expect(page.matched.length).toBeLessThanOrEqual(limit);
    expect(page.scanned.count).toBeLessThanOrEqual(budget);
    seqs.push(...page.matched.map((m) => m.seq));
    position = page.next;
    if (++pages > 10_000) throw new Error('paging does not terminate');
  }
  return { seqs, pages };
}

async function fill(n: number, options: { slots?: number; blobSize?: number } = {}) {
  const journal = testJournal(options);
  const ids = ['a', 'b', 'c'].map((name) => journal.sequencer.registerStream(name));
  await journal.write(
    Array.from({ length: n }, (_, i) => ({
      streamId: ids[i % 3]!,
      nodeId: i % 5,
      payload: Buffer.from(JSON.stringify({ i })),
    })),
  );
  return { journal, ids };
}

describe('readPage', () => {
  it('pages through the whole journal in both orders, for any page size', async () => {
    const { journal } = await fill(2000);
    const all = reference(journal.reader, NO_FILTER);
    expect(all).toHaveLength(2000);
    for (const limit of [1, 7, 100, 1000]) {
      expect(pageAll(journal.reader, 'asc', NO_FILTER, limit).seqs).toEqual(all);
      expect(pageAll(journal.reader, 'desc', NO_FILTER, limit).seqs).toEqual([...all].reverse());
    }
  });

  it('applies stream and node filters exactly, in both orders', async () => {
    const { journal, ids } = await fill(3000);
    const filters: EventFilter[] = [
      { streams: [ids[0]!], node: null },
      { streams: [ids[0]!, ids[2]!], node: null },
      { streams: null, node: 2 },
      { streams: [ids[1]!], node: 4 },
      { streams: [999], node: null },
    ];
    for (const filter of filters) {
      const expected = reference(journal.reader, filter);
      expect(pageAll(journal.reader, 'asc', filter, 33).seqs).toEqual(expected);
      expect(pageAll(journal.reader, 'desc', filter, 33).seqs).toEqual([...expected].reverse());
    }
  });

  it('stops at the slot budget with a partial page and a cursor, and still covers the range exactly', async () => {
    const { journal, ids } = await fill(3000);
    const rare: EventFilter = { streams: [ids[1]!], node: 0 };
    const expected = reference(journal.reader, rare);
    const asc = pageAll(journal.reader, 'asc', rare, 50, 97);
    const desc = pageAll(journal.reader, 'desc', rare, 50, 97);
    expect(asc.seqs).toEqual(expected);
    expect(desc.seqs).toEqual([...expected].reverse());
    expect(asc.pages).toBeGreaterThanOrEqual(3000 / 97);
    const { head, tail } = journal.reader.publication();
    const first = readPage(journal.reader, {
      order: 'asc',
      lo: tail,
      hi: head,
      position: tail,
      limit: 50,
      budget: 97,
      filter: { streams: [12345], node: null },
    });
    expect(first).toMatchObject({ matched: [], next: 97, scanned: { from: 0, to: 97, count: 97 } });
  });

  it('skips and counts events evicted before or while paging', async () => {
    const { journal, ids } = await fill(1500, { slots: 1024, blobSize: 65_536 });
    const { head, tail } = journal.reader.publication();
    expect(tail).toBeGreaterThan(0);
    const asc = readPage(journal.reader, {
      order: 'asc',
      lo: 0,
      hi: head,
      position: 0,
      limit: 10,
      budget: 1000,
      filter: NO_FILTER,
    });
    expect(asc.matched[0]!.seq).toBe(tail);
    expect(asc.scanned.evicted).toBe(tail);

    // A cursor overtaken by the writer between two pages continues at the new tail.
    const next = asc.next!;
    await journal.write(
      Array.from({ length: 1100 }, () => ({ streamId: ids[0]!, nodeId: 1, payload: Buffer.from('x') })),
    );
    const newTail = journal.reader.publication().tail;
    expect(newTail).toBeGreaterThan(next);
    const later = readPage(journal.reader, {
      order: 'asc',
      lo: 0,
      hi: head,
      position: next,
      limit: 10,
      budget: 1000,
      filter: NO_FILTER,
    });
    expect(later.matched[0]?.seq ?? head).toBe(Math.min(newTail, head));
    expect(later.scanned.evicted).toBe(Math.min(newTail, head) - next);

    const desc = readPage(journal.reader, {
      order: 'desc',
      lo: 0,
      hi: head,
      position: head,
      limit: 1000,
      budget: 100_000,
      filter: NO_FILTER,
    });
    expect(desc.next).toBeNull();
    expect(desc.matched.every((m) => m.seq >= newTail)).toBe(true);
  });
});

describe('pageViews', () => {
  it('renders previews, and drops the payload of an event evicted before it was read', async () => {
    const { journal, ids } = await fill(10, { slots: 1024, blobSize: 65_536 });
    const { head, tail } = journal.reader.publication();
    const page = readPage(journal.reader, {
      order: 'asc',
      lo: tail,
      hi: head,
      position: tail,
      limit: 3,
      budget: 100,
      filter: NO_FILTER,
    });
    const names = new StreamNames(journal.reader);
    const views = pageViews(journal.reader, page.matched, names, 'auto', 256);
    expect(views.map((v) => v.payload)).toEqual(
      [0, 1, 2].map((i) => ({ encoding: 'json', json: { i }, truncated: false })),
    );
    for (const v of views) expect(eventSchema.parse(v)).toEqual(v);
    expect(views[0]).toMatchObject({
      seq: 0,
      slot: 0,
      stream: 'a',
      streamId: ids[0],
      nodeId: 0,
      flagNames: ['SUBMITTED'],
    });

    await journal.write(
      Array.from({ length: 1030 }, () => ({ streamId: 0, nodeId: 1, payload: Buffer.from('y') })),
    );
    const stale = pageViews(journal.reader, page.matched, names, 'auto', 256);
    expect(stale.every((v) => v.overwritten === true && v.payload === undefined)).toBe(true);
    expect(pageViews(journal.reader, page.matched, names, 'none', 256)[0]!.overwritten).toBeUndefined();
  });
});
