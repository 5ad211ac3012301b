import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateExpression, ExprEvalError, type ExprScope, parseExpression } from './expr.ts';
import { getPath } from './record.ts';

function scopeOf(fields: Record<string, unknown>, time = 1_700_000_000_123): ExprScope {
  return { field: (p) => getPath(fields, p), seq: 42, time, stream: 'orders', node: 7 };
}

function run(text: string, fields: Record<string, unknown> = {}): unknown {
  const parsed = parseExpression(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.error.message} at ${parsed.error.offset}`);
  return evaluateExpression(parsed.expr, scopeOf(fields));
}

function syntaxError(text: string) {
  const parsed = parseExpression(text);
  if (parsed.ok) throw new Error(`parsed: ${text}`);
  return parsed.error;
}

describe('expressions', () => {
  it('does arithmetic with the usual precedence', () => {
    expect(run('1 + 2 * 3')).toBe(7);
    expect(run('(1 + 2) * 3')).toBe(9);
    expect(run('10 - 4 - 3')).toBe(3);
    expect(run('7 % 4 + -2')).toBe(1);
    expect(run('price * qty / 2', { price: 3, qty: 4 })).toBe(6);
  });

  it('reads nested fields, array indexes and journal facts; a missing field is null', () => {
    const fields = { user: { name: 'Ada' }, items: [{ price: 5 }, { price: 7 }] };
    expect(run('user.name', fields)).toBe('Ada');
    expect(run('items.1.price', fields)).toBe(7);
    expect(run('nope.deeper', fields)).toBe(null);
    expect(run('$seq + $node')).toBe(49);
    expect(run('$stream')).toBe('orders');
    expect(run('now() == $time')).toBe(true);
  });

  it('concatenates with + when either side is a string, and compares', () => {
    expect(run('"id-" + n', { n: 5 })).toBe('id-5');
    expect(run("'a' + null")).toBe('anull');
    expect(run('a > 3 && b == "x"', { a: 4, b: 'x' })).toBe(true);
    expect(run('!(a >= 3) || a != 4', { a: 4 })).toBe(false);
    expect(run('"abc" < "abd"')).toBe(true);
  });

  it('has the documented functions', () => {
    expect(run('lower(s) + upper(s)', { s: 'Ab' })).toBe('abAB');
    expect(run('len(s) + len(a)', { s: 'héllo', a: [1, 2] })).toBe(7);
    expect(run('round(3.14159, 2)')).toBe(3.14);
    expect(run('round(2.5)')).toBe(3);
    expect(run('floor(-1.5) + ceil(1.2) + abs(-3)')).toBe(3);
    expect(run('num("12.5") + num(true)')).toBe(13.5);
    expect(run('str(1) + str(x)', { x: { a: 1 } })).toBe('1{"a":1}');
    expect(run('concat("a", 1, true)')).toBe('a1true');
    expect(run('coalesce(missing, other, 3)', { other: null })).toBe(3);
    expect(run('if(n > 1, "big", "small")', { n: 2 })).toBe('big');
    expect(run('min(3, 1, 2) + max(3, 1, 2)')).toBe(4);
    expect(run('contains(tags, "x") && contains(s, "ll")', { tags: ['x'], s: 'hello' })).toBe(true);
  });

  it('fails evaluation with a typed error naming the problem', () => {
    const fail = (text: string, fields: Record<string, unknown> = {}) => {
      try {
        run(text, fields);
      } catch (error) {
        expect(error).toBeInstanceOf(ExprEvalError);
        return (error as Error).message;
      }
      throw new Error(`no error for ${text}`);
    };
    expect(fail('1 / 0')).toBe('division by zero');
    expect(fail('a * 2', { a: 'x' })).toBe('* needs a number, not string');
    expect(fail('lower(5)')).toBe('lower() needs a string, not number');
    expect(fail('1 < "a"')).toMatch(/compares two numbers or two strings/);
    expect(fail('num("abc")')).toMatch(/cannot read abc/);
    expect(fail('1e308 * 10')).toMatch(/not a finite number/);
  });

  it('reports syntax errors with the offset of what does not fit', () => {
    expect(syntaxError('1 +')).toEqual({
      message: 'expected a value, a field or a function but found the end',
      offset: 3,
    });
    expect(syntaxError('a b')).toMatchObject({ offset: 2 });
    expect(syntaxError('frobnicate(1)')).toMatchObject({
      message: expect.stringMatching(/^unknown function frobnicate/),
      offset: 0,
    });
    expect(syntaxError('round()')).toMatchObject({ message: 'round() takes 1 to 2 arguments, not 0' });
    expect(syntaxError('"open')).toMatchObject({ message: 'the string is not closed', offset: 0 });
    expect(syntaxError('1 < 2 < 3')).toMatchObject({
      message: 'comparisons do not chain; combine them with &&',
    });
    expect(syntaxError('a # b')).toMatchObject({ message: 'unexpected character "#"', offset: 2 });
    expect(syntaxError('$nope')).toMatchObject({ message: expect.stringMatching(/^unknown \$nope/) });
    expect(syntaxError('('.repeat(100) + '1' + ')'.repeat(100)).message).toMatch(/nests deeper than 64/);
  });

  it('never throws while parsing arbitrary input, and evaluation throws only ExprEvalError', () => {
    const alphabet = fc.constantFrom(
      ...'ab1 .()+-*/%<>=!&|,"\'$_xyz\\0e'.split(''),
      'lower(',
      'if(',
      '$seq',
      'null',
      'true',
    );
    const text = fc.oneof(
      fc.string(),
      fc.array(alphabet, { maxLength: 40 }).map((a) => a.join('')),
    );
    const value = fc.oneof(
      fc.integer(),
      fc.double(),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer()),
    );
    fc.assert(
      fc.property(text, fc.dictionary(fc.constantFrom('a', 'b', 'x', 'y', 'z'), value), (input, fields) => {
        const parsed = parseExpression(input);
        if (!parsed.ok) {
          expect(typeof parsed.error.message).toBe('string');
          expect(parsed.error.offset).toBeGreaterThanOrEqual(0);
          expect(parsed.error.offset).toBeLessThanOrEqual(input.length);
          return;
        }
        try {
          evaluateExpression(parsed.expr, scopeOf(fields));
        } catch (error) {
          expect(error).toBeInstanceOf(ExprEvalError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
