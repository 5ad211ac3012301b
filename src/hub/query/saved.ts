/**
 * Saved queries and the query history in the hub's SQLite. A saved query is a name (unique) and a text that
 * parsed when it was stored. The history has one row per query run through `POST /api/query` — who ran it,
 * how long it took, how many rows it answered, or its error code — and keeps only the newest
 * `QUERY_HISTORY_MAX` rows, trimmed on every insert.
 *
 * @module
 */
import type { Db, Migration } from '../db.ts';
import { HubError, notFound } from '../errors.ts';
import { QUERY_HISTORY_MAX, type QueryHistoryEntry, SAVED_QUERIES_MAX, type SavedQuery } from './schema.ts';

export const queryMigrations: Migration[] = [
  {
    id: 'query-001',
    sql: `
      CREATE TABLE saved_queries (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        query TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT
      );
      CREATE TABLE query_history (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        query TEXT NOT NULL,
        format TEXT NOT NULL,
        key_id TEXT,
        key_name TEXT,
        rows INTEGER NOT NULL,
        scanned INTEGER,
        duration_ms REAL NOT NULL,
        ok INTEGER NOT NULL,
        error_code TEXT
      );
    `,
  },
];

interface SavedRow {
  id: number;
  name: string;
  query: string;
  created_at: number;
  updated_at: number;
  updated_by: string | null;
}

interface HistoryRow {
  id: number;
  at: number;
  query: string;
  format: 'json' | 'ndjson';
  key_id: string | null;
  key_name: string | null;
  rows: number;
  scanned: number | null;
  duration_ms: number;
  ok: number;
  error_code: string | null;
}

const savedView = (r: SavedRow): SavedQuery => ({
  id: r.id,
  name: r.name,
  query: r.query,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
});

const historyView = (r: HistoryRow): QueryHistoryEntry => ({
  id: r.id,
  at: r.at,
  query: r.query,
  format: r.format,
  keyId: r.key_id,
  keyName: r.key_name,
  rows: r.rows,
  scanned: r.scanned,
  durationMs: r.duration_ms,
  ok: r.ok === 1,
  errorCode: r.error_code,
});

const nameTaken = (name: string): HubError =>
  new HubError(409, 'NAME_TAKEN', `a saved query named "${name}" exists already`, { name });

/** What the history records of one run. */
export type HistoryRecord = Omit<QueryHistoryEntry, 'id'>;

export class QueryStore {
  readonly #db: Db;
  readonly #historyMax: number;

  constructor(db: Db, options: { historyMax?: number } = {}) {
    this.#db = db;
    this.#historyMax = options.historyMax ?? QUERY_HISTORY_MAX;
  }

  /** Saved queries by name. */
  listSaved(): SavedQuery[] {
    const rows = this.#db.prepare('SELECT * FROM saved_queries ORDER BY name COLLATE NOCASE, id').all();
    return (rows as SavedRow[]).map(savedView);
  }

  getSaved(id: number): SavedQuery {
    const row = this.#db.prepare('SELECT * FROM saved_queries WHERE id = ?').get(id) as SavedRow | undefined;
    if (!row) throw notFound(`saved query ${id}`);
    return savedView(row);
  }

  /** @throws HubError 409 NAME_TAKEN, 409 TOO_MANY_SAVED_QUERIES */
  createSaved(name: string, query: string, by: string | null, at: number): SavedQuery {
    return this.#db.transaction(() => {
      if (this.#idOfName(name) !== null) throw nameTaken(name);
      const count = this.#db.prepare('SELECT COUNT(*) FROM saved_queries').pluck().get() as number;
      if (count >= SAVED_QUERIES_MAX)
        throw new HubError(
          409,
          'TOO_MANY_SAVED_QUERIES',
          `the hub keeps at most ${SAVED_QUERIES_MAX} saved queries; delete some first`,
          { max: SAVED_QUERIES_MAX },
        );
      const result = this.#db
        .prepare(
          'INSERT INTO saved_queries (name, query, created_at, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)',
        )
        .run(name, query, at, at, by);
      return this.getSaved(Number(result.lastInsertRowid));
    })();
  }

  /** @throws HubError 404, 409 NAME_TAKEN */
  updateSaved(
    id: number,
    change: { name?: string | undefined; query?: string | undefined },
    by: string | null,
    at: number,
  ): SavedQuery {
    return this.#db.transaction(() => {
      const current = this.getSaved(id);
      const name = change.name ?? current.name;
      const holder = this.#idOfName(name);
      if (holder !== null && holder !== id) throw nameTaken(name);
      this.#db
        .prepare('UPDATE saved_queries SET name = ?, query = ?, updated_at = ?, updated_by = ? WHERE id = ?')
        .run(name, change.query ?? current.query, at, by, id);
      return this.getSaved(id);
    })();
  }

  /** @throws HubError 404 */
  deleteSaved(id: number): SavedQuery {
    return this.#db.transaction(() => {
      const current = this.getSaved(id);
      this.#db.prepare('DELETE FROM saved_queries WHERE id = ?').run(id);
      return current;
    })();
  }

  #idOfName(name: string): number | null {
    const id = this.#db.prepare('SELECT id FROM saved_queries WHERE name = ?').pluck().get(name);
    return (id as number | undefined) ?? null;
  }

  /** Appends a run and drops what falls beyond the bound. */
  recordRun(entry: HistoryRecord): void {
    this.#db.transaction(() => {
      const { lastInsertRowid } = this.#db
        .prepare(
          `INSERT INTO query_history (at, query, format, key_id, key_name, rows, scanned, duration_ms, ok, error_code)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          entry.at,
          entry.query,
          entry.format,
          entry.keyId,
          entry.keyName,
          entry.rows,
          entry.scanned,
          entry.durationMs,
          entry.ok ? 1 : 0,
          entry.errorCode,
        );
      this.#db
        .prepare('DELETE FROM query_history WHERE id <= ?')
        .run(Number(lastInsertRowid) - this.#historyMax);
    })();
  }

  /** The newest `limit` runs, newest first. */
  history(limit: number): QueryHistoryEntry[] {
    const rows = this.#db.prepare('SELECT * FROM query_history ORDER BY id DESC LIMIT ?').all(limit);
    return (rows as HistoryRow[]).map(historyView);
  }
}
