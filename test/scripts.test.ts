/**
 * The repository's verification scripts run as part of the test suite, so CI runs them on every change.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

describe('verification scripts', () => {
  it('verify_auth.sh passes against a fresh sequencer and hub', async () => {
    const { stdout } = await run('bash', ['verify_auth.sh'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(stdout).toMatch(/verify_auth\.sh: all checks passed/);
    expect(stdout).not.toMatch(/FAIL/);
  }, 120_000);

  it('verify_cli.sh passes: the cz commands against a fresh sequencer and hub', async () => {
    const { stdout } = await run('bash', ['verify_cli.sh'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(stdout).toMatch(/verify_cli\.sh: all checks passed/);
    expect(stdout).not.toMatch(/FAIL/);
  }, 300_000);

  it('verify_dashboards.sh passes: dashboard CRUD, export/import and widget data from UDP traffic', async () => {
    const { stdout } = await run('bash', ['verify_dashboards.sh'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(stdout).toMatch(/verify_dashboards\.sh: all checks passed/);
    expect(stdout).not.toMatch(/FAIL/);
  }, 120_000);
});
