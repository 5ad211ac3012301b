/**
 * The IPC client observers (the hub, tests) use to talk to a running sequencer over its Unix socket: the
 * HELLO, a stream of publications, and request/answer calls matched by request id. The protocol is in
 * docs/ipc.md.
 *
 * @module
 */
import net from 'node:net';
import {
  decodeServerMessage,
  describeMessageType,
  encodeRegisterStream,
  encodeStatusRequest,
  encodeSubmit,
  FrameReader,
  type Hello,
  IpcError,
  IpcMessageType,
  type IpcServerMessage,
  type IpcSubmitEventInput,
  type IpcSubmitResult,
  type PublicationState,
} from './protocol.ts';

/** How long `connectIpc` waits for the connection and the HELLO, by default. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** How long `close` waits for the server to close its side before destroying the socket. */
const CLOSE_GRACE_MS = 1_000;

export interface IpcClientOptions {
  /** Each PUBLICATION, in order. Publications are coalesced by the server: some states are skipped. */
  onPublication?: (state: PublicationState) => void;
  /** The server said BYE (it is shutting down); the connection closes next. */
  onBye?: (reason: string) => void;
  /**
   * The connection closed. `error` says why when it was not `close()` or a BYE: the ERROR the server sent
   * before dropping this client (`SLOW_CONSUMER`, `PROTOCOL_ERROR`), or `IPC_CLOSED` for a lost connection.
   */
  onClose?: (error: IpcError | null) => void;
  /** Time allowed for connecting and receiving HELLO. Default 5000 ms. */
  timeoutMs?: number;
}

export interface IpcClient {
  readonly path: string;
  /** What the server said on connect. */
  readonly hello: Hello;
  readonly closed: boolean;
  /**
   * Submits events for journaling; resolves with one status (and sequence) per event.
   * @throws (rejects) IpcError with the server's code (`SUBMIT_QUEUE_FULL`, `SEQUENCER_STOPPED`, ...), or
   * `IPC_CLOSED`; RangeError when an event does not fit the wire format.
   */
  submit(events: readonly IpcSubmitEventInput[]): Promise<IpcSubmitResult>;
  /** Registers (or finds) a stream by name; resolves with its id. */
  registerStream(name: string): Promise<number>;
  /** The sequencer's status object (counters etc.), as JSON. */
  status(): Promise<unknown>;
  /** Closes the connection; requests still waiting reject with `IPC_CLOSED`. */
  close(): Promise<void>;
}

type AnswerType = Exclude<
  IpcServerMessage['type'],
  typeof IpcMessageType.HELLO | typeof IpcMessageType.PUBLICATION
>;

interface Pending {
  expects: AnswerType;
  resolve: (message: IpcServerMessage) => void;
  reject: (error: Error) => void;
}

function unavailable(path: string, error: Error): IpcError {
  const code = (error as { code?: unknown }).code;
  const why =
    code === 'ENOENT'
      ? 'no socket there; is the sequencer running (`cz start`), and is this its --ipc path?'
      : code === 'ECONNREFUSED'
        ? 'nothing listens there (a stale socket file); is the sequencer running?'
        : code === 'EACCES'
          ? 'permission denied; the socket belongs to another user'
          : error.message;
  return new IpcError('IPC_UNAVAILABLE', `cannot connect to the sequencer at ${path}: ${why}`, {
    cause: error,
  });
}

/**
 * Connects to the IPC server at `path` and resolves once its HELLO has arrived.
 * @throws (rejects) IpcError `IPC_UNAVAILABLE` naming the path when nothing answers or no HELLO comes.
 * @example
 * const client = await connectIpc('/tmp/cz-io.sock', { onPublication: (p) => console.log(p.head) });
 * const { sequences } = await client.submit([{ streamId: 1, nodeId: 7, payload }]);
 */
export function connectIpc(path: string, options: IpcClientOptions = {}): Promise<IpcClient> {
  const { onPublication, onBye, onClose, timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS } = options;
  return new Promise((resolveConnect, rejectConnect) => {
    const socket = net.connect(path);
    const reader = new FrameReader();
    const pending = new Map<number, Pending>();
    let hello: Hello | null = null;
    let nextRequestId = 1;
    let closed = false;
    let closedByUs = false;
    let byeReason: string | null = null;
    /** Why the connection ended, when it ended badly. */
    let closeError: IpcError | null = null;

    const connectTimer = setTimeout(() => {
      closeError = new IpcError(
        'IPC_UNAVAILABLE',
        `no HELLO from the sequencer at ${path} within ${timeoutMs} ms`,
      );
      socket.destroy();
    }, timeoutMs);

    /** The server broke the protocol: nothing it says afterwards can be trusted. */
    function abort(message: string): void {
      closeError ??= new IpcError('PROTOCOL_ERROR', `the sequencer at ${path} ${message}`);
      socket.destroy();
    }

    function handle(message: IpcServerMessage): void {
      if (hello === null) {
        if (message.type === IpcMessageType.HELLO) {
          hello = message.hello;
          clearTimeout(connectTimer);
          resolveConnect(client);
        } else if (message.type === IpcMessageType.ERROR) {
          closeError = new IpcError(message.error.code, message.error.message);
        } else {
          abort(`sent ${describeMessageType(message.type)} before HELLO`);
        }
        return;
      }
      switch (message.type) {
        case IpcMessageType.HELLO:
          abort('sent a second HELLO');
          return;
        case IpcMessageType.PUBLICATION:
          onPublication?.(message.publication);
          return;
        case IpcMessageType.BYE:
          byeReason = message.reason;
          onBye?.(message.reason);
          return;
        default: {
          if (message.type === IpcMessageType.ERROR && message.requestId === 0) {
            closeError = new IpcError(message.error.code, message.error.message);
            return;
          }
          const request = pending.get(message.requestId);
          if (request === undefined) {
            abort(`answered request ${message.requestId}, which is not waiting`);
            return;
          }
          pending.delete(message.requestId);
          if (message.type === IpcMessageType.ERROR) {
            request.reject(new IpcError(message.error.code, message.error.message));
          } else if (message.type !== request.expects) {
            request.reject(
              new IpcError('PROTOCOL_ERROR', `expected ${describeMessageType(request.expects)}`),
            );
            abort(`answered request ${message.requestId} with ${describeMessageType(message.type)}`);
          } else {
            request.resolve(message);
          }
        }
      }
    }

    socket.on('data', (chunk: Buffer) => {
      const result = reader.push(chunk);
      for (const frame of result.frames) {
        if (socket.destroyed) return;
        const decoded = decodeServerMessage(frame);
        if (!decoded.ok) {
          abort(`sent a malformed message: ${decoded.error.message}`);
          return;
        }
        handle(decoded.message);
      }
      if (!result.ok) abort(`sent a malformed frame: ${result.error.message}`);
    });

    socket.on('error', (error) => {
      closeError ??= hello === null ? unavailable(path, error) : new IpcError('IPC_CLOSED', error.message);
    });

    socket.on('close', () => {
      closed = true;
      clearTimeout(connectTimer);
      if (hello === null) {
        if (closeError?.code === 'IPC_UNAVAILABLE') rejectConnect(closeError);
        else {
          const why = closeError?.message ?? 'it closed the connection before saying HELLO';
          rejectConnect(
            new IpcError('IPC_UNAVAILABLE', `cannot use the sequencer at ${path}: ${why}`, {
              cause: closeError,
            }),
          );
        }
        return;
      }
      const orderly = closedByUs || byeReason !== null;
      if (!orderly) {
        closeError ??= new IpcError(
          'IPC_CLOSED',
          `the sequencer at ${path} closed the connection without BYE`,
        );
      }
      const why = closedByUs
        ? 'the client closed the connection'
        : byeReason !== null
          ? `the sequencer said BYE (${byeReason})`
          : `${closeError!.code}: ${closeError!.message}`;
      for (const request of pending.values()) {
        request.reject(new IpcError('IPC_CLOSED', `${why} before answering`, { cause: closeError }));
      }
      pending.clear();
      onClose?.(orderly ? null : closeError);
    });

    function request<T extends AnswerType, R>(
      encode: (requestId: number) => Uint8Array,
      expects: T,
      pick: (message: Extract<IpcServerMessage, { type: T }>) => R,
    ): Promise<R> {
      if (closed || closedByUs) {
        return Promise.reject(new IpcError('IPC_CLOSED', `the connection to ${path} is closed`));
      }
      while (nextRequestId === 0 || pending.has(nextRequestId)) nextRequestId = (nextRequestId + 1) >>> 0;
      const requestId = nextRequestId;
      nextRequestId = (nextRequestId + 1) >>> 0;
      let frame: Uint8Array;
      try {
        frame = encode(requestId);
      } catch (error) {
        return Promise.reject(error as Error);
      }
      return new Promise<R>((resolve, reject) => {
        pending.set(requestId, {
          expects,
          resolve: (message) => resolve(pick(message as Extract<IpcServerMessage, { type: T }>)),
          reject,
        });
        socket.write(frame);
      });
    }

    const client: IpcClient = {
      path,
      get hello() {
        return hello!;
      },
      get closed() {
        return closed;
      },
      submit: (events) =>
        request(
          (id) => encodeSubmit(id, events),
          IpcMessageType.SUBMIT_ACK,
          (m) => m.result,
        ),
      registerStream: (name) =>
        request(
          (id) => encodeRegisterStream(id, name),
          IpcMessageType.STREAM_REGISTERED,
          (m) => m.id,
        ),
      status: () =>
        request(
          (id) => encodeStatusRequest(id),
          IpcMessageType.STATUS,
          (m) => m.status,
        ),
      close() {
        if (closed) return Promise.resolve();
        closedByUs = true;
        return new Promise<void>((resolve) => {
          socket.once('close', () => resolve());
          // Half-close so the server sees a clean end; destroy if it does not close its side in time.
          socket.end();
          setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
        });
      },
    };
  });
}
