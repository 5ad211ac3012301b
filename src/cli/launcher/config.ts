/**
 * The launcher's settings: flags, then environment variables, then defaults.
 *
 * @module
 */
import { join, resolve } from 'node:path';
import { isLoopback } from '../../hub/hub.ts';
import { UserError } from '../errors.ts';
import { parseListen } from '../units.ts';
import { LAUNCHER_DEFAULTS } from './defaults.ts';

export { LAUNCHER_DEFAULTS };

/** The launcher's flags as yargs parses them (undefined where not given). */
export interface LauncherArgs {
  journal?: string;
  'data-dir'?: string;
  port?: number;
  bind?: string;
  'udp-port'?: number;
  listen?: string[];
  ipc?: string;
  build?: boolean;
}

export interface LauncherConfig {
  dataDir: string;
  journal: string;
  host: string;
  port: number;
  listens: string[];
  ipcPath: string;
  build: boolean;
}

function portFrom(source: string, value: string | number): number {
  const text = String(value).trim();
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535)
    throw new UserError(`${source} must be a port 0..65535, got "${value}"`);
  return port;
}

/** `--bind HOST` or `--bind HOST:PORT` (`[::1]:3000` for IPv6 with a port). */
function splitBind(bind: string): { host: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(bind);
  if (bracketed) {
    return bracketed[2] === undefined
      ? { host: bracketed[1]! }
      : { host: bracketed[1]!, port: portFrom('--bind', bracketed[2]) };
  }
  const colons = bind.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = bind.split(':') as [string, string];
    return { host: host === '' ? LAUNCHER_DEFAULTS.host : host, port: portFrom('--bind', port) };
  }
  return { host: bind };
}

/**
 * Flags, then environment variables, then defaults. Relative paths are resolved against `cwd`; the journal
 * defaults to `<data dir>/journal.db`.
 */
export function resolveLauncherConfig(
  args: LauncherArgs,
  env: NodeJS.ProcessEnv,
  cwd = process.cwd(),
): LauncherConfig {
  for (const flag of ['data-dir', 'journal', 'ipc', 'bind'] as const) {
    if (args[flag] === '') throw new UserError(`--${flag} needs a value`);
  }
  // An empty environment variable counts as unset.
  const fromEnv = (name: string): string | undefined => env[name] || undefined;
  const dataDir = resolve(cwd, args['data-dir'] ?? fromEnv('CZ_DATA_DIR') ?? LAUNCHER_DEFAULTS.dataDir);
  const journal = resolve(cwd, args.journal ?? fromEnv('CZ_JOURNAL') ?? join(dataDir, 'journal.db'));
  const bind = args.bind === undefined ? { host: LAUNCHER_DEFAULTS.host } : splitBind(args.bind);
  if (bind.port !== undefined && args.port !== undefined && bind.port !== args.port)
    throw new UserError(`--bind ${args.bind} and --port ${args.port} disagree; give the port once`);
  const port =
    args.port !== undefined
      ? portFrom('--port', args.port)
      : (bind.port ?? (env.CZ_HUB_PORT ? portFrom('CZ_HUB_PORT', env.CZ_HUB_PORT) : LAUNCHER_DEFAULTS.port));
  if (!isLoopback(bind.host)) {
    throw new UserError(
      `the launcher serves loopback addresses only (got --bind ${bind.host}); to expose the hub, run \`cz hub --allow-remote\` yourself`,
    );
  }
  let listens: string[];
  if (args.listen !== undefined && args.listen.length > 0) {
    if (args['udp-port'] !== undefined) throw new UserError('give either --udp-port or --listen, not both');
    for (const spec of args.listen) parseListen(spec);
    listens = args.listen;
  } else {
    const udpPort =
      args['udp-port'] !== undefined
        ? portFrom('--udp-port', args['udp-port'])
        : env.CZ_UDP_PORT
          ? portFrom('CZ_UDP_PORT', env.CZ_UDP_PORT)
          : LAUNCHER_DEFAULTS.udpPort;
    listens = [`${udpPort}=default`];
  }
  const ipcPath = resolve(cwd, args.ipc ?? fromEnv('CZ_IPC') ?? LAUNCHER_DEFAULTS.ipc);
  return { dataDir, journal, host: bind.host, port, listens, ipcPath, build: args.build ?? true };
}
