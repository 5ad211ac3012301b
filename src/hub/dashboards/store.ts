/**
 * Dashboards in SQLite: one row per dashboard holding its document (time range, refresh, widgets) as JSON and
 * a version that every update increments, so a stale editor's PUT is refused rather than silently winning.
 * `dashboard_flags` remembers one-time facts — that the default dashboard was created — so deleting it stays
 * deleted across restarts.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Db, Migration } from '../db.ts';
import { HubError, notFound } from '../errors.ts';
import type { Dashboard, DashboardList, DashboardWidget } from './schema.ts';

export const dashboardMigrations: Migration[] = [
  {
    id: 'dashboards-001',
    sql: `
      CREATE TABLE dashboards (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        document TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX dashboards_name ON dashboards(name COLLATE NOCASE);
      CREATE TABLE dashboard_flags (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
];

/** What a dashboard holds besides its identity and version. */
export interface DashboardContent {
  name: string;
  description: string;
  timeRange: Dashboard['timeRange'];
  refreshSec: number | null;
  widgets: DashboardWidget[];
}

interface Row {
  id: string;
  name: string;
  description: string;
  document: string;
  version: number;
  created_at: number;
  updated_at: number;
}

type Document = Pick<DashboardContent, 'timeRange' | 'refreshSec' | 'widgets'>;

function fromRow(row: Row): Dashboard {
  const doc = JSON.parse(row.document) as Document;
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    timeRange: doc.timeRange,
    refreshSec: doc.refreshSec,
    widgets: doc.widgets,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const documentOf = (c: DashboardContent): string =>
  JSON.stringify({ timeRange: c.timeRange, refreshSec: c.refreshSec, widgets: c.widgets } satisfies Document);

export class DashboardStore {
  readonly #db: Db;
  readonly #now: () => number;

  constructor(db: Db, now: () => number) {
    this.#db = db;
    this.#now = now;
  }

  list(): DashboardList['dashboards'] {
    const rows = this.#db
      .prepare<[], Row>('SELECT * FROM dashboards ORDER BY name COLLATE NOCASE, created_at')
      .all();
    return rows.map((row) => {
      const d = fromRow(row);
      return {
        id: d.id,
        name: d.name,
        description: d.description,
        widgetCount: d.widgets.length,
        version: d.version,
        updatedAt: d.updatedAt,
      };
    });
  }

  get(id: string): Dashboard {
    const row = this.#db.prepare<[string], Row>('SELECT * FROM dashboards WHERE id = ?').get(id);
    if (!row) throw notFound(`dashboard ${id}`);
    return fromRow(row);
  }

  create(content: DashboardContent): Dashboard {
    const id = randomUUID();
    const at = this.#now();
    this.#db
      .prepare(
        `INSERT INTO dashboards (id, name, description, document, version, created_at, updated_at)
         VALUES (?, ?, ?, ?, 1, ?, ?)`,
      )
      .run(id, content.name, content.description, documentOf(content), at, at);
    return this.get(id);
  }

  /** Replaces the content when `version` is the stored one; 409 VERSION_CONFLICT otherwise. */
  update(id: string, version: number, content: DashboardContent): Dashboard {
    return this.#db.transaction(() => {
      const current = this.get(id);
      if (current.version !== version) {
        throw new HubError(
          409,
          'VERSION_CONFLICT',
          `dashboard ${id} is at version ${current.version}, not ${version}: someone saved it meanwhile; reload it and apply your change again`,
          { current: current.version, given: version },
        );
      }
      this.#db
        .prepare(
          `UPDATE dashboards SET name = ?, description = ?, document = ?, version = version + 1, updated_at = ?
           WHERE id = ?`,
        )
        .run(content.name, content.description, documentOf(content), this.#now(), id);
      return this.get(id);
    })();
  }

  delete(id: string): Dashboard {
    const existing = this.get(id);
    this.#db.prepare('DELETE FROM dashboards WHERE id = ?').run(id);
    return existing;
  }

  flag(name: string): string | null {
    const row = this.#db
      .prepare<[string], { value: string }>('SELECT value FROM dashboard_flags WHERE name = ?')
      .get(name);
    return row?.value ?? null;
  }

  /** Runs `create` once per database: the flag is set in the same transaction. */
  once(flag: string, create: () => void): void {
    this.#db.transaction(() => {
      if (this.flag(flag) !== null) return;
      create();
      this.#db
        .prepare('INSERT INTO dashboard_flags (name, value) VALUES (?, ?)')
        .run(flag, String(this.#now()));
    })();
  }
}
