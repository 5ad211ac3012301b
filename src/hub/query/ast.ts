/**
 * The query language's syntax tree, shared by the parser, the printer, the executor and the UI. Pure types and
 * a few constructors; no I/O, so schema.ts and the browser may import it.
 *
 * @module
 */
import type { TimeBound } from '../events/time.ts';
import { BUILTIN_FIELDS } from './vocabulary.ts';

export { BUILTIN_FIELDS };
export type BuiltinField = (typeof BUILTIN_FIELDS)[number];

/** A segment of a JSON path: an object key, or an array index (a number). */
export type PathSegment = string | number;

export type Field = { kind: 'builtin'; name: BuiltinField } | { kind: 'json'; path: PathSegment[] };

export type Literal = string | number | boolean | null;

export const COMPARISONS = ['=', '!=', '>', '>=', '<', '<='] as const;
export type Comparison = (typeof COMPARISONS)[number];
export type TextMatch = 'CONTAINS' | 'STARTSWITH';

export type Expr =
  | { kind: 'compare'; field: Field; op: Comparison; value: Literal }
  | { kind: 'match'; field: Field; op: TextMatch; value: Literal }
  | { kind: 'and'; left: Expr; right: Expr }
  | { kind: 'or'; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr };

/** A stream named in FROM: by its registered name, or by numeric id. */
export type StreamRef = string | number;

export type Projection = { kind: 'all' } | { kind: 'fields'; fields: Field[] } | { kind: 'count' };

export interface Query {
  explain: boolean;
  projection: Projection;
  /** null for `FROM *`. */
  from: StreamRef[] | null;
  where: Expr | null;
  since: TimeBound | null;
  until: TimeBound | null;
  /** GROUP BY field (with COUNT(*)). */
  groupBy: Field | null;
  /** BY <duration>: time buckets of this many milliseconds (with COUNT(*)). */
  bucketMs: number | null;
  limit: number | null;
  offset: number | null;
}

/** A parse failure: where (1-based line and column, 0-based offset into the input) and what would have fit. */
export interface QueryError {
  message: string;
  line: number;
  column: number;
  offset: number;
  expected: string[];
  found: string;
  /** Characters of the offending token in the input (0 at the end of the input), to underline it. */
  length: number;
}

export type ParseResult = { ok: true; query: Query } | { ok: false; error: QueryError };
