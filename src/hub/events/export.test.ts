/**
 * The export stream on a real journal: NDJSON and CSV rows of the selected events, produced only as fast as
 * the consumer reads (nothing is scanned ahead of demand), and a clean end at the limit or the range's end.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { exportStream } from './export.ts';
import { NO_FILTER } from './range.ts';
import { EXPORT_CSV_COLUMNS, eventSchema } from './schema.ts';
import { closeTestJournals, testJournal } from './test-journal.ts';
import { StreamNames } from './view.ts';

afterEach(closeTestJournals);

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe('exportStream', () => {
  it('writes NDJSON and CSV rows of the range, honouring the filter and the limit', async () => {
    const journal = testJournal();
    const a = journal.sequencer.registerStream('a');
    await journal.write(
      Array.from({ length: 300 }, (_, i) => ({
        streamId: i % 2 ? a : 0,
        nodeId: 9,
        payload: Buffer.from(i % 2 ? `line, "${i}"\nnext` : JSON.stringify({ i })),
      })),
    );
    const base = { reader: journal.reader, names: new StreamNames(journal.reader), lo: 10, hi: 250 };
    const ndjson = await readAll(
      exportStream({ ...base, filter: NO_FILTER, limit: 1000, format: 'ndjson', payload: 'auto' }),
    );
    const lines = ndjson
      .trimEnd()
      .split('\n')
      .map((l) => eventSchema.parse(JSON.parse(l)));
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 240 }, (_, i) => 10 + i));
    expect(lines[0]!.payload).toEqual({ encoding: 'json', json: { i: 10 }, truncated: false });
    expect(lines[1]!.payload).toEqual({ encoding: 'text', text: 'line, "11"\nnext', truncated: false });

    const csv = await readAll(
      exportStream({
        ...base,
        filter: { streams: [a], node: null },
        limit: 5,
        format: 'csv',
        payload: 'base64',
      }),
    );
    const rows = csv.split('\r\n');
    expect(rows[0]).toBe(EXPORT_CSV_COLUMNS.join(','));
    expect(rows).toHaveLength(1 + 5 + 1);
    expect(rows[1]!.split(',').slice(0, 2)).toEqual(['11', '11']);
    expect(rows[1]!.endsWith(`,base64,${Buffer.from('line, "11"\nnext').toString('base64')}`)).toBe(true);
  });

  it('scans only when the consumer asks for more', async () => {
    const journal = testJournal({ slots: 1 << 16, blobSize: 1 << 24 });
    await journal.write(
      Array.from({ length: 60_000 }, (_, i) => ({ streamId: 0, nodeId: 1, payload: Buffer.alloc(100, i) })),
    );
    const scan = vi.spyOn(journal.reader, 'scan');
    const stream = exportStream({
      reader: journal.reader,
      names: new StreamNames(journal.reader),
      lo: 0,
      hi: 60_000,
      filter: NO_FILTER,
      limit: 1_000_000,
      format: 'ndjson',
      payload: 'hex',
    });
    const reader = stream.getReader();
    const first = await reader.read();
    expect(first.value!.length).toBeLessThan(1 << 20);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const callsAfterOneChunk = scan.mock.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(scan.mock.calls.length).toBe(callsAfterOneChunk);
    let total = first.value!.length;
    let rows = first.value!.filter((b) => b === 0x0a).length;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      rows += value.filter((b) => b === 0x0a).length;
    }
    expect(rows).toBe(60_000);
    expect(total).toBeGreaterThan(60_000 * 200);
  });
});
