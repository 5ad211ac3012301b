/**
 * A condition on its own — what follows `WHERE` (`amount > 100 AND status = "ok"`) — as alert rules, pipeline
 * filters and `cz tail --where` take it. It is parsed as the WHERE clause of a query, so the grammar is exactly
 * docs/query.md's, and positions in errors are mapped back into the condition text.
 *
 * @module
 */
import type { Expr } from './ast.ts';
import { parseQuery, positionOf } from './parser.ts';

const WHERE_PREFIX = 'SELECT * FROM x WHERE ';

export type ConditionParse =
  | { ok: true; expr: Expr }
  /** A syntax error at `line`/`column`/`offset` of the condition; `message` says what was expected. */
  | { ok: false; kind: 'syntax'; line: number; column: number; offset: number; message: string }
  /** The text parsed, but carried clauses a condition may not have (`LIMIT 5`, `SINCE 5m`, …). */
  | { ok: false; kind: 'clauses'; message: string };

export function parseCondition(text: string): ConditionParse {
  const parsed = parseQuery(WHERE_PREFIX + text);
  if (!parsed.ok) {
    const offset = Math.max(0, parsed.error.offset - WHERE_PREFIX.length);
    const { line, column } = positionOf(text, offset);
    const message = parsed.error.message.replace(/^line \d+, column \d+: /, '');
    return { ok: false, kind: 'syntax', line, column, offset, message };
  }
  const q = parsed.query;
  if (
    q.where === null ||
    q.since ||
    q.until ||
    q.groupBy ||
    q.bucketMs !== null ||
    q.limit !== null ||
    q.offset !== null
  ) {
    return {
      ok: false,
      kind: 'clauses',
      message: 'a condition only (like amount > 100 AND status = "ok"), no other clauses',
    };
  }
  return { ok: true, expr: q.where };
}
