/**
 * The `cz verify` command lines that reproduce what the page shows: a whole run (when its seed was fixed) or
 * one property (its suite, runs and seed). fast-check is deterministic for a given seed and number of runs, so
 * the same line gives the same inputs on any machine with the same code.
 *
 * @module
 */
import type { PropertyResultView, VerifyRunSummary } from '../../api/index.ts';

const quote = (text: string): string =>
  /^[\w./:@%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;

/** `cz verify` for one property: its suite, the run's runs per property, and the seed it ran with. */
export function propertyCommand(result: PropertyResultView, runs: number): string {
  return `cz verify --suite ${quote(result.suite)} --runs ${runs} --seed ${result.seed}`;
}

/**
 * `cz verify` for a whole run: its suites, runs and seed (null when the seed was random: each property then had
 * its own, see `propertyCommand`), plus `--journal <path>` when it checked the journal.
 */
export function runCommand(run: VerifyRunSummary, journalPath: string | null): string | null {
  if (run.options.seed === null) return null;
  const parts = ['cz verify'];
  for (const suite of run.options.suites ?? []) parts.push(`--suite ${quote(suite)}`);
  parts.push(`--runs ${run.options.runs}`, `--seed ${run.options.seed}`);
  if (run.options.journal && journalPath) parts.push(`--journal ${quote(journalPath)}`);
  return parts.join(' ');
}
