/**
 * `cz verify`: runs the property suites (proofs/) and prints one row per property; with `--journal`, also checks
 * a journal's invariants. Exits 1 when anything fails, printing the shrunk counterexample and the seed that
 * reproduces it, or what the journal check found.
 *
 * @module
 */
import type { Argv, CommandModule } from 'yargs';
import type { ContractSuite, PropertyResult } from '../../../proofs/index.ts';
import type { JournalCheckResult } from '../../../proofs/journal-checks.ts';
import { VERIFY_LIMITS } from '../../hub/verify/defaults.ts';
import type { JournalReader } from '../../journal/reader.ts';
import type { CommandContext } from '../context.ts';
import { UserError } from '../errors.ts';
import { formatTable, type Output, processOutput } from '../output.ts';

export interface VerifyOptions {
  suites: readonly ContractSuite[];
  /** A journal whose live invariants to check as well. */
  journal?: string;
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
  const { runSuites } = await import('../../../proofs/index.ts');
  const started = performance.now();
  const results = await runSuites(options.suites, {
    ...(options.numRuns === undefined ? {} : { numRuns: options.numRuns }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  });
  let checks: JournalCheckResult[] = [];
  if (options.journal !== undefined) {
    const [{ checkJournal }, { JournalReader }, { isNativeError }] = await Promise.all([
      import('../../../proofs/journal-checks.ts'),
      import('../../journal/reader.ts'),
      import('../../native/binding.ts'),
    ]);
    let reader: JournalReader;
    try {
      reader = JournalReader.open(options.journal);
    } catch (error) {
      if (isNativeError(error)) throw new UserError(error.message);
      throw error;
    }
    try {
      checks = checkJournal(reader);
    } finally {
      reader.close();
    }
  }
  const elapsedMs = performance.now() - started;
  const failures = results.filter((r) => !r.passed);
  const failedChecks = checks.filter((c) => !c.passed);
  const passed = failures.length === 0 && failedChecks.length === 0;
  if (options.json) {
    output.out(JSON.stringify({ passed, elapsedMs, results, journalChecks: checks }, null, 2));
    return passed ? 0 : 1;
  }
  if (results.length > 0) {
    const rows = results.map((r) => [
      r.suite,
      r.property,
      String(r.runs),
      r.passed ? 'ok' : 'FAIL',
      `${r.durationMs.toFixed(0)} ms`,
    ]);
    output.out(formatTable(['SUITE', 'PROPERTY', 'RUNS', 'RESULT', 'TIME'], rows, [2, 4]));
  }
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
  if (options.journal !== undefined) {
    output.out(`\njournal ${options.journal}`);
    output.out(
      formatTable(
        ['CHECK', 'EXAMINED', 'RESULT'],
        checks.map((c) => [c.name, String(c.examined), c.passed ? 'ok' : 'FAIL']),
        [1],
      ),
    );
    for (const c of failedChecks) output.out(`\nFAIL journal / ${c.name}\n  ${c.detail}`);
  }
  const summary =
    results.length > 0 ? summarize(results, elapsedMs) : `checked in ${(elapsedMs / 1000).toFixed(2)} s`;
  const journalSummary =
    options.journal === undefined
      ? ''
      : `; journal: ${failedChecks.length === 0 ? 'all checks passed' : `${failedChecks.length} checks FAILED`}`;
  output.out(`\n${summary}${journalSummary}`);
  return passed ? 0 : 1;
}

interface VerifyArgs {
  journal?: string;
  'journal-only': boolean;
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
        default: VERIFY_LIMITS.runs.default,
        describe: 'Runs per property (expensive properties scale down)',
      })
      .option('seed', { type: 'number', describe: 'Random seed, to reproduce a reported failure' })
      .option('suite', { type: 'string', array: true, describe: 'Only these suites (repeatable)' })
      .option('journal', {
        type: 'string',
        describe: "Also check a journal's invariants (works while it is written)",
      })
      .option('journal-only', {
        type: 'boolean',
        default: false,
        describe: 'With --journal: skip the property suites',
      })
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
    const { coreSuites } = await import('../../../proofs/index.ts');
    const all = coreSuites();
    const wanted = args.suite ?? [];
    const unknown = wanted.filter((name) => !all.some((s) => s.name === name));
    if (unknown.length > 0) {
      throw new UserError(
        `unknown suite ${unknown.join(', ')}; available: ${all.map((s) => s.name).join(', ')}`,
      );
    }
    if (args['journal-only'] && args.journal === undefined)
      throw new UserError('--journal-only needs --journal PATH');
    const chosen = wanted.length === 0 ? all : all.filter((s) => wanted.includes(s.name));
    const suites = args['journal-only'] ? [] : chosen;
    context.exitCode = await runVerify(
      {
        suites,
        numRuns: args.runs,
        ...(args.seed === undefined ? {} : { seed: args.seed }),
        ...(args.journal === undefined ? {} : { journal: args.journal }),
        json: args.json,
      },
      context.output,
    );
  },
});
