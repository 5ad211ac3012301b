/**
 * A real `cz start` process for tests: journal and IPC socket in a temp dir, listeners on free ports,
 * the ready line parsed, and UDP helpers that send to 127.0.0.1 only.
 */
import dgram from 'node:dgram';
import { join } from 'node:path';
import { JournalReader } from '../../src/journal/reader.ts';
import { type Spawned, spawnCz, tempDir } from './processes.ts';

export interface ReadyLine {
  event: 'ready';
  pid: number;
  backend: 'io_uring' | 'recvmmsg';
  backendFallbackReason: string | null;
  listeners: { host: string; port: number; streamId: number; stream: string; ipv6: boolean }[];
  journal: { path: string; slotCount: number; blobSize: number; maxPayload: number };
  open: { created: boolean; recovered: boolean; truncated: number };
  ipc: string | null;
}

export interface TestSequencer {
  process: Spawned;
  ready: ReadyLine;
  dir: string;
  journal: string;
  ipcPath: string;
  /** IPv4 port of the listener for `stream` (default "default"). */
  port(stream?: string): number;
  /** Stops with a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

export interface StartOptions {
  backend: 'uring' | 'recvmmsg' | 'auto';
  /** A program to run `cz` under (e.g. NO_URING). */
  wrapper?: string;
  dir?: string;
  listens?: string[];
  args?: string[];
}

export async function startSequencer(options: StartOptions): Promise<TestSequencer> {
  const dir = options.dir ?? tempDir('cz-seq-');
  const journal = join(dir, 'journal.db');
  const ipcPath = join(dir, 'cz.sock');
  const listens = (options.listens ?? ['0=default']).flatMap((l) => ['--listen', l]);
  const spawned = spawnCz(
    [
      'start',
      '--journal',
      journal,
      '--ipc',
      ipcPath,
      '--backend',
      options.backend,
      '--json',
      ...listens,
      ...(options.args ?? []),
    ],
    options.wrapper ? { wrapper: options.wrapper } : {},
  );
  const line = await spawned.waitForLine((l) => l.includes('"event":"ready"'));
  const ready = JSON.parse(line) as ReadyLine;
  return {
    process: spawned,
    ready,
    dir,
    journal,
    ipcPath,
    port(stream = 'default') {
      const listener = ready.listeners.find((l) => l.stream === stream && !l.ipv6);
      if (!listener) throw new Error(`no IPv4 listener for stream ${stream}`);
      return listener.port;
    },
    async stop(signal = 'SIGTERM') {
      spawned.child.kill(signal);
      return spawned.exited;
    },
  };
}

export async function sendUdp(
  port: number,
  datagrams: readonly (Uint8Array | string)[],
  host = '127.0.0.1',
): Promise<void> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  try {
    for (const d of datagrams) {
      await new Promise<void>((resolve, reject) =>
        socket.send(d, port, host, (e) => (e ? reject(e) : resolve())),
      );
    }
  } finally {
    socket.close();
  }
}

/** Reads the journal's counters (opening and closing a reader each time, like an external observer). */
export function counters(journal: string): ReturnType<JournalReader['counters']> {
  const reader = JournalReader.open(journal);
  try {
    return reader.counters();
  } finally {
    reader.close();
  }
}
