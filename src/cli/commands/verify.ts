/**
 * `cz verify`: runs the property suites (proofs/) and prints one row per property.
 * Exits 1 when any property fails, printing its shrunk counterexample and the seed that reproduces it.
 *
 * @module
 */
import type { Argv, CommandModule } from 'yargs';
import {
  coreSuites,
  DEFAULT_RUNS,
  runSuites,
  type ContractSuite,
  type PropertyResult,
} from '../../../proofs/index.ts';
import type { CommandContext } from '../context.ts';
import { UserError } from '../errors.ts';
import { formatTable, type Output, processOutput } from '../output.ts';

export interface VerifyOptions {
  suites: readonly ContractSuite[];
  numRuns?: number;
  seed?: number;
  json?: boolean;
}

function summarize(results: readonly PropertyResult[], elapsedMs: number): string {
  const failed = results.filter((r) => !r.passed).length;
  const runs = results.reduce((sum, r) => sum + r.runs, 0);
  const verdict = failed === 0 ? 'all passed' : `${failed} FAILED`;
  return `${results.length} properties, ${runs} runs, ${verdict} in ${(elapsedMs / 1000).toFixed(2)} s`;
}

/** Runs `options.suites` and reports to `output`; returns the process exit code. */
export async function runVerify(options: VerifyOptions, output: Output = processOutput): Promise<number> {
  const started = performance.now();
  const results = await runSuites(options.suites, {
    ...(options.numRuns === undefined ? {} : { numRuns: options.numRuns }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  });
  const elapsedMs = performance.now() - started;
  const failures = results.filter((r) => !r.passed);
  if (options.json) {
    output.out(JSON.stringify({ passed: failures.length === 0, elapsedMs, results }, null, 2));
    return failures.length === 0 ? 0 : 1;
  }
  const rows = results.map((r) => [
    r.suite,
    r.property,
    String(r.runs),
    r.passed ? 'ok' : 'FAIL',
    `${r.durationMs.toFixed(0)} ms`,
  ]);
  output.out(formatTable(['SUITE', 'PROPERTY', 'RUNS', 'RESULT', 'TIME'], rows, [2, 4]));
  for (const f of failures) {
    output.out(
      [
        '',
        `FAIL ${f.suite} / ${f.property}`,
        `  counterexample: ${f.counterexample ?? '(none)'}`,
        `  error:          ${f.error ?? '(property returned false)'}`,
        `  reproduce:      cz verify --suite ${f.suite} --seed ${f.seed}`,
      ].join('\n'),
    );
  }
  output.out(`\n${summarize(results, elapsedMs)}`);
  return failures.length === 0 ? 0 : 1;
}

interface VerifyArgs {
  runs: number;
  seed?: number;
  suite?: string[];
  json: boolean;
}

export const verifyCommand = (context: CommandContext): CommandModule<object, VerifyArgs> => ({
  command: 'verify',
  describe:
    'Run the property suites (ordering, codec, clock, checksum, wire format) and report each property',
  builder: (yargs: Argv) =>
    yargs
      .option('runs', {
        type: 'number',
        default: DEFAULT_RUNS,
        describe: 'Runs per property (expensive properties scale down)',
      })
      .option('seed', { type: 'number', describe: 'Random seed, to reproduce a reported failure' })
      .option('suite', { type: 'string', array: true, describe: 'Only these suites (repeatable)' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print results as JSON',
      }) as Argv<VerifyArgs>,
  handler: async (args) => {
    if (!Number.isInteger(args.runs) || args.runs < 1)
      throw new UserError(`--runs must be a positive integer, got ${args.runs}`);
    if (args.seed !== undefined && !Number.isInteger(args.seed))
      throw new UserError(`--seed must be an integer, got ${args.seed}`);
    const all = coreSuites();
    const wanted = args.suite ?? [];
    const unknown = wanted.filter((name) => !all.some((s) => s.name === name));
    if (unknown.length > 0) {
      throw new UserError(
        `unknown suite ${unknown.join(', ')}; available: ${all.map((s) => s.name).join(', ')}`,
      );
    }
    const suites = wanted.length === 0 ? all : all.filter((s) => wanted.includes(s.name));
    context.exitCode = await runVerify(
      {
        suites,
        numRuns: args.runs,
        ...(args.seed === undefined ? {} : { seed: args.seed }),
        json: args.json,
      },
      context.output,
    );
  },
});
