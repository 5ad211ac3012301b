/**
 * The journal byte map: header sections tile the header, and the occupied ring and blob spans split in two
 * when the retained range wraps past the end of its region.
 */
import { describe, expect, it } from 'vitest';
import { JOURNAL_HEADER_SIZE, journalGeometry, SLOT_SIZE } from '../../journal/layout.ts';
import { blobSpans, cursorPlace, headerSections, journalByteMap, ringSpans } from './layout-map.ts';

describe('journal byte map', () => {
  it('header sections tile [0, 65536) in order, named after layout.ts', () => {
    const sections = headerSections();
    let at = 0;
    for (const s of sections) {
      expect(s.offset).toBe(at);
      expect(s.size).toBeGreaterThan(0);
      at += s.size;
    }
    expect(at).toBe(JOURNAL_HEADER_SIZE);
    expect(sections.filter((s) => s.name !== 'reserved').map((s) => [s.name, s.offset, s.size])).toEqual([
      ['identity', 0, 64],
      ['writer', 64, 64],
      ['publication', 128, 64],
      ['retention', 192, 64],
      ['counters', 256, 256],
      ['cursor-mask', 512, 4],
      ['cursors', 1024, 1024],
      ['stream-names', 4096, 32_768],
    ]);
  });

  it('ring spans: none when empty, one before the wrap, two after it', () => {
    expect(ringSpans(5, 5, 1024)).toEqual([]);
    expect(ringSpans(0, 10, 1024)).toEqual([{ fromSlot: 0, toSlot: 10, fromSequence: 0, toSequence: 10 }]);
    // Full ring starting at slot 0.
    expect(ringSpans(1024, 2048, 1024)).toEqual([
      { fromSlot: 0, toSlot: 1024, fromSequence: 1024, toSequence: 2048 },
    ]);
    // 1500 written, 1024 kept: sequences 476..1499 live in slots 476..1023 and 0..475.
    expect(ringSpans(476, 1500, 1024)).toEqual([
      { fromSlot: 476, toSlot: 1024, fromSequence: 476, toSequence: 1024 },
      { fromSlot: 0, toSlot: 476, fromSequence: 1024, toSequence: 1500 },
    ]);
    // Partly filled, wrapping: 1000..1100 in slots 1000..1023 and 0..75.
    expect(ringSpans(1000, 1100, 1024)).toEqual([
      { fromSlot: 1000, toSlot: 1024, fromSequence: 1000, toSequence: 1024 },
      { fromSlot: 0, toSlot: 76, fromSequence: 1024, toSequence: 1100 },
    ]);
  });

  it('blob spans split at the end of the region the same way', () => {
    const size = 65_536;
    expect(blobSpans(0, 0, size)).toEqual([]);
    expect(blobSpans(100, 900, size)).toEqual([{ from: 100, to: 900, fromOffset: 100, toOffset: 900 }]);
    expect(blobSpans(size + 60_000, size + 70_000, size)).toEqual([
      { from: 60_000, to: size, fromOffset: size + 60_000, toOffset: 2 * size },
      { from: 0, to: 4464, fromOffset: 2 * size, toOffset: size + 70_000 },
    ]);
  });

  it('maps file offsets, padding and cursors for a wrapped journal', () => {
    const geometry = journalGeometry(1024, 65_536);
    const map = journalByteMap({
      geometry,
      head: 1500,
      tail: 476,
      blobHead: 70_000,
      blobTail: 60_000,
      cursors: [
        { index: 0, name: 'mirror', position: 1100, live: true },
        { index: 1, name: 'late', position: 10, live: false },
        { index: 2, name: 'done', position: 1500, live: true },
      ],
    });
    expect(map.fileSize).toBe(geometry.fileSize);
    expect(map.ring).toMatchObject({ offset: 65_536, size: 1024 * SLOT_SIZE, tailSlot: 476, headSlot: 476 });
    expect(map.ring.occupied.map((s) => [s.offset, s.size])).toEqual([
      [65_536 + 476 * 32, 548 * 32],
      [65_536, 476 * 32],
    ]);
    // 1024 slots are 32 KiB; the blob starts at the next 64 KiB boundary.
    expect(map.padding).toEqual({ offset: 65_536 + 32_768, size: 32_768 });
    expect(map.blob).toMatchObject({ offset: 131_072, tailOffset: 60_000, headOffset: 70_000 - 65_536 });
    expect(map.blob.occupied.map((s) => [s.offset, s.size])).toEqual([
      [131_072 + 60_000, 5536],
      [131_072, 4464],
    ]);
    expect(map.cursors.map((c) => [c.name, c.place, c.slot, c.offset])).toEqual([
      ['mirror', 'retained', 1100 - 1024, 65_536 + 76 * 32],
      ['late', 'behind-tail', 10, 65_536 + 10 * 32],
      ['done', 'at-head', 476, 65_536 + 476 * 32],
    ]);
  });

  it('places cursors relative to tail and head', () => {
    expect([0, 5, 9, 10, 11].map((p) => cursorPlace(p, 5, 10))).toEqual([
      'behind-tail',
      'retained',
      'retained',
      'at-head',
      'ahead-of-head',
    ]);
  });
});
