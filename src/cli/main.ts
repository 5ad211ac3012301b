/**
 * The `cz` command line: builds the yargs parser from the command registry and runs it. Errors the user
 * can fix (`UserError`, bad flags) print one line without a stack trace.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { buildCommands } from './commands/index.ts';
import type { CommandContext } from './context.ts';
import { UserError } from './errors.ts';
import { type Output, processOutput } from './output.ts';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export const CLI_VERSION = packageJson.version;

/**
 * `--file -` (stdin) as `--file=-`: yargs would read the lone `-` as a positional and leave the option empty
 * (and strict mode then refuses the extra positional).
 */
const stdinDashes = (argv: readonly string[]): string[] =>
  argv.flatMap((arg, i) =>
    arg === '-' && /^--[^=]+$/.test(argv[i - 1] ?? '')
      ? []
      : argv[i + 1] === '-' && /^--[^=]+$/.test(arg)
        ? [`${arg}=-`]
        : [arg],
  );

/** Parses `argv` and runs the chosen command; resolves to the exit code. */
export async function main(argv: readonly string[], output: Output = processOutput): Promise<number> {
  const context: CommandContext = { output, exitCode: 0 };
  const parser = yargs(stdinDashes(argv))
    .scriptName('cz')
    .usage(
      '$0 <command> [options]\n\nlacrimosa: a local-first control center for a high-throughput event sequencer.',
    )
    .command(buildCommands(context))
    .demandCommand(1, 'Name a command; `cz --help` lists them.')
    .strict()
    .recommendCommands()
    .version(CLI_VERSION)
    .alias('h', 'help')
    .alias('v', 'version')
    .wrap(Math.min(110, process.stdout.columns || 110))
    .exitProcess(false)
    .fail((message, error) => {
      if (error) throw error;
      throw new UserError(`${message}\nRun \`cz --help\` for usage.`, 2);
    });
  try {
    await parser.parseAsync();
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    output.err(`cz: ${error.message}`);
    return error.exitCode;
  }
  return context.exitCode;
}
