/**
 * Pipelines in SQLite: the graph, whether it should be running (so runs resume after a hub restart), and its
 * progress — the next journal sequence to read and the engine's state (open windows, join buffers,
 * counters), saved together in one statement once a batch's outputs were delivered.
 *
 * @module
 */
import type { Db, Migration } from '../db.ts';
import type { EngineSnapshot } from './engine.ts';
import type { PipelineEdge, PipelineNode } from './schema.ts';

export const pipelineMigrations: Migration[] = [
  {
    id: 'pipelines-001',
    sql: `
      CREATE TABLE pipelines (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        nodes TEXT NOT NULL,
        edges TEXT NOT NULL,
        running INTEGER NOT NULL DEFAULT 0,
        position INTEGER,
        engine_state TEXT,
        lost INTEGER NOT NULL DEFAULT 0,
        started_at INTEGER,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
];

export interface PipelineRecord {
  id: string;
  name: string;
  description: string;
  nodes: PipelineNode[];
  edges: PipelineEdge[];
  running: boolean;
  position: number | null;
  engineState: EngineSnapshot | null;
  lost: number;
  startedAt: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  id: string;
  name: string;
  description: string;
  nodes: string;
  edges: string;
  running: number;
  position: number | null;
  engine_state: string | null;
  lost: number;
  started_at: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

const toRecord = (row: Row): PipelineRecord => ({
  id: row.id,
  name: row.name,
  description: row.description,
  nodes: JSON.parse(row.nodes) as PipelineNode[],
  edges: JSON.parse(row.edges) as PipelineEdge[],
  running: row.running !== 0,
  position: row.position,
  engineState: row.engine_state === null ? null : (JSON.parse(row.engine_state) as EngineSnapshot),
  lost: row.lost,
  startedAt: row.started_at,
  lastError: row.last_error,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export class PipelineStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  all(): PipelineRecord[] {
    return (this.#db.prepare('SELECT * FROM pipelines ORDER BY created_at, id').all() as Row[]).map(toRecord);
  }

  get(id: string): PipelineRecord | null {
    const row = this.#db.prepare('SELECT * FROM pipelines WHERE id = ?').get(id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  insert(r: PipelineRecord): void {
    this.#db
      .prepare(
        `INSERT INTO pipelines (id, name, description, nodes, edges, running, position, engine_state, lost,
           started_at, last_error, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, NULL, NULL, 0, NULL, NULL, ?, ?)`,
      )
      .run(
        r.id,
        r.name,
        r.description,
        JSON.stringify(r.nodes),
        JSON.stringify(r.edges),
        r.createdAt,
        r.updatedAt,
      );
  }

  /** A new graph starts from nothing: progress and state belong to the old one. */
  updateGraph(r: PipelineRecord): void {
    this.#db
      .prepare(
        `UPDATE pipelines SET name = ?, description = ?, nodes = ?, edges = ?, position = NULL, engine_state = NULL,
           lost = 0, last_error = NULL, updated_at = ? WHERE id = ?`,
      )
      .run(r.name, r.description, JSON.stringify(r.nodes), JSON.stringify(r.edges), r.updatedAt, r.id);
  }

  setRunning(id: string, running: boolean, startedAt: number | null): void {
    this.#db
      .prepare('UPDATE pipelines SET running = ?, started_at = ? WHERE id = ?')
      .run(running ? 1 : 0, startedAt, id);
  }

  saveProgress(id: string, position: number, state: EngineSnapshot, lost: number): void {
    this.#db
      .prepare('UPDATE pipelines SET position = ?, engine_state = ?, lost = ? WHERE id = ?')
      .run(position, JSON.stringify(state), lost, id);
  }

  setLastError(id: string, message: string | null): void {
    this.#db.prepare('UPDATE pipelines SET last_error = ? WHERE id = ?').run(message, id);
  }

  delete(id: string): boolean {
    return this.#db.prepare('DELETE FROM pipelines WHERE id = ?').run(id).changes > 0;
  }
}
