/**
 * `cz connectors list|create|delete|pause|resume|ingest`: the hub's connectors from the command line. A connector is named by
 * its id (`con_…`, `udp-9000`) or its name. `ingest` sends a file (or stdin) as it is, so objects land in the
 * journal byte for byte.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import type { ConnectorView, IngestResult } from '../../hub/connectors/schema.ts';
import type { CommandContext } from '../context.ts';
import { UserError } from '../errors.ts';
import { type HubClientArgs, hubOptions, hubRequest, type HubTarget, hubTarget } from '../hub-client.ts';
import { formatTable } from '../output.ts';

interface ConnectorsArgs extends HubClientArgs {
  action: 'list' | 'create' | 'delete' | 'pause' | 'resume' | 'ingest';
  target?: string;
  kind?: string;
  stream?: string;
  'node-id'?: number;
  paused: boolean;
  config?: string;
  url?: string;
  interval?: number;
  path?: string;
  'dedupe-key'?: string;
  header?: string[];
  server?: string[];
  subject?: string;
  queue?: string;
  file?: string;
  ndjson: boolean;
  json: boolean;
}

const ID = /^(con_[0-9a-f]{12}|udp-\d{1,5})$/;

async function resolveId(target: HubTarget, nameOrId: string): Promise<string> {
  if (ID.test(nameOrId)) return nameOrId;
  const { connectors } = await hubRequest<{ connectors: ConnectorView[] }>(target, 'GET', '/api/connectors');
  const found = connectors.find((c) => c.name === nameOrId);
  if (!found) throw new UserError(`no connector named "${nameOrId}" (cz connectors list shows them)`);
  return found.id;
}

/** The config of a new connector: --config JSON, with the kind's own flags laid over it. */
export function configFrom(args: ConnectorsArgs): Record<string, unknown> {
  let config: Record<string, unknown> = {};
  if (args.config !== undefined) {
    try {
      config = JSON.parse(args.config) as Record<string, unknown>;
    } catch (error) {
      throw new UserError(`--config is not JSON: ${(error as Error).message}`);
    }
    if (config === null || typeof config !== 'object' || Array.isArray(config))
      throw new UserError('--config must be a JSON object');
  }
  const set = (key: string, value: unknown): void => {
    if (value !== undefined) config[key] = value;
  };
  set('url', args.url);
  set('intervalMs', args.interval);
  set('path', args.path);
  set('dedupeKey', args['dedupe-key']);
  set('subject', args.subject);
  set('queue', args.queue);
  if (args.server?.length) config.servers = args.server;
  if (args.header?.length) {
    const headers: Record<string, string> = { ...(config.headers as Record<string, string> | undefined) };
    for (const h of args.header) {
      const at = h.indexOf(':');
      if (at <= 0) throw new UserError(`--header must look like "Name: value", got "${h}"`);
      headers[h.slice(0, at).trim()] = h.slice(at + 1).trim();
    }
    config.headers = headers;
  }
  return config;
}

async function postRaw(
  target: HubTarget,
  path: string,
  body: Buffer,
  contentType: string,
): Promise<IngestResult> {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (target.key) headers.authorization = `Bearer ${target.key}`;
  let response: Response;
  try {
    response = await fetch(`${target.url}${path}`, { method: 'POST', headers, body });
  } catch (error) {
    throw new UserError(`cannot reach the hub at ${target.url} (${(error as Error).message})`);
  }
  const text = await response.text();
  if (!response.ok) {
    let error: { code?: string; message?: string } | undefined;
    try {
      error = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    } catch {
      error = undefined;
    }
    throw new UserError(
      `the hub answered ${response.status} ${error?.code ?? ''}: ${error?.message ?? text.slice(0, 200)}`,
    );
  }
  return JSON.parse(text) as IngestResult;
}

const when = (ms: number | null): string =>
  ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export const connectorsCommand = (context: CommandContext): CommandModule<object, ConnectorsArgs> => ({
  command: 'connectors <action> [target]',
  describe:
    'Manage connectors: list, create NAME --kind webhook|http-poll|nats, delete|pause|resume ID, ingest ID --file F',
  builder: (yargs: Argv) =>
    yargs
      .positional('action', {
        choices: ['list', 'create', 'delete', 'pause', 'resume', 'ingest'] as const,
        describe: 'What to do',
      })
      .positional('target', { type: 'string', describe: 'The new name (create), or a connector id or name' })
      .option('kind', {
        type: 'string',
        choices: ['webhook', 'http-poll', 'nats'],
        describe: 'create: the kind',
      })
      .option('stream', { type: 'string', describe: 'create: the stream (default: the name)' })
      .option('node-id', { type: 'number', describe: 'create: the node id of its events (default 0)' })
      .option('paused', { type: 'boolean', default: false, describe: 'create: start paused' })
      .option('config', { type: 'string', describe: 'create: the config as JSON (flags below override it)' })
      .option('url', { type: 'string', describe: 'http-poll: the URL to poll' })
      .option('interval', { type: 'number', describe: 'http-poll: milliseconds between polls' })
      .option('path', { type: 'string', describe: 'http-poll: where the list is in the answer (data.items)' })
      .option('dedupe-key', { type: 'string', describe: 'http-poll: the field identifying an item' })
      .option('header', { type: 'string', array: true, describe: 'http-poll: "Name: value" (repeatable)' })
      .option('server', { type: 'string', array: true, describe: 'nats: nats://host:port (repeatable)' })
      .option('subject', { type: 'string', describe: 'nats: the subject' })
      .option('queue', { type: 'string', describe: 'nats: a queue group' })
      .option('file', { type: 'string', describe: 'ingest: the file to send (- or none: stdin)' })
      .option('ndjson', { type: 'boolean', default: false, describe: 'ingest: the body is NDJSON' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON' })
      .options(hubOptions) as unknown as Argv<ConnectorsArgs>,
  handler: async (args) => {
    const target = hubTarget(args);
    const out = context.output;
    if (args.action === 'list') {
      const { connectors } = await hubRequest<{ connectors: ConnectorView[] }>(
        target,
        'GET',
        '/api/connectors',
      );
      if (args.json) return out.out(JSON.stringify(connectors, null, 2));
      out.out(
        formatTable(
          [
            'ID',
            'NAME',
            'KIND',
            'STREAM',
            'STATE',
            'JOURNALED',
            'PENDING',
            'ERRORS',
            'LAST EVENT',
            'LAST ERROR',
          ],
          connectors.map((c) => [
            c.id,
            c.name,
            c.kind,
            c.stream,
            c.state,
            c.counters ? String(c.counters.journaled) : '-',
            c.counters ? String(c.counters.pending) : '-',
            c.counters ? String(c.counters.errors) : '-',
            when(c.lastEventAt),
            c.lastError ? `${c.lastError.code}: ${c.lastError.message}`.slice(0, 60) : '-',
          ]),
          [5, 6, 7],
        ),
      );
      return;
    }
    if (!args.target)
      throw new UserError(
        `cz connectors ${args.action} needs ${args.action === 'create' ? 'a NAME' : 'a connector id or name'}`,
      );
    if (args.action === 'create') {
      if (!args.kind) throw new UserError('cz connectors create needs --kind webhook, http-poll or nats');
      const created = await hubRequest<ConnectorView>(target, 'POST', '/api/connectors', {
        kind: args.kind,
        name: args.target,
        ...(args.stream === undefined ? {} : { stream: args.stream }),
        ...(args['node-id'] === undefined ? {} : { nodeId: args['node-id'] }),
        ...(args.paused ? { paused: true } : {}),
        config: configFrom(args),
      });
      if (args.json) return out.out(JSON.stringify(created, null, 2));
      out.out(
        `created ${created.id} "${created.name}" (${created.kind}, stream ${created.stream}, ${created.state})`,
      );
      if (created.kind === 'webhook')
        out.out(`push events with: cz connectors ingest ${created.id} --file events.ndjson --ndjson`);
      return;
    }
    const id = await resolveId(target, args.target);
    if (args.action === 'delete') {
      const deleted = await hubRequest<ConnectorView>(target, 'DELETE', `/api/connectors/${id}`);
      if (args.json) return out.out(JSON.stringify(deleted, null, 2));
      out.out(`deleted ${deleted.id} "${deleted.name}" (its events stay in the journal)`);
      return;
    }
    if (args.action === 'pause' || args.action === 'resume') {
      const view = await hubRequest<ConnectorView>(target, 'POST', `/api/connectors/${id}/${args.action}`);
      if (args.json) return out.out(JSON.stringify(view, null, 2));
      out.out(`${view.id} "${view.name}" is ${view.state}`);
      return;
    }
    let body: Buffer;
    try {
      body = readFileSync(args.file === undefined || args.file === '-' ? 0 : args.file);
    } catch (error) {
      throw new UserError(`cannot read ${args.file ?? 'stdin'}: ${(error as Error).message}`);
    }
    const result = await postRaw(
      target,
      `/api/connectors/${id}/ingest`,
      body,
      args.ndjson || /\.(ndjson|jsonl)$/.test(args.file ?? '') ? 'application/x-ndjson' : 'application/json',
    );
    if (args.json) return out.out(JSON.stringify(result, null, 2));
    const seqs = result.sequences.filter((s): s is number => s !== null);
    const range = seqs.length === 0 ? '' : ` (seq ${Math.min(...seqs)}..${Math.max(...seqs)})`;
    out.out(
      `journaled ${result.journaled} of ${result.received} events in stream ${result.stream}${range}` +
        (result.dropped + result.rejected > 0
          ? `; ${result.dropped} dropped, ${result.rejected} rejected`
          : ''),
    );
    if (result.journaled < result.received) context.exitCode = 1;
  },
});
