/**
 * `cz` starts without loading the hub: building the command registry and every command's options (what
 * `cz --help` and `cz <command> --help` need) must not load zod, hono, better-sqlite3, ws, fast-check, nats,
 * the hub module or proofs/ — the handlers import those when they run. A module-resolution hook records every
 * module a real `cz` process resolves while printing each command's help.
 *
 * The options and hub-client.ts repeat a few of the hub's constants (and its root-key reader) so their modules
 * can stay unloaded; the last tests check that the copies still equal the originals.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_RUNS } from '../../proofs/index.ts';
import { AuthService } from '../hub/auth/service.ts';
import { KEY_PATTERN } from '../hub/auth/schema.ts';
import { generateKey } from '../hub/auth/keys.ts';
import { DEFAULT_UI_DIR as HUB_DEFAULT_UI_DIR } from '../hub/hub.ts';
import { PAYLOAD_MODES, WS_LIMITS } from '../hub/ws/schema.ts';
import { killAll, tempDir } from '../../test/helpers/processes.ts';
import { DEFAULT_UI_DIR } from './commands/hub.ts';
import { readRootKey, ROOT_KEY_PATTERN } from './hub-client.ts';
import { TAIL_MAX_PER_SECOND, TAIL_PAYLOAD_MODES } from './commands/tail.ts';
import { VERIFY_DEFAULT_RUNS } from './commands/verify.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const HEAVY = [
  /\/node_modules\/(zod|hono|@hono|better-sqlite3|ws|fast-check|nats|@nats-io)\//,
  /\/src\/hub\/hub\.ts$/,
  /\/src\/hub\/auth\//,
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
    expect(resolved.filter((url) => HEAVY.some((pattern) => pattern.test(url)))).toEqual([]);
  });

  it('loads proofs/ when `cz verify` runs', () => {
    // The same hook on a handler that needs a heavy module: shows the check above would see one.
    const resolved = modulesResolvedBy([['verify', '--runs', '1', '--suite', 'clock']]);
    expect(resolved.some((url) => /\/proofs\//.test(url))).toBe(true);
  });

  it("the options' copies of hub constants equal the originals", () => {
    expect(TAIL_PAYLOAD_MODES).toEqual(PAYLOAD_MODES);
    expect(TAIL_MAX_PER_SECOND).toEqual(WS_LIMITS.maxPerSecond);
    expect(VERIFY_DEFAULT_RUNS).toBe(DEFAULT_RUNS);
    expect(DEFAULT_UI_DIR).toBe(HUB_DEFAULT_UI_DIR);
    expect(ROOT_KEY_PATTERN.source).toBe(KEY_PATTERN.source);
    expect(ROOT_KEY_PATTERN.flags).toBe(KEY_PATTERN.flags);
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
