/**
 * The query language's reserved words and built-in fields, in one place for the lexer, the printer and the Query Console's
 * highlighting and completion. Plain constants, importing nothing, so the browser and `cz` load it cheaply.
 *
 * @module
 */
export const QUERY_KEYWORDS = [
  'SELECT',
  'FROM',
  'WHERE',
  'AND',
  'OR',
  'NOT',
  'CONTAINS',
  'STARTSWITH',
  'SINCE',
  'UNTIL',
  'LIMIT',
  'OFFSET',
  'GROUP',
  'BY',
  'COUNT',
  'EXPLAIN',
  'TRUE',
  'FALSE',
  'NULL',
] as const;

/** Fields the journal slot carries; every other name is a path into the JSON payload. */
export const BUILTIN_FIELDS = ['stream', 'node', 'seq', 'time', 'size', 'payload'] as const;
