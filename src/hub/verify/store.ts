/**
 * Verification runs, persisted so past runs stay listable after a restart.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { JournalCheckResult } from '../../../proofs/journal-checks.ts';
import type { PropertyResult } from '../../../proofs/runner.ts';
import type { Db, Migration } from '../db.ts';

export const verifyMigrations: Migration[] = [
  {
    id: 'verify-001',
    sql: `
      CREATE TABLE verify_runs (
        id TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL,
        finished_at INTEGER,
        state TEXT NOT NULL,
        options TEXT NOT NULL,
        total INTEGER NOT NULL DEFAULT 0,
        results TEXT NOT NULL DEFAULT '[]',
        journal_checks TEXT,
        error TEXT,
        created_by TEXT
      );
      CREATE INDEX verify_runs_created ON verify_runs(created_at);
    `,
  },
];

export type RunState = 'running' | 'passed' | 'failed' | 'error' | 'interrupted';

export interface VerifyOptions {
  suites: string[] | null;
  runs: number;
  seed: number | null;
  journal: boolean;
}

export interface VerifyRun {
  id: string;
  createdAt: number;
  finishedAt: number | null;
  state: RunState;
  options: VerifyOptions;
  /** Properties planned; `results.length` of them are done. */
  total: number;
  results: PropertyResult[];
  journalChecks: JournalCheckResult[] | null;
  error: string | null;
  createdBy: string | null;
}

interface Row {
  id: string;
  created_at: number;
  finished_at: number | null;
  state: RunState;
  options: string;
  total: number;
  results: string;
  journal_checks: string | null;
  error: string | null;
  created_by: string | null;
}

const toRun = (r: Row): VerifyRun => ({
  id: r.id,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
  state: r.state,
  options: JSON.parse(r.options) as VerifyOptions,
  total: r.total,
  results: JSON.parse(r.results) as PropertyResult[],
  journalChecks: r.journal_checks === null ? null : (JSON.parse(r.journal_checks) as JournalCheckResult[]),
  error: r.error,
  createdBy: r.created_by,
});

export class VerifyStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Runs left "running" by a hub that stopped mid-run. */
  markInterrupted(now: number): void {
    this.#db
      .prepare(
        `UPDATE verify_runs SET state = 'interrupted', finished_at = ?, error = 'the hub stopped during the run' WHERE state = 'running'`,
      )
      .run(now);
  }

  create(options: VerifyOptions, createdBy: string | null, now: number): VerifyRun {
    const id = `vr_${randomBytes(6).toString('hex')}`;
    this.#db
      .prepare(
        `INSERT INTO verify_runs (id, created_at, state, options, created_by) VALUES (?, ?, 'running', ?, ?)`,
      )
      .run(id, now, JSON.stringify(options), createdBy);
    return this.get(id)!;
  }

  get(id: string): VerifyRun | null {
    const row = this.#db.prepare('SELECT * FROM verify_runs WHERE id = ?').get(id) as Row | undefined;
    return row ? toRun(row) : null;
  }

  list(limit: number, before: number | null): VerifyRun[] {
    const rows = this.#db
      .prepare(
        `SELECT * FROM verify_runs ${before === null ? '' : 'WHERE created_at < ?'} ORDER BY created_at DESC, id DESC LIMIT ?`,
      )
      .all(...(before === null ? [] : [before]), limit) as Row[];
    return rows.map(toRun);
  }

  update(run: VerifyRun): void {
    this.#db
      .prepare(
        `UPDATE verify_runs SET finished_at = ?, state = ?, total = ?, results = ?, journal_checks = ?, error = ? WHERE id = ?`,
      )
      .run(
        run.finishedAt,
        run.state,
        run.total,
        JSON.stringify(run.results),
        run.journalChecks === null ? null : JSON.stringify(run.journalChecks),
        run.error,
        run.id,
      );
  }
}
