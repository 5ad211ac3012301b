/**
 * The `/ws` benchmark: does the hub keep pushing metric snapshots on time to many clients while UDP traffic
 * flows, and what does that cost its event loop?
 *
 * A real sequencer (`cz start`), the hub in this process (so its event-loop delay, CPU and RSS are measured
 * with `perf_hooks.monitorEventLoopDelay` and `process.cpuUsage`), the native load generator at a fixed rate,
 * and the WebSocket clients in a child process of their own (this file again, `--clients`), so their work does
 * not land on the hub's event loop. Phase 1: BENCH_WS_CLIENTS (100) clients subscribed to metrics every
 * BENCH_WS_INTERVAL ms (100). Phase 2 adds BENCH_WS_EVENT_CLIENTS (10) clients following the live events of the
 * loaded stream (0 skips it).
 *
 * Environment: BENCH_WS_SECONDS (20) per phase, BENCH_WS_RATE (10000 datagrams/s, 64 B).
 *
 * Run: npm run bench -- hub-ws     (build first: npm run build:native)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { FEATURES } from '../src/hub/features.ts';
import { Hub } from '../src/hub/hub.ts';
import { percentile, publish } from './lib/report.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const CZ = path.join(REPO, 'bin/cz');
const LOADGEN = path.join(REPO, 'native/build/Release/cz-loadgen');
const WARMUP_MS = 2000;
/** monitorEventLoopDelay records whole sampling periods; the delay is what exceeds this. */
const ELD_RESOLUTION_MS = 1;

interface SwarmPlan {
  url: string;
  key: string;
  metricsClients: number;
  eventClients: number;
  intervalMs: number;
  warmupMs: number;
  seconds: number;
}

interface SwarmResult {
  /** Metrics messages per second, per client, over the window. */
  metricsRates: number[];
  /** Gaps between consecutive metrics messages of one client, ms, over all clients. */
  intervals: { p50: number; p99: number; max: number; count: number };
  /** Events per second, per live-events client. */
  eventRates: number[];
  eventsDropped: number;
  /** Close codes of clients that closed during the run. */
  closed: number[];
}

function envNumber(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative number, got "${text}"`);
  return value;
}

// ── the client swarm (child process) ──────────────────────────────────────────────────────────────────

async function swarm(plan: SwarmPlan): Promise<SwarmResult> {
  const sockets: WebSocket[] = [];
  const closed: number[] = [];
  const metricsArrivals: number[][] = [];
  const eventCounts: number[] = [];
  let eventsDropped = 0;
  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.POSITIVE_INFINITY;
  const inWindow = (t: number): boolean => t >= windowStart && t < windowEnd;
  const open = (
    onMessage: (message: { type: string } & Record<string, unknown>) => void,
    subscribe: unknown,
  ) =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`${plan.url}/ws`, { headers: { authorization: `Bearer ${plan.key}` } });
      sockets.push(ws);
      ws.on('error', reject);
      ws.on('close', (code) => closed.push(code));
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string } & Record<string, unknown>;
        if (message.type === 'authenticated') ws.send(JSON.stringify(subscribe));
        else if (message.type === 'subscribed') resolve();
        else onMessage(message);
      });
    });
  const connecting: Promise<void>[] = [];
  for (let i = 0; i < plan.metricsClients; i++) {
    const arrivals: number[] = [];
    metricsArrivals.push(arrivals);
    connecting.push(
      open(
        (m) => {
          if (m.type === 'metrics') arrivals.push(performance.now());
        },
        { type: 'subscribe', topic: 'metrics', intervalMs: plan.intervalMs },
      ),
    );
  }
  for (let i = 0; i < plan.eventClients; i++) {
    eventCounts.push(0);
    connecting.push(
      open(
        (m) => {
          if (m.type !== 'events' || !inWindow(performance.now())) return;
          eventCounts[i]! += (m.events as unknown[]).length;
          eventsDropped += m.dropped as number;
        },
        { type: 'subscribe', topic: 'events', stream: 'default', maxPerSecond: 10_000, payload: 'text' },
      ),
    );
  }
  await Promise.all(connecting);
  process.stdout.write(`${JSON.stringify({ event: 'ready' })}\n`);
  windowStart = performance.now() + plan.warmupMs;
  windowEnd = windowStart + plan.seconds * 1000;
  await new Promise((r) => setTimeout(r, plan.warmupMs + plan.seconds * 1000 + 200));
  const intervals: number[] = [];
  const metricsRates = metricsArrivals.map((arrivals) => {
    const inside = arrivals.filter(inWindow);
    for (let i = 1; i < inside.length; i++) intervals.push(inside[i]! - inside[i - 1]!);
    return inside.length / plan.seconds;
  });
  for (const ws of sockets) ws.terminate();
  return {
    metricsRates,
    intervals:
      intervals.length === 0
        ? { p50: 0, p99: 0, max: 0, count: 0 }
        : {
            p50: percentile(intervals, 50),
            p99: percentile(intervals, 99),
            max: intervals.reduce((a, b) => Math.max(a, b), 0),
            count: intervals.length,
          },
    eventRates: eventCounts.map((n) => n / plan.seconds),
    eventsDropped,
    closed,
  };
}

if (process.argv[2] === '--clients') {
  const result = await swarm(JSON.parse(process.argv[3]!) as SwarmPlan);
  // Exit only once the line is flushed: a pipe may take it in several writes.
  process.stdout.write(`${JSON.stringify({ event: 'result', result })}\n`, () => process.exit(0));
}

// ── the benchmark (hub in this process) ───────────────────────────────────────────────────────────────

function lines(child: ChildProcess): (match: (line: string) => boolean) => Promise<string> {
  const seen: string[] = [];
  const waiters: { match: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    seen.push(line);
    for (const w of [...waiters]) {
      if (w.match(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  return (match) =>
    new Promise((resolve, reject) => {
      const found = seen.find(match);
      if (found !== undefined) return resolve(found);
      waiters.push({ match, resolve });
      child.once('exit', (code) => reject(new Error(`${child.spawnfile} exited with ${code}`)));
    });
}

interface PhaseResult {
  name: string;
  swarm: SwarmResult;
  eld: { p50: number; p99: number; max: number };
  cpuPercent: number;
  rssMiB: number;
  journaledPerSec: number;
  sent: number;
}

async function phase(
  name: string,
  hub: Hub,
  url: string,
  key: string,
  udpPort: number,
  plan: Omit<SwarmPlan, 'url' | 'key'>,
  rate: number,
): Promise<PhaseResult> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--clients', JSON.stringify({ ...plan, url, key })],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const waitFor = lines(child);
  await waitFor((l) => l.includes('"ready"'));
  const loadgen = spawn(
    LOADGEN,
    [
      '--port',
      String(udpPort),
      '--rate',
      String(rate),
      '--duration',
      String(plan.seconds + plan.warmupMs / 1000),
      '--size',
      '64',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const loadDone = lines(loadgen)((l) => l.startsWith('{'));
  await new Promise((r) => setTimeout(r, plan.warmupMs));
  const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  eld.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const journaled0 = hub.services.metrics.latest().counters?.EVENTS_JOURNALED ?? 0;
  let rss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 250);
  await new Promise((r) => setTimeout(r, plan.seconds * 1000));
  clearInterval(rssTimer);
  eld.disable();
  const cpu = process.cpuUsage(cpu0);
  const elapsed = performance.now() - t0;
  const journaled = (hub.services.metrics.latest().counters?.EVENTS_JOURNALED ?? 0) - journaled0;
  const result = JSON.parse(await waitFor((l) => l.includes('"result"'))) as { result: SwarmResult };
  const load = JSON.parse(await loadDone) as { sent: number };
  const ms = (ns: number): number => Math.max(0, ns / 1e6 - ELD_RESOLUTION_MS);
  return {
    name,
    swarm: result.result,
    eld: { p50: ms(eld.percentile(50)), p99: ms(eld.percentile(99)), max: ms(eld.max) },
    cpuPercent: ((cpu.user + cpu.system) / 1000 / elapsed) * 100,
    rssMiB: rss / 2 ** 20,
    // The sampler's counters lag by up to a second at each end; good enough to show the traffic was flowing.
    journaledPerSec: journaled / (elapsed / 1000),
    sent: load.sent,
  };
}

export async function run(): Promise<void> {
  if (!existsSync(LOADGEN)) throw new Error(`${LOADGEN} is not built; run \`npm run build:native\``);
  const metricsClients = Math.round(envNumber('BENCH_WS_CLIENTS', 100));
  const eventClients = Math.round(envNumber('BENCH_WS_EVENT_CLIENTS', 10));
  const intervalMs = Math.round(envNumber('BENCH_WS_INTERVAL', 100));
  const seconds = envNumber('BENCH_WS_SECONDS', 20);
  const rate = envNumber('BENCH_WS_RATE', 10_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cz-bench-ws-'));
  const sequencer = spawn(
    CZ,
    [
      'start',
      '--journal',
      path.join(dir, 'journal.db'),
      '--ipc',
      path.join(dir, 'cz.sock'),
      '--listen',
      '0=default',
      '--json',
    ],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let hub: Hub | null = null;
  try {
    const ready = JSON.parse(await lines(sequencer)((l) => l.includes('"ready"'))) as {
      listeners: { port: number; ipv6: boolean }[];
    };
    const udpPort = ready.listeners.find((l) => !l.ipv6)!.port;
    hub = new Hub(
      {
        host: '127.0.0.1',
        port: 0,
        allowRemote: false,
        journalPath: path.join(dir, 'journal.db'),
        ipcPath: path.join(dir, 'cz.sock'),
        dataDir: path.join(dir, 'hub'),
        uiDir: null,
        maxBodyBytes: 1 << 20,
      },
      FEATURES,
    );
    const { port } = await hub.listen();
    const url = `ws://127.0.0.1:${port}`;
    const key = hub.createdRootKey!.key;
    const base = { metricsClients, intervalMs, warmupMs: WARMUP_MS, seconds };
    const phases = [
      await phase('metrics only', hub, url, key, udpPort, { ...base, eventClients: 0 }, rate),
      ...(eventClients > 0
        ? [
            await phase(
              `+ ${eventClients} live-event clients`,
              hub,
              url,
              key,
              udpPort,
              { ...base, eventClients },
              rate,
            ),
          ]
        : []),
    ];
    const f1 = (n: number): string => n.toFixed(1);
    const rows = phases.map((p) => {
      const rates = p.swarm.metricsRates;
      return [
        p.name,
        `${f1(percentile(rates, 50))} (min ${f1(Math.min(...rates))})`,
        `${f1(p.swarm.intervals.p50)} / ${f1(p.swarm.intervals.p99)} (max ${f1(p.swarm.intervals.max)})`,
        `${p.eld.p50.toFixed(2)} / ${p.eld.p99.toFixed(2)} / ${p.eld.max.toFixed(2)}`,
        `${f1(p.cpuPercent)} %`,
        `${Math.round(p.rssMiB)} MiB`,
        `${Math.round(p.journaledPerSec).toLocaleString('en-US')}`,
        p.swarm.eventRates.length > 0
          ? `${Math.round(percentile(p.swarm.eventRates, 50)).toLocaleString('en-US')} (dropped ${p.swarm.eventsDropped})`
          : '—',
        String(p.swarm.closed.length),
      ];
    });
    publish({
      title: `hub-ws: ${metricsClients} WebSocket clients, metrics every ${intervalMs} ms, ${rate.toLocaleString('en-US')} datagrams/s`,
      command: 'npm run bench -- hub-ws',
      headers: [
        'phase',
        'metrics msgs/s per client (median)',
        'delivery interval p50 / p99 (ms)',
        'hub event-loop delay p50 / p99 / max (ms)',
        'hub CPU',
        'hub RSS (max)',
        'journaled/s',
        'live events/s per client',
        'clients closed',
      ],
      rows,
      notes: [
        `${seconds} s measured per phase after ${WARMUP_MS / 1000} s of warm-up; expected ${(1000 / intervalMs).toFixed(0)} msgs/s per client`,
        'hub: in the benchmark process (Hub class, all features); clients: a separate Node process (`ws`); sequencer: `cz start`; load: native/build/Release/cz-loadgen, 64 B datagrams at a fixed rate',
        `event-loop delay: perf_hooks.monitorEventLoopDelay at ${ELD_RESOLUTION_MS} ms resolution, minus the resolution; hub CPU: user+system of the hub process ÷ wall time (100 % = one core)`,
        'metrics snapshots are sampled once a second by the hub; each push re-sends the newest snapshot, serialized once per interval group',
      ],
    });
  } finally {
    await hub?.close();
    sequencer.kill('SIGTERM');
    await new Promise((r) => sequencer.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}
