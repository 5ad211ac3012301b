/**
 * The connector registry in SQLite: one row per connector with its config, paused flag, counters and last
 * error, so all of it survives a restart.
 *
 * @module
 */
import type { Db, Migration } from '../db.ts';
import type { ConnectorCounters, CreateConnectorBody } from './schema.ts';

export const connectorMigrations: Migration[] = [
  {
    id: 'connectors-001',
    sql: `
      CREATE TABLE connectors (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        stream TEXT NOT NULL,
        node_id INTEGER NOT NULL,
        config TEXT NOT NULL,
        paused INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        counters TEXT NOT NULL,
        last_event_at INTEGER,
        last_error TEXT
      );
    `,
  },
  {
    id: 'connectors-002',
    sql: `
      CREATE TABLE connector_seen (
        connector_id TEXT NOT NULL REFERENCES connectors(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (connector_id, key)
      );
      CREATE INDEX connector_seen_order ON connector_seen(connector_id, n);
    `,
  },
];

export type StoredKind = CreateConnectorBody['kind'];

export interface ConnectorRecord {
  id: string;
  name: string;
  kind: StoredKind;
  stream: string;
  nodeId: number;
  config: Record<string, unknown>;
  paused: boolean;
  createdAt: number;
  counters: ConnectorCounters;
  lastEventAt: number | null;
  lastError: { at: number; code: string; message: string } | null;
}

interface Row {
  id: string;
  name: string;
  kind: StoredKind;
  stream: string;
  node_id: number;
  config: string;
  paused: number;
  created_at: number;
  counters: string;
  last_event_at: number | null;
  last_error: string | null;
}

export const zeroCounters = (): ConnectorCounters => ({
  received: 0,
  journaled: 0,
  dropped: 0,
  rejected: 0,
  bytes: 0,
  errors: 0,
  duplicates: 0,
  pending: 0,
});

function toRecord(row: Row): ConnectorRecord {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    stream: row.stream,
    nodeId: row.node_id,
    config: JSON.parse(row.config) as Record<string, unknown>,
    paused: row.paused !== 0,
    createdAt: row.created_at,
    counters: { ...zeroCounters(), ...(JSON.parse(row.counters) as Partial<ConnectorCounters>), pending: 0 },
    lastEventAt: row.last_event_at,
    lastError: row.last_error === null ? null : (JSON.parse(row.last_error) as ConnectorRecord['lastError']),
  };
}

export class ConnectorStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  all(): ConnectorRecord[] {
    return (this.#db.prepare('SELECT * FROM connectors ORDER BY created_at, id').all() as Row[]).map(
      toRecord,
    );
  }

  byName(name: string): ConnectorRecord | null {
    const row = this.#db.prepare('SELECT * FROM connectors WHERE name = ?').get(name) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  insert(record: ConnectorRecord): void {
    this.#db
      .prepare(
        `INSERT INTO connectors (id, name, kind, stream, node_id, config, paused, created_at, counters,
           last_event_at, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        record.id,
        record.name,
        record.kind,
        record.stream,
        record.nodeId,
        JSON.stringify(record.config),
        record.paused ? 1 : 0,
        record.createdAt,
        JSON.stringify(record.counters),
        record.lastEventAt,
        record.lastError === null ? null : JSON.stringify(record.lastError),
      );
  }

  /** Saves what changes while a connector runs. */
  saveRuntime(record: ConnectorRecord): void {
    this.#db
      .prepare(
        'UPDATE connectors SET paused = ?, counters = ?, last_event_at = ?, last_error = ? WHERE id = ?',
      )
      .run(
        record.paused ? 1 : 0,
        JSON.stringify(record.counters),
        record.lastEventAt,
        record.lastError === null ? null : JSON.stringify(record.lastError),
        record.id,
      );
  }

  /** The dedupe keys an http-poll connector has journaled, oldest first. */
  seenKeys(id: string): string[] {
    return this.#db
      .prepare('SELECT key FROM connector_seen WHERE connector_id = ? ORDER BY n')
      .pluck()
      .all(id) as string[];
  }

  /** Records journaled dedupe keys, keeping the newest `cap`. */
  remember(id: string, keys: readonly string[], cap: number): void {
    if (keys.length === 0) return;
    this.#db.transaction(() => {
      const last =
        (this.#db.prepare('SELECT MAX(n) FROM connector_seen WHERE connector_id = ?').pluck().get(id) as
          number | null) ?? 0;
      const insert = this.#db.prepare(
        'INSERT INTO connector_seen (connector_id, key, n) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET n = excluded.n',
      );
      keys.forEach((key, i) => insert.run(id, key, last + 1 + i));
      this.#db
        .prepare('DELETE FROM connector_seen WHERE connector_id = ? AND n <= ?')
        .run(id, last + keys.length - cap);
    })();
  }

  delete(id: string): boolean {
    return this.#db.prepare('DELETE FROM connectors WHERE id = ?').run(id).changes > 0;
  }
}
