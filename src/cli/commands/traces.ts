/**
 * `cz traces list|show`: the hub's traces from the command line. `list` takes the filters of `GET /api/traces`;
 * `show ID` prints one trace as an indented span tree with a text timeline bar per span.
 *
 * @module
 */
import type { Argv, CommandModule } from 'yargs';
import type { TraceDetail, TraceList } from '../../hub/traces/schema.ts';
import type { CommandContext } from '../context.ts';
import { UserError } from '../errors.ts';
import { type HubClientArgs, hubOptions, hubRequest, hubTarget } from '../hub-client.ts';
import { formatTable } from '../output.ts';

interface TracesArgs extends HubClientArgs {
  action: 'list' | 'show';
  id?: string;
  service?: string;
  operation?: string;
  'min-duration'?: number;
  'max-duration'?: number;
  since?: string;
  errors: boolean;
  limit?: number;
  json: boolean;
}

const BAR_WIDTH = 30;

export const ms = (n: number): string =>
  n >= 1000 ? `${(n / 1000).toFixed(2)}s` : `${n.toFixed(n < 10 ? 2 : 1)}ms`;

const when = (epochMs: number): string => new Date(epochMs).toISOString().replace(/\.(\d{3})Z$/, '.$1Z');

/** A bar of `BAR_WIDTH` cells with the span's share of the trace filled in. */
export function timelineBar(offsetMs: number, durationMs: number, totalMs: number): string {
  if (totalMs <= 0) return `|${'#'.repeat(BAR_WIDTH)}|`;
  const from = Math.min(BAR_WIDTH - 1, Math.floor((offsetMs / totalMs) * BAR_WIDTH));
  const to = Math.max(
    from + 1,
    Math.min(BAR_WIDTH, Math.ceil(((offsetMs + durationMs) / totalMs) * BAR_WIDTH)),
  );
  return `|${' '.repeat(from)}${'#'.repeat(to - from)}${' '.repeat(BAR_WIDTH - to)}|`;
}

export const tracesCommand = (context: CommandContext): CommandModule<object, TracesArgs> => ({
  command: 'traces <action> [id]',
  describe: 'Traces stored by the hub: list [--service S --since 1h --errors …], show TRACE_ID',
  builder: (yargs: Argv) =>
    yargs
      .positional('action', { choices: ['list', 'show'] as const, describe: 'What to do' })
      .positional('id', { type: 'string', describe: 'show: the trace id (32 hex digits)' })
      .option('service', { type: 'string', describe: 'list: traces with a span of this service' })
      .option('operation', { type: 'string', describe: 'list: traces with a span of this operation' })
      .option('min-duration', { type: 'number', describe: 'list: at least this many milliseconds' })
      .option('max-duration', { type: 'number', describe: 'list: at most this many milliseconds' })
      .option('since', { type: 'string', describe: 'list: started since (5m, 2h, RFC 3339, epoch ms)' })
      .option('errors', { type: 'boolean', default: false, describe: 'list: only traces with an error' })
      .option('limit', { type: 'number', describe: 'list: how many (default 20, at most 1000)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON' })
      .options(hubOptions) as unknown as Argv<TracesArgs>,
  handler: async (args) => {
    const target = hubTarget(args);
    const out = context.output;
    if (args.action === 'list') {
      const query = new URLSearchParams();
      const set = (name: string, value: string | number | undefined): void => {
        if (value !== undefined) query.set(name, String(value));
      };
      set('service', args.service);
      set('operation', args.operation);
      set('minDurationMs', args['min-duration']);
      set('maxDurationMs', args['max-duration']);
      set('since', args.since);
      set('limit', args.limit);
      if (args.errors) query.set('errorOnly', 'true');
      const qs = query.toString();
      const { traces } = await hubRequest<TraceList>(target, 'GET', `/api/traces${qs ? `?${qs}` : ''}`);
      if (args.json) return out.out(JSON.stringify(traces, null, 2));
      if (traces.length === 0) return out.out('no traces match');
      out.out(
        formatTable(
          ['TRACE', 'STARTED', 'ROOT', 'DURATION', 'SPANS', 'ERRORS', 'SERVICES'],
          traces.map((t) => [
            t.traceId,
            when(t.startTimeUnixMs),
            `${t.root.service}: ${t.root.name}`,
            ms(t.durationMs),
            String(t.spanCount),
            String(t.errorCount),
            t.services.join(','),
          ]),
          [3, 4, 5],
        ),
      );
      return;
    }
    if (!args.id) throw new UserError('cz traces show needs a trace id (cz traces list shows them)');
    if (!/^[0-9a-fA-F]{32}$/.test(args.id))
      throw new UserError(`"${args.id}" is not a trace id (32 hex digits)`);
    const detail = await hubRequest<TraceDetail>(target, 'GET', `/api/traces/${args.id.toLowerCase()}`);
    if (args.json) return out.out(JSON.stringify(detail, null, 2));
    const t = detail.trace;
    out.out(
      `trace ${t.traceId}  ${when(t.startTimeUnixMs)}  ${ms(t.durationMs)}  ${t.spanCount} spans  ` +
        `${t.errorCount} errors  services ${t.services.join(', ')}`,
    );
    out.out(
      formatTable(
        ['SPAN', 'OPERATION', 'SERVICE', 'START', 'DURATION', 'TIMELINE', 'STATUS'],
        detail.spans.map((s) => [
          s.spanId,
          `${'  '.repeat(s.depth)}${s.name}`,
          s.service,
          `+${ms(s.offsetMs)}`,
          ms(s.durationMs),
          timelineBar(s.offsetMs, s.durationMs, t.durationMs),
          s.error ? `error${s.statusMessage ? `: ${s.statusMessage}` : ''}` : s.status,
        ]),
        [3, 4],
      ),
    );
  },
});
