/**
 * Recursive-descent parser for the query language (grammar in docs/query.md). `parseQuery` never throws: it
 * returns the query or a `QueryError` with the line, column and offset of the first token that does not fit
 * and the tokens that would have.
 *
 * @module
 */
import { parseTimeBound, type TimeBound } from '../events/time.ts';
import {
  BUILTIN_FIELDS,
  type BuiltinField,
  COMPARISONS,
  type Comparison,
  type Expr,
  type Field,
  type Literal,
  type ParseResult,
  type PathSegment,
  type Projection,
  type Query,
  type QueryError,
  type StreamRef,
} from './ast.ts';
import { type Token, tokenize } from './lexer.ts';

/** Line and column (1-based, columns in UTF-16 code units) of an offset. */
export function positionOf(input: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < input.length; i++) {
    if (input[i] === '\n') {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

class Failure {
  constructor(
    readonly token: Token,
    readonly expected: string[],
    readonly message?: string,
  ) {}
}

const describe = (t: Token): string =>
  t.kind === 'eof' ? 'end of input' : t.kind === 'error' ? t.value : JSON.stringify(t.text);

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** Milliseconds of a duration token (`90s`, `5m`), or null when it overflows. */
function durationMs(text: string): number | null {
  const m = /^(\d+)(ms|s|m|h|d|w)$/.exec(text)!;
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return Number.isSafeInteger(ms) ? ms : null;
}

const CLAUSES = ['WHERE', 'SINCE', 'UNTIL', 'GROUP', 'BY', 'LIMIT', 'OFFSET'];

class Parser {
  readonly #tokens: Token[];
  #i = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  get #peek(): Token {
    return this.#tokens[this.#i]!;
  }

  #fail(expected: string[], message?: string, token = this.#peek): never {
    throw new Failure(token, expected, message);
  }

  #isKeyword(word: string): boolean {
    const t = this.#peek;
    return t.kind === 'keyword' && t.value === word;
  }

  #isPunct(p: string): boolean {
    const t = this.#peek;
    return t.kind === 'punct' && t.value === p;
  }

  #accept(word: string): boolean {
    if (this.#isKeyword(word) || this.#isPunct(word)) {
      this.#i++;
      return true;
    }
    return false;
  }

  #expect(word: string, also: string[] = []): Token {
    const t = this.#peek;
    if (!this.#accept(word)) this.#fail([...also, word]);
    return t;
  }

  query(): Query {
    const explain = this.#accept('EXPLAIN');
    this.#expect('SELECT', explain ? [] : ['EXPLAIN']);
    const projection = this.#projection();
    this.#expect('FROM', projection.kind === 'fields' ? [','] : []);
    const from = this.#sources();
    const q: Query = {
      explain,
      projection,
      from,
      where: null,
      since: null,
      until: null,
      groupBy: null,
      bucketMs: null,
      limit: null,
      offset: null,
    };
    const seen = new Set<string>();
    while (this.#peek.kind !== 'eof') {
      const t = this.#peek;
      const word = t.kind === 'keyword' && CLAUSES.includes(t.value) ? t.value : null;
      const open = [...CLAUSES.filter((c) => !seen.has(c)), 'end of input'];
      if (word === null) this.#fail(from !== null && seen.size === 0 ? [',', ...open] : open);
      if (seen.has(word)) this.#fail(open, `${word} appears twice`);
      seen.add(word);
      this.#i++;
      switch (word) {
        case 'WHERE':
          q.where = this.#or();
          break;
        case 'SINCE':
          q.since = this.#time();
          break;
        case 'UNTIL':
          q.until = this.#time();
          break;
        case 'GROUP':
          this.#expect('BY');
          q.groupBy = this.#field();
          break;
        case 'BY':
          q.bucketMs = this.#bucket();
          break;
        case 'LIMIT':
          q.limit = this.#integer();
          break;
        case 'OFFSET':
          q.offset = this.#integer();
          break;
      }
    }
    if ((q.groupBy !== null || q.bucketMs !== null) && projection.kind !== 'count') {
      this.#fail(
        ['COUNT(*)'],
        'GROUP BY and BY <duration> need SELECT COUNT(*)',
        this.#tokens[explain ? 2 : 1],
      );
    }
    return q;
  }

  #projection(): Projection {
    if (this.#accept('*')) return { kind: 'all' };
    if (this.#accept('COUNT')) {
      this.#expect('(');
      this.#expect('*');
      this.#expect(')');
      return { kind: 'count' };
    }
    const fields = [this.#field(['*', 'COUNT'])];
    while (this.#accept(',')) fields.push(this.#field());
    return { kind: 'fields', fields };
  }

  #sources(): StreamRef[] | null {
    if (this.#accept('*')) return null;
    const refs = [this.#stream(['*'])];
    while (this.#accept(',')) refs.push(this.#stream());
    return refs;
  }

  #stream(also: string[] = []): StreamRef {
    const t = this.#peek;
    if (t.kind === 'ident' || t.kind === 'string') {
      this.#i++;
      return t.value;
    }
    if (t.kind === 'number' && /^\d+$/.test(t.value) && Number(t.value) <= 0xffff) {
      this.#i++;
      return Number(t.value);
    }
    return this.#fail([...also, 'a stream name', 'a stream id']);
  }

  #field(also: string[] = []): Field {
    const t = this.#peek;
    if (t.kind !== 'ident') this.#fail([...also, 'a field name']);
    this.#i++;
    const segments: PathSegment[] = [t.value];
    while (this.#accept('.')) {
      const s = this.#peek;
      if (s.kind === 'ident') segments.push(s.value);
      else if (s.kind === 'number' && /^\d+$/.test(s.value) && Number.isSafeInteger(Number(s.value))) {
        segments.push(Number(s.value));
      } else this.#fail(['a field name', 'an array index']);
      this.#i++;
    }
    const first = segments[0] as string;
    const quoted = t.text.startsWith('`');
    if (!quoted && (BUILTIN_FIELDS as readonly string[]).includes(first)) {
      if (segments.length === 1) return { kind: 'builtin', name: first as BuiltinField };
      if (first === 'payload') return { kind: 'json', path: segments.slice(1) };
    }
    return { kind: 'json', path: segments };
  }

  #or(): Expr {
    let left = this.#and();
    while (this.#accept('OR')) left = { kind: 'or', left, right: this.#and() };
    return left;
  }

  #and(): Expr {
    let left = this.#unary();
    while (this.#accept('AND')) left = { kind: 'and', left, right: this.#unary() };
    return left;
  }

  #unary(): Expr {
    if (this.#accept('NOT')) return { kind: 'not', expr: this.#unary() };
    if (this.#accept('(')) {
      const inner = this.#or();
      this.#expect(')', ['AND', 'OR']);
      return inner;
    }
    const field = this.#field(['NOT', '(']);
    const t = this.#peek;
    if (t.kind === 'keyword' && (t.value === 'CONTAINS' || t.value === 'STARTSWITH')) {
      this.#i++;
      return { kind: 'match', field, op: t.value, value: this.#literal() };
    }
    if (t.kind === 'punct' && (COMPARISONS as readonly string[]).includes(t.value)) {
      this.#i++;
      return { kind: 'compare', field, op: t.value as Comparison, value: this.#literal() };
    }
    return this.#fail(['.', ...COMPARISONS, 'CONTAINS', 'STARTSWITH']);
  }

  #literal(): Literal {
    const t = this.#peek;
    let value: Literal | undefined;
    if (t.kind === 'string') value = t.value;
    else if (t.kind === 'number') {
      const n = Number(t.value);
      if (Number.isFinite(n)) value = Object.is(n, -0) ? 0 : n;
    } else if (t.kind === 'keyword' && t.value === 'TRUE') value = true;
    else if (t.kind === 'keyword' && t.value === 'FALSE') value = false;
    else if (t.kind === 'keyword' && t.value === 'NULL') value = null;
    if (value === undefined) this.#fail(['a string', 'a number', 'TRUE', 'FALSE', 'NULL']);
    this.#i++;
    return value;
  }

  #time(): TimeBound {
    const t = this.#peek;
    let bound: TimeBound | null = null;
    if (t.kind === 'duration') {
      const ms = durationMs(t.value);
      if (ms !== null) bound = { ago: ms };
    } else if (
      t.kind === 'datetime' ||
      t.kind === 'string' ||
      (t.kind === 'number' && /^\d+$/.test(t.value))
    ) {
      bound = parseTimeBound(t.value);
    }
    if (bound === null) this.#fail(['a duration like 5m', 'an RFC 3339 time', 'epoch milliseconds']);
    this.#i++;
    return bound;
  }

  #bucket(): number {
    const t = this.#peek;
    const ms = t.kind === 'duration' ? durationMs(t.value) : null;
    if (ms === null || ms === 0) this.#fail(['a duration like 1m']);
    this.#i++;
    return ms;
  }

  #integer(): number {
    const t = this.#peek;
    if (t.kind !== 'number' || !/^\d+$/.test(t.value) || !Number.isSafeInteger(Number(t.value))) {
      this.#fail(['a non-negative integer']);
    }
    this.#i++;
    return Number(t.value);
  }
}

/** Parses one query; never throws. */
export function parseQuery(input: string): ParseResult {
  const tokens = tokenize(input);
  try {
    return { ok: true, query: new Parser(tokens).query() };
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    const { token, expected } = error;
    const { line, column } = positionOf(input, token.offset);
    const found = describe(token);
    const what = error.message ?? `expected ${expected.join(', ')} but found ${found}`;
    const message = `line ${line}, column ${column}: ${what}`;
    const length = token.kind === 'eof' ? 0 : token.text.length;
    const queryError: QueryError = { message, line, column, offset: token.offset, expected, found, length };
    return { ok: false, error: queryError };
  }
}
