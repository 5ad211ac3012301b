/**
 * The model-based journal contract, run against the reference model itself (a check of the harness) and
 * against the real native sequencer with each receive backend: real journal file, real UDP on 127.0.0.1.
 */
import { describe, expect, it } from 'vitest';
import { journalContract } from './contracts/journal.ts';
import { runProperty } from './runner.ts';
import { modelSystem } from './systems/model-system.ts';
import { nativeSequencerSystem } from './systems/native-sequencer.ts';

const factories = [modelSystem(), nativeSequencerSystem('uring'), nativeSequencerSystem('recvmmsg')];

describe('journal contract (model-based)', () => {
  for (const factory of factories) {
    const suite = journalContract(factory);
    for (const contract of suite.properties) {
      it(
        contract.name,
        async () => {
          const result = await runProperty(suite.name, contract, { numRuns: 1000 });
          expect(
            result,
            `${result.error}\ncounterexample ${result.counterexample} (seed ${result.seed})`,
          ).toMatchObject({ passed: true });
        },
        300_000,
      );
    }
  }

  it('notices a system that evicts events a live consumer cursor still needs', async () => {
    const suite = journalContract(modelSystem({ ignoreCursors: true }), 500);
    const result = await runProperty(suite.name, suite.properties[0]!, { seed: 1, endOnFailure: true });
    expect(result.passed).toBe(false);
    expect(result.error).toMatch(/(evicted|dropped|head\/tail)/);
    expect(result.counterexample).toMatch(/claim a cursor/);
  });
});
