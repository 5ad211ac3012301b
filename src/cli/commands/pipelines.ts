/**
 * `cz pipelines list|show|create|update|delete|run|stop|dry-run`: the hub's pipelines from the command line.
 * A pipeline is named by its id (`pl_…`) or its name. `create` and `update` read the graph as JSON from
 * `--file` (`-`: stdin); a pipeline printed by `show --json` is taken back as it is. A graph with validation
 * issues prints them as `node <id> (<path>): <message>` lines and exits 1 (the hub keeps it as a draft).
 * Every answer is checked against the hub's own wire schemas, so a mismatched hub fails loudly here.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import type * as PipelineSchemas from '../../hub/pipelines/schema.ts';
import type { DryRunResult, PipelineView, ValidationIssue } from '../../hub/pipelines/schema.ts';
import type { CommandContext } from '../context.ts';
import { UserError } from '../errors.ts';
import {
  type HubClientArgs,
  hubOptions,
  hubRequestChecked as request,
  type HubTarget,
  hubTarget,
} from '../hub-client.ts';
import { formatTable } from '../output.ts';

const ACTIONS = ['list', 'show', 'create', 'update', 'delete', 'run', 'stop', 'dry-run'] as const;

interface PipelinesArgs extends HubClientArgs {
  action: (typeof ACTIONS)[number];
  pipeline?: string;
  file?: string;
  from?: number;
  to?: number;
  since?: string;
  until?: string;
  sample: number;
  json: boolean;
}

const ID = /^pl_[0-9a-f]{12}$/;

/** The hub's wire schemas, loaded by the handler: zod is slow to load and `cz --help` does not need it. */
let schemas: typeof PipelineSchemas;
/** Fields of a pipeline as the hub shows it that are not part of the graph a user writes. */
const VIEW_ONLY_FIELDS = ['id', 'createdAt', 'updatedAt', 'validation', 'status'] as const;
const SAMPLE_WIDTH = 100;

async function resolvePipeline(target: HubTarget, nameOrId: string | undefined, action: string) {
  if (nameOrId === undefined)
    throw new UserError(`cz pipelines ${action} needs a pipeline id or name (cz pipelines list shows them)`);
  if (ID.test(nameOrId))
    return request(target, schemas.pipelineViewSchema, 'GET', `/api/pipelines/${nameOrId}`);
  const { pipelines } = await request(target, schemas.pipelineListSchema, 'GET', '/api/pipelines');
  const found = pipelines.filter((p) => p.name === nameOrId);
  if (found.length === 0)
    throw new UserError(`no pipeline named "${nameOrId}" (cz pipelines list shows them)`);
  if (found.length > 1)
    throw new UserError(
      `${found.length} pipelines are named "${nameOrId}" (${found.map((p) => p.id).join(', ')}); name one by its id`,
    );
  return found[0]!;
}

/** `--file -` means stdin (main.ts hands it over as `--file=-`, so yargs keeps the dash). */
export const isStdin = (file: string): boolean => file === '-';

/** The graph in `--file` (or stdin), without the fields a `show --json` adds. */
function readGraph(file: string | undefined, action: string): Record<string, unknown> {
  if (file === undefined) throw new UserError(`cz pipelines ${action} needs --file GRAPH.json (- for stdin)`);
  const stdin = isStdin(file);
  const where = stdin ? 'stdin' : file;
  let text: string;
  try {
    text = readFileSync(stdin ? 0 : file, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read ${where}: ${(error as Error).message}`);
  }
  let graph: unknown;
  try {
    graph = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${where} is not JSON: ${(error as Error).message}`);
  }
  if (graph === null || typeof graph !== 'object' || Array.isArray(graph))
    throw new UserError(`${where} must hold a JSON object: { "name", "nodes": […], "edges": […] }`);
  return Object.fromEntries(
    Object.entries(graph).filter(([field]) => !(VIEW_ONLY_FIELDS as readonly string[]).includes(field)),
  );
}

export const issueLine = (issue: ValidationIssue): string =>
  `${issue.nodeId === null ? 'graph' : `node ${issue.nodeId}`} (${issue.path}): ${issue.message}`;

/** Prints the graph's issues and marks the command failed; true when there were any. */
function reportIssues(view: PipelineView, context: CommandContext): boolean {
  if (view.validation.ok) return false;
  for (const issue of view.validation.issues) context.output.err(issueLine(issue));
  context.exitCode = 1;
  return true;
}

const when = (ms: number | null): string =>
  ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

const kindOf = (view: PipelineView, nodeId: string): string =>
  view.nodes.find((n) => n.id === nodeId)?.kind ?? '?';

function counterRows(view: PipelineView, counters: DryRunResult['nodes'] | PipelineView['status']['nodes']) {
  return view.nodes.map((node) => {
    const c = counters[node.id];
    return [
      node.id,
      node.kind,
      c ? String(c.in) : '-',
      c ? String(c.out) : '-',
      c ? String(c.errors) : '-',
      c ? String(c.pending) : '-',
      c?.lastError ? c.lastError.slice(0, 60) : '-',
    ];
  });
}
const COUNTER_HEADERS = ['NODE', 'KIND', 'IN', 'OUT', 'ERRORS', 'PENDING', 'LAST ERROR'];

function printPipeline(view: PipelineView, out: CommandContext['output']): void {
  const s = view.status;
  out.out(`pipeline ${view.id} "${view.name}"${view.description ? ` — ${view.description}` : ''}`);
  out.out(
    `  state     ${s.state}${s.startedAt === null ? '' : ` since ${when(s.startedAt)}`}` +
      ` · position ${s.position ?? '-'} · lag ${s.lag} · lost ${s.lost}`,
  );
  if (s.lastError) out.out(`  error     ${s.lastError}`);
  out.out(`  valid     ${view.validation.ok ? 'yes' : `no (${view.validation.issues.length} issues)`}`);
  out.out(formatTable(COUNTER_HEADERS, counterRows(view, s.nodes), [2, 3, 4, 5]));
  if (view.edges.length > 0)
    out.out(
      `edges: ${view.edges.map((e) => `${e.from} → ${e.to}${e.port === 'in' ? '' : ` (${e.port})`}`).join(', ')}`,
    );
}

function printDryRun(view: PipelineView, result: DryRunResult, out: CommandContext['output']): void {
  out.out(
    `dry run of ${view.id} "${view.name}" over sequences ${result.range.from}–${result.range.to}: ` +
      `scanned ${result.scanned}, overwritten ${result.overwritten}`,
  );
  out.out(formatTable(COUNTER_HEADERS, counterRows(view, result.nodes), [2, 3, 4, 5]));
  for (const node of view.nodes) {
    const sample = result.nodes[node.id]?.sample ?? [];
    if (sample.length === 0) continue;
    const produced = result.nodes[node.id]!.out;
    out.out(`${node.id} (${kindOf(view, node.id)}): ${sample.length} of ${produced} records`);
    for (const record of sample) {
      const fields = JSON.stringify(record.fields);
      const text = fields.length > SAMPLE_WIDTH ? `${fields.slice(0, SAMPLE_WIDTH - 1)}…` : fields;
      out.out(`  seq ${record.seq}  ${when(record.time)}  ${text}`);
    }
  }
}

export const pipelinesCommand = (context: CommandContext): CommandModule<object, PipelinesArgs> => ({
  command: 'pipelines <action> [pipeline]',
  describe: 'Pipelines: list, show|run|stop|delete|dry-run ID, create --file G.json, update ID --file G.json',
  builder: (yargs: Argv) =>
    yargs
      .positional('action', { choices: ACTIONS, describe: 'What to do' })
      .positional('pipeline', { type: 'string', describe: 'A pipeline id (pl_…) or name' })
      .option('file', { type: 'string', describe: 'create, update: the graph as JSON (- for stdin)' })
      .option('from', { type: 'number', describe: 'dry-run: the first journal sequence' })
      .option('to', { type: 'number', describe: 'dry-run: the end sequence (exclusive)' })
      .option('since', { type: 'string', describe: 'dry-run: events since (5m, RFC 3339, epoch ms)' })
      .option('until', { type: 'string', describe: 'dry-run: events until (5m, RFC 3339, epoch ms)' })
      .option('sample', { type: 'number', default: 5, describe: 'dry-run: records shown per node' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON' })
      .options(hubOptions) as unknown as Argv<PipelinesArgs>,
  handler: async (args) => {
    schemas = await import('../../hub/pipelines/schema.ts');
    const target = hubTarget(args);
    const out = context.output;
    const json = (value: unknown): void => out.out(JSON.stringify(value, null, 2));
    switch (args.action) {
      case 'list': {
        const { pipelines } = await request(target, schemas.pipelineListSchema, 'GET', '/api/pipelines');
        if (args.json) return json(pipelines);
        if (pipelines.length === 0)
          return out.out('no pipelines (create one with cz pipelines create --file graph.json)');
        out.out(
          formatTable(
            ['ID', 'NAME', 'STATE', 'NODES', 'VALID', 'POSITION', 'LAG', 'ERRORS'],
            pipelines.map((p) => [
              p.id,
              p.name,
              p.status.state,
              String(p.nodes.length),
              p.validation.ok ? 'yes' : `no (${p.validation.issues.length})`,
              p.status.position === null ? '-' : String(p.status.position),
              String(p.status.lag),
              String(Object.values(p.status.nodes).reduce((sum, c) => sum + c.errors, 0)),
            ]),
            [3, 5, 6, 7],
          ),
        );
        return;
      }
      case 'create': {
        const view = await request(
          target,
          schemas.pipelineViewSchema,
          'POST',
          '/api/pipelines',
          readGraph(args.file, 'create'),
        );
        if (args.json) json(view);
        else
          out.out(
            `created ${view.id} "${view.name}" (${view.nodes.length} nodes${view.validation.ok ? '' : ', a draft with issues: it cannot run until they are fixed'})`,
          );
        reportIssues(view, context);
        return;
      }
      case 'update': {
        const current = await resolvePipeline(target, args.pipeline, 'update');
        const body = readGraph(args.file, 'update');
        body.name ??= current.name;
        body.description ??= current.description;
        const view = await request(
          target,
          schemas.pipelineViewSchema,
          'PUT',
          `/api/pipelines/${current.id}`,
          body,
        );
        if (args.json) json(view);
        else
          out.out(
            `updated ${view.id} "${view.name}" (${view.nodes.length} nodes${view.validation.ok ? '' : ', a draft with issues'}; its progress starts over)`,
          );
        reportIssues(view, context);
        return;
      }
      case 'show': {
        const view = await resolvePipeline(target, args.pipeline, 'show');
        if (args.json) json(view);
        else printPipeline(view, out);
        reportIssues(view, context);
        return;
      }
      case 'delete': {
        const view = await resolvePipeline(target, args.pipeline, 'delete');
        await request(target, schemas.pipelineViewSchema, 'DELETE', `/api/pipelines/${view.id}`);
        if (args.json) return json({ deleted: true, id: view.id, name: view.name });
        out.out(`deleted ${view.id} "${view.name}" (the events it journaled stay)`);
        return;
      }
      case 'run':
      case 'stop': {
        const current = await resolvePipeline(target, args.pipeline, args.action);
        // The hub refuses to run a draft with only a summary; the issues say what to fix.
        if (args.action === 'run' && reportIssues(current, context))
          throw new UserError(`${current.id} "${current.name}" has issues (above) and cannot run`);
        const view = await request(
          target,
          schemas.pipelineViewSchema,
          'POST',
          `/api/pipelines/${current.id}/${args.action}`,
        );
        if (args.json) return json(view);
        out.out(
          `${view.id} "${view.name}" is ${view.status.state}` +
            (view.status.position === null ? '' : ` at position ${view.status.position}`),
        );
        return;
      }
      case 'dry-run': {
        const view = await resolvePipeline(target, args.pipeline, 'dry-run');
        if (reportIssues(view, context))
          throw new UserError(`${view.id} "${view.name}" has issues (above) and cannot dry-run`);
        const body: Record<string, unknown> = { sample: args.sample };
        if (args.from !== undefined) body.from = args.from;
        if (args.to !== undefined) body.to = args.to;
        if (args.since !== undefined) body.since = args.since;
        if (args.until !== undefined) body.until = args.until;
        const result = await request(
          target,
          schemas.dryRunResultSchema,
          'POST',
          `/api/pipelines/${view.id}/dry-run`,
          body,
        );
        if (args.json) return json(result);
        printDryRun(view, result, out);
        return;
      }
    }
  },
});
