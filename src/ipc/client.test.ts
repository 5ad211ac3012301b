import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectIpc, type IpcClient } from './client.ts';
import {
  encodeError,
  encodeHello,
  encodePublication,
  encodeStatus,
  FrameReader,
  type Hello,
  IpcError,
  type IpcFrame,
  IpcMessageType,
} from './protocol.ts';

const hello: Hello = {
  protocol: 1,
  pid: 1234,
  journal: { path: '/tmp/journal.db', slotCount: 1024, blobSize: 65_536, maxPayload: 16_384 },
  backend: 'recvmmsg',
  listeners: [],
  streams: [],
  publication: { head: 0, tail: 0, clock: '0', publishedMs: 0 },
};

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

/**
 * A hand-written server for testing the client against behaviour the real server never shows: `onConnect`
 * writes whatever it likes; `onFrame` sees each frame the client sends, with the socket to answer on.
 */
async function fakeServer(
  onConnect: (socket: net.Socket) => void,
  onFrame: (frame: IpcFrame, socket: net.Socket) => void = () => undefined,
): Promise<net.Server> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    const reader = new FrameReader();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of reader.push(chunk).frames) onFrame(frame, socket);
    });
    onConnect(socket);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return server;
}

async function connect(options: Parameters<typeof connectIpc>[1] = {}): Promise<IpcClient> {
  const client = await connectIpc(path, options);
  cleanups.push(() => client.close());
  return client;
}

function closedWith(): { promise: Promise<IpcError | null>; onClose: (error: IpcError | null) => void } {
  let onClose!: (error: IpcError | null) => void;
  const promise = new Promise<IpcError | null>((resolve) => (onClose = resolve));
  return { promise, onClose };
}

describe('IPC client: connecting', () => {
  it('rejects with IPC_UNAVAILABLE naming the path when no socket exists', async () => {
    const error = await connectIpc(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IpcError);
    expect(error).toMatchObject({ code: 'IPC_UNAVAILABLE', message: expect.stringContaining(path) });
    expect((error as Error).message).toContain('is the sequencer running');
  });

  it('rejects with IPC_UNAVAILABLE when nothing listens on the socket file', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    fs.linkSync(path, `${path}.stale`); // a second name for the socket survives the server closing
    await new Promise((resolve) => server.close(resolve));
    await expect(connectIpc(`${path}.stale`)).rejects.toMatchObject({
      code: 'IPC_UNAVAILABLE',
      message: expect.stringContaining('nothing listens there'),
    });
  });

  it('rejects with IPC_UNAVAILABLE when the server never says HELLO', async () => {
    await fakeServer(() => undefined);
    await expect(connectIpc(path, { timeoutMs: 200 })).rejects.toMatchObject({
      code: 'IPC_UNAVAILABLE',
      message: expect.stringContaining('no HELLO'),
    });
  });

  it('rejects with IPC_UNAVAILABLE carrying the reason when the server refuses with an ERROR', async () => {
    await fakeServer((socket) =>
      socket.end(encodeError(0, { code: 'INTERNAL_ERROR', message: 'hello failed' })),
    );
    await expect(connectIpc(path)).rejects.toMatchObject({
      code: 'IPC_UNAVAILABLE',
      message: expect.stringContaining('hello failed'),
    });
  });

  it('rejects a server that speaks something else', async () => {
    await fakeServer((socket) => socket.write('SSH-2.0-OpenSSH_9.6\r\n'));
    await expect(connectIpc(path)).rejects.toMatchObject({ code: 'IPC_UNAVAILABLE' });
  });
});

describe('IPC client: a connection that goes wrong', () => {
  it('rejects pending requests with IPC_CLOSED when the connection drops, and reports it', async () => {
    await fakeServer(
      (socket) => socket.write(encodeHello(hello)),
      (_frame, socket) => socket.destroy(),
    );
    const closed = closedWith();
    const client = await connect({ onClose: closed.onClose });
    const error = await client.status().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'IPC_CLOSED' });
    expect(await closed.promise).toMatchObject({ code: 'IPC_CLOSED' });
    expect(client.closed).toBe(true);
    await expect(client.submit([])).rejects.toMatchObject({ code: 'IPC_CLOSED' });
  });

  it('passes on the ERROR a server sends before dropping the client', async () => {
    await fakeServer(
      (socket) => socket.write(encodeHello(hello)),
      (_frame, socket) => socket.end(encodeError(0, { code: 'SLOW_CONSUMER', message: 'read faster' })),
    );
    const closed = closedWith();
    const client = await connect({ onClose: closed.onClose });
    const error = await client.status().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'IPC_CLOSED', message: expect.stringContaining('SLOW_CONSUMER') });
    expect(await closed.promise).toMatchObject({ code: 'SLOW_CONSUMER', message: 'read faster' });
  });

  it('closes with PROTOCOL_ERROR when the server answers a request nobody made', async () => {
    await fakeServer((socket) => socket.write(Buffer.concat([encodeHello(hello), encodeStatus(99, {})])));
    const closed = closedWith();
    await connect({ onClose: closed.onClose });
    expect(await closed.promise).toMatchObject({
      code: 'PROTOCOL_ERROR',
      message: expect.stringContaining('request 99'),
    });
  });

  it('closes with PROTOCOL_ERROR when the server sends a malformed frame', async () => {
    await fakeServer((socket) =>
      socket.write(Buffer.concat([encodeHello(hello), Buffer.from([1, 0, 0, 0, 2])])),
    );
    const closed = closedWith();
    await connect({ onClose: closed.onClose });
    expect(await closed.promise).toMatchObject({
      code: 'PROTOCOL_ERROR',
      message: expect.stringContaining('PUBLICATION'),
    });
  });
});

describe('IPC client: requests and publications', () => {
  it('delivers publications that arrive in the same chunk as HELLO', async () => {
    const state = { head: 3, tail: 1, clock: 77n, publishedMs: 5 };
    await fakeServer((socket) => socket.write(Buffer.concat([encodeHello(hello), encodePublication(state)])));
    const received: unknown[] = [];
    const client = await connect({ onPublication: (p) => received.push(p) });
    expect(client.hello).toEqual(hello);
    await expect.poll(() => received, { timeout: 10_000 }).toEqual([state]);
  });

  it('rejects events that do not fit the wire format with a RangeError, without sending anything', async () => {
    const frames: IpcFrame[] = [];
    await fakeServer(
      (socket) => socket.write(encodeHello(hello)),
      (frame, socket) => {
        frames.push(frame);
        const requestId = new DataView(frame.body.buffer, frame.body.byteOffset).getUint32(0, true);
        socket.write(encodeStatus(requestId, 'answered'));
      },
    );
    const client = await connect();
    await expect(
      client.submit([{ streamId: 70_000, nodeId: 1, payload: new Uint8Array(0) }]),
    ).rejects.toThrow(RangeError);
    expect(await client.status()).toBe('answered');
    expect(frames.map((f) => f.type)).toEqual([IpcMessageType.STATUS_REQUEST]);
  });

  it('resolves close() once the connection is closed, with onClose(null)', async () => {
    await fakeServer((socket) => socket.write(encodeHello(hello)));
    const closed = closedWith();
    const client = await connect({ onClose: closed.onClose });
    await client.close();
    expect(client.closed).toBe(true);
    expect(await closed.promise).toBeNull();
    await expect(client.status()).rejects.toMatchObject({ code: 'IPC_CLOSED' });
  });
});
