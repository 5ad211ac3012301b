import { describe, expect, it } from 'vitest';
import { parseCondition } from './condition.ts';
import { printExpr } from './printer.ts';

describe('parseCondition', () => {
  it('parses what WHERE takes', () => {
    const parsed = parseCondition('amount > 100 AND status = "ok"');
    expect(parsed.ok && printExpr(parsed.expr)).toBe('amount > 100 AND status = "ok"');
  });

  it('points syntax errors into the condition text, not the query it is parsed in', () => {
    const parsed = parseCondition('amount >\n  AND x = 1');
    expect(parsed).toMatchObject({ ok: false, kind: 'syntax', line: 2, column: 3, offset: 11 });
    expect(parsed.ok === false && parsed.message).not.toMatch(/^line/);
  });

  it('refuses other clauses and empty text', () => {
    for (const text of ['a = 1 LIMIT 5', 'a = 1 SINCE 5m', 'a = 1 UNTIL 1m', 'a = 1 OFFSET 2']) {
      expect(parseCondition(text), text).toMatchObject({ ok: false, kind: 'clauses' });
    }
    expect(parseCondition('')).toMatchObject({ ok: false, kind: 'syntax', offset: 0 });
  });
});
