/**
 * `cz hub`: runs the hub (REST, WebSocket, metrics, UI) in the foreground until SIGINT/SIGTERM.
 *
 * @module
 */
import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { HubError } from '../../hub/errors.ts';
import type { Hub } from '../../hub/hub.ts';
import { DEFAULT_UI_DIR } from '../../hub/ui-dir.ts';
import type { CommandContext } from '../context.ts';
import { UserError } from '../errors.ts';
import { parseSize } from '../units.ts';
import { waitForSignal } from '../signals.ts';

interface HubArgs {
  bind: string;
  journal: string;
  ipc: string;
  'data-dir': string;
  'allow-remote': boolean;
  'ui-dir': string;
  'max-body': string;
  'trace-spans-per-sec': number;
  json: boolean;
}

export function parseBind(bind: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(bind);
  const colon = bind.lastIndexOf(':');
  const host = bracketed ? bracketed[1]! : colon > 0 ? bind.slice(0, colon) : '127.0.0.1';
  const portText = bracketed ? bracketed[2]! : colon >= 0 ? bind.slice(colon + 1) : bind;
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535)
    throw new UserError(`--bind must be HOST:PORT (port 0..65535), got "${bind}"`);
  return { host, port };
}

export const hubCommand = (context: CommandContext): CommandModule<object, HubArgs> => ({
  command: 'hub',
  describe: 'Run the hub: REST API, WebSocket live metrics, Prometheus metrics and the control center UI',
  builder: (yargs: Argv) =>
    yargs
      .option('bind', { type: 'string', default: '127.0.0.1:3000', describe: 'Address to listen on' })
      .option('journal', {
        type: 'string',
        default: 'journal.db',
        describe: 'Journal file (mapped read-only)',
      })
      .option('ipc', { type: 'string', default: '/tmp/cz-io.sock', describe: "The sequencer's IPC socket" })
      .option('data-dir', {
        type: 'string',
        default: '.lacrimosa',
        describe: 'Hub state: SQLite database and root.key',
      })
      .option('allow-remote', {
        type: 'boolean',
        default: false,
        describe: 'Allow binding a non-loopback address',
      })
      .option('ui-dir', { type: 'string', default: DEFAULT_UI_DIR, describe: 'Built UI to serve at /' })
      .option('max-body', { type: 'string', default: '1MiB', describe: 'Largest request body under /api' })
      .option('trace-spans-per-sec', {
        type: 'number',
        default: 50_000,
        describe: 'Spans per second the trace endpoints store before answering 429 with Retry-After',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print the ready line as JSON',
      }) as unknown as Argv<HubArgs>,
  handler: async (args) => {
    const { host, port } = parseBind(args.bind);
    const dataDir = resolve(args['data-dir']);
    const spansPerSecond = args['trace-spans-per-sec'];
    if (!Number.isFinite(spansPerSecond) || spansPerSecond <= 0)
      throw new UserError(`--trace-spans-per-sec must be a positive number, got ${spansPerSecond}`);
    const [{ Hub }, { FEATURES }] = await Promise.all([
      import('../../hub/hub.ts'),
      import('../../hub/features.ts'),
    ]);
    let hub: Hub;
    let address: { host: string; port: number };
    try {
      hub = new Hub(
        {
          host,
          port,
          allowRemote: args['allow-remote'],
          journalPath: resolve(args.journal),
          ipcPath: args.ipc,
          dataDir,
          uiDir: args['ui-dir'],
          maxBodyBytes: parseSize('max-body', args['max-body']),
          traceIngest: { spansPerSecond },
        },
        FEATURES,
      );
      address = await hub.listen();
    } catch (error) {
      if (error instanceof HubError) throw new UserError(error.message);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') {
        throw new UserError(
          `${args.bind} is already in use; stop what holds it (\`ss -ltnp | grep :${port}\`) or choose --bind HOST:PORT`,
        );
      }
      if (code === 'EACCES' || code === 'EADDRNOTAVAIL')
        throw new UserError(`cannot listen on ${args.bind}: ${(error as Error).message}`);
      throw error;
    }
    const stop = waitForSignal();
    const hostText = address.host.includes(':') ? `[${address.host}]` : address.host;
    const url = `http://${hostText}:${address.port}`;
    const keyFile = `${dataDir}/root.key`;
    const created = hub.createdRootKey;
    if (args.json) {
      context.output.out(
        JSON.stringify({
          event: 'ready',
          url,
          port: address.port,
          pid: process.pid,
          keyFile,
          ...(created ? { rootKey: created.key } : {}),
        }),
      );
    } else {
      context.output.out(
        [
          `lacrimosa hub ready on ${url}`,
          ...(created
            ? [`  root key  ${created.key}   (shown once; kept in ${keyFile}, mode 0600)`]
            : [`  key file  ${keyFile}`]),
          `  journal   ${resolve(args.journal)}`,
          `  sequencer ${args.ipc} (${hub.services.sequencer.state === 'connected' ? 'connected' : 'not connected yet; ingest calls answer 503 until it is'})`,
        ].join('\n'),
      );
    }
    const signal = await stop;
    await hub.close();
    if (args.json) context.output.out(JSON.stringify({ event: 'stopped', signal }));
    else context.output.out(`hub stopped (${signal})`);
  },
});
