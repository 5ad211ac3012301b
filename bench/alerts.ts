/**
 * Alert rule evaluation cost per event: the alert engine fed a journal of 1 million JSON events in the journal
 * tail's batches (4096 slots), with 1, 10 and 100 rules of mixed shapes (a JSON string condition grouped by a
 * field, a numeric threshold with an average, a one-stream count, two conditions OR-ed), then one evaluation
 * tick over every window. Reports ns per event, events per second and the tick's time.
 *
 * Run: npm run bench -- alerts   (BENCH_EVENTS=1000000 by default)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertEngine } from '../src/hub/alerts/engine.ts';
import { compileRule, type RuleSpec } from '../src/hub/alerts/rule.ts';
import { JournalReader } from '../src/journal/reader.ts';
import { buildJournal } from './lib/journal-fixture.ts';
import { median, publish } from './lib/report.ts';

const REPEAT = 3;
const BATCH = 4096;

function ruleOf(i: number): RuleSpec {
  const common = { name: `r${i}`, window: '1h', threshold: { op: '>', value: 1e12 } };
  switch (i % 4) {
    case 0:
      return compileRule('v2', { ...common, conditions: ['status = "error"'], group_by: 'user' });
    case 1:
      return compileRule('v2', {
        ...common,
        conditions: [`price > ${(i * 97) % 10_000}`],
        aggregate: { fn: 'avg', field: 'price' },
      });
    case 2:
      return compileRule('v1', { ...common, query: `SELECT COUNT(*) FROM payments WHERE user = "u${i}"` });
    default:
      return compileRule('v2', {
        ...common,
        conditions: ['status = "error"', `price < ${i * 13}`],
        match: 'any',
      });
  }
}

export async function run(): Promise<void> {
  const count = Number(process.env.BENCH_EVENTS ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'cz-bench-alerts-'));
  const journal = join(dir, 'journal.db');
  try {
    await buildJournal(journal, { count, slots: 2 ** 21, blobSize: 2 ** 28 });
    const reader = JournalReader.open(journal);
    try {
      const rows: string[][] = [];
      for (const rules of [1, 10, 100]) {
        const seconds: number[] = [];
        const ticks: number[] = [];
        for (let r = 0; r < REPEAT; r++) {
          const now = Date.now();
          const engine = new AlertEngine({ now: () => now });
          for (let i = 0; i < rules; i++)
            engine.setRule(`r${i}`, ruleOf(i), { createdAt: now, updatedAt: now }, null);
          const started = performance.now();
          for (let from = 0; from < count; from += BATCH)
            engine.process(reader, from, Math.min(count, from + BATCH));
          seconds.push((performance.now() - started) / 1000);
          const tickStarted = performance.now();
          engine.evaluate();
          ticks.push(performance.now() - tickStarted);
        }
        const s = median(seconds);
        rows.push([
          String(rules),
          count.toLocaleString('en-US'),
          `${(s * 1000).toFixed(0)} ms`,
          `${((s * 1e9) / count).toFixed(0)} ns`,
          `${((s * 1e9) / count / rules).toFixed(0)} ns`,
          `${(count / s / 1e6).toFixed(2)} M`,
          `${median(ticks).toFixed(1)} ms`,
        ]);
        process.stderr.write(`alerts: ${rules} rules: ${(s * 1000).toFixed(0)} ms\n`);
      }
      publish({
        title: `alerts: rule evaluation cost per event on a journal of ${count.toLocaleString('en-US')} events`,
        command: 'npm run bench -- alerts',
        headers: [
          'rules',
          'events',
          'time (median of 3)',
          'per event',
          'per event and rule',
          'events/s',
          'evaluation tick',
        ],
        rows,
        notes: [
          'rules: i % 4 = 0 `status = "error"` GROUP BY user (997 groups); 1 `price > k` AVG(price); 2 `SELECT COUNT(*) FROM payments WHERE user = "u<i>"`; 3 `status = "error" OR price < k`',
          'AlertEngine.process over [0, events) in 4096-slot batches (as the journal tail delivers them), in-process on a read-only JournalReader, warm page cache; one shared lazily decoded event per slot across rules, byte search before decoding where conditions allow',
          'evaluation tick: one AlertEngine.evaluate() over every window and group after the scan (the hub runs it once a second)',
        ],
      });
    } finally {
      reader.close();
    }
  } finally {
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
}
