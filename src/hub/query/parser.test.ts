import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr, Field, Literal, Query } from './ast.ts';
import { parseQuery } from './parser.ts';
import { printQuery } from './printer.ts';

function parsed(text: string): Query {
  const result = parseQuery(text);
  if (!result.ok) throw new Error(result.error.message);
  return result.query;
}

function failure(text: string) {
  const result = parseQuery(text);
  if (result.ok) throw new Error(`parsed: ${text}`);
  return result.error;
}

describe('parseQuery', () => {
  it("reads the spec's example", () => {
    const q = parsed(
      'SELECT * FROM stream_a, stream_b WHERE field > 100 AND status = "ok" SINCE 5m LIMIT 50 OFFSET 0',
    );
    expect(q).toEqual({
      explain: false,
      projection: { kind: 'all' },
      from: ['stream_a', 'stream_b'],
      where: {
        kind: 'and',
        left: { kind: 'compare', field: { kind: 'json', path: ['field'] }, op: '>', value: 100 },
        right: { kind: 'compare', field: { kind: 'json', path: ['status'] }, op: '=', value: 'ok' },
      },
      since: { ago: 300_000 },
      until: null,
      groupBy: null,
      bucketMs: null,
      limit: 50,
      offset: 0,
    });
  });

  it('reads projections, nested and built-in fields, keywords in any case', () => {
    const q = parsed(
      'select seq, a.b.c, payload.stream, `x-y`.0, items.2 from * where not (a contains "x" or b startswith "y")',
    );
    expect(q.projection).toEqual({
      kind: 'fields',
      fields: [
        { kind: 'builtin', name: 'seq' },
        { kind: 'json', path: ['a', 'b', 'c'] },
        { kind: 'json', path: ['stream'] },
        { kind: 'json', path: ['x-y', 0] },
        { kind: 'json', path: ['items', 2] },
      ],
    });
    expect(q.from).toBeNull();
    expect(q.where?.kind).toBe('not');
  });

  it('gives AND precedence over OR and NOT over AND', () => {
    const q = parsed('SELECT * FROM * WHERE NOT a = 1 AND b = 2 OR c = 3');
    expect(q.where).toMatchObject({ kind: 'or', left: { kind: 'and', left: { kind: 'not' } } });
  });

  it('reads RFC 3339, epoch and relative times, aggregations and EXPLAIN', () => {
    const q = parsed(
      'EXPLAIN SELECT COUNT(*) FROM 3, "my stream" SINCE 2026-01-02T03:04:05Z UNTIL 1h GROUP BY status BY 1m',
    );
    expect(q).toMatchObject({
      explain: true,
      projection: { kind: 'count' },
      from: [3, 'my stream'],
      since: { at: Date.parse('2026-01-02T03:04:05Z') },
      until: { ago: 3_600_000 },
      groupBy: { kind: 'json', path: ['status'] },
      bucketMs: 60_000,
    });
    expect(parsed('SELECT * FROM * SINCE 1700000000000').since).toEqual({ at: 1_700_000_000_000 });
    expect(parsed('SELECT * FROM * SINCE "2026-01-02 03:04Z"').since).toEqual({
      at: Date.parse('2026-01-02T03:04Z'),
    });
  });

  it('says where it stopped and what would have fit', () => {
    expect(failure('SELECT * FROM a WHERE x >')).toMatchObject({
      line: 1,
      column: 26,
      offset: 25,
      found: 'end of input',
      expected: ['a string', 'a number', 'TRUE', 'FALSE', 'NULL'],
    });
    const e = failure('SELECT *\nFROM a\nWHERE x ~ 3');
    expect(e).toMatchObject({ line: 3, column: 9, found: 'an unexpected character "~"' });
    expect(e.message).toMatch(/^line 3, column 9: expected/);
    expect(failure('SELECT * FROM a LIMIT 5 LIMIT 6').message).toContain('LIMIT appears twice');
    expect(failure('SELECT * FROM a GROUP BY x').expected).toEqual(['COUNT(*)']);
    expect(failure('SELECT * FROM a WHERE s = "open').found).toBe('an unterminated or badly escaped string');
    expect(failure('SELECT * FROM a BY 0s').expected).toEqual(['a duration like 1m']);
    expect(failure('FROM a').expected).toEqual(['EXPLAIN', 'SELECT']);
  });
});

// ── properties ────────────────────────────────────────────────────────────────────────────────────────

const name = fc.oneof(
  fc.constantFrom(
    'status',
    'a',
    'b_1',
    'level',
    'limit',
    'stream',
    'payload',
    'time',
    'x-y',
    'with`tick',
    'é',
  ),
  fc.string({ minLength: 1, maxLength: 6 }),
);
const field: fc.Arbitrary<Field> = fc.oneof(
  fc
    .constantFrom(...(['stream', 'node', 'seq', 'time', 'size', 'payload'] as const))
    .map((n) => ({ kind: 'builtin' as const, name: n })),
  fc
    .tuple(fc.oneof(name, fc.nat(20)), fc.array(fc.oneof(name, fc.nat(20)), { maxLength: 3 }))
    .map(([first, rest]) => ({ kind: 'json' as const, path: [first, ...rest] })),
);
const literal: fc.Arbitrary<Literal> = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
  fc.boolean(),
  fc.constant(null),
);
const { expr } = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      kind: fc.constant('compare' as const),
      field,
      op: fc.constantFrom('=', '!=', '>', '>=', '<', '<=' as const),
      value: literal,
    }),
    fc.record({
      kind: fc.constant('match' as const),
      field,
      op: fc.constantFrom('CONTAINS', 'STARTSWITH' as const),
      value: literal,
    }),
    fc.record({ kind: fc.constant('and' as const), left: tie('expr'), right: tie('expr') }),
    fc.record({ kind: fc.constant('or' as const), left: tie('expr'), right: tie('expr') }),
    fc.record({ kind: fc.constant('not' as const), expr: tie('expr') }),
  ),
}));
const time = fc.oneof(
  fc.record({ ago: fc.nat(1e12) }),
  fc.record({ at: fc.integer({ min: 0, max: 253_402_300_799_999 }) }),
);

export const queryArbitrary: fc.Arbitrary<Query> = fc
  .record({
    explain: fc.boolean(),
    projection: fc.oneof(
      fc.constant({ kind: 'all' as const }),
      fc.constant({ kind: 'count' as const }),
      fc.array(field, { minLength: 1, maxLength: 3 }).map((fields) => ({ kind: 'fields' as const, fields })),
    ),
    from: fc.option(fc.array(fc.oneof(name, fc.nat(0xffff)), { minLength: 1, maxLength: 3 })),
    where: fc.option(expr),
    since: fc.option(time),
    until: fc.option(time),
    groupBy: fc.option(field),
    bucketMs: fc.option(fc.integer({ min: 1, max: 1e10 })),
    limit: fc.option(fc.nat()),
    offset: fc.option(fc.nat()),
  })
  .map((q) => (q.projection.kind === 'count' ? q : { ...q, groupBy: null, bucketMs: null }));

const RUNS = Number(process.env.QUERY_PROPERTY_RUNS ?? 2000);

describe('parser properties', () => {
  it('re-parses every printed query to the same query', () => {
    fc.assert(
      fc.property(queryArbitrary, (q) => {
        expect(parsed(printQuery(q))).toEqual(q);
      }),
      { numRuns: RUNS },
    );
  });

  const fragments = fc.constantFrom(
    'SELECT',
    'FROM',
    'WHERE',
    'AND',
    'OR',
    'NOT',
    '(',
    ')',
    '*',
    ',',
    '.',
    '=',
    '!=',
    '>=',
    'CONTAINS',
    'COUNT(*)',
    'GROUP BY',
    'BY',
    '1m',
    'SINCE',
    'UNTIL',
    'LIMIT',
    '5',
    '"s"',
    'a',
    'b.c',
    '`q`',
    '\n',
    '"',
    '`',
    '2026-01-01T00:00:00Z',
    '-',
    'EXPLAIN',
    'payload.0',
    'TRUE',
    'NULL',
    '1e400',
  );
  const inputs = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.array(fragments, { maxLength: 20 }).map((parts) => parts.join(' ')),
    fc.array(fragments, { maxLength: 20 }).map((parts) => parts.join('')),
    queryArbitrary.chain((q) => {
      const text = printQuery(q);
      return fc
        .tuple(fc.nat(text.length), fc.nat(text.length))
        .map(([a, b]) => text.slice(0, a) + text.slice(b));
    }),
  );

  it('never throws: any input is a query or a typed error positioned inside it', () => {
    fc.assert(
      fc.property(inputs, (input) => {
        const result = parseQuery(input);
        if (result.ok) return;
        const e = result.error;
        expect(e.offset).toBeGreaterThanOrEqual(0);
        expect(e.offset).toBeLessThanOrEqual(input.length);
        expect(e.line).toBeGreaterThanOrEqual(1);
        expect(e.column).toBeGreaterThanOrEqual(1);
        expect(e.expected.length).toBeGreaterThan(0);
        expect(e.message).toMatch(/^line \d+, column \d+: /);
      }),
      { numRuns: RUNS },
    );
  });
});
