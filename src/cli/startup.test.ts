/**
 * `cz` starts without loading the hub: building the command registry and every command's options (what
 * `cz --help` and `cz <command> --help` need) must not load zod, hono, better-sqlite3, ws, fast-check, nats,
 * the hub module or proofs/ — the handlers import those when they run. A module-resolution hook records every
 * module a real `cz` process resolves while printing each command's help.
 *
 * The options take the hub's constants they show (key pattern, tail's payload modes and rate, verify's runs, the
 * UI directory) from small modules beside each feature that import nothing heavy; the check sees them loaded.
 * hub-client.ts reads the root key itself; the last test checks it answers as the hub's AuthService does.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AuthService } from '../hub/auth/service.ts';
import { generateKey } from '../hub/auth/keys.ts';
import { killAll, tempDir } from '../../test/helpers/processes.ts';
import { readRootKey } from './hub-client.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const HEAVY = [
  /\/node_modules\/(zod|hono|@hono|better-sqlite3|ws|fast-check|nats|@nats-io)\//,
  /\/src\/hub\/hub\.ts$/,
  // The auth module, schemas and store — all but key-format.ts, the key pattern alone, which cz reads keys with.
  /\/src\/hub\/auth\/(?!key-format\.ts$)/,
  /\/src\/hub\/features\.ts$/,
  /\/proofs\//,
  /\/src\/sequencer\//,
];

/** Every module URL a `cz` process resolves while running `main` once per argument list. */
function modulesResolvedBy(argvs: string[][]): string[] {
  const dir = tempDir('cz-startup-');
  const log = join(dir, 'resolved.txt');
  writeFileSync(log, '');
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, result.url + '\\n');
  return result;
}
`,
  );
  const script = `
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';
registerTsx();
register(${JSON.stringify(pathToFileURL(hooks).href)});
const { main } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'src/cli/main.ts')).href)});
const quiet = { out: () => {}, err: (text) => process.stderr.write(text + '\\n') };
for (const argv of ${JSON.stringify(argvs)}) {
  const code = await main(argv, quiet);
  if (code !== 0) throw new Error('cz ' + argv.join(' ') + ' exited ' + code);
}
`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

describe('cz start-up', () => {
  afterAll(killAll);

  it('loads no hub, zod, sqlite, ws or proofs module to print the help of every command', () => {
    const commands = [
      'lacrimosa',
      'start',
      'hub',
      'keys',
      'connectors',
      'status',
      'send',
      'tail',
      'query',
      'traces',
      'alerts',
      'incidents',
      'pipelines',
      'dashboards',
      'verify',
    ];
    const resolved = modulesResolvedBy([['--version'], ['--help'], ...commands.map((c) => [c, '--help'])]);
    // The hook saw the command modules, so an empty list would not pass by accident.
    expect(resolved.some((url) => url.endsWith('/src/cli/commands/dashboards.ts'))).toBe(true);
    // The options' constants come from the hub's import-free modules, loaded here without anything heavy.
    for (const module of ['auth/key-format.ts', 'ws/limits.ts', 'verify/defaults.ts', 'ui-dir.ts'])
      expect(resolved.some((url) => url.endsWith(`/src/hub/${module}`))).toBe(true);
    expect(resolved.filter((url) => HEAVY.some((pattern) => pattern.test(url)))).toEqual([]);
  });

  it('loads proofs/ when `cz verify` runs', () => {
    // The same hook on a handler that needs a heavy module: shows the check above would see one.
    const resolved = modulesResolvedBy([['verify', '--runs', '1', '--suite', 'clock']]);
    expect(resolved.some((url) => /\/proofs\//.test(url))).toBe(true);
  });

  it("reads the root key as the hub's AuthService does: a key, a malformed file, no file", () => {
    const dir = tempDir('cz-root-key-');
    expect(readRootKey(dir)).toBeNull();
    expect(AuthService.readRootKey(dir)).toBeNull();
    writeFileSync(join(dir, 'root.key'), 'not a key\n');
    expect(readRootKey(dir)).toBeNull();
    expect(AuthService.readRootKey(dir)).toBeNull();
    const key = generateKey();
    writeFileSync(join(dir, 'root.key'), `${key}\n`);
    expect(readRootKey(dir)).toBe(key);
    expect(AuthService.readRootKey(dir)).toBe(key);
  });
});
