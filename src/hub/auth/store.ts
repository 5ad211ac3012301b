/**
 * Persistence of API keys and the audit log (SQLite).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Db, Migration } from '../db.ts';
import { hashKey, lookupPrefix, type Scope } from './keys.ts';
import type { AuditOutcome } from './schema.ts';

export const authMigrations: Migration[] = [
  {
    id: 'auth-001',
    sql: `
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        prefix TEXT NOT NULL,
        hash BLOB NOT NULL,
        scopes TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT,
        last_used_at INTEGER,
        expires_at INTEGER,
        revoked_at INTEGER,
        is_root INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX api_keys_prefix ON api_keys(prefix);
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        key_id TEXT,
        key_name TEXT,
        action TEXT NOT NULL,
        target TEXT,
        method TEXT,
        path TEXT,
        remote TEXT,
        status INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        detail TEXT
      );
      CREATE INDEX audit_log_at ON audit_log(at);
      CREATE INDEX audit_log_key ON audit_log(key_id, id);
      CREATE INDEX audit_log_action ON audit_log(action, id);
    `,
  },
];

export interface ApiKeyRecord {
  id: string;
  name: string;
  /** The first characters of the key, to recognise it (`cz_Ab12Cd34…`). */
  prefix: string;
  scopes: Scope[];
  createdAt: number;
  createdBy: string | null;
  lastUsedAt: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
  root: boolean;
}

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  hash: Buffer;
  scopes: string;
  created_at: number;
  created_by: string | null;
  last_used_at: number | null;
  expires_at: number | null;
  revoked_at: number | null;
  is_root: number;
}

function toRecord(row: KeyRow): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: JSON.parse(row.scopes) as Scope[],
    createdAt: row.created_at,
    createdBy: row.created_by,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    root: row.is_root === 1,
  };
}

export class KeyStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  insert(input: {
    key: string;
    name: string;
    scopes: Scope[];
    expiresAt: number | null;
    createdBy: string | null;
    root?: boolean;
    now: number;
  }): ApiKeyRecord {
    const id = `key_${randomBytes(6).toString('hex')}`;
    this.#db
      .prepare(
        `INSERT INTO api_keys (id, name, prefix, hash, scopes, created_at, created_by, expires_at, is_root)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.name,
        lookupPrefix(input.key),
        hashKey(input.key),
        JSON.stringify(input.scopes),
        input.now,
        input.createdBy,
        input.expiresAt,
        input.root ? 1 : 0,
      );
    return this.get(id)!;
  }

  get(id: string): ApiKeyRecord | null {
    const row = this.#db.prepare('SELECT * FROM api_keys WHERE id = ?').get(id) as KeyRow | undefined;
    return row ? toRecord(row) : null;
  }

  /** Candidates for a presented key: same lookup prefix, with their hashes for the constant-time compare. */
  candidates(prefix: string): { record: ApiKeyRecord; hash: Buffer }[] {
    const rows = this.#db.prepare('SELECT * FROM api_keys WHERE prefix = ?').all(prefix) as KeyRow[];
    return rows.map((row) => ({ record: toRecord(row), hash: row.hash }));
  }

  list(includeRevoked: boolean): ApiKeyRecord[] {
    const rows = this.#db
      .prepare(
        `SELECT * FROM api_keys ${includeRevoked ? '' : 'WHERE revoked_at IS NULL'} ORDER BY created_at, id`,
      )
      .all() as KeyRow[];
    return rows.map(toRecord);
  }

  hasRoot(): boolean {
    return (
      this.#db.prepare('SELECT 1 FROM api_keys WHERE is_root = 1 AND revoked_at IS NULL').get() !== undefined
    );
  }

  revoke(id: string, now: number): boolean {
    return (
      this.#db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id)
        .changes === 1
    );
  }

  touch(id: string, now: number): void {
    this.#db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(now, id);
  }
}

export type { AuditOutcome };

export interface AuditEntry {
  id: number;
  at: number;
  keyId: string | null;
  keyName: string | null;
  action: string;
  target: string | null;
  method: string | null;
  path: string | null;
  remote: string | null;
  status: number;
  outcome: AuditOutcome;
  detail: unknown;
}

export interface AuditQuery {
  keyId?: string;
  action?: string;
  outcome?: AuditOutcome;
  since?: number;
  until?: number;
  /** Entries with ids below this (pagination, newest first). */
  before?: number;
  limit: number;
}

interface AuditRow {
  id: number;
  at: number;
  key_id: string | null;
  key_name: string | null;
  action: string;
  target: string | null;
  method: string | null;
  path: string | null;
  remote: string | null;
  status: number;
  outcome: AuditOutcome;
  detail: string | null;
}

export class AuditLog {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  record(entry: Omit<AuditEntry, 'id'>): number {
    const result = this.#db
      .prepare(
        `INSERT INTO audit_log (at, key_id, key_name, action, target, method, path, remote, status, outcome, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        entry.at,
        entry.keyId,
        entry.keyName,
        entry.action,
        entry.target,
        entry.method,
        entry.path,
        entry.remote,
        entry.status,
        entry.outcome,
        entry.detail === undefined || entry.detail === null ? null : JSON.stringify(entry.detail),
      );
    return Number(result.lastInsertRowid);
  }

  /** Newest first. */
  query(q: AuditQuery): AuditEntry[] {
    const conditions: [string, string | number | undefined][] = [
      ['key_id = ?', q.keyId],
      ['action = ?', q.action],
      ['outcome = ?', q.outcome],
      ['at >= ?', q.since],
      ['at < ?', q.until],
      ['id < ?', q.before],
    ];
    const where: string[] = [];
    const args: (string | number)[] = [];
    for (const [condition, value] of conditions) {
      if (value === undefined) continue;
      where.push(condition);
      args.push(value);
    }
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    const rows = this.#db.prepare(sql).all(...args, q.limit) as AuditRow[];
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      keyId: r.key_id,
      keyName: r.key_name,
      action: r.action,
      target: r.target,
      method: r.method,
      path: r.path,
      remote: r.remote,
      status: r.status,
      outcome: r.outcome,
      detail: r.detail === null ? null : (JSON.parse(r.detail) as unknown),
    }));
  }
}
