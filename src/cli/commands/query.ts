/**
 * `cz query "<query>"`: runs a query of the query language (docs/query.md) on the hub. Prints a table by
 * default, the hub's JSON answer with `--json`, or streams its NDJSON lines with `--ndjson` as they arrive.
 * `--save NAME` also keeps the query among the hub's saved queries; `cz query saved` lists them (no query is
 * just the word "saved": every query starts with SELECT or EXPLAIN).
 *
 * @module
 */
import type { Argv, CommandModule } from 'yargs';
import { parseQuery } from '../../hub/query/parser.ts';
import type { QueryResult, SavedQuery, SavedQueryList } from '../../hub/query/schema.ts';
import type { CommandContext } from '../context.ts';
import { UserError } from '../errors.ts';
import { type HubClientArgs, hubOptions, hubRequest, type HubTarget, hubTarget } from '../hub-client.ts';
import { formatTable } from '../output.ts';

interface QueryArgs extends HubClientArgs {
  query: string;
  json: boolean;
  ndjson: boolean;
  save: string | undefined;
}

const CELL_WIDTH = 60;

function cell(value: unknown): string {
  const text = typeof value === 'string' ? value : value === null ? '-' : JSON.stringify(value);
  return text.length > CELL_WIDTH ? `${text.slice(0, CELL_WIDTH - 1)}…` : text;
}

/**
 * Checks the query here first (the parser is the hub's own), so a mistake is shown with its line and a caret
 * under the column, without a round trip.
 */
function checkSyntax(query: string): void {
  const parsed = parseQuery(query);
  if (parsed.ok) return;
  const { line, column, message } = parsed.error;
  const text = query.split('\n')[line - 1] ?? '';
  throw new UserError(`${message}\n  ${text}\n  ${' '.repeat(column - 1)}^`, 2);
}

async function streamNdjson(target: HubTarget, query: string, context: CommandContext): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (target.key) headers.authorization = `Bearer ${target.key}`;
  let response: Response;
  try {
    response = await fetch(`${target.url}/api/query`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, format: 'ndjson' }),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new UserError(`cannot reach the hub at ${target.url} (${cause}); start it with \`cz hub\``);
  }
  if (!response.ok || !response.body) {
    const text = await response.text();
    let error: { code?: string; message?: string } | undefined;
    try {
      error = (JSON.parse(text) as { error?: typeof error }).error;
    } catch {
      error = undefined;
    }
    throw new UserError(
      `the hub answered ${response.status} ${error?.code ?? ''}: ${error?.message ?? text.slice(0, 200)}`,
    );
  }
  const write = context.output.write ?? ((t: string) => context.output.out(t.replace(/\n$/, '')));
  const decoder = new TextDecoder();
  let last = '';
  for await (const chunk of response.body) {
    const text = decoder.decode(chunk, { stream: true });
    if (text.length > 0) last = text;
    write(text);
  }
  // The stream's last line is its stats or, when the query stopped early, its error.
  const end = last.trimEnd().split('\n').at(-1) ?? '';
  if (end.startsWith('{"error"')) context.exitCode = 1;
}

async function listSaved(target: HubTarget, json: boolean, context: CommandContext): Promise<void> {
  const { queries } = await hubRequest<SavedQueryList>(target, 'GET', '/api/query/saved');
  if (json) return context.output.out(JSON.stringify(queries, null, 2));
  if (queries.length === 0)
    return context.output.out('no saved queries (save one with cz query "…" --save NAME)');
  context.output.out(
    formatTable(
      ['id', 'name', 'query'],
      queries.map((q) => [String(q.id), q.name, q.query]),
      [0],
    ),
  );
}

export const queryCommand = (context: CommandContext): CommandModule<object, QueryArgs> => ({
  command: 'query <query>',
  describe: "Run a query on the hub: cz query 'SELECT * FROM orders WHERE amount > 100 SINCE 5m'",
  builder: (yargs: Argv) =>
    yargs
      .positional('query', { type: 'string', demandOption: true, describe: 'The query (docs/query.md)' })
      .option('json', { type: 'boolean', default: false, describe: "Print the hub's JSON answer" })
      .option('ndjson', { type: 'boolean', default: false, describe: 'Stream rows as NDJSON lines' })
      .option('save', {
        type: 'string',
        describe: 'Also save the query on the hub under this name (cz query saved lists them)',
      })
      .options(hubOptions) as unknown as Argv<QueryArgs>,
  handler: async (args) => {
    if (args.json && args.ndjson) throw new UserError('--json and --ndjson exclude each other', 2);
    if (args.query.trim().toLowerCase() === 'saved') return listSaved(hubTarget(args), args.json, context);
    checkSyntax(args.query);
    const target = hubTarget(args);
    if (args.save !== undefined) {
      const saved = await hubRequest<SavedQuery>(target, 'POST', '/api/query/saved', {
        name: args.save,
        query: args.query,
      });
      context.output.err(`saved as "${saved.name}" (id ${saved.id})\n`);
    }
    if (args.ndjson) return streamNdjson(target, args.query, context);
    const result = await hubRequest<QueryResult>(target, 'POST', '/api/query', { query: args.query });
    if (args.json) return context.output.out(JSON.stringify(result, null, 2));
    if (result.plan) {
      context.output.out(JSON.stringify(result.plan, null, 2));
      return;
    }
    const numeric = result.columns.flatMap((_, c) =>
      result.rows.length > 0 && result.rows.every((r) => typeof r[c] === 'number' || r[c] === null)
        ? [c]
        : [],
    );
    context.output.out(
      formatTable(
        result.columns,
        result.rows.map((r) => r.map(cell)),
        numeric,
      ),
    );
    const { scanned, matched, elapsedMs } = result.stats;
    context.output.out(
      `${result.rows.length} rows · ${matched} matched · scanned ${scanned.count} slots (sequences ${scanned.from}–${scanned.to}) in ${elapsedMs} ms`,
    );
  },
});
