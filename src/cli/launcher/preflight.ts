/**
 * Checks `./lacrimosa` makes before it starts anything: is each UDP port, the hub's TCP port and the IPC
 * socket free? Each conflict comes with the commands that show who holds the resource and how to free it
 * or pick another, so the launcher can refuse to start instead of leaving half a stack running.
 *
 * A socket file that nobody listens on is not a conflict: the sequencer replaces such a stale file itself.
 *
 * @module
 */
import dgram from 'node:dgram';
import { lstatSync } from 'node:fs';
import net from 'node:net';

export interface Conflict {
  /** What is taken, e.g. "udp port 9000 on 127.0.0.1". */
  what: string;
  /** Commands and flags that resolve it, one per line. */
  fixes: string[];
}

export interface PreflightTargets {
  udp: { host: string; port: number }[];
  http: { host: string; port: number };
  ipcPath: string;
}

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/** Binds and releases a UDP port; resolves with the bind error code, or null when the port is free. */
function tryUdp(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4', reuseAddr: false });
    socket.once('error', (error) => {
      socket.close();
      resolve(errno(error) ?? 'EUNKNOWN');
    });
    socket.bind({ address: host, port, exclusive: true }, () => socket.close(() => resolve(null)));
  });
}

/** Listens on and releases a TCP port; resolves with the listen error code, or null when the port is free. */
function tryTcp(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error) => resolve(errno(error) ?? 'EUNKNOWN'));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/** Resolves true when something accepts connections on the Unix socket `path`. */
function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(path);
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.once('connect', () => done(true));
    // EAGAIN: a live listener whose accept backlog is full; anything else (ECONNREFUSED, ENOENT): nobody.
    socket.once('error', (error) => done(errno(error) === 'EAGAIN'));
  });
}

function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Every conflict among `targets`; an empty list means the launcher may start. */
export async function findConflicts(targets: PreflightTargets): Promise<Conflict[]> {
  const conflicts: Conflict[] = [];
  for (const { host, port } of targets.udp) {
    if (port === 0) continue;
    const code = await tryUdp(host, port);
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      conflicts.push({
        what: `udp port ${port} on ${host} is ${code === 'EACCES' ? 'not available to this user' : 'already in use'}`,
        fixes: [
          `see who holds it:  ss -lunp 'sport = :${port}'`,
          `free it:           fuser -k ${port}/udp`,
          `or use another:    --udp-port ${port === 65_535 ? port - 1 : port + 1}`,
        ],
      });
    } else if (code !== null) {
      conflicts.push({
        what: `cannot listen on udp ${hostPort(host, port)} (${code})`,
        fixes: ['check --listen'],
      });
    }
  }
  const { host, port } = targets.http;
  if (port !== 0) {
    const code = await tryTcp(host, port);
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      conflicts.push({
        what: `hub port ${port} on ${host} is ${code === 'EACCES' ? 'not available to this user' : 'already in use'}`,
        fixes: [
          `see who holds it:  ss -ltnp 'sport = :${port}'`,
          `free it:           fuser -k ${port}/tcp`,
          `or use another:    --port ${port === 65_535 ? port - 1 : port + 1}`,
        ],
      });
    } else if (code !== null) {
      conflicts.push({ what: `cannot listen on ${hostPort(host, port)} (${code})`, fixes: ['check --bind'] });
    }
  }
  let stats;
  try {
    stats = lstatSync(targets.ipcPath);
  } catch {
    stats = null;
  }
  if (stats !== null && !stats.isSocket()) {
    conflicts.push({
      what: `the IPC path ${targets.ipcPath} exists and is not a socket`,
      fixes: [`move it away, or use another:  --ipc /tmp/cz-${process.pid}.sock`],
    });
  } else if (stats !== null && (await socketAnswers(targets.ipcPath))) {
    conflicts.push({
      what: `the IPC socket ${targets.ipcPath} is in use (another sequencer is listening on it)`,
      fixes: [
        `see who holds it:  ss -xlp | grep '${targets.ipcPath}'`,
        `ask it:            cz status --ipc ${targets.ipcPath} --journal <its journal>`,
        `or use another:    --ipc /tmp/cz-lacrimosa-2.sock`,
      ],
    });
  }
  return conflicts;
}

/** The conflicts as the launcher prints them. */
export function formatConflicts(conflicts: readonly Conflict[]): string {
  return conflicts.map((c) => [`  ${c.what}`, ...c.fixes.map((f) => `      ${f}`)].join('\n')).join('\n');
}
