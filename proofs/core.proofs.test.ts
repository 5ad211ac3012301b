import { describe, expect, it } from 'vitest';
import { coreSuites, runProperty } from './index.ts';

for (const suite of coreSuites()) {
  describe(`${suite.name}: ${suite.description}`, () => {
    for (const contract of suite.properties) {
      it(contract.name, async () => {
        const result = await runProperty(suite.name, contract);
        expect(
          result,
          `counterexample ${result.counterexample} (seed ${result.seed}, path ${result.path}): ${result.error}`,
        ).toMatchObject({ passed: true });
        expect(result.runs).toBeGreaterThan(0);
      });
    }
  });
}
