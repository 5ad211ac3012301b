import { describe, expect, it } from 'vitest';
import * as L from './layout.ts';

describe('journal layout', () => {
  it('spells the magic "LCRMJRNL" in file byte order', () => {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, L.JOURNAL_MAGIC, true);
    expect(new TextDecoder().decode(bytes)).toBe('LCRMJRNL');
  });

  it('keeps each header section inside its own cache lines, in order, without overlap', () => {
    const sections: [string, number, number][] = [
      ['identity', L.IDENTITY_LINE_OFFSET, L.IDENTITY_LINE_END],
      ['writer', L.WRITER_LINE_OFFSET, L.WRITER_LINE_END],
      ['publication', L.PUBLICATION_LINE_OFFSET, L.PUBLICATION_LINE_END],
      ['retention', L.RETENTION_LINE_OFFSET, L.RETENTION_LINE_END],
      ['counters', L.COUNTERS_OFFSET, L.COUNTERS_END],
      ['cursors', L.CURSOR_TABLE_OFFSET, L.CURSOR_TABLE_END],
      ['streams', L.STREAM_TABLE_OFFSET, L.STREAM_TABLE_END],
    ];
    let previousEnd = 0;
    for (const [name, start, end] of sections) {
      expect(start % L.CACHE_LINE_SIZE, `${name} starts on a line`).toBe(0);
      expect(start, `${name} after the previous section`).toBeGreaterThanOrEqual(previousEnd);
      previousEnd = end;
    }
    expect(L.IDENTITY_LINE_END).toBeLessThanOrEqual(L.CACHE_LINE_SIZE);
    expect(L.WRITER_LINE_END - L.WRITER_LINE_OFFSET).toBeLessThanOrEqual(L.CACHE_LINE_SIZE);
    expect(L.PUBLICATION_LINE_END - L.PUBLICATION_LINE_OFFSET).toBeLessThanOrEqual(L.CACHE_LINE_SIZE);
    expect(L.HEAD_OFFSET).toBe(128);
    expect(L.TAIL_OFFSET).toBe(192);
    expect(previousEnd).toBeLessThanOrEqual(L.JOURNAL_HEADER_SIZE);
    expect(L.CURSOR_NAME + L.CURSOR_NAME_CAPACITY).toBe(L.CURSOR_SIZE);
  });

  it('gives counters stable, dense ids that fit the counter block', () => {
    L.COUNTERS.forEach((c, index) => expect(c.id).toBe(index));
    expect(L.COUNTERS.length).toBeLessThanOrEqual(L.COUNTER_CAPACITY);
    expect(new Set(L.COUNTERS.map((c) => c.name)).size).toBe(L.COUNTERS.length);
    expect(L.counterOffset(2)).toBe(L.COUNTERS_OFFSET + 16);
    expect(() => L.counterOffset(L.COUNTER_CAPACITY)).toThrow(RangeError);
  });

  it('derives geometry: ring after the header, blob aligned after the ring', () => {
    const g = L.journalGeometry(L.DEFAULT_SLOT_COUNT, L.DEFAULT_BLOB_SIZE);
    expect(g.ringOffset).toBe(65_536);
    expect(g.blobOffset).toBe(65_536 + 2 ** 20 * 32);
    expect(g.fileSize).toBe(g.blobOffset + 2 ** 28);
    expect(L.slotFileOffset(g, 2 ** 20 + 3)).toBe(g.ringOffset + 3 * 32);
    expect(L.payloadFileOffset(g, 2 ** 28 + 8)).toBe(g.blobOffset + 8);
    const small = L.journalGeometry(1024, 65_536);
    expect(small.blobOffset % L.REGION_ALIGNMENT).toBe(0);
  });

  it('rejects geometry that is not a power of two or out of range, saying which', () => {
    expect(() => L.journalGeometry(1000, 65_536)).toThrow(/slot count/);
    expect(() => L.journalGeometry(512, 65_536)).toThrow(/slot count/);
    expect(() => L.journalGeometry(1024, 100_000)).toThrow(/blob size/);
  });

  it('addresses stream names and cursors by index, refusing out-of-range ids', () => {
    expect(L.streamEntryOffset(0)).toBe(L.STREAM_TABLE_OFFSET);
    expect(L.streamEntryOffset(1023)).toBe(L.STREAM_TABLE_END - L.STREAM_ENTRY_SIZE);
    expect(() => L.streamEntryOffset(1024)).toThrow(/no name-table entry/);
    expect(L.cursorOffset(15)).toBe(L.CURSOR_TABLE_END - L.CURSOR_SIZE);
    expect(() => L.cursorOffset(16)).toThrow(RangeError);
  });
});
