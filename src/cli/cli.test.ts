/**
 * The `cz` executable end to end (spawned like a user runs it) and `cz verify`'s reporting, which is
 * exercised in-process with a deliberately broken comparator to show a failed property fails the run.
 */
import { describe, expect, it } from 'vitest';
import { orderContract } from '../../proofs/contracts/order.ts';
import { compareCausal, type OrderKey } from '../core/order.ts';
import { runVerify } from './commands/verify.ts';
import { runCz as cz } from '../../test/helpers/processes.ts';
import { main } from './main.ts';
import type { Output } from './output.ts';

function captured(): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

describe('cz executable', () => {
  it('prints help listing the commands', async () => {
    const { code, stdout } = await cz('--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/cz <command>/);
    expect(stdout).toMatch(/cz verify/);
  });

  it('prints the package version', async () => {
    const { code, stdout } = await cz('--version');
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('exits 2 with a one-line message, no stack, for an unknown command', async () => {
    const { code, stderr } = await cz('frobnicate');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^cz: Unknown argument: frobnicate/);
    expect(stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('runs `cz verify`: a table row per property and exit 0 when all pass', async () => {
    const { code, stdout } = await cz('verify', '--runs', '50', '--seed', '1');
    expect(code).toBe(0);
    expect(stdout).toMatch(/SUITE\s+PROPERTY\s+RUNS\s+RESULT/);
    for (const suite of ['order', 'sort', 'codec', 'clock', 'crc32c', 'frame'])
      expect(stdout).toMatch(new RegExp(`^${suite}\\s`, 'm'));
    expect(stdout).toMatch(/all passed/);
    expect(stdout).not.toMatch(/FAIL/);
  });

  it('rejects an unknown suite and a bad run count with a clear message', async () => {
    const unknown = await cz('verify', '--suite', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown suite nope; available: order, sort/);
    const badRuns = await cz('verify', '--runs', '0');
    expect(badRuns.stderr).toMatch(/--runs must be a positive integer/);
  });
});

describe('cz verify reporting', () => {
  const ignoresStream = (a: OrderKey, b: OrderKey): number =>
    compareCausal({ ...a, streamId: 0 }, { ...b, streamId: 0 });

  it('exits 1 and prints the counterexample and a reproduce line when a property fails', async () => {
    const output = captured();
    const code = await runVerify({ suites: [orderContract(ignoresStream)], numRuns: 200, seed: 3 }, output);
    expect(code).toBe(1);
    const text = output.stdout.join('\n');
    expect(text).toMatch(/^order\s+defined by the key.*FAIL/m);
    expect(text).toMatch(/^order\s+reflexive.*\bok\b/m);
    expect(text).toMatch(/counterexample: .*streamId/);
    expect(text).toMatch(/reproduce:\s+cz verify --suite order --seed 3/);
    expect(text).toMatch(/6 properties, \d+ runs, 2 FAILED/);
  });

  it('reports the same failure as JSON with --json', async () => {
    const output = captured();
    const code = await runVerify(
      { suites: [orderContract(ignoresStream)], numRuns: 200, seed: 3, json: true },
      output,
    );
    expect(code).toBe(1);
    const report = JSON.parse(output.stdout.join('')) as {
      passed: boolean;
      results: { property: string; passed: boolean; counterexample: string | null }[];
    };
    expect(report.passed).toBe(false);
    const failed = report.results.filter((r) => !r.passed);
    expect(failed.map((r) => r.property)).toContain(
      'defined by the key: agrees with unsigned (lamport_ts, node_id, stream_id) comparison',
    );
    expect(failed.every((r) => r.counterexample !== null)).toBe(true);
  });

  it('exits 0 for the product comparator through the same path', async () => {
    const output = captured();
    expect(await runVerify({ suites: [orderContract(compareCausal)], numRuns: 100 }, output)).toBe(0);
    expect(output.stdout.join('\n')).toMatch(/all passed/);
  });

  it('runs commands in-process through main() and returns their exit code', async () => {
    const output = captured();
    expect(await main(['verify', '--suite', 'crc32c', '--runs', '20'], output)).toBe(0);
    expect(output.stdout.join('\n')).toMatch(/^crc32c\s/m);
    expect(await main(['verify', '--runs', 'x'], output)).not.toBe(0);
  });
});
