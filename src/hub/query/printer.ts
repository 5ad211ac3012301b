/**
 * Prints a query back as text in the canonical form the parser reads (keywords upper-case, clauses in the
 * order WHERE, SINCE, UNTIL, GROUP BY, BY, LIMIT, OFFSET, parentheses only where precedence needs them), so
 * `parseQuery(printQuery(q))` gives `q` back.
 *
 * @module
 */
import type { TimeBound } from '../events/time.ts';
import { BUILTIN_FIELDS, type Expr, type Field, type Literal, type PathSegment, type Query } from './ast.ts';
import { KEYWORDS } from './lexer.ts';

const BARE = /^[A-Za-z_][A-Za-z0-9_]*$/;

function name(segment: string): string {
  return BARE.test(segment) && !KEYWORDS.has(segment.toUpperCase())
    ? segment
    : `\`${segment.replaceAll('`', '``')}\``;
}

const segmentText = (s: PathSegment): string => (typeof s === 'number' ? String(s) : name(s));

export function printField(field: Field): string {
  if (field.kind === 'builtin') return field.name;
  const [first] = field.path;
  const needsPrefix =
    typeof first === 'number' || (BUILTIN_FIELDS as readonly string[]).includes(first as string);
  const path = field.path.map(segmentText).join('.');
  return needsPrefix ? `payload.${path}` : path;
}

export function printLiteral(value: Literal): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

const UNITS: [string, number][] = [
  ['w', 604_800_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

export function printDuration(ms: number): string {
  if (ms === 0) return '0s';
  for (const [unit, size] of UNITS) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

const MAX_ISO_MS = 253_402_300_799_999;

function printTime(bound: TimeBound): string {
  if ('ago' in bound) return printDuration(bound.ago);
  return bound.at <= MAX_ISO_MS ? new Date(bound.at).toISOString() : String(bound.at);
}

const RANK = { or: 0, and: 1, not: 2, compare: 3, match: 3 } as const;

export function printExpr(expr: Expr, parent = 0): string {
  let text: string;
  switch (expr.kind) {
    case 'compare':
    case 'match':
      text = `${printField(expr.field)} ${expr.op} ${printLiteral(expr.value)}`;
      break;
    case 'not':
      text = `NOT ${printExpr(expr.expr, RANK.not)}`;
      break;
    case 'and':
    case 'or': {
      const rank = RANK[expr.kind];
      // Left-associative: a right operand of the same operator needs parentheses to keep its shape.
      text = `${printExpr(expr.left, rank)} ${expr.kind.toUpperCase()} ${printExpr(expr.right, rank + 0.5)}`;
      break;
    }
  }
  return RANK[expr.kind] < parent ? `(${text})` : text;
}

export function printQuery(q: Query): string {
  const parts: string[] = [];
  if (q.explain) parts.push('EXPLAIN');
  parts.push('SELECT');
  if (q.projection.kind === 'all') parts.push('*');
  else if (q.projection.kind === 'count') parts.push('COUNT(*)');
  else parts.push(q.projection.fields.map(printField).join(', '));
  parts.push('FROM');
  parts.push(
    q.from === null
      ? '*'
      : q.from
          .map((s) =>
            typeof s === 'number'
              ? String(s)
              : BARE.test(s) && !KEYWORDS.has(s.toUpperCase())
                ? s
                : JSON.stringify(s),
          )
          .join(', '),
  );
  if (q.where) parts.push('WHERE', printExpr(q.where));
  if (q.since) parts.push('SINCE', printTime(q.since));
  if (q.until) parts.push('UNTIL', printTime(q.until));
  if (q.groupBy) parts.push('GROUP BY', printField(q.groupBy));
  if (q.bucketMs !== null) parts.push('BY', printDuration(q.bucketMs));
  if (q.limit !== null) parts.push('LIMIT', String(q.limit));
  if (q.offset !== null) parts.push('OFFSET', String(q.offset));
  return parts.join(' ');
}
