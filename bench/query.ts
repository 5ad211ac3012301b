/**
 * The query executor's scan rate on a journal of 10 million JSON events: a non-selective and a selective JSON
 * filter (every payload decoded), a stream-filtered one (payloads of one stream in four decoded), a condition on
 * a slot field (no payload decoded), a string filter that a byte search answers for most payloads, and a time-bounded query whose binary search limits the scan to the slots
 * of its window — reported as slots scanned.
 *
 * Runs the executor in-process on a read-only `JournalReader` (no HTTP), each case three times; the table shows
 * the median. Run: npm run bench -- query   (BENCH_EVENTS=10000000 by default)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wallMsOfWords } from '../src/core/hlc.ts';
import { runQuery } from '../src/hub/query/executor.ts';
import { parseQuery } from '../src/hub/query/parser.ts';
import { JournalReader } from '../src/journal/reader.ts';
import { buildJournal } from './lib/journal-fixture.ts';
import { median, publish } from './lib/report.ts';

const REPEAT = 3;

export async function run(): Promise<void> {
  const count = Number(process.env.BENCH_EVENTS ?? 10_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'cz-bench-query-'));
  const journal = join(dir, 'journal.db');
  try {
    const buildStarted = performance.now();
    await buildJournal(journal, {
      count,
      slots: 2 ** 24,
      blobSize: 2 ** 30,
      onProgress: (n) => n % 1_000_000 === 0 && process.stderr.write(`query: ${n} events journaled\n`),
    });
    const buildSeconds = (performance.now() - buildStarted) / 1000;
    const reader = JournalReader.open(journal);
    try {
      const timeOf = (seq: number): number => {
        const e = reader.readEvent(seq)!;
        return wallMsOfWords(e.lamportHi, e.lamportLo);
      };
      const firstMs = timeOf(0);
      const lastMs = timeOf(count - 1);
      const middle = Math.floor((firstMs + lastMs) / 2);
      const cases: [string, string][] = [
        ['non-selective JSON filter (90 % match)', 'SELECT COUNT(*) FROM * WHERE status = "ok"'],
        ['selective JSON filter on a number (0.01 % match), rows out', 'SELECT * FROM * WHERE price = 1234'],
        ['selective JSON filter on a string (0.1 % match), rows out', 'SELECT * FROM * WHERE user = "u42"'],
        ['one stream of four, JSON filter', 'SELECT COUNT(*) FROM payments WHERE status = "error"'],
        ['slot field only (no payload decoded)', 'SELECT COUNT(*) FROM * WHERE node = 3'],
        [
          'time-bounded, 1 s window, JSON filter',
          `SELECT COUNT(*) FROM * WHERE status = "error" SINCE ${middle} UNTIL ${middle + 1000}`,
        ],
        [
          'GROUP BY a JSON field, 1 s buckets',
          `SELECT COUNT(*) FROM * SINCE ${middle} UNTIL ${middle + 2000} GROUP BY status BY 1s`,
        ],
      ];
      const rows: string[][] = [];
      for (const [name, text] of cases) {
        const parsed = parseQuery(text);
        if (!parsed.ok) throw new Error(`${text}: ${parsed.error.message}`);
        const seconds: number[] = [];
        let last: Awaited<ReturnType<typeof runQuery>> | null = null;
        for (let i = 0; i < REPEAT; i++) {
          const started = performance.now();
          last = await runQuery(reader, parsed.query, Date.now(), {
            defaultLimit: null,
            timeBudgetMs: 3_600_000,
          });
          seconds.push((performance.now() - started) / 1000);
        }
        const s = median(seconds);
        const { stats, rows: out } = last!;
        rows.push([
          name,
          `\`${text.replace(/\d{13}/g, 't')}\``,
          stats.scanned.count.toLocaleString('en-US'),
          stats.payloadsDecoded.toLocaleString('en-US'),
          stats.payloadsSkippedByBytes.toLocaleString('en-US'),
          stats.matched.toLocaleString('en-US'),
          String(out.length),
          `${(s * 1000).toFixed(0)} ms`,
          `${(stats.scanned.count / s / 1e6).toFixed(2)} M`,
        ]);
        process.stderr.write(`query: ${name}: ${(s * 1000).toFixed(0)} ms\n`);
      }
      publish({
        title: `query: scan rate of the query executor on a journal of ${count.toLocaleString('en-US')} events`,
        command: 'npm run bench -- query',
        headers: [
          'case',
          'query',
          'slots scanned',
          'payloads decoded',
          'skipped by byte search',
          'matched',
          'rows',
          'time (median of 3)',
          'slots/s',
        ],
        rows,
        notes: [
          `journal: ${count.toLocaleString('en-US')} JSON events (≈80 B: seq, price, status, user) on 4 streams from 8 nodes over ${((lastMs - firstMs) / 1000).toFixed(0)} s of clock time, 2^24 slots, 1 GiB blob; built through the submit path in ${buildSeconds.toFixed(1)} s`,
          't = epoch milliseconds at the middle of the journal\'s clock span; SINCE/UNTIL are resolved by binary search, so "slots scanned" is the window alone',
          'in-process executor (runQuery) on a read-only JournalReader, warm page cache; no HTTP or JSON serialization of the answer',
        ],
      });
    } finally {
      reader.close();
    }
  } finally {
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
}
