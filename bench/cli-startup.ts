/**
 * How long `cz` takes before it does anything: `cz --version`, `cz --help`, and `cz status` against a hub
 * that is not there (127.0.0.1:9 refuses at once), each run as a fresh process the way a user or
 * test/scripts/verify_cli.sh runs it. Every case runs RUNS times, interleaved (case A, B, C, A, B, C, …) so a
 * busy moment on a shared machine hits every case alike; the table shows the median and the spread.
 *
 * BENCH_CZ=/path/to/bin/cz times another checkout (e.g. a `git worktree` of an older commit) with the same
 * harness, so before/after numbers come from one run side by side: the table then has one column per binary.
 *
 * Run: npm run bench -- cli-startup   (BENCH_RUNS=15 by default)
 */
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, percentile, publish } from './lib/report.ts';

const OWN_CZ = fileURLToPath(new URL('../bin/cz', import.meta.url));

const CASES: { name: string; args: string[]; exitCode: number }[] = [
  { name: '`cz --version`', args: ['--version'], exitCode: 0 },
  { name: '`cz --help`', args: ['--help'], exitCode: 0 },
  // The connection is refused, so this is start-up plus one failed fetch.
  {
    name: '`cz status --hub http://127.0.0.1:9`',
    args: ['status', '--hub', 'http://127.0.0.1:9'],
    exitCode: 1,
  },
];

/** `bin/cz` of which commit: the column header, so a before/after table says what it compares. */
function describeBinary(cz: string): string {
  const checkout = dirname(dirname(cz));
  const git = (...args: string[]): string =>
    spawnSync('git', ['-C', checkout, ...args], { encoding: 'utf8' }).stdout.trim();
  const commit = git('rev-parse', '--short', 'HEAD') || 'unknown commit';
  const dirty = git('status', '--porcelain', '--', 'bin', 'src') !== '';
  return `${checkout} (${commit}${dirty ? ' + working-tree changes' : ''})`;
}

function timeOnce(cz: string, args: readonly string[], expectedExit: number): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, [cz, ...args], { encoding: 'utf8' });
  const ms = performance.now() - started;
  if (result.status !== expectedExit) {
    throw new Error(
      `${cz} ${args.join(' ')} exited ${result.status} (expected ${expectedExit}): ${result.stderr.slice(0, 500)}`,
    );
  }
  return ms;
}

export async function run(): Promise<void> {
  const runs = Number(process.env.BENCH_RUNS ?? 15);
  const binaries = [...(process.env.BENCH_CZ ? [process.env.BENCH_CZ] : []), OWN_CZ];
  // One untimed run per binary and case: tsx's transform cache (in the OS temp dir) is then warm, as it is
  // for every run after a user's first.
  for (const cz of binaries) for (const c of CASES) timeOnce(cz, c.args, c.exitCode);
  const samples = new Map<string, number[]>();
  for (let i = 0; i < runs; i++) {
    for (const c of CASES) {
      for (const cz of binaries) {
        const key = `${cz}\0${c.name}`;
        samples.set(key, [...(samples.get(key) ?? []), timeOnce(cz, c.args, c.exitCode)]);
      }
    }
  }
  const cell = (values: readonly number[]): string =>
    `${Math.round(median(values))} ms (min ${Math.round(Math.min(...values))}, p90 ${Math.round(percentile(values, 90))})`;
  publish({
    title: `cli-startup: wall time of one \`cz\` process, median of ${runs}`,
    command: `${process.env.BENCH_CZ ? `BENCH_CZ=${process.env.BENCH_CZ} ` : ''}npm run bench -- cli-startup`,
    headers: ['command', ...binaries.map(describeBinary)],
    rows: CASES.map((c) => [c.name, ...binaries.map((cz) => cell(samples.get(`${cz}\0${c.name}`)!))]),
    notes: [
      'each run is a fresh `node bin/cz …` process (spawnSync), timed from spawn to exit; tsx transform cache warm',
      'cases and binaries interleaved run by run, so load from other work on the machine falls on all of them alike',
    ],
  });
}
