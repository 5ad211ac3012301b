import { describe, expect, it } from 'vitest';
import type { PropertyResultView, VerifyRunSummary } from '../../api/index.ts';
import { propertyCommand, runCommand } from './commands.ts';

const run = (options: Partial<VerifyRunSummary['options']>): VerifyRunSummary => ({
  id: 'vr_000000000000',
  state: 'passed',
  createdAt: 0,
  finishedAt: 1,
  options: { suites: null, runs: 1000, seed: null, journal: false, ...options },
  progress: { done: 1, total: 1 },
  failed: 0,
  createdBy: null,
});

describe('reproduce commands', () => {
  it('names the suite, runs and seed of a property', () => {
    const result = { suite: 'codec', seed: -42 } as PropertyResultView;
    expect(propertyCommand(result, 500)).toBe('cz verify --suite codec --runs 500 --seed -42');
  });

  it('reproduces a whole run only when its seed was fixed', () => {
    expect(runCommand(run({}), '/tmp/j.db')).toBeNull();
    expect(
      runCommand(run({ seed: 7, suites: ['order', 'clock'], journal: true }), '/tmp/my journal.db'),
    ).toBe("cz verify --suite order --suite clock --runs 1000 --seed 7 --journal '/tmp/my journal.db'");
    expect(runCommand(run({ seed: 7, journal: true }), null)).toBe('cz verify --runs 1000 --seed 7');
  });
});
