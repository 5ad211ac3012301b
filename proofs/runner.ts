/**
 * Runs contract suites and reports one structured result per property. The test runner, `cz verify` and
 * the hub's Verification page all go through `runSuites`, so a property means the same thing everywhere.
 *
 * @module
 */
import fc from 'fast-check';

export interface ContractProperty {
  name: string;
  property: fc.IRawProperty<never> | fc.IRawProperty<unknown[]>;
  /** Overrides the run count for properties whose single run is expensive. */
  numRuns?: number;
  /** Extra fast-check parameters, e.g. a time limit for properties whose shrinking is slow. */
  parameters?: Omit<fc.Parameters<unknown>, 'numRuns' | 'seed'>;
}

export interface ContractSuite {
  /** Stable identifier, e.g. "order" (used by `cz verify --suite`). */
  name: string;
  description: string;
  properties: ContractProperty[];
}

export interface PropertyResult {
  suite: string;
  property: string;
  passed: boolean;
  runs: number;
  durationMs: number;
  /** The seed that reproduces this run (pass it back as `seed`). */
  seed: number;
  /** fast-check's replay path for the shrunk counterexample, when the property failed. */
  path: string | null;
  /** The shrunk counterexample, printed with fast-check's stringify, when the property failed. */
  counterexample: string | null;
  /** What the failing run threw or returned, when the property failed. */
  error: string | null;
}

export interface RunOptions {
  /** Report the first failure without shrinking it (faster, larger counterexamples). */
  endOnFailure?: boolean;
  /** Runs per property (a property's own `numRuns` is scaled by the same factor). Default 1000. */
  numRuns?: number;
  /** Fixes the random seed; random when omitted. */
  seed?: number;
  /** Called after each property, for live progress. */
  onResult?: (result: PropertyResult, index: number, total: number) => void;
  /** Stops between properties when aborted; results so far are returned. */
  signal?: AbortSignal;
}

export const DEFAULT_RUNS = 1000;

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}

export async function runProperty(
  suiteName: string,
  contract: ContractProperty,
  options: Pick<RunOptions, 'numRuns' | 'seed' | 'endOnFailure'> = {},
): Promise<PropertyResult> {
  const scale = (options.numRuns ?? DEFAULT_RUNS) / DEFAULT_RUNS;
  const numRuns = Math.max(1, Math.round((contract.numRuns ?? DEFAULT_RUNS) * scale));
  const started = performance.now();
  const details = await fc.check(contract.property as fc.IRawProperty<unknown>, {
    ...contract.parameters,
    numRuns,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.endOnFailure ? { endOnFailure: true } : {}),
  });
  return {
    suite: suiteName,
    property: contract.name,
    passed: !details.failed && !details.interrupted,
    runs: details.numRuns,
    durationMs: performance.now() - started,
    seed: details.seed,
    path: details.failed ? details.counterexamplePath : null,
    counterexample:
      details.failed && details.counterexample !== null ? fc.stringify(details.counterexample) : null,
    error: details.failed ? describeError(details.errorInstance) : null,
  };
}

export async function runSuites(
  suites: readonly ContractSuite[],
  options: RunOptions = {},
): Promise<PropertyResult[]> {
  const total = suites.reduce((sum, suite) => sum + suite.properties.length, 0);
  const results: PropertyResult[] = [];
  for (const suite of suites) {
    for (const contract of suite.properties) {
      if (options.signal?.aborted) return results;
      const result = await runProperty(suite.name, contract, options);
      results.push(result);
      options.onResult?.(result, results.length - 1, total);
    }
  }
  return results;
}
