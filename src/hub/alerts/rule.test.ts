import { describe, expect, it } from 'vitest';
import { HubError } from '../errors.ts';
import { compileRule, printRule, renderTemplate } from './rule.ts';
import { GroupWindow } from './window.ts';

describe('rule compilation', () => {
  it('reads the simple form as a condition or a COUNT(*) query, and v2 conditions combined', () => {
    expect(printRule(compileRule('v1', { name: 'a', query: 'level = "error"' }))).toBe(
      'SELECT COUNT(*) FROM * WHERE level = "error"',
    );
    const grouped = compileRule('v1', {
      name: 'a',
      query: 'select count(*) from app where x > 1 group by host',
    });
    expect(printRule(grouped)).toBe('SELECT COUNT(*) FROM app WHERE x > 1 GROUP BY host');
    const v2 = compileRule('v2', {
      name: 'b',
      conditions: ['a = 1', 'b = 2'],
      match: 'any',
      aggregate: { fn: 'avg', field: 'latency' },
    });
    expect(printRule(v2)).toBe('SELECT AVG(latency) FROM * WHERE a = 1 OR b = 2');
  });

  it('names the field and the column of a syntax error', () => {
    const error = (() => {
      try {
        compileRule('v2', { name: 'b', conditions: ['a = 1', 'b = = 2'] });
      } catch (e) {
        return e as HubError;
      }
    })();
    expect(error).toBeInstanceOf(HubError);
    expect(error!.message).toMatch(/^body\.conditions\.1: line 1, column 5:/);
  });

  it('fills the description template and leaves unknown names as written', () => {
    const vars = {
      value: 2.5,
      threshold: 2,
      group: 'eu',
      rule: 'r',
      severity: 'info',
      labels: { team: 'db' },
    };
    expect(
      renderTemplate(
        '{{ value }} > {{threshold}} in {{group}} ({{labels.team}}, {{labels.x}}, {{nope}})',
        vars,
      ),
    ).toBe('2.5 > 2 in eu (db, {{labels.x}}, {{nope}})');
  });
});

describe('group window', () => {
  it('folds buckets inside the window and forgets the ones that left it', () => {
    const w = new GroupWindow(60_000);
    w.add(1_000, 1, 5);
    w.add(30_000, 2, Number.NaN);
    w.add(59_000, 3, 9);
    expect([w.value('count'), w.value('sum'), w.value('avg'), w.value('min'), w.value('max')]).toEqual([
      3, 14, 7, 5, 9,
    ]);
    w.prune(40_000);
    expect(w.value('count')).toBe(1);
    expect(w.evidence('count')).toEqual({ firstSeq: 3, lastSeq: 3, samples: [3], value: 1 });
    w.prune(120_000);
    expect(w.empty).toBe(true);
    expect(w.value('avg')).toBeNull();
  });
});
