import { describe, expect, it } from 'vitest';
import { ruleBodySchema, type RuleView, ruleV2BodySchema } from '../../../../src/hub/alerts/schema.ts';
import { bodyOf, draftOf, EMPTY } from './draft.ts';

describe('rule editor drafts', () => {
  it('make bodies the hub accepts in both forms', () => {
    const simple = bodyOf({ ...EMPTY, name: 'errors', threshold: '5', window: '5m', for: '30s' });
    expect(ruleBodySchema.parse(simple)).toMatchObject({ name: 'errors', window: 300_000, for: 30_000 });
    const v2 = bodyOf({
      ...EMPTY,
      form: 'v2',
      name: 'slow',
      from: 'app, web',
      conditions: 'latency > 100\n\n region = "eu" ',
      fn: 'avg',
      field: 'latency',
      groupBy: 'service',
      keepFiringFor: '2m',
      labels: 'team=db, env = prod',
      enabled: false,
    });
    expect(ruleV2BodySchema.parse(v2)).toMatchObject({
      from: ['app', 'web'],
      conditions: ['latency > 100', 'region = "eu"'],
      aggregate: { fn: 'avg', field: 'latency' },
      group_by: 'service',
      keep_firing_for: 120_000,
      labels: { team: 'db', env: 'prod' },
      enabled: false,
    });
    expect(bodyOf(EMPTY, true)).not.toHaveProperty('name');
  });

  it('round-trip a stored rule: the draft of a rule gives back its body', () => {
    const body = {
      name: 'slow',
      from: ['app', 3],
      conditions: ['latency > 100'],
      match: 'any',
      aggregate: { fn: 'max', field: 'latency' },
      group_by: 'service',
      threshold: { op: '>=', value: 250 },
      window: '1m',
      for: '30s',
      keep_firing_for: '2m',
      severity: 'critical',
      description: '{{group}} is slow',
      labels: { team: 'db' },
      enabled: false,
    };
    const parsed = ruleV2BodySchema.parse(body);
    const rule: RuleView = {
      id: 'r_000000000000',
      name: 'slow',
      form: 'v2',
      query: 'SELECT MAX(latency) FROM app WHERE latency > 100 GROUP BY service',
      from: ['app', 3],
      where: 'latency > 100',
      aggregate: { fn: 'max', field: 'latency' },
      groupBy: 'service',
      threshold: parsed.threshold,
      windowMs: parsed.window,
      forMs: parsed.for,
      keepFiringForMs: parsed.keep_firing_for,
      severity: 'critical',
      labels: parsed.labels,
      description: parsed.description,
      enabled: parsed.enabled,
      createdAt: 0,
      updatedAt: 0,
      body: parsed,
    };
    expect(ruleV2BodySchema.parse(bodyOf(draftOf(rule)))).toEqual(parsed);
  });
});
