/**
 * One `/ws` connection: its principal, its subscriptions, and the only way anything is sent to it — `sendText`,
 * which refuses to queue more once `maxBufferedBytes` wait in the hub for this socket and drops the client with
 * 4408 instead, so one slow reader never holds memory or time that other clients need.
 *
 * @module
 */
import type { WebSocket } from 'ws';
import type { Principal } from '../auth/service.ts';
import type { EventsSubscription } from './live-events.ts';
import { CloseCode, type PayloadMode, type ServerMessage, WS_LIMITS } from './schema.ts';

/** After closing a slow client, how long its close frame may wait behind the backlog before the socket is cut. */
const SLOW_CLOSE_GRACE_MS = 10_000;
const MAX_REASON_BYTES = 123;

/** Cuts a close reason to the 123 bytes a close frame allows, on a character boundary. */
export function closeReason(text: string): string {
  if (Buffer.byteLength(text) <= MAX_REASON_BYTES) return text;
  let out = text.slice(0, MAX_REASON_BYTES);
  while (Buffer.byteLength(`${out}…`) > MAX_REASON_BYTES) out = out.slice(0, -1);
  return `${out}…`;
}

export class WsClient {
  readonly id: number;
  readonly remote: string;
  readonly socket: WebSocket;
  principal: Principal | null = null;
  metricsIntervalMs: number | null = null;
  events: { subscription: EventsSubscription; unsubscribe: () => void } | null = null;
  playback: PayloadMode | null = null;
  /** Answered the last heartbeat ping. */
  alive = true;
  authTimer: NodeJS.Timeout | null = null;
  #closed = false;
  readonly #onClose: (client: WsClient, code: number) => void;

  constructor(
    id: number,
    remote: string,
    socket: WebSocket,
    onClose: (client: WsClient, code: number) => void,
  ) {
    this.id = id;
    this.remote = remote;
    this.socket = socket;
    this.#onClose = onClose;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends one message; false when the client is gone or has just been dropped for falling behind. */
  sendText(text: string): boolean {
    if (this.#closed || this.socket.readyState !== this.socket.OPEN) return false;
    if (this.socket.bufferedAmount > WS_LIMITS.maxBufferedBytes) {
      this.close(
        CloseCode.SLOW_CONSUMER,
        `SLOW_CONSUMER: over ${WS_LIMITS.maxBufferedBytes} bytes waited for this client to read`,
      );
      return false;
    }
    this.socket.send(text);
    return true;
  }

  send(message: ServerMessage): boolean {
    return this.sendText(JSON.stringify(message));
  }

  /** Closes with a code and reason (cut to fit); the server forgets the client at once. */
  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.socket.close(code, closeReason(reason));
    if (code === CloseCode.SLOW_CONSUMER) {
      // The close frame queues behind everything the client has not read; do not hold that for ws's 30 s.
      setTimeout(() => this.socket.terminate(), SLOW_CLOSE_GRACE_MS).unref();
    }
    this.#onClose(this, code);
  }

  /** The socket closed from the other side (or was terminated). */
  closedByPeer(code: number): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose(this, code);
  }
}
