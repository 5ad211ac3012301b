/**
 * `cz dashboards list|show|export|import|delete|data`: the hub's dashboards from the command line. A dashboard
 * is named by its id or its name. `export` writes the tagged document (`lacrimosa.dashboard`) that `import`
 * takes back, to stdout or `--out FILE`; `data DASHBOARD WIDGET` prints the numbers a widget shows. Every
 * answer is checked against the hub's own wire schemas.
 *
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import type * as DashboardSchemas from '../../hub/dashboards/schema.ts';
import type { Dashboard, WidgetData } from '../../hub/dashboards/schema.ts';
import type { CommandContext } from '../context.ts';
import { UserError } from '../errors.ts';
import {
  type HubClientArgs,
  hubOptions,
  hubRequest,
  hubRequestChecked as request,
  type HubTarget,
  hubTarget,
} from '../hub-client.ts';
import { formatTable } from '../output.ts';
import { isStdin } from './pipelines.ts';

const ACTIONS = ['list', 'show', 'export', 'import', 'delete', 'data'] as const;

interface DashboardsArgs extends HubClientArgs {
  action: (typeof ACTIONS)[number];
  dashboard?: string;
  widget?: string;
  file?: string;
  out?: string;
  since?: string;
  until?: string;
  json: boolean;
}

const CELL_WIDTH = 60;
/** The hub's wire schemas, loaded by the handler: zod is slow to load and `cz --help` does not need it. */
let schemas: typeof DashboardSchemas;

/** The dashboard's id: given as it is, or found by name (ids are UUIDs, so a name never looks like one). */
async function resolveId(target: HubTarget, nameOrId: string | undefined, action: string): Promise<string> {
  if (nameOrId === undefined)
    throw new UserError(
      `cz dashboards ${action} needs a dashboard id or name (cz dashboards list shows them)`,
    );
  const { dashboards } = await request(target, schemas.dashboardListSchema, 'GET', '/api/dashboards');
  if (dashboards.some((d) => d.id === nameOrId)) return nameOrId;
  const found = dashboards.filter((d) => d.name === nameOrId);
  if (found.length === 0)
    throw new UserError(`no dashboard named "${nameOrId}" (cz dashboards list shows them)`);
  if (found.length > 1)
    throw new UserError(
      `${found.length} dashboards are named "${nameOrId}" (${found.map((d) => d.id).join(', ')}); name one by its id`,
    );
  return found[0]!.id;
}

const when = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function cell(value: unknown): string {
  const text = typeof value === 'string' ? value : value === null ? '-' : JSON.stringify(value);
  return text.length > CELL_WIDTH ? `${text.slice(0, CELL_WIDTH - 1)}…` : text;
}

/** A widget's query (with the field it plots, when it plots one) or its metric. */
function sourceOf(w: Dashboard['widgets'][number] & { value?: string; agg?: string }): string {
  if (w.query === undefined) return `metric ${w.metric}`;
  return w.value === undefined ? w.query : `${w.agg ?? 'avg'}(${w.value}) of ${w.query}`;
}

function printDashboard(d: Dashboard, out: CommandContext['output']): void {
  out.out(`dashboard ${d.id} "${d.name}"${d.description ? ` — ${d.description}` : ''}`);
  out.out(
    `  range     since ${d.timeRange.since} until ${d.timeRange.until ?? 'now'} · refresh ${d.refreshSec === null ? 'off' : `${d.refreshSec}s`} · version ${d.version}`,
  );
  if (d.widgets.length === 0) return out.out('no widgets');
  out.out(
    formatTable(
      ['WIDGET', 'TYPE', 'TITLE', 'AT', 'SOURCE'],
      d.widgets.map((w) => [
        w.id,
        w.type,
        w.title,
        `${w.layout.x},${w.layout.y} ${w.layout.w}×${w.layout.h}`,
        cell(sourceOf(w)),
      ]),
    ),
  );
}

function printData(data: WidgetData, out: CommandContext['output']): void {
  const range = `${when(data.range.since)} – ${when(data.range.until)}`;
  switch (data.type) {
    case 'value':
      out.out(`${data.widgetId}: ${data.value === null ? 'no value' : `${data.value} ${data.label}`}`);
      break;
    case 'timeseries': {
      if (data.points.length === 0) {
        out.out('no points');
        break;
      }
      const numeric = data.series.map((_, i) => i + 1);
      out.out(
        formatTable(
          ['TIME', ...data.series.map((s) => s.label || s.key)],
          data.points.map((p) => [
            when(p.t),
            ...data.series.map((s) => (p[s.key] === undefined ? '-' : String(p[s.key]))),
          ]),
          numeric,
        ),
      );
      break;
    }
    case 'table':
    case 'log': {
      const numeric = data.columns.flatMap((_, c) =>
        data.rows.length > 0 && data.rows.every((r) => typeof r[c] === 'number' || r[c] === null) ? [c] : [],
      );
      out.out(
        formatTable(
          data.columns,
          data.rows.map((r) => r.map(cell)),
          numeric,
        ),
      );
      if (data.truncated) out.out(`(truncated to ${data.rows.length} rows)`);
      break;
    }
  }
  const stats = data.stats
    ? ` · ${data.stats.matched} matched · scanned ${data.stats.scanned} in ${data.stats.elapsedMs} ms`
    : '';
  out.out(`${data.type} ${data.widgetId} over ${range}${stats}`);
}

function readDocument(file: string | undefined): unknown {
  if (file === undefined)
    throw new UserError('cz dashboards import needs --file DASHBOARD.json (- for stdin)');
  const where = isStdin(file) ? 'stdin' : file;
  let text: string;
  try {
    text = readFileSync(isStdin(file) ? 0 : file, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read ${where}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UserError(`${where} is not JSON: ${(error as Error).message}`);
  }
}

export const dashboardsCommand = (context: CommandContext): CommandModule<object, DashboardsArgs> => ({
  command: 'dashboards <action> [dashboard] [widget]',
  describe:
    'Dashboards: list, show|export|delete ID, import --file D.json, data ID WIDGET (the widget’s numbers)',
  builder: (yargs: Argv) =>
    yargs
      .positional('action', { choices: ACTIONS, describe: 'What to do' })
      .positional('dashboard', { type: 'string', describe: 'A dashboard id or name' })
      .positional('widget', {
        type: 'string',
        describe: 'data: the widget id (cz dashboards show lists them)',
      })
      .option('file', { type: 'string', describe: 'import: the exported document (- for stdin)' })
      .option('out', { type: 'string', describe: 'export: write the document to this file' })
      .option('since', {
        type: 'string',
        describe: "data: from (15m, RFC 3339, epoch ms); default the dashboard's",
      })
      .option('until', { type: 'string', describe: "data: until (default the dashboard's)" })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON' })
      .options(hubOptions) as unknown as Argv<DashboardsArgs>,
  handler: async (args) => {
    schemas = await import('../../hub/dashboards/schema.ts');
    const target = hubTarget(args);
    const out = context.output;
    const json = (value: unknown): void => out.out(JSON.stringify(value, null, 2));
    switch (args.action) {
      case 'list': {
        const { dashboards } = await request(target, schemas.dashboardListSchema, 'GET', '/api/dashboards');
        if (args.json) return json(dashboards);
        if (dashboards.length === 0) return out.out('no dashboards');
        out.out(
          formatTable(
            ['ID', 'NAME', 'WIDGETS', 'VERSION', 'UPDATED'],
            dashboards.map((d) => [
              d.id,
              d.name,
              String(d.widgetCount),
              String(d.version),
              when(d.updatedAt),
            ]),
            [2, 3],
          ),
        );
        return;
      }
      case 'show': {
        const id = await resolveId(target, args.dashboard, 'show');
        const d = await request(
          target,
          schemas.dashboardSchema,
          'GET',
          `/api/dashboards/${encodeURIComponent(id)}`,
        );
        if (args.json) return json(d);
        printDashboard(d, out);
        return;
      }
      case 'export': {
        const id = await resolveId(target, args.dashboard, 'export');
        const path = `/api/dashboards/${encodeURIComponent(id)}/export`;
        const document = await hubRequest<unknown>(target, 'GET', path);
        const checked = schemas.dashboardExportSchema.safeParse(document);
        if (!checked.success)
          throw new UserError(
            `the hub's answer to GET ${path} is not a dashboard document (${checked.error.issues[0]?.message ?? 'malformed'})`,
          );
        const text = `${JSON.stringify(document, null, 2)}\n`;
        if (args.out === undefined) return out.out(text);
        try {
          writeFileSync(args.out, text);
        } catch (error) {
          throw new UserError(`cannot write ${args.out}: ${(error as Error).message}`);
        }
        out.err(`exported "${checked.data.dashboard.name}" to ${args.out}`);
        return;
      }
      case 'import': {
        const created = await request(
          target,
          schemas.dashboardSchema,
          'POST',
          '/api/dashboards/import',
          readDocument(args.file),
        );
        if (args.json) return json(created);
        out.out(`imported ${created.id} "${created.name}" (${created.widgets.length} widgets)`);
        return;
      }
      case 'delete': {
        const id = await resolveId(target, args.dashboard, 'delete');
        const { z } = await import('zod');
        const deleted = await request(
          target,
          z.object({ deleted: z.literal(true), id: z.string(), name: z.string() }),
          'DELETE',
          `/api/dashboards/${encodeURIComponent(id)}`,
        );
        if (args.json) return json(deleted);
        out.out(`deleted ${deleted.id} "${deleted.name}"`);
        return;
      }
      case 'data': {
        const id = await resolveId(target, args.dashboard, 'data');
        if (args.widget === undefined)
          throw new UserError(
            `cz dashboards data needs a widget id after the dashboard (cz dashboards show ${args.dashboard} lists them)`,
          );
        const body: Record<string, string> = {};
        if (args.since !== undefined) body.since = args.since;
        if (args.until !== undefined) body.until = args.until;
        const data = await request(
          target,
          schemas.widgetDataSchema,
          'POST',
          `/api/dashboards/${encodeURIComponent(id)}/widgets/${encodeURIComponent(args.widget)}/data`,
          body,
        );
        if (args.json) return json(data);
        printData(data, out);
        return;
      }
    }
  },
});
