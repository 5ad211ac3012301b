/**
 * `./lacrimosa` end to end, as a user runs it: real sequencer and hub processes on free ports in a temp dir.
 * Every run uses --no-build (these tests must never run `npm ci` in a shared checkout); the build decisions
 * are unit-tested in src/cli/launcher/builds.test.ts. After each test every process the launcher started is
 * killed by pid and its socket removed, whatever happened.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, tempDir, until } from './helpers/processes.ts';
import { sendUdp } from './helpers/sequencer.ts';

const LAUNCHER = fileURLToPath(new URL('../lacrimosa', import.meta.url));
const run = promisify(execFile);

interface Launcher {
  child: ChildProcess;
  dir: string;
  ipcPath: string;
  stdout: string[];
  stderr: () => string;
  exited: Promise<number>;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

const launchers: Launcher[] = [];
/** Pids the launchers reported, killed after each test even if the launcher itself is gone. */
const childPids = new Set<number>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Processes whose command line mentions `text` (the test's temp dir): nothing may be left running. */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(text)) found.push(`${entry}: ${cmdline}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

function launch(args: string[], dir = tempDir('cz-launcher-')): Launcher {
  const ipcPath = join(dir, 'cz.sock');
  const child = spawn(LAUNCHER, ['--no-build', '--data-dir', join(dir, 'data'), ...args], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const waiters: { pattern: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    stdout.push(line);
    const pids = /pids\s+sequencer (\d+), hub (\d+)/.exec(line);
    if (pids) for (const pid of [pids[1], pids[2]]) childPids.add(Number(pid));
    for (const w of [...waiters]) {
      const match = w.pattern.exec(line);
      if (match) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(match);
      }
    }
  });
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))),
  );
  const launcher: Launcher = {
    child,
    dir,
    ipcPath,
    stdout,
    stderr: () => stderr,
    exited,
    waitFor(pattern, timeoutMs = 60_000) {
      for (const line of stdout) {
        const match = pattern.exec(line);
        if (match) return Promise.resolve(match);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `no ${pattern} within ${timeoutMs} ms\nstdout:\n${stdout.join('\n')}\nstderr:\n${stderr}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(
            new Error(
              `the launcher exited with ${code} before ${pattern}\nstdout:\n${stdout.join('\n')}\nstderr:\n${stderr}`,
            ),
          );
        });
      });
    },
  };
  launchers.push(launcher);
  return launcher;
}

interface Ready {
  url: string;
  key: string;
  keyFile: string;
  nc: string;
  curl: string;
  sequencerPid: number;
  hubPid: number;
}

async function ready(l: Launcher): Promise<Ready> {
  await l.waitFor(/^Ctrl-C stops the hub, then the sequencer\.$/);
  const text = l.stdout.join('\n');
  const login = /control center\s+(http:\/\/127\.0\.0\.1:\d+)\/#key=(cz_[\w-]+)/.exec(text);
  const keyFile = /key file\s+(\S+)/.exec(text);
  const nc = /^\s+(echo hi \| nc -u -w1 127\.0\.0\.1 \d+)$/m.exec(text);
  const curl = /^\s+(curl -H "Authorization: Bearer .*)$/m.exec(text);
  const pids = /pids\s+sequencer (\d+), hub (\d+)/.exec(text);
  expect(text).toMatch(/^==> ready in \d+(\.\d)? s$/m);
  if (!login || !keyFile || !nc || !curl || !pids) throw new Error(`unexpected ready output:\n${text}`);
  return {
    url: login[1]!,
    key: login[2]!,
    keyFile: keyFile[1]!,
    nc: nc[1]!,
    curl: curl[1]!,
    sequencerPid: Number(pids[1]),
    hubPid: Number(pids[2]),
  };
}

afterEach(async () => {
  for (const l of launchers.splice(0)) {
    if (l.child.exitCode === null && l.child.signalCode === null) l.child.kill('SIGKILL');
    rmSync(l.ipcPath, { force: true });
  }
  for (const pid of childPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone, as it should be.
    }
  }
  childPids.clear();
  await killAll();
});

describe('./lacrimosa', () => {
  it('starts both, logs in with the printed URL, counts a real datagram, and stops cleanly on SIGINT', async () => {
    const dir = tempDir('cz-launcher-');
    // A stale socket file (its server killed with SIGKILL) is not "in use": the sequencer replaces it.
    const stale = spawn(
      process.execPath,
      [
        '-e',
        `require('net').createServer().listen(${JSON.stringify(join(dir, 'cz.sock'))}, () => console.log('up'))`,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    await new Promise((resolve) => stale.stdout!.once('data', resolve));
    stale.kill('SIGKILL');
    await new Promise((resolve) => stale.once('exit', resolve));
    expect(statSync(join(dir, 'cz.sock')).isSocket()).toBe(true);

    const l = launch(['--port', '0', '--udp-port', '0', '--ipc', join(dir, 'cz.sock')], dir);
    const r = await ready(l);
    expect(alive(r.sequencerPid) && alive(r.hubPid)).toBe(true);

    // The key in the URL is the one in the key file (mode 0600), and it opens authenticated endpoints.
    expect(r.keyFile).toBe(join(dir, 'data', 'root.key'));
    expect(readFileSync(r.keyFile, 'utf8').trim()).toBe(r.key);
    expect(statSync(r.keyFile).mode & 0o777).toBe(0o600);
    const status = await fetch(`${r.url}/api/status`);
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({
      status: 'ok',
      sequencer: { state: 'connected', pid: r.sequencerPid },
      journal: { available: true },
    });
    const streams = (url: string, key: string | null) =>
      fetch(`${url}/api/streams`, key === null ? {} : { headers: { authorization: `Bearer ${key}` } });
    expect((await streams(r.url, null)).status).toBe(401);
    expect((await streams(r.url, r.key)).status).toBe(200);
    expect(
      (await fetch(`${r.url}/api/auth/keys`, { headers: { authorization: `Bearer ${r.key}` } })).status,
    ).toBe(200);
    // The logs sit beside root.key and are as private (the hub's first start prints the new key).
    for (const log of ['hub.log', 'sequencer.log'])
      expect(statSync(join(dir, 'data', 'logs', log)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);

    // The printed examples work as pasted: a datagram through nc, then counted by the hub through curl.
    const port = Number(/(\d+)$/.exec(r.nc)![1]);
    await run('bash', ['-c', r.nc], { cwd: dir });
    await sendUdp(port, ['second datagram from the launcher test']);
    let defaultStream: { events: number } | undefined;
    await until(async () => {
      const { stdout } = await run('bash', ['-c', `${r.curl} --silent --fail`], { cwd: dir });
      const body = JSON.parse(stdout) as { streams: { name: string; events: number }[] };
      defaultStream = body.streams.find((s) => s.name === 'default');
      return (defaultStream?.events ?? 0) >= 2;
    }, 'both datagrams counted by the hub');
    const after = (await (await fetch(`${r.url}/api/status`)).json()) as { journal: { head: number } };
    expect(after.journal.head).toBe(2);

    l.child.kill('SIGINT');
    expect(await l.exited).toBe(0);
    expect(l.stdout.join('\n')).toMatch(
      /==> stopping \(SIGINT\): hub first, then the sequencer\n==> hub stopped, sequencer stopped; bye/,
    );
    expect(alive(r.hubPid)).toBe(false);
    expect(alive(r.sequencerPid)).toBe(false);
    expect(existsSync(join(dir, 'cz.sock'))).toBe(false);
    expect(processesMentioning(dir)).toEqual([]);
    // Each child stopped on its own terms (SIGTERM from the launcher), not killed.
    expect(readFileSync(join(dir, 'data', 'logs', 'hub.log'), 'utf8')).toMatch(
      /"event":"stopped","signal":"SIGTERM"/,
    );
    expect(readFileSync(join(dir, 'data', 'logs', 'sequencer.log'), 'utf8')).toMatch(
      /"event":"stopped","signal":"SIGTERM","head":2/,
    );
  });

  it('refuses to start when the UDP port, the hub port and the IPC socket are taken, naming each with its fix', async () => {
    const dir = tempDir('cz-launcher-');
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const tcp = net.createServer();
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const ipc = net.createServer();
    await new Promise<void>((resolve) => ipc.listen(join(dir, 'cz.sock'), resolve));
    try {
      const udpPort = udp.address().port;
      const httpPort = (tcp.address() as net.AddressInfo).port;
      const l = launch(
        ['--port', String(httpPort), '--udp-port', String(udpPort), '--ipc', join(dir, 'cz.sock')],
        dir,
      );
      expect(await l.exited).toBe(1);
      const err = l.stderr();
      expect(err).toMatch(/^cz: cannot start, nothing was started:/);
      expect(err).toContain(`udp port ${udpPort} on 127.0.0.1 is already in use`);
      expect(err).toContain(`ss -lunp 'sport = :${udpPort}'`);
      expect(err).toContain(`fuser -k ${udpPort}/udp`);
      expect(err).toContain(`hub port ${httpPort} on 127.0.0.1 is already in use`);
      expect(err).toContain(`ss -ltnp 'sport = :${httpPort}'`);
      expect(err).toContain(`fuser -k ${httpPort}/tcp`);
      expect(err).toContain('--port ');
      expect(err).toContain(`the IPC socket ${join(dir, 'cz.sock')} is in use`);
      expect(err).not.toMatch(/at .*\.ts:\d+/);
      expect(l.stdout.join('\n')).not.toMatch(/starting/);
      expect(existsSync(join(dir, 'data', 'logs', 'sequencer.log'))).toBe(false);
      expect(existsSync(join(dir, 'data', 'logs', 'hub.log'))).toBe(false);
      expect(processesMentioning(dir)).toEqual([]);
    } finally {
      udp.close();
      tcp.close();
      ipc.close();
    }

    // Only the hub port taken: the same refusal, for that one alone.
    const tcp2 = net.createServer();
    await new Promise<void>((resolve) => tcp2.listen(0, '127.0.0.1', resolve));
    try {
      const httpPort = (tcp2.address() as net.AddressInfo).port;
      const l = launch(['--port', String(httpPort), '--udp-port', '0', '--ipc', join(dir, 'cz2.sock')], dir);
      expect(await l.exited).toBe(1);
      expect(l.stderr()).toContain(`hub port ${httpPort} on 127.0.0.1 is already in use`);
      expect(l.stderr()).not.toContain('udp port');
      expect(processesMentioning(dir)).toEqual([]);
    } finally {
      tcp2.close();
    }
  });

  it('stops the sequencer and exits non-zero with the log tail when the hub dies', async () => {
    const l = launch(['--port', '0', '--udp-port', '0', '--ipc', join(tempDir('cz-launcher-'), 'cz.sock')]);
    const r = await ready(l);
    process.kill(r.hubPid, 'SIGKILL');
    expect(await l.exited).toBe(1);
    expect(l.stderr()).toMatch(/cz: the hub died \(killed by SIGKILL\); sequencer stopped\./);
    expect(l.stderr()).toMatch(/The last lines of .*hub\.log:\n {4}\$ cz hub --bind/);
    expect(alive(r.sequencerPid)).toBe(false);
    expect(existsSync(l.ipcPath)).toBe(false);
    expect(processesMentioning(l.dir)).toEqual([]);
  });

  it('leaves no orphans when the launcher itself is killed with SIGKILL', async () => {
    const l = launch(['--port', '0', '--udp-port', '0', '--ipc', join(tempDir('cz-launcher-'), 'cz.sock')]);
    const r = await ready(l);
    l.child.kill('SIGKILL');
    await l.exited;
    // The children notice their launcher is gone and stop cleanly by themselves.
    await until(() => !alive(r.hubPid) && !alive(r.sequencerPid), 'both children to stop', 10_000);
    await until(() => !existsSync(l.ipcPath), 'the socket file to be removed', 5_000);
    expect(readFileSync(join(l.dir, 'data', 'logs', 'sequencer.log'), 'utf8')).toMatch(
      /"event":"stopped","signal":"SIGHUP"/,
    );
  });
});
