/**
 * The IPC server the sequencer runs on a Unix stream socket (default `/tmp/cz-io.sock`). Transport only: it
 * knows nothing about the sequencer and calls the handlers it is given. The protocol is in docs/ipc.md.
 *
 * One misbehaving client never disturbs the others: a client that sends garbage is told PROTOCOL_ERROR and
 * dropped; a client that does not read gets its publications coalesced to the newest one, and is dropped
 * with SLOW_CONSUMER once the answers queued for it pass a cap, so the server's memory stays bounded.
 *
 * @module
 */
import { chmod, lstat, rm } from 'node:fs/promises';
import net from 'node:net';
import {
  decodeClientMessage,
  encodeBye,
  encodeError,
  encodeHello,
  encodePublication,
  encodeStatus,
  encodeStreamRegistered,
  encodeSubmitAck,
  FrameReader,
  type Hello,
  IpcError,
  type IpcErrorBody,
  type IpcFrame,
  IpcMessageType,
  type IpcSubmitEvent,
  type IpcSubmitResult,
  type PublicationState,
} from './protocol.ts';

export const DEFAULT_IPC_PATH = '/tmp/cz-io.sock';
/** Default cap on output queued for one client before it is dropped with SLOW_CONSUMER. */
export const DEFAULT_MAX_CLIENT_BACKLOG = 8 * 1024 * 1024;
/**
 * Above this much queued output a client's publications wait for 'drain', keeping only the newest. It must
 * exceed Node's socket highWaterMark (16 KiB) so that a backed-up socket is sure to emit 'drain'.
 */
const PUBLICATION_BACKLOG = 64 * 1024;
/** How long a dropped client has to read its ERROR before its socket is destroyed. */
const DROP_GRACE_MS = 5_000;
/** How long `close` lets clients read their BYE before destroying their sockets. */
const CLOSE_GRACE_MS = 1_000;
/** `sun_path` holds 108 bytes on Linux, including the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 107;

/** What the server calls; the sequencer implements these. */
export interface IpcServerHandlers {
  /** The HELLO for a new connection, reflecting the publication at this moment. */
  hello(): Hello;
  /**
   * Journals submitted events; one status (and sequence) per event, in order. Payloads are views into the
   * received frame, valid for as long as they are held. Reject with an Error carrying a string `code`
   * (`SUBMIT_QUEUE_FULL`, `SEQUENCER_STOPPED`) to answer ERROR with that code.
   */
  submit(events: IpcSubmitEvent[]): Promise<IpcSubmitResult>;
  /** Registers (or finds) a stream by name and returns its id; throw an Error with a `code` to refuse. */
  registerStream(name: string): number | Promise<number>;
  /** Anything JSON can carry (bigints become decimal strings); may return a promise. */
  status(): unknown;
}

export interface IpcServerOptions {
  /** Socket path. A stale socket file there is replaced; a live one fails with `IPC_IN_USE`. */
  path: string;
  handlers: IpcServerHandlers;
  /** Output queued for one client beyond which it is dropped with SLOW_CONSUMER. Default 8 MiB. */
  maxClientBacklogBytes?: number;
}

export interface IpcServer {
  readonly path: string;
  /** Connected clients, not counting ones being dropped. */
  readonly clientCount: number;
  /** Output queued in this process for all clients, not yet taken by the kernel. */
  readonly bufferedBytes: number;
  /**
   * Records the newest publication and sends it to every client on the next turn of the event loop; states
   * published meanwhile, or while a client is backed up, are coalesced to the newest.
   * @throws RangeError when a field does not fit its wire type.
   */
  publish(state: PublicationState): void;
  /** Sends BYE to every client, stops listening and removes the socket file. Idempotent. */
  close(reason?: string): Promise<void>;
}

interface Client {
  readonly socket: net.Socket;
  readonly reader: FrameReader;
  /** False once the client is being dropped or the server closes: nothing more is read or sent. */
  live: boolean;
  /** A publication is owed: the newest state is sent when the socket is no longer backed up. */
  publicationDue: boolean;
}

function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function errorBody(error: unknown): IpcErrorBody {
  const message = error instanceof Error ? error.message : String(error);
  return { code: errnoCode(error) ?? 'INTERNAL_ERROR', message };
}

function inUse(path: string): IpcError {
  return new IpcError(
    'IPC_IN_USE',
    `another sequencer is already listening on ${path}; stop it, or choose another socket with --ipc PATH`,
  );
}

/** Resolves true when something accepts connections on `path`. */
function somethingListens(path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (error) => {
      const code = errnoCode(error);
      if (code === 'ECONNREFUSED' || code === 'ENOENT') resolve(false);
      // EAGAIN: a live listener whose accept backlog is full.
      else if (code === 'EAGAIN') resolve(true);
      else
        reject(new IpcError('IPC_PATH_UNUSABLE', `cannot check ${path}: ${error.message}`, { cause: error }));
    });
  });
}

/** Removes a socket file nobody listens on (left by a crashed sequencer); fails if someone does. */
async function clearStaleSocket(path: string): Promise<void> {
  let stats;
  try {
    stats = await lstat(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return;
    throw error;
  }
  if (!stats.isSocket()) {
    throw new IpcError(
      'IPC_PATH_NOT_SOCKET',
      `${path} exists and is not a socket; refusing to replace it (choose another socket with --ipc PATH)`,
    );
  }
  if (await somethingListens(path)) throw inUse(path);
  await rm(path, { force: true });
}

function listen(server: net.Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening);
      // Another server bound the path between our stale check and listen.
      reject(errnoCode(error) === 'EADDRINUSE' ? inUse(path) : error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(path);
  });
}

/**
 * Starts the IPC server on `options.path`.
 * @throws IpcError `IPC_IN_USE` when another server answers on the path, `IPC_PATH_NOT_SOCKET` when the
 * path is some other kind of file, `IPC_PATH_TOO_LONG` beyond 107 bytes.
 * @example
 * const server = await startIpcServer({ path: '/tmp/cz-io.sock', handlers });
 * server.publish({ head, tail, clock, publishedMs });
 * await server.close('stopping');
 */
export async function startIpcServer(options: IpcServerOptions): Promise<IpcServer> {
  const { path, handlers } = options;
  const maxBacklog = options.maxClientBacklogBytes ?? DEFAULT_MAX_CLIENT_BACKLOG;
  if (!Number.isSafeInteger(maxBacklog) || maxBacklog < PUBLICATION_BACKLOG) {
    throw new RangeError(
      `maxClientBacklogBytes must be an integer ≥ ${PUBLICATION_BACKLOG}, got ${maxBacklog}`,
    );
  }
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new IpcError(
      'IPC_PATH_TOO_LONG',
      `socket path ${path} is ${Buffer.byteLength(path)} bytes; Unix sockets allow at most ${MAX_SOCKET_PATH_BYTES}`,
    );
  }
  await clearStaleSocket(path);

  const clients = new Set<Client>();
  /** Every open socket, including clients being dropped, so `close` can end them all. */
  const sockets = new Set<net.Socket>();
  let publicationFrame: Uint8Array | null = null;
  let flushScheduled = false;
  let closing: Promise<void> | null = null;

  function send(client: Client, frame: Uint8Array): void {
    if (!client.live || client.socket.destroyed) return;
    const queued = client.socket.writableLength;
    // An answer larger than the cap still goes to a client that has read everything before it.
    if (queued > 0 && queued + frame.length > maxBacklog) {
      drop(
        client,
        'SLOW_CONSUMER',
        `more than ${maxBacklog} bytes of output are waiting for this client to read`,
      );
      return;
    }
    client.socket.write(frame);
  }

  /** Tells the client why, then lets it go; its socket is destroyed once the ERROR is flushed, or after a grace. */
  function drop(client: Client, code: string, message: string): void {
    if (!client.live) return;
    client.live = false;
    clients.delete(client);
    const { socket } = client;
    const timer = setTimeout(() => socket.destroy(), DROP_GRACE_MS).unref();
    socket.once('close', () => clearTimeout(timer));
    socket.end(encodeError(0, { code, message }), () => socket.destroy());
  }

  function sendPublication(client: Client): void {
    if (!client.publicationDue || publicationFrame === null) return;
    if (client.socket.writableLength > PUBLICATION_BACKLOG) return; // 'drain' will call again
    client.publicationDue = false;
    send(client, publicationFrame);
  }

  function flushPublications(): void {
    flushScheduled = false;
    for (const client of clients) sendPublication(client);
  }

  /** Calls a handler and sends what `encode` makes of its result, or ERROR with the handler's code. */
  function answer<T>(
    client: Client,
    requestId: number,
    call: () => T | Promise<T>,
    encode: (value: T) => Uint8Array,
  ): void {
    new Promise<T>((resolve) => resolve(call())).then(encode).then(
      (frame) => send(client, frame),
      (error: unknown) => send(client, encodeError(requestId, errorBody(error))),
    );
  }

  function handleFrame(client: Client, frame: IpcFrame): void {
    const decoded = decodeClientMessage(frame);
    if (!decoded.ok) {
      drop(client, 'PROTOCOL_ERROR', decoded.error.message);
      return;
    }
    const message = decoded.message;
    switch (message.type) {
      case IpcMessageType.SUBMIT:
        answer(
          client,
          message.requestId,
          () => handlers.submit(message.events),
          (result) => {
            if (result.statuses.length !== message.events.length) {
              throw new Error(
                `submit handler answered ${result.statuses.length} statuses for ${message.events.length} events`,
              );
            }
            return encodeSubmitAck(message.requestId, result);
          },
        );
        return;
      case IpcMessageType.REGISTER_STREAM:
        answer(
          client,
          message.requestId,
          () => handlers.registerStream(message.name),
          (id) => encodeStreamRegistered(message.requestId, { id, name: message.name }),
        );
        return;
      case IpcMessageType.STATUS_REQUEST:
        answer(
          client,
          message.requestId,
          () => handlers.status(),
          (status) => encodeStatus(message.requestId, status),
        );
        return;
    }
  }

  function onConnection(socket: net.Socket): void {
    sockets.add(socket);
    // Errors (EPIPE, ECONNRESET) always end in 'close', where the client is forgotten.
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
    if (closing) {
      socket.destroy();
      return;
    }
    const client: Client = { socket, reader: new FrameReader(), live: true, publicationDue: false };
    clients.add(client);
    socket.once('close', () => {
      client.live = false;
      clients.delete(client);
    });
    socket.on('drain', () => sendPublication(client));
    socket.on('data', (chunk: Buffer) => {
      // A dropped client's bytes are still read, and discarded, so its writes never block or reset.
      if (!client.live) return;
      const result = client.reader.push(chunk);
      for (const frame of result.frames) {
        if (!client.live) return;
        handleFrame(client, frame);
      }
      if (!result.ok) drop(client, 'PROTOCOL_ERROR', result.error.message);
    });
    let hello: Uint8Array;
    try {
      hello = encodeHello(handlers.hello());
    } catch (error) {
      drop(client, 'INTERNAL_ERROR', `the server could not say HELLO: ${errorBody(error).message}`);
      return;
    }
    send(client, hello);
  }

  const server = net.createServer(onConnection);
  await listen(server, path);
  await chmod(path, 0o600);
  const { ino } = await lstat(path);

  async function close(reason: string): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const bye = encodeBye(reason);
    for (const client of clients) {
      client.live = false;
      // The final state goes out even to a backed-up client: it is 37 bytes, and observers want the head
      // the sequencer stopped at.
      if (client.publicationDue && publicationFrame !== null) client.socket.write(publicationFrame);
      client.socket.end(bye);
    }
    clients.clear();
    const timer = setTimeout(() => {
      for (const socket of sockets) socket.destroy();
    }, CLOSE_GRACE_MS);
    await closed;
    clearTimeout(timer);
    // libuv unlinks the path when the server closes; this covers runtimes that do not, and leaves alone a
    // socket another server may have bound there since.
    const now = await lstat(path).catch(() => null);
    if (now?.ino === ino) await rm(path, { force: true });
  }

  return {
    path,
    get clientCount() {
      return clients.size;
    },
    get bufferedBytes() {
      let total = 0;
      for (const socket of sockets) total += socket.writableLength;
      return total;
    },
    publish(state) {
      publicationFrame = encodePublication(state);
      if (closing) return;
      for (const client of clients) client.publicationDue = true;
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flushPublications);
      }
    },
    close(reason = 'the sequencer is shutting down') {
      closing ??= close(reason);
      return closing;
    },
  };
}
