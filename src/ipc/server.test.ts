import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectIpc, type IpcClient } from './client.ts';
import {
  decodeServerMessage,
  encodeStatusRequest,
  encodeSubmit,
  FrameReader,
  type Hello,
  IPC_MAX_FRAME,
  IpcError,
  IpcMessageType,
  type IpcServerMessage,
  type IpcSubmitEvent,
  type IpcSubmitResult,
  type PublicationState,
} from './protocol.ts';
import { type IpcServer, type IpcServerHandlers, startIpcServer } from './server.ts';

const WAIT_MS = 10_000;

const hello: Hello = {
  protocol: 1,
  pid: process.pid,
  journal: { path: '/tmp/journal.db', slotCount: 1024, blobSize: 65_536, maxPayload: 16_384 },
  backend: 'recvmmsg',
  listeners: [{ host: '127.0.0.1', port: 9000, streamId: 1, stream: 'default' }],
  streams: [{ id: 1, name: 'default' }],
  publication: { head: 0, tail: 0, clock: '0', publishedMs: 0 },
};

/** Polls `condition` until it holds; fails naming `what` after WAIT_MS. Never a fixed sleep. */
async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function state(i: number): PublicationState {
  return {
    head: i,
    tail: 0,
    clock: (1_763_000_000_000n << 16n) + BigInt(i),
    publishedMs: 1_763_000_000_000 + i,
  };
}

/** A client speaking the protocol by hand, so tests can misbehave and watch the bytes. */
class RawClient {
  readonly socket: net.Socket;
  readonly messages: IpcServerMessage[] = [];
  readonly #reader = new FrameReader();
  closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      const result = this.#reader.push(chunk);
      for (const frame of result.frames) {
        const decoded = decodeServerMessage(frame);
        if (!decoded.ok) throw new Error(`server sent a malformed message: ${decoded.error.message}`);
        this.messages.push(decoded.message);
      }
      if (!result.ok) throw new Error(`server sent a malformed frame: ${result.error.message}`);
    });
    // A peer dropped while it still had bytes to send may see ECONNRESET after reading everything.
    socket.on('error', () => undefined);
    socket.on('close', () => (this.closed = true));
  }

  static connect(path: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(path);
      socket.once('connect', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  of<T extends IpcServerMessage['type']>(type: T): Extract<IpcServerMessage, { type: T }>[] {
    return this.messages.filter((m): m is Extract<IpcServerMessage, { type: T }> => m.type === type);
  }

  publications(): PublicationState[] {
    return this.of(IpcMessageType.PUBLICATION).map((m) => m.publication);
  }
}

let dir: string;
let path: string;
const cleanups: (() => unknown)[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(os.tmpdir() + '/cz-ipc-');
  path = `${dir}/io.sock`;
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

function handlers(overrides: Partial<IpcServerHandlers> = {}): IpcServerHandlers {
  return {
    hello: () => hello,
    submit: async (events) => ({
      sequences: events.map((_, i) => i),
      statuses: events.map(() => 'journaled'),
    }),
    registerStream: () => 1,
    status: () => ({ ok: true }),
    ...overrides,
  };
}

async function start(
  overrides: Partial<IpcServerHandlers> = {},
  maxClientBacklogBytes?: number,
): Promise<IpcServer> {
  const server = await startIpcServer({
    path,
    handlers: handlers(overrides),
    ...(maxClientBacklogBytes === undefined ? {} : { maxClientBacklogBytes }),
  });
  cleanups.push(() => server.close());
  return server;
}

async function connect(options: Parameters<typeof connectIpc>[1] = {}): Promise<IpcClient> {
  const client = await connectIpc(path, options);
  cleanups.push(() => client.close());
  return client;
}

async function raw(): Promise<RawClient> {
  const client = await RawClient.connect(path);
  cleanups.push(() => client.socket.destroy());
  return client;
}

describe('IPC server: hello and publications', () => {
  it('says HELLO first on every connection, from the handler at connect time', async () => {
    let pid = 1;
    const server = await start({ hello: () => ({ ...hello, pid: pid++ }) });
    const first = await connect();
    const second = await connect();
    expect(first.hello).toEqual({ ...hello, pid: 1 });
    expect(second.hello.pid).toBe(2);
    const rawClient = await raw();
    await waitUntil(() => rawClient.messages.length > 0, 'the raw client gets HELLO');
    expect(rawClient.messages[0]).toEqual({ type: IpcMessageType.HELLO, hello: { ...hello, pid: 3 } });
    await waitUntil(() => server.clientCount === 3, 'three clients are counted');
  });

  it('refuses the connection with the reason when the hello handler throws', async () => {
    const server = await start({
      hello: () => {
        throw new Error('journal not open yet');
      },
    });
    await expect(connectIpc(path)).rejects.toMatchObject({
      code: 'IPC_UNAVAILABLE',
      message: expect.stringContaining('journal not open yet'),
    });
    expect(server.clientCount).toBe(0);
  });

  it('sends the last publication before BYE when closing right after publishing', async () => {
    const server = await start();
    const client = await raw();
    await waitUntil(() => client.messages.length === 1, 'HELLO arrives');
    server.publish(state(7));
    await server.close('done');
    await waitUntil(() => client.closed, 'the client sees the connection close');
    expect(client.messages.slice(1)).toEqual([
      { type: IpcMessageType.PUBLICATION, publication: state(7) },
      { type: IpcMessageType.BYE, reason: 'done' },
    ]);
  });

  it('coalesces 1000 quick publications: a bounded number arrive and the last is the final state', async () => {
    const server = await start();
    const received: PublicationState[] = [];
    await connect({ onPublication: (p) => received.push(p) });
    for (let i = 1; i <= 1000; i++) server.publish(state(i));
    await waitUntil(() => received.at(-1)?.head === 1000, 'the final state arrives');
    expect(received.length).toBeLessThanOrEqual(10);
    expect(received.at(-1)).toEqual(state(1000));
  });

  it('sends publications spread over time in order, ending with the final state', async () => {
    const server = await start();
    const received: PublicationState[] = [];
    await connect({ onPublication: (p) => received.push(p) });
    for (let i = 1; i <= 200; i++) {
      server.publish(state(i));
      if (i % 10 === 0) await nextTurn();
    }
    await waitUntil(() => received.at(-1)?.head === 200, 'the final state arrives');
    const heads = received.map((p) => p.head);
    expect(heads).toEqual([...heads].sort((a, b) => a - b));
    expect(new Set(heads).size).toBe(heads.length);
    expect(received.length).toBeLessThanOrEqual(200);
  });

  it('keeps only the newest publication for a backed-up client and sends it on drain', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    const server = await start({ status: () => big });
    const slow = await raw();
    await waitUntil(() => slow.messages.length === 1, 'HELLO arrives');
    slow.socket.pause();
    slow.socket.write(encodeStatusRequest(1));
    // The kernel takes a few hundred KiB; the rest of the 2 MiB answer waits in the server.
    await waitUntil(() => server.bufferedBytes > 1024 * 1024, 'the answer backs up in the server');
    let maxBuffered = 0;
    for (let i = 1; i <= 1000; i++) {
      server.publish(state(i));
      await nextTurn();
      maxBuffered = Math.max(maxBuffered, server.bufferedBytes);
    }
    expect(maxBuffered).toBeLessThan(big.length + 64 * 1024);
    slow.socket.resume();
    await waitUntil(() => slow.publications().at(-1)?.head === 1000, 'the final state arrives after drain');
    expect(slow.of(IpcMessageType.STATUS)[0]?.status).toBe(big);
    expect(slow.publications()).toEqual([state(1000)]);
  });
});

describe('IPC server: requests', () => {
  it('round-trips a submission byte-exactly, with statuses and sequences', async () => {
    let seen: IpcSubmitEvent[] = [];
    await start({
      submit: async (events) => {
        seen = events;
        return {
          sequences: [41, null, 43, null],
          statuses: ['journaled', 'dropped', 'journaled', 'too_large'],
        } satisfies IpcSubmitResult;
      },
    });
    const client = await connect();
    const binary = Uint8Array.from({ length: 256 }, (_, i) => i);
    const large = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 31) & 0xff);
    const events = [
      { streamId: 1, nodeId: 7, flags: 0x8001, clockHint: (1_763_000_000_000n << 16n) | 3n, payload: binary },
      { streamId: 2, nodeId: 0xffffffff, payload: new Uint8Array(0) },
      { streamId: 65535, nodeId: 8, clockHint: 2n ** 64n - 1n, payload: large },
      { streamId: 3, nodeId: 9, payload: Uint8Array.of(0, 0, 0) },
    ];
    const result = await client.submit(events);
    expect(result).toEqual({
      sequences: [41, null, 43, null],
      statuses: ['journaled', 'dropped', 'journaled', 'too_large'],
    });
    expect(seen.map((e) => ({ ...e, payload: Buffer.from(e.payload).toString('hex') }))).toEqual(
      events.map((e) => ({
        streamId: e.streamId,
        nodeId: e.nodeId,
        flags: e.flags ?? 0,
        clockHint: e.clockHint ?? 0n,
        payload: Buffer.from(e.payload).toString('hex'),
      })),
    );
    // Views into one received frame, not copies.
    expect(new Set(seen.map((e) => e.payload.buffer)).size).toBe(1);
  });

  it('answers concurrent submissions by request id, whatever order the handler finishes in', async () => {
    await start({
      submit: async (events) => {
        const first = events[0]!.nodeId;
        await new Promise((resolve) => setTimeout(resolve, first % 3));
        return { sequences: events.map((e) => e.nodeId), statuses: events.map(() => 'journaled') };
      },
    });
    const client = await connect();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        client.submit([{ streamId: 1, nodeId: i, payload: Uint8Array.of(i) }]),
      ),
    );
    expect(results.map((r) => r.sequences[0])).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it.each(['SUBMIT_QUEUE_FULL', 'SEQUENCER_STOPPED'])(
    'rejects the submission with %s when the handler does, and the connection stays usable',
    async (code) => {
      await start({
        submit: () => Promise.reject(Object.assign(new Error(`refused: ${code}`), { code })),
      });
      const client = await connect();
      const error = await client
        .submit([{ streamId: 1, nodeId: 1, payload: Uint8Array.of(1) }])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IpcError);
      expect(error).toMatchObject({ code, message: `refused: ${code}` });
      await expect(client.status()).resolves.toEqual({ ok: true });
    },
  );

  it('answers INTERNAL_ERROR when the submit handler breaks its contract', async () => {
    await start({ submit: async () => ({ sequences: [], statuses: [] }) });
    const client = await connect();
    await expect(
      client.submit([{ streamId: 1, nodeId: 1, payload: new Uint8Array(0) }]),
    ).rejects.toMatchObject({
      code: 'INTERNAL_ERROR',
      message: expect.stringContaining('0 statuses for 1 events'),
    });
  });

  it('registers streams through the handler, and reports its refusal', async () => {
    const names = new Map<string, number>();
    await start({
      registerStream: async (name) => {
        if (name.length > 31)
          throw Object.assign(new Error('stream name too long'), { code: 'STREAM_NAME_INVALID' });
        if (!names.has(name)) names.set(name, names.size + 2);
        return names.get(name)!;
      },
    });
    const client = await connect();
    expect(await client.registerStream('orders')).toBe(2);
    expect(await client.registerStream('trades')).toBe(3);
    expect(await client.registerStream('orders')).toBe(2);
    await expect(client.registerStream('x'.repeat(40))).rejects.toMatchObject({
      code: 'STREAM_NAME_INVALID',
    });
  });

  it('sends an answer larger than the backlog cap to a client that keeps up', async () => {
    const big = 'z'.repeat(256 * 1024);
    await start({ status: () => big }, 64 * 1024);
    const client = await connect();
    expect(await client.status()).toBe(big);
    expect(await client.status()).toBe(big);
  });

  it('answers STATUS with the handler JSON, bigints as decimal text', async () => {
    await start({ status: () => ({ counters: { EVENTS_JOURNALED: 2n ** 60n }, ipcClients: 1 }) });
    const client = await connect();
    expect(await client.status()).toEqual({
      counters: { EVENTS_JOURNALED: String(2n ** 60n) },
      ipcClients: 1,
    });
  });
});

describe('IPC server: misbehaving clients', () => {
  it('drops a client sending garbage with PROTOCOL_ERROR while a good client keeps receiving publications', async () => {
    const server = await start();
    const received: PublicationState[] = [];
    await connect({ onPublication: (p) => received.push(p) });
    const bad = await raw();
    bad.socket.write(Uint8Array.of(3, 0, 0, 0, 99, 1, 2)); // a well-framed message of unknown type 99
    await waitUntil(() => bad.closed, 'the bad client is disconnected');
    const error = bad.of(IpcMessageType.ERROR)[0];
    expect(error?.requestId).toBe(0);
    expect(error?.error.code).toBe('PROTOCOL_ERROR');
    expect(error?.error.message).toContain('99');
    server.publish(state(5));
    await waitUntil(() => received.at(-1)?.head === 5, 'the good client gets the publication');
    expect(server.clientCount).toBe(1);
  });

  it.each([
    [
      'a malformed SUBMIT body',
      Uint8Array.of(9, 0, 0, 0, 3, 1, 0, 0, 0, 5, 0, 0, 0),
      'SUBMIT declares 5 events',
    ],
    ['a zero-length frame', Uint8Array.of(0, 0, 0, 0), 'length is 0'],
    ['a server message type', Uint8Array.of(1, 0, 0, 0, 1), 'HELLO (1)'],
    ['random text', new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 'exceeds the maximum'],
  ])('drops a client sending %s, naming the problem', async (_name, bytes, problem) => {
    await start();
    const bad = await raw();
    bad.socket.write(bytes);
    await waitUntil(() => bad.closed, 'the bad client is disconnected');
    expect(bad.of(IpcMessageType.ERROR).map((m) => m.error)).toEqual([
      { code: 'PROTOCOL_ERROR', message: expect.stringContaining(problem) },
    ]);
  });

  it('rejects an oversize frame from its length field, before buffering its body', async () => {
    const server = await start();
    const bad = await raw();
    const header = new Uint8Array(5);
    new DataView(header.buffer).setUint32(0, IPC_MAX_FRAME + 1, true);
    header[4] = IpcMessageType.SUBMIT;
    bad.socket.write(header);
    await waitUntil(() => bad.closed, 'the client sending an oversize frame is disconnected');
    expect(bad.of(IpcMessageType.ERROR)[0]?.error).toEqual({
      code: 'PROTOCOL_ERROR',
      message: expect.stringContaining(`exceeds the maximum of ${IPC_MAX_FRAME}`),
    });
    expect(server.clientCount).toBe(0);
  });

  it('accepts requests split at every byte and several in one chunk', async () => {
    await start({ status: () => 'fine' });
    const client = await raw();
    const requests = [
      encodeStatusRequest(1),
      encodeSubmit(2, [{ streamId: 1, nodeId: 2, payload: Uint8Array.of(1, 2, 3) }]),
      encodeStatusRequest(3),
    ];
    const bytes = Buffer.concat(requests);
    for (let i = 0; i < bytes.length; i++) {
      client.socket.write(bytes.subarray(i, i + 1));
      await nextTurn();
    }
    client.socket.write(bytes);
    await waitUntil(() => client.messages.length === 7, 'six answers arrive after HELLO');
    expect(
      client.messages
        .slice(1)
        .map((m) => ('requestId' in m ? m.requestId : -1))
        .sort(),
    ).toEqual([1, 1, 2, 2, 3, 3]);
    expect(client.of(IpcMessageType.ERROR)).toEqual([]);
  });

  it('drops a client that never reads with SLOW_CONSUMER, keeping memory bounded and others served', async () => {
    const cap = 1024 * 1024;
    const answer = 'y'.repeat(128 * 1024);
    let maxBuffered = 0;
    const server = await start(
      {
        status: () => {
          maxBuffered = Math.max(maxBuffered, server.bufferedBytes);
          return answer;
        },
      },
      cap,
    );
    const received: PublicationState[] = [];
    await connect({ onPublication: (p) => received.push(p) });
    const slow = await raw();
    await waitUntil(
      () => slow.messages.length === 1 && server.clientCount === 2,
      'both clients are connected',
    );
    slow.socket.pause();
    for (let i = 1; i <= 40; i++) slow.socket.write(encodeStatusRequest(i));
    let published = 0;
    const deadline = Date.now() + WAIT_MS;
    while (server.clientCount > 1) {
      server.publish(state(++published));
      maxBuffered = Math.max(maxBuffered, server.bufferedBytes);
      await nextTurn();
      if (Date.now() > deadline) throw new Error('the slow client was never dropped');
    }
    // Read at once: the server gives a dropped client a few seconds to read its ERROR.
    slow.socket.resume();
    expect(maxBuffered).toBeLessThanOrEqual(cap + 1024);
    server.publish(state(published + 1));
    await waitUntil(
      () => received.at(-1)?.head === published + 1,
      'the good client keeps receiving publications',
    );
    await waitUntil(() => slow.closed, 'the slow client is disconnected');
    expect(slow.of(IpcMessageType.ERROR).map((m) => m.error.code)).toEqual(['SLOW_CONSUMER']);
    expect(slow.of(IpcMessageType.STATUS).length).toBeLessThan(40);
  });
});

describe('IPC server: socket file', () => {
  it('replaces a stale socket file left by a crashed process', async () => {
    const child = spawn(
      process.execPath,
      ['-e', "require('net').createServer().listen(process.argv[1], () => console.log('ready'))", path],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(fs.statSync(path).isSocket()).toBe(true);
    await start();
    const client = await connect();
    expect(client.hello.pid).toBe(process.pid);
  });

  it('refuses a path where another server answers, with IPC_IN_USE and how to choose another', async () => {
    await start();
    const error = await startIpcServer({ path, handlers: handlers() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IpcError);
    expect(error).toMatchObject({ code: 'IPC_IN_USE', message: expect.stringContaining('--ipc PATH') });
    expect((error as Error).message).toContain(path);
    const client = await connect();
    expect(client.hello.pid).toBe(process.pid);
  });

  it('refuses to replace a file that is not a socket', async () => {
    fs.writeFileSync(path, 'precious');
    await expect(startIpcServer({ path, handlers: handlers() })).rejects.toMatchObject({
      code: 'IPC_PATH_NOT_SOCKET',
    });
    expect(fs.readFileSync(path, 'utf8')).toBe('precious');
  });

  it('refuses a path longer than a Unix socket address holds', async () => {
    await expect(
      startIpcServer({ path: `${dir}/${'s'.repeat(120)}`, handlers: handlers() }),
    ).rejects.toMatchObject({
      code: 'IPC_PATH_TOO_LONG',
    });
  });

  it('creates the socket file readable and writable by its owner only', async () => {
    await start();
    expect(fs.statSync(path).mode & 0o777).toBe(0o600);
  });

  it('says BYE to every client on close, fails pending requests, and removes the socket file', async () => {
    const server = await start({ submit: () => new Promise<IpcSubmitResult>(() => undefined) });
    const byes: string[] = [];
    const closes: (IpcError | null)[] = [];
    const clients = await Promise.all(
      [1, 2].map(() =>
        connect({ onBye: (reason) => byes.push(reason), onClose: (error) => closes.push(error) }),
      ),
    );
    const waiting = clients[0]!
      .submit([{ streamId: 1, nodeId: 1, payload: Uint8Array.of(1) }])
      .catch((e: unknown) => e);
    const rawClient = await raw();
    await waitUntil(() => server.clientCount === 3, 'three clients are connected');
    await server.close('maintenance');
    expect(fs.existsSync(path)).toBe(false);
    await waitUntil(() => closes.length === 2 && rawClient.closed, 'every client sees the connection close');
    expect(byes).toEqual(['maintenance', 'maintenance']);
    expect(closes).toEqual([null, null]);
    expect(rawClient.of(IpcMessageType.BYE)).toEqual([{ type: IpcMessageType.BYE, reason: 'maintenance' }]);
    expect(await waiting).toMatchObject({
      code: 'IPC_CLOSED',
      message: expect.stringContaining('maintenance'),
    });
    expect(clients.every((c) => c.closed)).toBe(true);
    await expect(server.close()).resolves.toBeUndefined();
    expect(server.clientCount).toBe(0);
    await expect(connectIpc(path)).rejects.toMatchObject({ code: 'IPC_UNAVAILABLE' });
  });
});
