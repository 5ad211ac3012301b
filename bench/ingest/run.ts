/**
 * The ingest benchmark: how many UDP datagrams per second each receiver journals on this machine, under the
 * same load, in the same run.
 *
 * Receivers (each gets CPU 1; the load generator gets CPU 0, where on loopback the kernel's receive work up to
 * the socket queue also runs):
 * - `sequencer-uring`, `sequencer-recvmmsg`: the real sequencer (`cz start --backend …`), counted from the
 *   journal header's counters;
 * - `ceiling`: bench/ingest/ceiling.cc, the same journal work in plain C++ with recvmmsg, no Node;
 * - `node-dgram`: bench/ingest/node-receiver.ts, the same journal work in plain Node `dgram`.
 *
 * The load is bench/ingest/loadgen.cc flat out with UDP GSO. Runs interleave the receivers (rotating the order
 * run by run) so drift hits all alike; ratios are paired within a run, then the median is taken. A fixed-rate
 * run (200 000 datagrams/s at 64 B) then checks loss at a rate well below every ceiling.
 *
 * Environment: BENCH_RUNS (3), BENCH_SECONDS (5; 0 skips the flat-out runs), BENCH_FIXED_SECONDS (60; 0 skips), BENCH_FIXED_RATE (200000),
 * BENCH_SIZES (64,512), BENCH_RECEIVERS (all four), BENCH_FIXED_RECEIVERS (sequencer-uring,sequencer-recvmmsg,ceiling: the ceiling
 * is the control that tells loss caused by this machine's scheduling from loss caused by the sequencer),
 * BENCH_QUIET_WAIT (600: seconds in all, over the whole run, to wait for other processes to leave the CPUs alone
 * before measurements; once spent, measurements go ahead and the report flags the contaminated ones),
 * BENCH_SEQUENCER (auto | process | addon: `cz start` in its own process, or the addon in this process when
 * `cz start` is unavailable), BENCH_JOURNAL_DIR (the OS temp dir), BENCH_RCVBUF (4194304, the sequencer's default
 * --rcvbuf; bytes of socket receive buffer for every receiver).
 *
 * Run: npm run bench -- ingest     (build first: npm run build:native)
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { COUNTERS_OFFSET } from '../../src/journal/layout.ts';
import { loadAddon, type NativeSequencer } from '../../src/native/binding.ts';
import { median, publish } from '../lib/report.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SENDER_CPU = 0;
const RECEIVER_CPU = 1;
const SLOTS = 2 ** 22;
const BLOB_SIZE = 2 ** 30;
/** The sequencer's default --rcvbuf; BENCH_RCVBUF changes it for every receiver. */
const DEFAULT_RECEIVE_BUFFER = 4 * 2 ** 20;
/** After the sender stops: time for the receiver to drain its socket queue before it is read and stopped. */
const SETTLE_MS = 300;
const READY_TIMEOUT_MS = 60_000;
const EXIT_TIMEOUT_MS = 15_000;

/** Machine-wide CPU share (all CPUs) below which the machine counts as quiet before a measurement. */
const QUIET_THRESHOLD = 0.1;

const COUNTER = { DATAGRAMS_RECEIVED: 0, EVENTS_JOURNALED: 2, KERNEL_DROPS_REPORTED: 10 } as const;

export const RECEIVERS = ['sequencer-uring', 'sequencer-recvmmsg', 'ceiling', 'node-dgram'] as const;
export type Receiver = (typeof RECEIVERS)[number];

interface Settings {
  runs: number;
  seconds: number;
  fixedSeconds: number;
  fixedRate: number;
  sizes: number[];
  receivers: Receiver[];
  fixedReceivers: Receiver[];
  sequencerMode: 'process' | 'addon';
  journalDir: string;
  quietWaitSeconds: number;
  rcvbuf: number;
  pin: boolean;
  loadgen: string;
  ceiling: string;
}

interface LoadResult {
  sent: number;
  seconds: number;
  rate: number;
  errors: number;
  /** The load generator's own CPU time (its sends and, on loopback, the kernel's receive work they trigger). */
  cpuSeconds: number;
  /** Paced runs: how far the sender fell behind its schedule at worst, and datagrams it skipped (> 5 ms behind). */
  maxLagMs?: number;
  skipped?: number;
}

export interface Measurement {
  receiver: Receiver;
  size: number;
  run: number;
  load: LoadResult;
  journaled: number;
  /** Datagrams journaled per second of the sender's active time. */
  rate: number;
  /** 1 − journaled / sent. */
  loss: number;
  /** Drops on the receiver's socket as /proc/net/udp counts them (the same source for every receiver). */
  kernelDrops: number;
  /** What the receiver itself reports (SO_RXQ_OVFL), where it can. */
  reportedDrops: number | null;
  /** Receiver CPU time (user + system, all threads) while the load ran, per datagram journaled. */
  cpuMicrosPerDatagram: number | null;
  /**
   * Share of the receiver CPU busy with something other than the receiver while the load ran (other processes,
   * kernel workers): a measurement with much of this is contaminated by other work on the machine.
   */
  foreignLoad: number | null;
  /** The same for the sender CPU (busy time not spent by the load generator). */
  senderForeignLoad: number | null;
}

// ── helpers ───────────────────────────────────────────────────────────────────────────────────────────

function envNumber(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative number, got "${text}"`);
  return value;
}

function envReceivers(name: string, fallback: readonly Receiver[]): Receiver[] {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return [...fallback];
  const names = text.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(RECEIVERS as readonly string[]).includes(n)) {
      throw new RangeError(`${name}: unknown receiver "${n}" (known: ${RECEIVERS.join(', ')})`);
    }
  }
  return names as Receiver[];
}

function findProgram(name: string): string {
  const candidates = [path.join(REPO, 'native/build/Release', name), path.join(REPO, 'native/build', name)];
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new Error(
      `${name} is not built (looked for ${candidates.join(', ')}); run \`npm run build:native\` (after adding ` +
        'bench/ingest/*.cc to a configured build, once: `cmake native/build`)',
    );
  }
  return found;
}

function log(line: string): void {
  process.stderr.write(`ingest: ${line}\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function czStartAvailable(): boolean {
  const r = spawnSync(process.execPath, ['bin/cz', 'start', '--help'], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return r.status === 0 && r.stdout.includes('--backend');
}

function settings(): Settings {
  const mode = process.env.BENCH_SEQUENCER ?? 'auto';
  if (!['auto', 'process', 'addon'].includes(mode))
    throw new RangeError('BENCH_SEQUENCER must be auto, process or addon');
  const pin = spawnSync('taskset', ['-c', String(SENDER_CPU), 'true']).status === 0 && os.cpus().length >= 2;
  return {
    runs: Math.max(1, Math.round(envNumber('BENCH_RUNS', 3))),
    seconds: envNumber('BENCH_SECONDS', 5),
    fixedSeconds: envNumber('BENCH_FIXED_SECONDS', 60),
    fixedRate: envNumber('BENCH_FIXED_RATE', 200_000),
    sizes: (process.env.BENCH_SIZES ?? '64,512').split(',').map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 8)
        throw new RangeError(`BENCH_SIZES: sizes are integers ≥ 8, got "${s}"`);
      return n;
    }),
    receivers: envReceivers('BENCH_RECEIVERS', RECEIVERS),
    fixedReceivers: envReceivers('BENCH_FIXED_RECEIVERS', [
      'sequencer-uring',
      'sequencer-recvmmsg',
      'ceiling',
    ]),
    sequencerMode:
      mode === 'auto' ? (czStartAvailable() ? 'process' : 'addon') : (mode as 'process' | 'addon'),
    journalDir: process.env.BENCH_JOURNAL_DIR ?? os.tmpdir(),
    quietWaitSeconds: envNumber('BENCH_QUIET_WAIT', 600),
    rcvbuf: Math.round(envNumber('BENCH_RCVBUF', DEFAULT_RECEIVE_BUFFER)),
    pin,
    loadgen: findProgram('cz-loadgen'),
    ceiling: findProgram('cz-ceiling'),
  };
}

/** Kernel drops of the IPv4 UDP socket bound to 127.0.0.1:port, from /proc/net/udp (null when not found). */
export function procUdpDrops(port: number): number | null {
  let text: string;
  try {
    text = readFileSync('/proc/net/udp', 'utf8');
  } catch {
    return null;
  }
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === local) return Number(fields[fields.length - 1]);
  }
  return null;
}

function rmemMax(): string {
  try {
    return readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** Busy seconds (everything but idle and iowait) of one CPU so far, from /proc/stat. */
function cpuBusySeconds(cpu: number): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`cpu${cpu} `));
    if (!line) return null;
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return (total - f[3]! - f[4]!) / 100;
  } catch {
    return null;
  }
}

/** Busy share of all CPUs together over `ms` milliseconds. */
async function machineBusyShare(ms: number): Promise<number> {
  const cpus = os.cpus().length;
  const before = Array.from({ length: cpus }, (_, i) => cpuBusySeconds(i) ?? 0);
  await sleep(ms);
  const after = Array.from({ length: cpus }, (_, i) => cpuBusySeconds(i) ?? 0);
  const busy = after.reduce((sum, a, i) => sum + a - before[i]!, 0);
  return busy / ((cpus * ms) / 1000);
}

let quietBudgetMs: number | undefined;

/**
 * Waits until the machine is quiet: other processes (tests, builds) on a 2-core machine would otherwise take CPU
 * from whichever receiver happens to run, and the comparison would be meaningless. The waiting comes out of one
 * budget for the whole run (`maxSeconds`), so a machine that stays busy costs the wait once, not per
 * measurement. Returns the last busy share seen.
 */
async function waitForQuiet(maxSeconds: number): Promise<number> {
  quietBudgetMs ??= maxSeconds * 1000;
  const started = Date.now();
  let warned = false;
  try {
    while (true) {
      const busy = await machineBusyShare(500);
      if (busy < QUIET_THRESHOLD || Date.now() - started >= quietBudgetMs) return busy;
      if (!warned) {
        log(
          `machine busy (${percent(busy)} of all CPUs); waiting up to ${Math.round(quietBudgetMs / 1000)} s for it to quiet down`,
        );
        warned = true;
      }
    }
  } finally {
    quietBudgetMs = Math.max(0, quietBudgetMs - (Date.now() - started));
  }
}

/** user + system CPU seconds of a process, all its threads. */
function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

// ── child processes ─────────────────────────────────────────────────────────────────────────────────

const live = new Set<ChildProcess>();
/** Temporary journal directories of measurements in progress, removed on every way out. */
const tempDirs = new Set<string>();

function killAll(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

function cleanUp(): void {
  killAll();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}
process.on('exit', cleanUp);

/** A child process whose stdout is read line by line. */
class Child {
  readonly process: ChildProcess;
  readonly lines: string[] = [];
  #stderr = '';
  #waiters: (() => void)[] = [];
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    cpu: number | null,
  ) {
    const [file, argv] = cpu === null ? [command, args] : ['taskset', ['-c', String(cpu), command, ...args]];
    this.process = spawn(file, argv, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this.process);
    createInterface({ input: this.process.stdout! }).on('line', (line) => {
      this.lines.push(line);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.process.stderr!.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4000);
    });
    this.exited = new Promise((resolve) => {
      this.process.on('close', (code) => {
        live.delete(this.process);
        for (const wake of this.#waiters.splice(0)) wake();
        resolve(code);
      });
      this.process.on('error', (error) => {
        this.#stderr += `\n${error.message}`;
      });
    });
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  describe(): string {
    return `${this.name} (exit ${this.process.exitCode ?? this.process.signalCode}): ${this.#stderr.trim() || '(no stderr)'}`;
  }

  /** The first stdout line that parses as JSON and satisfies `accept`. */
  async json<T>(accept: (value: Record<string, unknown>) => boolean, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let seen = 0;
    while (true) {
      for (; seen < this.lines.length; seen++) {
        try {
          const value = JSON.parse(this.lines[seen]!) as Record<string, unknown>;
          if (value !== null && typeof value === 'object' && accept(value)) return value as T;
        } catch {
          // not JSON: a human-readable line
        }
      }
      if (!this.running && seen >= this.lines.length) throw new Error(`${this.describe()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for output from ${this.describe()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends `signal`, waits for exit; SIGKILL after the timeout. */
  async stop(signal: NodeJS.Signals = 'SIGINT', timeoutMs = EXIT_TIMEOUT_MS): Promise<void> {
    if (!this.running) return;
    this.process.kill(signal);
    const timer = setTimeout(() => this.process.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}

// ── receivers ───────────────────────────────────────────────────────────────────────────────────────

interface RunningReceiver {
  port: number;
  /** pid whose CPU time is the receiver's. */
  pid: number;
  /** Stops the receiver and returns what it journaled and the drops it reports itself. */
  stop(): Promise<{ journaled: number; reportedDrops: number | null }>;
  /** Kills whatever is still running (error path). */
  kill(): void;
}

function readJournalCounters(journal: string): { journaled: number; received: number; kernelDrops: number } {
  const mapping = new (loadAddon().JournalMapping)(journal);
  try {
    const header = new DataView(mapping.header);
    const counter = (id: number): number => Number(header.getBigUint64(COUNTERS_OFFSET + 8 * id, true));
    return {
      journaled: counter(COUNTER.EVENTS_JOURNALED),
      received: counter(COUNTER.DATAGRAMS_RECEIVED),
      kernelDrops: counter(COUNTER.KERNEL_DROPS_REPORTED),
    };
  } finally {
    mapping.close();
  }
}

async function startCeiling(s: Settings, dir: string): Promise<RunningReceiver> {
  const cpu = s.pin ? RECEIVER_CPU : null;
  const args = ['--port', '0', '--journal', path.join(dir, 'ceiling.db'), '--slots', String(SLOTS)];
  args.push('--blob-size', String(BLOB_SIZE), '--rcvbuf', String(s.rcvbuf));
  const child = new Child('cz-ceiling', s.ceiling, args, cpu);
  try {
    const { port } = await child.json<{ port: number }>((v) => typeof v.port === 'number', READY_TIMEOUT_MS);
    return {
      port,
      pid: child.pid,
      async stop() {
        await child.stop('SIGINT');
        const end = await child.json<{ received: number; kernelDrops: number }>(
          (v) => typeof v.received === 'number',
          1000,
        );
        return { journaled: end.received, reportedDrops: end.kernelDrops };
      },
      kill: () => child.process.kill('SIGKILL'),
    };
  } catch (error) {
    child.process.kill('SIGKILL');
    throw error;
  }
}

async function startNode(s: Settings): Promise<RunningReceiver> {
  const cpu = s.pin ? RECEIVER_CPU : null;
  const args = ['--import', 'tsx', 'bench/ingest/node-receiver.ts', '--port', '0', '--slots', String(SLOTS)];
  args.push('--blob-size', String(BLOB_SIZE), '--rcvbuf', String(s.rcvbuf));
  const child = new Child('node-receiver', process.execPath, args, cpu);
  try {
    const { port } = await child.json<{ port: number }>((v) => typeof v.port === 'number', READY_TIMEOUT_MS);
    return {
      port,
      pid: child.pid,
      async stop() {
        await child.stop('SIGINT');
        const end = await child.json<{ received: number }>((v) => typeof v.received === 'number', 1000);
        return { journaled: end.received, reportedDrops: null };
      },
      kill: () => child.process.kill('SIGKILL'),
    };
  } catch (error) {
    child.process.kill('SIGKILL');
    throw error;
  }
}

async function startSequencerProcess(
  s: Settings,
  dir: string,
  backend: 'uring' | 'recvmmsg',
): Promise<RunningReceiver> {
  const cpu = s.pin ? RECEIVER_CPU : null;
  const journal = path.join(dir, 'journal.db');
  const args = [
    'bin/cz',
    'start',
    '--journal',
    journal,
    '--listen',
    '127.0.0.1:0=default',
    '--backend',
    backend,
  ];
  args.push(
    '--ipc',
    path.join(dir, 'ipc.sock'),
    '--json',
    '--slots',
    String(SLOTS),
    '--blob-size',
    String(BLOB_SIZE),
  );
  args.push('--rcvbuf', String(s.rcvbuf));
  const child = new Child(`cz start --backend ${backend}`, process.execPath, args, cpu);
  try {
    const ready = await child.json<{ backend: string; listeners: { port: number }[] }>(
      (v) => v.event === 'ready',
      READY_TIMEOUT_MS,
    );
    const expected = backend === 'uring' ? 'io_uring' : 'recvmmsg';
    if (ready.backend !== expected) throw new Error(`asked for --backend ${backend}, got ${ready.backend}`);
    const port = ready.listeners[0]?.port;
    if (port === undefined) throw new Error('cz start reported no listener');
    return {
      port,
      pid: child.pid,
      async stop() {
        await child.stop('SIGINT');
        if (child.process.exitCode !== 0)
          throw new Error(`cz start did not exit cleanly: ${child.describe()}`);
        const c = readJournalCounters(journal);
        return { journaled: c.journaled, reportedDrops: c.kernelDrops };
      },
      kill: () => child.process.kill('SIGKILL'),
    };
  } catch (error) {
    child.process.kill('SIGKILL');
    throw error;
  }
}

/** Pins every thread of this process (`taskset -a -p`); threads created later inherit the mask. */
function pinSelf(cpus: string): void {
  spawnSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
}

/** Fallback until `cz start` exists: the addon's sequencer in this process, pinned to the receiver CPU. */
async function startSequencerAddon(
  s: Settings,
  dir: string,
  backend: 'uring' | 'recvmmsg',
): Promise<RunningReceiver> {
  const journal = path.join(dir, 'journal.db');
  if (s.pin) pinSelf(String(RECEIVER_CPU));
  let sequencer: NativeSequencer | undefined;
  const unpin = (): void => {
    if (s.pin) pinSelf(`0-${os.cpus().length - 1}`);
  };
  try {
    sequencer = new (loadAddon().Sequencer)({
      journal,
      slots: SLOTS,
      blobSize: BLOB_SIZE,
      backend,
      receiveBufferBytes: s.rcvbuf,
      listens: [{ host: '127.0.0.1', port: 0, stream: 'default' }],
    });
    sequencer.start(() => {});
    const info = sequencer.info();
    const expected = backend === 'uring' ? 'io_uring' : 'recvmmsg';
    if (info.backend !== expected) throw new Error(`asked for backend ${backend}, got ${info.backend}`);
    const port = info.listeners[0]!.port;
    const running = sequencer;
    return {
      port,
      pid: process.pid,
      async stop() {
        try {
          running.close();
        } finally {
          unpin();
        }
        const c = readJournalCounters(journal);
        return { journaled: c.journaled, reportedDrops: c.kernelDrops };
      },
      kill: () => {
        try {
          running.close();
        } finally {
          unpin();
        }
      },
    };
  } catch (error) {
    sequencer?.close();
    unpin();
    throw error;
  }
}

function startReceiver(s: Settings, receiver: Receiver, dir: string): Promise<RunningReceiver> {
  switch (receiver) {
    case 'ceiling':
      return startCeiling(s, dir);
    case 'node-dgram':
      return startNode(s);
    case 'sequencer-uring':
    case 'sequencer-recvmmsg': {
      const backend = receiver === 'sequencer-uring' ? 'uring' : 'recvmmsg';
      return s.sequencerMode === 'process'
        ? startSequencerProcess(s, dir, backend)
        : startSequencerAddon(s, dir, backend);
    }
  }
}

// ── one measurement ─────────────────────────────────────────────────────────────────────────────────

export async function measure(
  s: Settings,
  receiver: Receiver,
  size: number,
  run: number,
  load: { seconds: number; rate: number },
): Promise<Measurement> {
  const dir = mkdtempSync(path.join(s.journalDir, 'cz-ingest-'));
  tempDirs.add(dir);
  let running: RunningReceiver | undefined;
  let sender: Child | undefined;
  try {
    running = await startReceiver(s, receiver, dir);
    await sleep(200);
    await waitForQuiet(s.quietWaitSeconds);
    const cpuBefore = cpuSeconds(running.pid);
    const busyBefore = s.pin ? cpuBusySeconds(RECEIVER_CPU) : null;
    const senderBusyBefore = s.pin ? cpuBusySeconds(SENDER_CPU) : null;
    const started = performance.now();
    const args = ['--port', String(running.port), '--size', String(size), '--duration', String(load.seconds)];
    args.push('--gso', 'on', '--rate', String(load.rate));
    sender = new Child('cz-loadgen', s.loadgen, args, s.pin ? SENDER_CPU : null);
    const result = await sender.json<LoadResult>(
      (v) => typeof v.sent === 'number',
      load.seconds * 1000 + READY_TIMEOUT_MS,
    );
    await sender.exited;
    await sleep(SETTLE_MS);
    const cpuAfter = cpuSeconds(running.pid);
    const busyAfter = s.pin ? cpuBusySeconds(RECEIVER_CPU) : null;
    const senderBusyAfter = s.pin ? cpuBusySeconds(SENDER_CPU) : null;
    const elapsed = (performance.now() - started) / 1000;
    const kernelDrops = procUdpDrops(running.port) ?? Number.NaN;
    const { journaled, reportedDrops } = await running.stop();
    running = undefined;
    const cpu = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
    const busy = busyBefore !== null && busyAfter !== null ? busyAfter - busyBefore : null;
    return {
      receiver,
      size,
      run,
      load: result,
      journaled,
      rate: journaled / result.seconds,
      loss: result.sent > 0 ? 1 - journaled / result.sent : 0,
      kernelDrops,
      reportedDrops,
      cpuMicrosPerDatagram: cpu === null || journaled === 0 ? null : (cpu * 1e6) / journaled,
      foreignLoad: cpu === null || busy === null ? null : Math.max(0, busy - cpu) / elapsed,
      senderForeignLoad:
        senderBusyBefore === null || senderBusyAfter === null
          ? null
          : Math.max(0, senderBusyAfter - senderBusyBefore - result.cpuSeconds) / elapsed,
    };
  } catch (error) {
    throw new Error(
      `${receiver}, ${size} B, run ${run + 1}: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  } finally {
    if (sender?.running) await sender.stop('SIGKILL');
    running?.kill();
    killAll();
    rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  }
}

// ── reporting ───────────────────────────────────────────────────────────────────────────────────────

const mps = (rate: number): string => `${(rate / 1e6).toFixed(3)} M/s`;
const percent = (fraction: number): string =>
  `${(fraction * 100).toFixed(fraction !== 0 && Math.abs(fraction) < 0.001 ? 4 : 2)} %`;
const integer = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');

function environmentNotes(s: Settings): string[] {
  return [
    s.pin
      ? `load generator pinned to CPU ${SENDER_CPU}, receiver to CPU ${RECEIVER_CPU} (taskset -c); on loopback the kernel's receive work up to the socket queue runs on the sender's CPU`
      : 'NOT pinned (taskset missing or fewer than 2 CPUs): numbers are less comparable',
    s.sequencerMode === 'process'
      ? 'sequencer: `cz start --backend uring|recvmmsg` in its own process (all its threads on the receiver CPU), counted from the journal header (EVENTS_JOURNALED)'
      : 'sequencer: the addon (`new Sequencer(…)`) inside the runner process, pinned to the receiver CPU, because `cz start` was unavailable; counted from the journal header',
    `every receiver: a fresh journal of 2^${Math.log2(SLOTS)} slots and a ${BLOB_SIZE / 2 ** 30} GiB blob in ${s.journalDir} (node-dgram: Buffers of the same sizes), SO_RCVBUF ${s.rcvbuf / 2 ** 20} MiB (the ceiling and the sequencer with SO_RCVBUFFORCE; node-dgram cannot force and gets at most net.core.rmem_max = ${rmemMax()} bytes; the kernel doubles all of these)`,
    'journaled/s = datagrams journaled ÷ the sender’s active seconds; loss = 1 − journaled/sent; kernel drops from /proc/net/udp for the receiver’s socket; CPU = receiver user+system time while the load ran ÷ datagrams journaled',
  ];
}

function foreign(ms: Measurement[], key: 'foreignLoad' | 'senderForeignLoad' = 'foreignLoad'): string {
  const loads = ms.map((m) => m[key]).filter((l): l is number => l !== null);
  if (loads.length === 0) return 'n/a';
  const max = Math.max(...loads);
  return loads.length === 1 ? percent(max) : `${percent(median(loads))} (${percent(max)})`;
}

/** Other work on the receiver CPU above this share makes a measurement suspect. */
const CONTAMINATION_THRESHOLD = 0.05;

function contaminationNotes(ms: Measurement[]): string[] {
  const notes: string[] = [];
  for (const [key, cpu] of [
    ['foreignLoad', 'receiver'],
    ['senderForeignLoad', 'sender'],
  ] as const) {
    const bad = ms.filter((m) => (m[key] ?? 0) > CONTAMINATION_THRESHOLD);
    if (bad.length === 0) continue;
    notes.push(
      `WARNING: other work used > ${CONTAMINATION_THRESHOLD * 100} % of the ${cpu} CPU during ${bad.length} of ${ms.length} measurements (${bad
        .map((m) => `${m.receiver} run ${m.run + 1}: ${percent(m[key]!)}`)
        .join(', ')}); rerun on a quiet machine before trusting these numbers`,
    );
  }
  return notes;
}

function range(values: number[], format: (n: number) => string): string {
  if (values.length === 1) return format(values[0]!);
  return `${format(median(values))} (${format(Math.min(...values))}–${format(Math.max(...values))})`;
}

function pairedRatios(all: Measurement[], size: number, a: Receiver, b: Receiver): number[] {
  const ratios: number[] = [];
  for (const ma of all.filter((m) => m.size === size && m.receiver === a)) {
    const mb = all.find((m) => m.size === size && m.receiver === b && m.run === ma.run);
    if (mb && mb.rate > 0) ratios.push(ma.rate / mb.rate);
  }
  return ratios;
}

function reportSize(s: Settings, all: Measurement[], size: number, command: string): void {
  const rows: string[][] = [];
  for (const receiver of s.receivers) {
    const ms = all.filter((m) => m.size === size && m.receiver === receiver);
    if (ms.length === 0) continue;
    const cpu = ms.map((m) => m.cpuMicrosPerDatagram).filter((c): c is number => c !== null);
    rows.push([
      receiver,
      range(
        ms.map((m) => m.rate),
        mps,
      ),
      percent(median(ms.map((m) => m.loss))),
      integer(median(ms.map((m) => m.kernelDrops))),
      mps(median(ms.map((m) => m.load.rate))),
      cpu.length > 0 ? `${median(cpu).toFixed(2)} µs` : 'n/a',
      `${foreign(ms)} / ${foreign(ms, 'senderForeignLoad')}`,
    ]);
  }
  const ratioNotes: string[] = [];
  const ratio = (a: Receiver, b: Receiver, target: number | null): void => {
    const r = pairedRatios(all, size, a, b);
    if (r.length === 0) return;
    const verdict =
      target === null
        ? ''
        : median(r) >= target
          ? ` — target ≥ ${target}: met`
          : ` — target ≥ ${target}: NOT met`;
    ratioNotes.push(
      `**${a} / ${b}: ${median(r).toFixed(2)}×** median of per-run ratios (runs: ${r.map((x) => x.toFixed(2)).join(', ')})${verdict}`,
    );
  };
  ratio('sequencer-uring', 'ceiling', size === 64 ? 0.9 : null);
  ratio('sequencer-uring', 'node-dgram', size === 64 ? 3 : null);
  ratio('sequencer-recvmmsg', 'ceiling', null);
  ratio('sequencer-uring', 'sequencer-recvmmsg', null);
  const uringLoss = all.filter((m) => m.size === size && m.receiver === 'sequencer-uring').map((m) => m.loss);
  const lossNote =
    size === 64 && uringLoss.length > 0
      ? [
          'loss under flat-out load is the excess the sender offers beyond what the receiver takes; the < 0.1 % loss criterion is judged at the fixed rate below',
        ]
      : [];
  publish({
    title: `ingest: ${size} B payloads, GSO flat-out load, ${s.runs} run${s.runs > 1 ? 's' : ''} × ${s.seconds} s`,
    command,
    headers: [
      'receiver',
      'journaled/s median (min–max)',
      'loss',
      'kernel drops',
      'offered (sender)',
      'receiver CPU / datagram',
      'other load on receiver / sender CPU (max)',
    ],
    rows,
    notes: [
      ...ratioNotes,
      ...lossNote,
      ...contaminationNotes(all.filter((m) => m.size === size)),
      ...environmentNotes(s),
    ],
  });
}

function reportFixed(s: Settings, fixed: Measurement[], command: string): void {
  publish({
    title: `ingest: fixed rate ${integer(s.fixedRate)} datagrams/s offered, 64 B, ${s.fixedSeconds} s`,
    command,
    headers: [
      'receiver',
      'offered',
      'sent',
      'journaled',
      'lost',
      'loss',
      'kernel drops',
      'receiver CPU',
      'sender max lag (skipped)',
      'other load on receiver / sender CPU',
    ],
    rows: fixed.map((m) => [
      m.receiver,
      mps(m.load.rate),
      integer(m.load.sent),
      integer(m.journaled),
      integer(m.load.sent - m.journaled),
      percent(m.loss),
      integer(m.kernelDrops),
      m.cpuMicrosPerDatagram === null
        ? 'n/a'
        : `${((m.cpuMicrosPerDatagram * m.load.rate) / 1e4).toFixed(1)} % of a core`,
      `${m.load.maxLagMs?.toFixed(1) ?? 'n/a'} ms (${integer(m.load.skipped ?? 0)})`,
      `${foreign([m])} / ${foreign([m], 'senderForeignLoad')}`,
    ]),
    notes: [
      'target: 0 loss for 60 s at 200 000/s (sequencer-uring)',
      'the sender paces bursts of 20 datagrams (one GSO send) every 100 µs; a sender more than 5 ms behind schedule skips ahead rather than burst (counted as skipped), so the offered rate is what the table says',
      'the ceiling row (when present) is the control: loss there as well points at the machine (scheduling, page faults on the fresh journal file), not at the sequencer',
      ...contaminationNotes(fixed),
      ...environmentNotes(s),
    ],
  });
}

// ── entry point ─────────────────────────────────────────────────────────────────────────────────────

export async function run(): Promise<void> {
  const s = settings();
  const env = [
    `BENCH_RUNS=${s.runs}`,
    `BENCH_SECONDS=${s.seconds}`,
    `BENCH_FIXED_SECONDS=${s.fixedSeconds}`,
    ...(s.fixedRate !== 200_000 ? [`BENCH_FIXED_RATE=${s.fixedRate}`] : []),
    ...(process.env.BENCH_SIZES ? [`BENCH_SIZES=${process.env.BENCH_SIZES}`] : []),
    ...(process.env.BENCH_RECEIVERS ? [`BENCH_RECEIVERS=${process.env.BENCH_RECEIVERS}`] : []),
    ...(process.env.BENCH_SEQUENCER ? [`BENCH_SEQUENCER=${process.env.BENCH_SEQUENCER}`] : []),
    ...(s.rcvbuf !== DEFAULT_RECEIVE_BUFFER ? [`BENCH_RCVBUF=${s.rcvbuf}`] : []),
    ...(process.env.BENCH_FIXED_RECEIVERS
      ? [`BENCH_FIXED_RECEIVERS=${process.env.BENCH_FIXED_RECEIVERS}`]
      : []),
  ];
  const command = `${env.join(' ')} npm run bench -- ingest`;
  log(
    `${s.receivers.join(', ')}; sizes ${s.sizes.join(', ')} B; ${s.runs} runs × ${s.seconds} s; sequencer ${s.sequencerMode}; ${s.pin ? 'pinned' : 'not pinned'}`,
  );

  const all: Measurement[] = [];
  // The 'exit' handler (cleanUp) kills the children and removes the temporary journals.
  const onSignal = (): void => process.exit(130);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (const size of s.seconds > 0 ? s.sizes : []) {
      for (let r = 0; r < s.runs; r++) {
        const order = s.receivers.map((_, i) => s.receivers[(i + r) % s.receivers.length]!);
        for (const receiver of order) {
          const m = await measure(s, receiver, size, r, { seconds: s.seconds, rate: 0 });
          all.push(m);
          log(
            `${size} B run ${r + 1} ${receiver}: ${mps(m.rate)} journaled of ${mps(m.load.rate)} sent, loss ${percent(m.loss)}, kernel drops ${integer(m.kernelDrops)} (self-reported ${m.reportedDrops ?? 'n/a'}), other load ${foreign([m])} / ${foreign([m], 'senderForeignLoad')}`,
          );
        }
      }
      reportSize(s, all, size, command);
    }
    if (s.fixedSeconds > 0 && s.fixedReceivers.length > 0) {
      const fixed: Measurement[] = [];
      for (const receiver of s.fixedReceivers) {
        const m = await measure(s, receiver, 64, 0, { seconds: s.fixedSeconds, rate: s.fixedRate });
        fixed.push(m);
        log(
          `fixed ${receiver}: sent ${integer(m.load.sent)}, journaled ${integer(m.journaled)}, loss ${percent(m.loss)}, sender max lag ${m.load.maxLagMs?.toFixed(1)} ms, skipped ${m.load.skipped}, other load ${foreign([m])} / ${foreign([m], 'senderForeignLoad')}`,
        );
      }
      reportFixed(s, fixed, command);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    killAll();
  }
}
