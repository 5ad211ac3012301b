/**
 * The journal reader against a real journal file written by the native sequencer (in-process, through the
 * addon's submit path, so the tests control exactly what is written).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hlcToBigInt, wallMsOfWords } from '../core/hlc.ts';
import { loadAddon, type NativeSequencer } from '../native/binding.ts';
import { JournalReader } from './reader.ts';

let dir: string;
let sequencer: NativeSequencer;
let reader: JournalReader;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cz-reader-'));
  sequencer = new (loadAddon().Sequencer)({
    journal: join(dir, 'journal.db'),
    slots: 1024,
    blobSize: 65_536,
    listens: [],
  });
  sequencer.start(() => {});
  reader = JournalReader.open(join(dir, 'journal.db'), { cursors: true });
});

afterEach(() => {
  reader.close();
  sequencer.close();
  rmSync(dir, { recursive: true, force: true });
});

const submit = (payloads: string[], extra: { clockHint?: bigint; streamId?: number } = {}) =>
  sequencer.submit(
    payloads.map((p) => ({
      streamId: extra.streamId ?? 0,
      nodeId: 5,
      payload: Buffer.from(p),
      clockHint: extra.clockHint,
    })),
  );

describe('JournalReader', () => {
  it('reads the header: identity, writer session, publication, counters and stream names', async () => {
    await submit(['a', 'bb']);
    expect(reader.identity()).toMatchObject({ version: 1, slotCount: 1024, blobSize: 65_536 });
    expect(reader.writer()).toMatchObject({
      pid: process.pid,
      open: true,
      fsync: 'none',
      maxPayload: 16_384,
      openCount: 1,
    });
    expect(reader.publication()).toMatchObject({ head: 2, tail: 0, blobHead: 10, blobTail: 0 });
    expect(reader.counters()).toMatchObject({
      EVENTS_JOURNALED: 2,
      SUBMITS_ACCEPTED: 2,
      PAYLOAD_BYTES_JOURNALED: 3,
    });
    const id = sequencer.registerStream('orders');
    expect(reader.streams()).toEqual([
      { id: 0, name: 'default' },
      { id, name: 'orders' },
    ]);
    expect(reader.streamName(id)).toBe('orders');
    expect(reader.streamId('orders')).toBe(id);
    expect(reader.streamName(999)).toBeNull();
  });

  it('scans a range in order, skipping what is not retained and counting what was overwritten', async () => {
    await submit(Array.from({ length: 1100 }, (_, i) => `e${i}`));
    const { head, tail } = reader.publication();
    expect(head).toBe(1100);
    expect(tail).toBe(1100 - 1024);
    const seen: number[] = [];
    const result = reader.scan(
      0,
      200,
      (event, sequence) => {
        expect(Buffer.from(reader.payloadView(event)).toString()).toBe(`e${sequence}`);
        seen.push(sequence);
      },
      50,
    );
    expect(seen).toEqual(Array.from({ length: 200 - 76 }, (_, i) => 76 + i));
    expect(result).toEqual({ next: 200, overwritten: 76 });
    const stopped: number[] = [];
    expect(reader.scan(1000, 5000, (_e, s) => (stopped.push(s), s < 1002))).toEqual({
      next: 1003,
      overwritten: 0,
    });
    expect(stopped).toEqual([1000, 1001, 1002]);
  });

  it('reads single events and detects a payload overwritten after it was located', async () => {
    await submit(['first']);
    expect(reader.readEvent(1)).toBeNull();
    const event = reader.readEvent(0)!;
    expect(reader.readPayload(0, event)).toEqual({
      bytes: Uint8Array.from(Buffer.from('first')),
      overwritten: false,
    });
    expect(reader.payloadChecksum(event)).toBe(event.checksum);
    await submit(Array.from({ length: 1024 }, () => 'later'));
    expect(reader.readEvent(0)).toBeNull();
    expect(reader.readPayload(0, event).overwritten).toBe(true);
  });

  it('finds events by time with a binary search over the clock', async () => {
    const base = Date.now();
    for (let i = 0; i < 10; i++) {
      await submit([`t${i}`], { clockHint: hlcToBigInt({ wallMs: base + 1000 * (i + 1), logical: 0 }) });
    }
    const wall = (s: number): number => {
      const e = reader.readEvent(s)!;
      return wallMsOfWords(e.lamportHi, e.lamportLo);
    };
    expect(wall(3)).toBe(base + 4000);
    expect(reader.findByTime(base + 4000)).toBe(3);
    expect(reader.findByTime(base + 4001)).toBe(4);
    expect(reader.findByTime(0)).toBe(0);
    expect(reader.findByTime(base + 999_999)).toBe(10);
  });

  it('registers, lists, advances and releases consumer cursors, and says when none is free', async () => {
    const cursor = reader.registerCursor('pipeline-a', { position: 0, leaseMs: 30_000 });
    expect(reader.cursors()).toEqual([
      expect.objectContaining({
        index: cursor.index,
        name: 'pipeline-a',
        pid: process.pid,
        position: 0,
        live: true,
      }),
    ]);
    cursor.advance(7);
    expect(reader.cursors()[0]!.position).toBe(7);
    expect(() => cursor.advance(3)).toThrow(/only moves forward/);
    cursor.release();
    expect(reader.cursors()).toEqual([]);
    const held = Array.from({ length: 16 }, (_, i) => reader.registerCursor(`c${i}`));
    expect(() => reader.registerCursor('one too many')).toThrow(
      expect.objectContaining({ code: 'CURSORS_FULL' }),
    );
    held.forEach((c) => c.release());
  });

  it('refuses cursor registration on a read-only mapping, and errors with codes for missing or foreign files', () => {
    const readOnly = JournalReader.open(join(dir, 'journal.db'));
    expect(() => readOnly.registerCursor('x')).toThrow(expect.objectContaining({ code: 'READ_ONLY' }));
    readOnly.close();
    expect(() => JournalReader.open(join(dir, 'missing.db'))).toThrow(
      expect.objectContaining({ code: 'JOURNAL_NOT_FOUND' }),
    );
    expect(() => JournalReader.open('/etc/hostname')).toThrow(
      expect.objectContaining({ code: 'CORRUPT_HEADER' }),
    );
  });

  it('makes the mapped buffers unusable after close instead of reading unmapped memory', () => {
    const extra = JournalReader.open(join(dir, 'journal.db'));
    extra.close();
    expect(() => extra.publication()).toThrow(expect.objectContaining({ code: 'JOURNAL_CLOSED' }));
  });
});
