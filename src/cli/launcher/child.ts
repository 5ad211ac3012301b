/**
 * A `cz` child process run by `./lacrimosa`: its output goes to a log file (mode 0600, in the 0700 data dir,
 * like root.key: a hub's first start prints the new root key), its `--json` ready line is read from there, and
 * it can be stopped with a deadline.
 *
 * Children run in their own process group, so a Ctrl-C at the terminal reaches only the launcher, which then
 * stops them in order (hub first). They get `CZ_SUPERVISOR_PID` and stop by themselves if the launcher
 * disappears without stopping them (src/cli/signals.ts).
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SUPERVISOR_ENV } from '../signals.ts';

export const CZ_BIN = fileURLToPath(new URL('../../../bin/cz', import.meta.url));

/** Default grace period before a child that ignores SIGTERM is killed. */
export const STOP_GRACE_MS = 10_000;

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SupervisedChild {
  /** "sequencer" or "hub", for messages. */
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  /** Resolves with the first JSON line whose `event` is "ready"; rejects if the child exits first. */
  readonly ready: Promise<Record<string, unknown>>;
  /** Resolves once the process has exited. */
  readonly exited: Promise<ChildExit>;
  /** True once the process has exited. */
  hasExited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended and whether it had to be killed. */
  stop(graceMs?: number): Promise<ChildExit & { killed: boolean }>;
  /** SIGKILL at once, synchronously (for the launcher's exit path). */
  kill(): void;
}

export function describeExit(exit: ChildExit): string {
  return exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}

/** The last `lines` lines of a log file, or a note when it cannot be read. */
export function logTail(path: string, lines = 20): string {
  try {
    const text = readFileSync(path, 'utf8').trimEnd();
    if (text === '') return '    (the log is empty)';
    return text
      .split('\n')
      .slice(-lines)
      .map((l) => `    ${l}`)
      .join('\n');
  } catch (error) {
    return `    (cannot read ${path}: ${(error as Error).message})`;
  }
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The first `{"event":"ready",…}` line in the log text, parsed; null when there is none yet. */
export function readyEvent(logText: string): Record<string, unknown> | null {
  for (const line of logText.split('\n')) {
    if (!line.startsWith('{"event":"ready"')) continue;
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      return null; // A line still being written.
    }
  }
  return null;
}

/**
 * Starts `cz <args>` with stdout and stderr going straight to `logPath` (truncated, mode 0600). The child
 * writes to the file itself, not through a pipe the launcher holds, so it can still log its own clean stop if
 * the launcher is gone.
 */
export function spawnSupervised(name: string, args: string[], logPath: string): SupervisedChild {
  const log = openSync(logPath, 'w', 0o600);
  writeSync(log, `$ cz ${args.join(' ')}\n`);
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [CZ_BIN, ...args], {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, [SUPERVISOR_ENV]: String(process.pid) },
    });
  } finally {
    closeSync(log);
  }

  let exitedFlag = false;
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      resolve({ code, signal });
    });
    child.once('error', (error) => {
      exitedFlag = true;
      appendFileSync(logPath, `launcher: cannot run cz: ${error.message}\n`);
      resolve({ code: 127, signal: null });
    });
  });

  const ready = (async () => {
    for (;;) {
      const gone = exitedFlag; // read before the file, so a last ready line is not missed
      const event = readyEvent(readFileSync(logPath, 'utf8'));
      if (event !== null) return event;
      if (gone) {
        throw new Error(`the ${name} exited before it was ready (${describeExit(await exited)})`);
      }
      await delay(25);
    }
  })();
  // A failed start is reported through `exited`; keep an unobserved rejection from crashing the launcher.
  ready.catch(() => undefined);

  return {
    name,
    pid: child.pid ?? -1,
    logPath,
    ready,
    exited,
    hasExited: () => exitedFlag,
    async stop(graceMs = STOP_GRACE_MS) {
      if (exitedFlag) return { ...(await exited), killed: false };
      child.kill('SIGTERM');
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, graceMs);
      const exit = await exited;
      clearTimeout(timer);
      return { ...exit, killed };
    },
    kill() {
      if (!exitedFlag) child.kill('SIGKILL');
    },
  };
}
