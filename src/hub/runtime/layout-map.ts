/**
 * The journal's byte map for the UI's Journal Mirror page: the header's sections with their offsets and sizes
 * (from layout.ts), the index ring with the slot span(s) holding retained events, the blob region with the
 * byte span(s) holding retained payloads, and consumer cursors mapped to slots. A span that runs past the end
 * of its region wraps, so an occupied range is one span or two. Pure: the numbers come from the caller.
 *
 * @module
 */
import {
  CACHE_LINE_SIZE,
  COUNTERS_END,
  COUNTERS_OFFSET,
  CURSOR_ACTIVE_MASK_OFFSET,
  CURSOR_TABLE_END,
  CURSOR_TABLE_OFFSET,
  IDENTITY_LINE_OFFSET,
  JOURNAL_HEADER_SIZE,
  type JournalGeometry,
  PUBLICATION_LINE_OFFSET,
  RETENTION_LINE_OFFSET,
  SLOT_SIZE,
  STREAM_TABLE_END,
  STREAM_TABLE_OFFSET,
  WRITER_LINE_OFFSET,
} from '../../journal/layout.ts';

export type ByteSection = {
  name: string;
  offset: number;
  size: number;
  description: string;
};

/** Slots [fromSlot, toSlot) holding sequences [fromSequence, toSequence), at file bytes [offset, offset+size). */
export type SlotSpan = {
  fromSlot: number;
  toSlot: number;
  fromSequence: number;
  toSequence: number;
  offset: number;
  size: number;
};

/** Region bytes [from, to) holding monotonic payload offsets [fromOffset, toOffset), at file bytes [offset, offset+size). */
export type ByteSpan = {
  from: number;
  to: number;
  fromOffset: number;
  toOffset: number;
  offset: number;
  size: number;
};

/** Where a cursor's position stands: among the retained events, at head (caught up), or below tail (lost events). */
export type CursorPlace = 'retained' | 'at-head' | 'behind-tail' | 'ahead-of-head';

export type CursorMark = {
  index: number;
  name: string;
  position: number;
  live: boolean;
  place: CursorPlace;
  /** The slot `position` maps to (for `behind-tail` it now holds a newer sequence). */
  slot: number;
  /** File offset of that slot. */
  offset: number;
};

export type JournalByteMap = {
  fileSize: number;
  header: { offset: number; size: number; sections: ByteSection[] };
  ring: {
    offset: number;
    size: number;
    slotCount: number;
    slotSize: number;
    tailSlot: number;
    headSlot: number;
    occupied: SlotSpan[];
  };
  /** Alignment padding between the ring's end and the blob region (64 KiB aligned). */
  padding: { offset: number; size: number };
  blob: { offset: number; size: number; tailOffset: number; headOffset: number; occupied: ByteSpan[] };
  cursors: CursorMark[];
};

export type ByteMapInput = {
  geometry: JournalGeometry;
  head: number;
  tail: number;
  blobHead: number;
  blobTail: number;
  cursors: readonly { index: number; name: string; position: number; live: boolean }[];
};

/** The header, section by section, gaps included, covering [0, 65536). */
export function headerSections(): ByteSection[] {
  const sections: ByteSection[] = [
    {
      name: 'identity',
      offset: IDENTITY_LINE_OFFSET,
      size: CACHE_LINE_SIZE,
      description: 'magic, version, geometry; written once',
    },
    {
      name: 'writer',
      offset: WRITER_LINE_OFFSET,
      size: CACHE_LINE_SIZE,
      description: 'writer pid, state, fsync mode, durable head',
    },
    {
      name: 'publication',
      offset: PUBLICATION_LINE_OFFSET,
      size: CACHE_LINE_SIZE,
      description: 'head, blob head, clock, published ms',
    },
    {
      name: 'retention',
      offset: RETENTION_LINE_OFFSET,
      size: CACHE_LINE_SIZE,
      description: 'tail, blob tail',
    },
    {
      name: 'counters',
      offset: COUNTERS_OFFSET,
      size: COUNTERS_END - COUNTERS_OFFSET,
      description: '32 u64 counters',
    },
    {
      name: 'cursor-mask',
      offset: CURSOR_ACTIVE_MASK_OFFSET,
      size: 4,
      description: 'bit i set while cursor i is active',
    },
    {
      name: 'cursors',
      offset: CURSOR_TABLE_OFFSET,
      size: CURSOR_TABLE_END - CURSOR_TABLE_OFFSET,
      description: '16 consumer cursors, one line each',
    },
    {
      name: 'stream-names',
      offset: STREAM_TABLE_OFFSET,
      size: STREAM_TABLE_END - STREAM_TABLE_OFFSET,
      description: '1024 stream names, 32 bytes each',
    },
  ];
  // Fill the gaps with `reserved` sections, so the list tiles the header.
  const tiled: ByteSection[] = [];
  let at = 0;
  for (const s of sections) {
    if (s.offset > at)
      tiled.push({ name: 'reserved', offset: at, size: s.offset - at, description: 'reserved, zero' });
    tiled.push(s);
    at = s.offset + s.size;
  }
  if (at < JOURNAL_HEADER_SIZE) {
    tiled.push({
      name: 'reserved',
      offset: at,
      size: JOURNAL_HEADER_SIZE - at,
      description: 'reserved, zero',
    });
  }
  return tiled;
}

/** The slot spans of sequences [tail, head) in a ring of `slotCount` slots. */
export function ringSpans(
  tail: number,
  head: number,
  slotCount: number,
): { fromSlot: number; toSlot: number; fromSequence: number; toSequence: number }[] {
  const retained = Math.max(0, Math.min(head - tail, slotCount));
  if (retained === 0) return [];
  const start = tail % slotCount;
  const first = Math.min(retained, slotCount - start);
  const spans = [{ fromSlot: start, toSlot: start + first, fromSequence: tail, toSequence: tail + first }];
  if (retained > first) {
    spans.push({
      fromSlot: 0,
      toSlot: retained - first,
      fromSequence: tail + first,
      toSequence: tail + retained,
    });
  }
  return spans;
}

/** The byte spans of monotonic offsets [blobTail, blobHead) in a region of `blobSize` bytes. */
export function blobSpans(
  blobTail: number,
  blobHead: number,
  blobSize: number,
): { from: number; to: number; fromOffset: number; toOffset: number }[] {
  const used = Math.max(0, Math.min(blobHead - blobTail, blobSize));
  if (used === 0) return [];
  const start = blobTail % blobSize;
  const first = Math.min(used, blobSize - start);
  const spans = [{ from: start, to: start + first, fromOffset: blobTail, toOffset: blobTail + first }];
  if (used > first)
    spans.push({ from: 0, to: used - first, fromOffset: blobTail + first, toOffset: blobTail + used });
  return spans;
}

export function cursorPlace(position: number, tail: number, head: number): CursorPlace {
  if (position < tail) return 'behind-tail';
  if (position === head) return 'at-head';
  if (position > head) return 'ahead-of-head';
  return 'retained';
}

export function journalByteMap(input: ByteMapInput): JournalByteMap {
  const { geometry: g, head, tail, blobHead, blobTail } = input;
  const ringSize = g.slotCount * SLOT_SIZE;
  const slotOffset = (slot: number) => g.ringOffset + slot * SLOT_SIZE;
  return {
    fileSize: g.fileSize,
    header: { offset: 0, size: JOURNAL_HEADER_SIZE, sections: headerSections() },
    ring: {
      offset: g.ringOffset,
      size: ringSize,
      slotCount: g.slotCount,
      slotSize: SLOT_SIZE,
      tailSlot: tail % g.slotCount,
      headSlot: head % g.slotCount,
      occupied: ringSpans(tail, head, g.slotCount).map((s) => ({
        ...s,
        offset: slotOffset(s.fromSlot),
        size: (s.toSlot - s.fromSlot) * SLOT_SIZE,
      })),
    },
    padding: { offset: g.ringOffset + ringSize, size: g.blobOffset - (g.ringOffset + ringSize) },
    blob: {
      offset: g.blobOffset,
      size: g.blobSize,
      tailOffset: blobTail % g.blobSize,
      headOffset: blobHead % g.blobSize,
      occupied: blobSpans(blobTail, blobHead, g.blobSize).map((s) => ({
        ...s,
        offset: g.blobOffset + s.from,
        size: s.to - s.from,
      })),
    },
    cursors: input.cursors.map((c) => {
      const slot = c.position % g.slotCount;
      return {
        index: c.index,
        name: c.name,
        position: c.position,
        live: c.live,
        place: cursorPlace(c.position, tail, head),
        slot,
        offset: slotOffset(slot),
      };
    }),
  };
}
