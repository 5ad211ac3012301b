/**
 * `cz lacrimosa` (and `./lacrimosa`, which installs dependencies on a fresh clone and then runs this): builds
 * what is missing or stale, checks that every port and the IPC socket are free, starts the sequencer and the
 * hub, waits until both are healthy, prints how to log in and send a first event, and stops both (hub first)
 * on Ctrl-C or SIGTERM. If either child dies, the other is stopped and the launcher exits non-zero with the
 * tail of the dead one's log.
 *
 * @module
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Argv, CommandModule } from 'yargs';
import type { CommandContext } from '../context.ts';
import { UserError } from '../errors.ts';
import { readRootKey } from '../hub-client.ts';
import {
  ADDON_FILE,
  BUILD_STEPS,
  type BuildStep,
  type BuildStepName,
  collectBuildFacts,
  planBuilds,
  runBuildStep,
  UI_INDEX_FILE,
} from '../launcher/builds.ts';
import { describeExit, logTail } from '../launcher/child.ts';
import type { LauncherArgs, LauncherConfig } from '../launcher/config.ts';
import { LAUNCHER_DEFAULTS } from '../launcher/defaults.ts';
import { findConflicts, formatConflicts } from '../launcher/preflight.ts';
import { Interrupted, type Interrupt, type ReadyStack, Stack } from '../launcher/stack.ts';
import type { Output } from '../output.ts';
import { waitForSignal } from '../signals.ts';
import { parseListen } from '../units.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

function estimate(step: BuildStep): string {
  if (step.name === 'dependencies')
    return step.reason.includes('first run') ? 'first run, ~2 min' : `${step.reason}, ~2 min`;
  // Measured on a 2-core machine: the addon with the benchmark programs ~12 s, the UI a few seconds.
  return step.reason.includes('missing') ? 'first build, ~15 s' : step.reason;
}

/** Runs every build the checkout needs, re-checking after each (npm ci also builds the addon, for one). */
async function buildWhatIsStale(output: Output, logPath: string): Promise<void> {
  const write = output.write ?? ((text: string) => output.out(text));
  const done = new Set<BuildStepName>();
  let first = true;
  for (;;) {
    const plan = planBuilds(collectBuildFacts(ROOT));
    if (first) for (const note of plan.notes) output.out(`==> ${note}`);
    first = false;
    const step = plan.steps.find((s) => !done.has(s.name));
    if (step === undefined) return;
    if (done.size === 0) writeFileSync(logPath, '', { mode: 0o600 }); // one run's output per log
    done.add(step.name);
    const { title } = BUILD_STEPS[step.name];
    write(`==> ${title} (${estimate(step)})… `);
    const started = Date.now();
    const code = await runBuildStep(ROOT, step.name, logPath);
    if (code !== 0) {
      output.out(`failed after ${seconds(Date.now() - started)}`);
      throw new UserError(
        `${title} failed (exit code ${code}); the last lines of ${logPath}:\n${logTail(logPath, 30)}\n` +
          'Fix the cause and run it again, or start with what is built already: ./lacrimosa --no-build',
      );
    }
    output.out(`done in ${seconds(Date.now() - started)}`);
  }
}

/** When `./lacrimosa` started (it exports the time before installing anything), else when this process did. */
function launchStartedMs(): number {
  const fromScript = Number(process.env.CZ_LAUNCHER_STARTED_MS);
  const ownStart = Date.now() - process.uptime() * 1000;
  return Number.isSafeInteger(fromScript) && fromScript > 0 && fromScript <= ownStart ? fromScript : ownStart;
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

function readyLines(config: LauncherConfig, stack: ReadyStack): string[] {
  const keyFile = join(config.dataDir, 'root.key');
  const key = readRootKey(config.dataDir);
  const v4 = stack.listeners.filter((l) => !l.ipv6);
  const first = v4.find((l) => l.stream === 'default') ?? v4[0] ?? stack.listeners[0];
  const lines = [
    `==> ready in ${seconds(Date.now() - launchStartedMs())}`,
    key === null
      ? `  control center  ${stack.url}/   (no ${keyFile}: it is written only when the root key is created; log in with a key from \`cz keys create\`)`
      : `  control center  ${stack.url}/#key=${key}   (one-click login with the root key: keep it private)`,
    `  key file        ${keyFile}`,
    `  journal         ${config.journal}`,
    `  udp             ${stack.listeners.map((l) => `${l.ipv6 ? `[${l.host}]` : l.host}:${l.port} → ${l.stream}`).join(', ')} (${stack.backend})`,
    `  ipc             ${config.ipcPath}`,
    `  logs            ${join(config.dataDir, 'logs')}/{sequencer,hub,build}.log`,
    `  pids            sequencer ${stack.sequencer.pid}, hub ${stack.hub.pid}`,
  ];
  if (!existsSync(join(ROOT, UI_INDEX_FILE)))
    lines.push(
      `  ui              not built yet (${UI_INDEX_FILE} is missing); the API works at ${stack.url}/api`,
    );
  lines.push('', 'Try:');
  if (first !== undefined) lines.push(`  echo hi | nc -u -w1 ${first.host} ${first.port}`);
  lines.push(
    `  curl -H "Authorization: Bearer $(cat ${shellQuote(keyFile)})" ${stack.url}/api/streams`,
    '',
    'Ctrl-C stops the hub, then the sequencer.',
  );
  return lines;
}

function interruptMessage(
  interrupt: Interrupt,
  phase: 'starting' | 'running',
  others: string[],
  logs: string[],
): string {
  if (interrupt.kind === 'timeout') {
    return [
      `gave up waiting for ${interrupt.what}${others.length > 0 ? `; ${others.join(', ')}` : ''}.`,
      ...logs.flatMap((log) => [`The last lines of ${log}:`, logTail(log, 10)]),
    ].join('\n');
  }
  if (interrupt.kind === 'signal') return `stopped by ${interrupt.signal}`;
  const { child, exit } = interrupt;
  const verb = phase === 'starting' ? 'failed to start' : 'died';
  return [
    `the ${child.name} ${verb} (${describeExit(exit)})${others.length > 0 ? `; ${others.join(', ')}` : ''}.`,
    `The last lines of ${child.logPath}:`,
    logTail(child.logPath),
  ].join('\n');
}

export const lacrimosaCommand = (
  context: CommandContext,
): CommandModule<object, LauncherArgs & { build: boolean }> => ({
  command: 'lacrimosa',
  describe:
    'Run everything with one command: build what is stale, start the sequencer and the hub, print the login URL',
  builder: (yargs: Argv) =>
    yargs
      .usage(
        '$0 lacrimosa [options]   (or ./lacrimosa [options] from the repository)\n\n' +
          'Installs dependencies and builds the native addon and the UI when they are missing or stale, checks\n' +
          'that the ports and the IPC socket are free, starts the sequencer (`cz start`) and the hub (`cz hub`),\n' +
          'waits until both are healthy and prints a one-click login URL. Ctrl-C stops the hub, then the\n' +
          'sequencer. Flags win over environment variables, which win over the defaults.',
      )
      .option('data-dir', {
        type: 'string',
        describe: 'Hub state (SQLite, root.key) and logs/ (env CZ_DATA_DIR)',
        defaultDescription: LAUNCHER_DEFAULTS.dataDir,
      })
      .option('journal', {
        type: 'string',
        describe: 'Journal file (env CZ_JOURNAL)',
        defaultDescription: '<data-dir>/journal.db',
      })
      .option('port', {
        type: 'number',
        describe: 'Hub HTTP port (env CZ_HUB_PORT); 0 picks a free one',
        defaultDescription: String(LAUNCHER_DEFAULTS.port),
      })
      .option('bind', {
        type: 'string',
        describe: 'Hub address, HOST or HOST:PORT; loopback only',
        defaultDescription: LAUNCHER_DEFAULTS.host,
      })
      .option('udp-port', {
        type: 'number',
        describe: 'UDP port of the "default" stream (env CZ_UDP_PORT); 0 picks a free one',
        defaultDescription: String(LAUNCHER_DEFAULTS.udpPort),
      })
      .option('listen', {
        type: 'string',
        array: true,
        describe: 'UDP listeners as for `cz start`, [HOST:]PORT=STREAM, repeatable (instead of --udp-port)',
      })
      .option('ipc', {
        type: 'string',
        describe: "The sequencer's IPC socket (env CZ_IPC)",
        defaultDescription: LAUNCHER_DEFAULTS.ipc,
      })
      .option('build', {
        type: 'boolean',
        default: true,
        describe: 'Install dependencies and build the addon and UI when stale; --no-build skips the checks',
      })
      .example('$0 lacrimosa', 'everything on the defaults: http://127.0.0.1:3000, udp 9000')
      .example('$0 lacrimosa --port 3100 --udp-port 9100 --ipc /tmp/cz-2.sock', 'a second instance')
      .example(
        '$0 lacrimosa --listen 9000=default --listen 9001=orders',
        'two UDP ports, two streams',
      ) as unknown as Argv<LauncherArgs & { build: boolean }>,
  handler: async (args) => {
    const out = context.output;
    // The configuration module loads the hub module (for its loopback check): only when the command runs.
    const { resolveLauncherConfig } = await import('../launcher/config.ts');
    const config = resolveLauncherConfig(args, process.env);
    const logsDir = join(config.dataDir, 'logs');
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    mkdirSync(logsDir, { recursive: true, mode: 0o700 });
    mkdirSync(dirname(config.journal), { recursive: true });

    if (config.build) await buildWhatIsStale(out, join(logsDir, 'build.log'));
    if (!existsSync(join(ROOT, ADDON_FILE))) {
      throw new UserError(
        `the native addon is not built (${ADDON_FILE} is missing); run ./lacrimosa without --no-build, or npm run build:native`,
      );
    }

    const conflicts = await findConflicts({
      udp: config.listens.map((spec) => {
        const l = parseListen(spec);
        return { host: l.host ?? '127.0.0.1', port: l.port };
      }),
      http: { host: config.host, port: config.port },
      ipcPath: config.ipcPath,
    });
    if (conflicts.length > 0)
      throw new UserError(`cannot start, nothing was started:\n${formatConflicts(conflicts)}`);

    // Signal handlers go in before the first child starts: a Ctrl-C during startup must stop what is up.
    const signal = waitForSignal();
    const stack = new Stack(
      {
        journal: config.journal,
        dataDir: config.dataDir,
        logsDir,
        ipcPath: config.ipcPath,
        listens: config.listens,
        host: config.host,
        port: config.port,
        readyTimeoutMs: LAUNCHER_DEFAULTS.readyTimeoutMs,
      },
      signal,
    );
    // Whatever ends this process (a second Ctrl-C exits at once), no child outlives it.
    const onExit = (): void => stack.killNow();
    process.once('exit', onExit);
    out.out(`==> starting the sequencer and the hub (logs in ${logsDir})`);
    let phase: 'starting' | 'running' = 'starting';
    let interrupt: Interrupt;
    try {
      const ready = await stack.start();
      out.out(readyLines(config, ready).join('\n'));
      phase = 'running';
      interrupt = await stack.interrupted;
    } catch (error) {
      if (!(error instanceof Interrupted)) {
        await stack.stop();
        process.off('exit', onExit);
        throw error;
      }
      interrupt = error.interrupt;
    }
    if (interrupt.kind === 'signal')
      out.out(`==> stopping (${interrupt.signal}): hub first, then the sequencer`);
    const report = await stack.stop();
    process.off('exit', onExit);
    if (interrupt.kind === 'signal') {
      out.out(`==> ${report.length > 0 ? report.join(', ') : 'nothing was running'}; bye`);
      return;
    }
    const logs = [stack.sequencer, stack.hub].flatMap((c) => (c === null ? [] : [c.logPath]));
    throw new UserError(interruptMessage(interrupt, phase, report, logs));
  },
});
