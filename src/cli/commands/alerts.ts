/**
 * `cz alerts [status|rules]`: the current alert states (pending, firing, recently resolved) and the rules.
 *
 * @module
 */
import type { Argv, CommandModule } from 'yargs';
import type { AlertList, RuleView } from '../../hub/alerts/schema.ts';
import type { CommandContext } from '../context.ts';
import { type HubClientArgs, hubOptions, hubRequest, hubTarget } from '../hub-client.ts';
import { formatTable } from '../output.ts';

interface AlertsArgs extends HubClientArgs {
  action: 'status' | 'rules';
  json: boolean;
}

export const alertsCommand = (context: CommandContext): CommandModule<object, AlertsArgs> => ({
  command: 'alerts [action]',
  describe: 'Alert states (status, the default) and alert rules (rules)',
  builder: (yargs: Argv) =>
    yargs
      .positional('action', {
        choices: ['status', 'rules'] as const,
        default: 'status',
        describe: 'What to show',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON' })
      .options(hubOptions) as unknown as Argv<AlertsArgs>,
  handler: async (args) => {
    const target = hubTarget(args);
    const out = context.output;
    if (args.action === 'rules') {
      const { rules } = await hubRequest<{ rules: RuleView[] }>(target, 'GET', '/api/alerts/rules');
      if (args.json) return out.out(JSON.stringify(rules, null, 2));
      if (rules.length === 0) return out.out('no alert rules');
      // The schema module brings zod; only this table needs its duration formatter.
      const { formatDuration } = await import('../../hub/alerts/schema.ts');
      out.out(
        formatTable(
          ['ID', 'NAME', 'SEVERITY', 'QUERY', 'THRESHOLD', 'WINDOW', 'FOR', 'ENABLED'],
          rules.map((r) => [
            r.id,
            r.name,
            r.severity,
            r.query,
            `${r.threshold.op} ${r.threshold.value}`,
            formatDuration(r.windowMs),
            formatDuration(r.forMs),
            r.enabled ? 'yes' : 'no',
          ]),
        ),
      );
      return;
    }
    const list = await hubRequest<AlertList>(target, 'GET', '/api/alerts');
    if (args.json) return out.out(JSON.stringify(list, null, 2));
    if (list.alerts.length === 0) out.out('no alerts pending or firing');
    else
      out.out(
        formatTable(
          ['STATE', 'RULE', 'GROUP', 'SEVERITY', 'VALUE', 'SINCE', 'INCIDENT'],
          list.alerts.map((a) => [
            a.state,
            a.rule,
            a.group ?? '',
            a.severity,
            a.value === null ? '-' : String(a.value),
            a.activeAt === null ? '-' : new Date(a.activeAt).toISOString(),
            a.incidentId === null ? '' : String(a.incidentId),
          ]),
        ),
      );
    out.out(`rules have seen the journal up to sequence ${list.position} (${list.lag} behind)`);
  },
});
