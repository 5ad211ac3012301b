/**
 * `cz incidents list|show|ack|resolve|test`: the hub's incidents from the command line. `list` takes the
 * filters of `GET /api/alerts/incidents`; `show ID` prints one incident with its evidence, timeline and
 * delivery log; `ack` and `resolve` move it along its lifecycle (as the key's name); `test` opens a test
 * incident so the notification channels can be tried.
 *
 * @module
 */
import type { Argv, CommandModule } from 'yargs';
import type { IncidentDetail, IncidentList, IncidentView } from '../../hub/alerts/schema.ts';
import type { CommandContext } from '../context.ts';
import { UserError } from '../errors.ts';
import { type HubClientArgs, hubOptions, hubRequest, hubTarget } from '../hub-client.ts';
import { formatTable } from '../output.ts';

interface IncidentsArgs extends HubClientArgs {
  action: 'list' | 'show' | 'ack' | 'resolve' | 'test';
  id?: string;
  state?: string;
  severity?: string;
  rule?: string;
  since?: string;
  limit?: number;
  comment?: string;
  title?: string;
  json: boolean;
}

const when = (epochMs: number | null): string => (epochMs === null ? '-' : new Date(epochMs).toISOString());

function evidenceText(i: IncidentView): string {
  const { firstSeq, lastSeq, samples, value } = i.evidence;
  if (firstSeq === null) return 'none';
  return `sequences ${firstSeq}–${lastSeq} (value ${value ?? 'n/a'}; samples ${samples.join(', ')})`;
}

function incidentId(id: string | undefined, action: string): string {
  if (id === undefined)
    throw new UserError(`cz incidents ${action} needs an incident id (cz incidents list shows them)`);
  if (!/^\d{1,15}$/.test(id)) throw new UserError(`"${id}" is not an incident id (a positive integer)`);
  return id;
}

export const incidentsCommand = (context: CommandContext): CommandModule<object, IncidentsArgs> => ({
  command: 'incidents <action> [id]',
  describe: 'Incidents opened by alert rules: list [--state open …], show ID, ack ID, resolve ID, test',
  builder: (yargs: Argv) =>
    yargs
      .positional('action', {
        choices: ['list', 'show', 'ack', 'resolve', 'test'] as const,
        describe: 'What to do',
      })
      .positional('id', { type: 'string', describe: 'show, ack, resolve: the incident id' })
      .option('state', { choices: ['open', 'acknowledged', 'resolved'], describe: 'list: in this state' })
      .option('severity', { choices: ['critical', 'warning', 'info'], describe: 'list: of this severity' })
      .option('rule', { type: 'string', describe: 'list: opened by this rule (id or name)' })
      .option('since', { type: 'string', describe: 'list: opened since (30m, 1d, RFC 3339, epoch ms)' })
      .option('limit', { type: 'number', describe: 'list: how many (default 50, at most 500)' })
      .option('comment', { type: 'string', describe: 'ack, resolve: a comment for the timeline' })
      .option('title', { type: 'string', describe: 'test: the test incident title' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON' })
      .options(hubOptions) as unknown as Argv<IncidentsArgs>,
  handler: async (args) => {
    const target = hubTarget(args);
    const out = context.output;
    const print = (incident: IncidentView, verb: string): void => {
      if (args.json) out.out(JSON.stringify(incident, null, 2));
      else out.out(`incident ${incident.id} ${verb}: ${incident.title} (${incident.state})`);
    };
    switch (args.action) {
      case 'list': {
        const query = new URLSearchParams();
        for (const name of ['state', 'severity', 'rule', 'since', 'limit'] as const) {
          if (args[name] !== undefined) query.set(name, String(args[name]));
        }
        const qs = query.toString();
        const list = await hubRequest<IncidentList>(
          target,
          'GET',
          `/api/alerts/incidents${qs ? `?${qs}` : ''}`,
        );
        if (args.json) return out.out(JSON.stringify(list, null, 2));
        if (list.incidents.length === 0) return out.out('no incidents match');
        out.out(
          formatTable(
            ['ID', 'STATE', 'SEVERITY', 'OPENED', 'TITLE', 'RULE', 'NOTIFY'],
            list.incidents.map((i) => [
              String(i.id),
              i.state,
              i.severity,
              when(i.openedAt),
              i.title,
              i.rule ?? (i.test ? '(test)' : '-'),
              i.silenced ? 'silenced' : '',
            ]),
            [0],
          ),
        );
        if (list.total > list.incidents.length) out.out(`${list.incidents.length} of ${list.total} shown`);
        return;
      }
      case 'show': {
        const d = await hubRequest<IncidentDetail>(
          target,
          'GET',
          `/api/alerts/incidents/${incidentId(args.id, 'show')}`,
        );
        if (args.json) return out.out(JSON.stringify(d, null, 2));
        out.out(`incident ${d.id}: ${d.title}`);
        out.out(`  state      ${d.state}${d.silenced ? ` (silenced by ${d.silenceId})` : ''}`);
        out.out(`  severity   ${d.severity}`);
        if (d.rule !== null) out.out(`  rule       ${d.rule}${d.group ? ` · group ${d.group}` : ''}`);
        out.out(`  opened     ${when(d.openedAt)}`);
        if (d.acknowledgedAt !== null)
          out.out(`  acked      ${when(d.acknowledgedAt)} by ${d.acknowledgedBy ?? '?'}`);
        if (d.resolvedAt !== null) out.out(`  resolved   ${when(d.resolvedAt)} by ${d.resolvedBy ?? '?'}`);
        if (d.description) out.out(`  ${d.description}`);
        out.out(`  evidence   ${evidenceText(d)}`);
        out.out('timeline:');
        out.out(
          formatTable(
            ['AT', 'KIND', 'BY', 'TEXT'],
            d.timeline.map((t) => [when(t.at), t.kind, t.actor ?? '', t.text]),
          ),
        );
        if (d.deliveries.length > 0) {
          out.out('deliveries:');
          out.out(
            formatTable(
              ['AT', 'CHANNEL', 'EVENT', 'ATTEMPT', 'RESULT'],
              d.deliveries.map((x) => [
                when(x.at),
                `${x.channel} (${x.kind})`,
                x.event,
                String(x.attempt),
                x.ok ? `ok ${x.status}` : `failed: ${x.error ?? x.status}`,
              ]),
              [3],
            ),
          );
        }
        return;
      }
      case 'ack':
      case 'resolve': {
        const verb = args.action === 'ack' ? 'acknowledge' : 'resolve';
        const body = args.comment === undefined ? undefined : { comment: args.comment };
        const incident = await hubRequest<IncidentView>(
          target,
          'POST',
          `/api/alerts/incidents/${incidentId(args.id, args.action)}/${verb}`,
          body,
        );
        return print(incident, args.action === 'ack' ? 'acknowledged' : 'resolved');
      }
      case 'test': {
        const body = args.title === undefined ? undefined : { title: args.title };
        const incident = await hubRequest<IncidentDetail>(target, 'POST', '/api/alerts/incidents/test', body);
        return print(incident, 'opened');
      }
    }
  },
});
