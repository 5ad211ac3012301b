/**
 * The running stack of `./lacrimosa`: the sequencer, then the hub, each a supervised child; health checks
 * (the sequencer's IPC socket answers with a HELLO; the hub's `/api/status` says the sequencer is connected
 * and the journal readable); and an orderly stop — hub first, so it never sees its sequencer vanish while it
 * still serves, then the sequencer, which removes its socket file.
 *
 * Startup can be cut short by a signal or by a child dying; both arrive as an `Interrupt` and the caller
 * decides what to print.
 *
 * @module
 */
import { lstatSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { connectIpc } from '../../ipc/client.ts';
import { type ChildExit, type SupervisedChild, spawnSupervised } from './child.ts';

export interface StackConfig {
  journal: string;
  dataDir: string;
  logsDir: string;
  ipcPath: string;
  /** `cz start --listen` specs. */
  listens: string[];
  host: string;
  port: number;
  /** How long the whole start may take before the launcher gives up (ms). */
  readyTimeoutMs: number;
}

export interface Listener {
  host: string;
  port: number;
  stream: string;
  ipv6: boolean;
}

export interface ReadyStack {
  sequencer: SupervisedChild;
  hub: SupervisedChild;
  /** The hub's base URL, e.g. http://127.0.0.1:3000. */
  url: string;
  listeners: Listener[];
  backend: string;
}

export type Interrupt =
  | { kind: 'signal'; signal: NodeJS.Signals }
  | { kind: 'died'; child: SupervisedChild; exit: ChildExit }
  | { kind: 'timeout'; what: string };

/** Thrown out of startup when an `Interrupt` arrives first. */
export class Interrupted extends Error {
  readonly interrupt: Interrupt;
  constructor(interrupt: Interrupt) {
    super(`interrupted: ${interrupt.kind}`);
    this.interrupt = interrupt;
  }
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class Stack {
  readonly config: StackConfig;
  sequencer: SupervisedChild | null = null;
  hub: SupervisedChild | null = null;
  #stopping = false;
  /** Set once our sequencer is ready: from then on the socket file at ipcPath is ours to clean up. */
  #ownsSocket = false;
  /** What startup is waiting for, for the timeout message. */
  #waitingFor = 'the sequencer to start';
  #interrupt: Promise<Interrupt>;
  #raise!: (interrupt: Interrupt) => void;

  constructor(config: StackConfig, signal: Promise<NodeJS.Signals>) {
    this.config = config;
    this.#interrupt = new Promise((resolve) => (this.#raise = resolve));
    void signal.then((s) => this.#raise({ kind: 'signal', signal: s }));
  }

  /** Resolves with the first signal, child death or (during startup) timeout. */
  get interrupted(): Promise<Interrupt> {
    return this.#interrupt;
  }

  #watch(child: SupervisedChild): SupervisedChild {
    void child.exited.then((exit) => {
      if (!this.#stopping) this.#raise({ kind: 'died', child, exit });
    });
    return child;
  }

  /** Awaits `promise` unless an interrupt comes first. */
  async #step<T>(promise: Promise<T>): Promise<T> {
    const interrupt = this.#interrupt.then((i) => {
      throw new Interrupted(i);
    });
    return Promise.race([promise, interrupt]);
  }

  /** Starts the sequencer, checks its socket, starts the hub and waits until it reports a healthy link. */
  async start(): Promise<ReadyStack> {
    const c = this.config;
    const timer = setTimeout(
      () => this.#raise({ kind: 'timeout', what: `${this.#waitingFor} (${c.readyTimeoutMs / 1000} s)` }),
      c.readyTimeoutMs,
    );
    try {
      const sequencer = this.#watch(
        spawnSupervised(
          'sequencer',
          [
            'start',
            '--journal',
            c.journal,
            '--ipc',
            c.ipcPath,
            ...c.listens.flatMap((l) => ['--listen', l]),
            '--json',
          ],
          join(c.logsDir, 'sequencer.log'),
        ),
      );
      this.sequencer = sequencer;
      this.#waitingFor = 'the sequencer to start';
      await this.#step(sequencer.ready);
      this.#ownsSocket = true;
      this.#waitingFor = `the sequencer's IPC socket ${c.ipcPath} to answer`;
      const hello = await this.#step(this.#ipcHello());
      const hub = this.#watch(
        spawnSupervised(
          'hub',
          [
            'hub',
            '--bind',
            `${urlHost(c.host)}:${c.port}`,
            '--journal',
            c.journal,
            '--ipc',
            c.ipcPath,
            '--data-dir',
            c.dataDir,
            '--json',
          ],
          join(c.logsDir, 'hub.log'),
        ),
      );
      this.hub = hub;
      this.#waitingFor = 'the hub to start';
      const hubReady = await this.#step(hub.ready);
      const url = `http://${urlHost(c.host)}:${Number(hubReady.port)}`;
      this.#waitingFor = `${url}/api/status to report the sequencer connected`;
      await this.#step(this.#hubHealthy(url));
      return {
        sequencer,
        hub,
        url,
        listeners: hello.listeners,
        backend: hello.backend,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  async #ipcHello(): Promise<{ listeners: Listener[]; backend: string }> {
    for (;;) {
      try {
        const client = await connectIpc(this.config.ipcPath, { timeoutMs: 2000 });
        client.close();
        return {
          backend: client.hello.backend,
          listeners: client.hello.listeners.map((l) => ({ ...l, ipv6: l.host.includes(':') })),
        };
      } catch {
        await delay(50);
      }
    }
  }

  /** Polls GET /api/status until the hub answers ok with the sequencer connected and the journal readable. */
  async #hubHealthy(url: string): Promise<void> {
    for (;;) {
      try {
        const response = await fetch(`${url}/api/status`, { signal: AbortSignal.timeout(2000) });
        if (response.ok) {
          const status = (await response.json()) as {
            status?: string;
            sequencer?: { state?: string };
            journal?: { available?: boolean };
          };
          if (status.status === 'ok' && status.sequencer?.state === 'connected' && status.journal?.available)
            return;
        }
      } catch {
        // Not answering yet.
      }
      await delay(50);
    }
  }

  /**
   * Stops the hub, then the sequencer (each SIGTERM, then SIGKILL after the grace period), then removes the
   * socket file if a killed sequencer left it behind. Returns one line per child for the report.
   */
  async stop(graceMs?: number): Promise<string[]> {
    this.#stopping = true;
    const report: string[] = [];
    for (const child of [this.hub, this.sequencer]) {
      if (child === null) continue;
      if (child.hasExited()) continue;
      const exit = await child.stop(graceMs);
      report.push(
        exit.killed ? `${child.name} did not stop in time and was killed` : `${child.name} stopped`,
      );
    }
    this.#removeLeftoverSocket();
    return report;
  }

  /** SIGKILL everything at once (the launcher is exiting without a clean stop). */
  killNow(): void {
    this.#stopping = true;
    this.hub?.kill();
    this.sequencer?.kill();
    this.#removeLeftoverSocket();
  }

  #removeLeftoverSocket(): void {
    // Only a socket our own sequencer made (a clean stop has removed it already); never another's.
    if (!this.#ownsSocket) return;
    try {
      if (lstatSync(this.config.ipcPath).isSocket()) rmSync(this.config.ipcPath, { force: true });
    } catch {
      // Already gone.
    }
  }
}
