/**
 * `HubSocket`: the control center's one connection to the hub's `/ws` (docs/api.md, "WebSocket"), outside
 * React. It authenticates with the first message (never a key in the URL), reconnects with exponential
 * backoff and jitter, resubscribes after every reconnect, validates every message with the hub's own schema
 * (src/hub/ws/schema.ts) and shares one subscription per topic among any number of listeners:
 *
 * - metrics: every listener gets every snapshot, at the shortest interval any of them asked for;
 * - events: the hub allows one stream per connection, so the most recent subscriber's request is the one in
 *   effect (a page that follows a stream should be the only one doing so);
 * - playback: every listener gets every frame and state change.
 *
 * States: `connecting` (socket opening or waiting for `authenticated`), `open`, `closed` (waiting to retry, or
 * stopped), `unauthorized` (no key, or the hub refused it with 4401/4403: no retry until `reconnect()`).
 *
 * @module
 */
import type { z } from 'zod';
import {
  type AuthenticatedMessage,
  CloseCode,
  type ClientMessage,
  type EventsMessage,
  type MetricsMessage,
  type PlaybackMessage,
  type ServerMessage,
  serverMessage,
  type SubscribeEvents,
  type SubscribedMessage,
  type PayloadMode,
} from '../../../src/hub/ws/schema.ts';

export type ConnectionState = 'connecting' | 'open' | 'closed' | 'unauthorized';

export interface SocketStatus {
  state: ConnectionState;
  /** Failed attempts since the last authenticated connection. */
  attempt: number;
  /** When the next attempt starts (epoch ms), while `closed` and retrying; else null. */
  retryAt: number | null;
  /** How the last connection ended. */
  lastClose: { code: number; reason: string; at: number } | null;
  /** The key as the hub knows it (id, name, scopes), once authenticated. */
  identity: AuthenticatedMessage['key'] | null;
  /** The last `error` message of the hub, or a message that failed the schema. */
  lastError: { code: string; message: string; at: number } | null;
}

export interface BackoffOptions {
  /** First retry delay, ms (default 500). */
  initialMs: number;
  /** Longest delay, ms (default 30 000). */
  maxMs: number;
  /** Growth per failed attempt (default 2). */
  factor: number;
  /** ± this fraction of randomness, so that many tabs do not reconnect in lockstep (default 0.2). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.2 };

/** Delay before retry number `attempt` (0-based): initial × factor^attempt, capped, with jitter. */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const base = Math.min(options.maxMs, options.initialMs * options.factor ** attempt);
  const spread = base * options.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(Math.min(options.maxMs, base + spread)));
}

type WebSocketLike = Pick<
  WebSocket,
  'readyState' | 'send' | 'close' | 'addEventListener' | 'removeEventListener'
>;
export type WebSocketFactory = (url: string) => WebSocketLike;

export interface HubSocketOptions {
  /** `ws://127.0.0.1:3000/ws`. */
  url: string;
  /** The key to authenticate with; null: do not connect (state `unauthorized`). */
  getKey: () => string | null;
  /** The hub refused the key (4401) or its scope (4403); `reason` is the hub's explanation. */
  onUnauthorized?: (reason: string, code: number) => void;
  backoff?: Partial<BackoffOptions>;
  /** How the socket is made (tests, or another WebSocket implementation); default `new WebSocket(url)`. */
  createSocket?: WebSocketFactory;
  /** No message for this long on an open connection: send a ping; twice as long: drop and reconnect. */
  idleMs?: number;
}

export type EventsRequest = Omit<SubscribeEvents, 'type' | 'topic'>;
type SubscribedEvents = Extract<SubscribedMessage, { topic: 'events' }>;
type SubscribedPlayback = Extract<SubscribedMessage, { topic: 'playback' }>;

interface EventsSubscriber {
  request: EventsRequest;
  listener: (message: EventsMessage | SubscribedEvents) => void;
}

interface PlaybackSubscriber {
  payload: PayloadMode | undefined;
  listener: (message: PlaybackMessage | SubscribedPlayback) => void;
}

const OPEN = 1;

/**
 * The union's own issue only says that no member matched; the member whose `type` (and `topic`) the message
 * does match knows which field is wrong.
 */
function closestIssue(message: unknown): z.core.$ZodIssue | undefined {
  for (const member of serverMessage.options) {
    const result = member.safeParse(message);
    if (result.success) continue;
    const issues = result.error.issues;
    if (!issues.some((i) => i.path[0] === 'type' || i.path[0] === 'topic' || i.path.length === 0))
      return issues[0];
  }
  return undefined;
}

export class HubSocket {
  readonly #options: HubSocketOptions;
  readonly #backoff: BackoffOptions;
  #status: SocketStatus = {
    state: 'closed',
    attempt: 0,
    retryAt: null,
    lastClose: null,
    identity: null,
    lastError: null,
  };
  #socket: WebSocketLike | null = null;
  #running = false;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #idleTimer: ReturnType<typeof setInterval> | null = null;
  #lastMessageAt = 0;
  readonly #statusListeners = new Set<(status: SocketStatus) => void>();
  readonly #messageListeners = new Set<(message: ServerMessage) => void>();
  readonly #metrics = new Map<object, { intervalMs: number; listener: (m: MetricsMessage) => void }>();
  #metricsInterval: number | null = null;
  readonly #events: EventsSubscriber[] = [];
  #eventsSent: string | null = null;
  readonly #playback = new Set<PlaybackSubscriber>();
  #playbackSent: string | null = null;

  constructor(options: HubSocketOptions) {
    this.#options = options;
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  }

  get status(): SocketStatus {
    return this.#status;
  }

  /** Connects (if not already) and keeps reconnecting until `stop()`. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#connect();
  }

  /** Closes the connection and stops retrying. */
  stop(): void {
    this.#running = false;
    this.#clearRetry();
    this.#dropSocket(1000, 'client stopped');
    this.#setStatus({ state: 'closed', retryAt: null });
  }

  /** Connects again at once with the current key (after a login, or from a "retry now" button). */
  reconnect(): void {
    this.#running = true;
    this.#clearRetry();
    this.#dropSocket(1000, 'reconnecting');
    this.#setStatus({ attempt: 0 });
    this.#connect();
  }

  onStatus(listener: (status: SocketStatus) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  /** Every validated message, whatever its topic. */
  onMessage(listener: (message: ServerMessage) => void): () => void {
    this.#messageListeners.add(listener);
    return () => this.#messageListeners.delete(listener);
  }

  /** Metric snapshots every `intervalMs` (100..60000; the shortest among subscribers applies). */
  subscribeMetrics(intervalMs: number, listener: (message: MetricsMessage) => void): () => void {
    const token = {};
    this.#metrics.set(token, { intervalMs, listener });
    this.#syncMetrics();
    return () => {
      this.#metrics.delete(token);
      this.#syncMetrics();
    };
  }

  /** Live events of one stream; the newest subscriber's request is the one in effect. */
  subscribeEvents(
    request: EventsRequest,
    listener: (message: EventsMessage | SubscribedEvents) => void,
  ): () => void {
    const subscriber: EventsSubscriber = { request, listener };
    this.#events.push(subscriber);
    this.#syncEvents();
    return () => {
      const index = this.#events.indexOf(subscriber);
      if (index >= 0) this.#events.splice(index, 1);
      this.#syncEvents();
    };
  }

  /** Playback frames and state changes of the hub's shared playback cursor. */
  subscribePlayback(
    payload: PayloadMode | undefined,
    listener: (message: PlaybackMessage | SubscribedPlayback) => void,
  ): () => void {
    const subscriber: PlaybackSubscriber = { payload, listener };
    this.#playback.add(subscriber);
    this.#syncPlayback();
    return () => {
      this.#playback.delete(subscriber);
      this.#syncPlayback();
    };
  }

  // ── connection ────────────────────────────────────────────────────────────────────────────────────

  #connect(): void {
    if (!this.#running) return;
    const key = this.#options.getKey();
    if (key === null) {
      this.#setStatus({ state: 'unauthorized', retryAt: null, identity: null });
      return;
    }
    this.#setStatus({ state: 'connecting', retryAt: null, identity: null });
    let socket: WebSocketLike;
    try {
      socket = (this.#options.createSocket ?? ((url) => new WebSocket(url)))(this.#options.url);
    } catch (error) {
      this.#closed(1006, error instanceof Error ? error.message : String(error));
      return;
    }
    this.#socket = socket;
    this.#metricsInterval = null;
    this.#eventsSent = null;
    this.#playbackSent = null;
    const onOpen = () => {
      this.#lastMessageAt = Date.now();
      socket.send(JSON.stringify({ type: 'auth', key } satisfies ClientMessage));
    };
    const onMessage = (event: MessageEvent) => this.#receive(event.data);
    const onClose = (event: CloseEvent) => {
      if (this.#socket !== socket) return;
      this.#closed(event.code, event.reason);
    };
    socket.addEventListener('open', onOpen);
    socket.addEventListener('message', onMessage);
    socket.addEventListener('close', onClose);
    // An 'error' event is always followed by 'close', which does the work.
  }

  #receive(data: unknown): void {
    this.#lastMessageAt = Date.now();
    let parsed: unknown;
    try {
      parsed = JSON.parse(typeof data === 'string' ? data : String(data));
    } catch {
      this.#setStatus({
        lastError: {
          code: 'INVALID_JSON',
          message: 'the hub sent a message that is not JSON',
          at: Date.now(),
        },
      });
      return;
    }
    const result = serverMessage.safeParse(parsed);
    if (!result.success) {
      const issue = closestIssue(parsed) ?? result.error.issues[0];
      const field = issue?.path.map(String).join('.') || '(the whole message)';
      const type = (parsed as { type?: unknown } | null)?.type;
      this.#setStatus({
        lastError: {
          code: 'INVALID_MESSAGE',
          message: `a "${String(type)}" message does not match the hub's schema at ${field}: ${issue?.message ?? ''}`,
          at: Date.now(),
        },
      });
      return;
    }
    const message = result.data;
    switch (message.type) {
      case 'authenticated':
        this.#setStatus({ state: 'open', attempt: 0, identity: message.key, retryAt: null });
        this.#startIdleWatch();
        this.#syncMetrics();
        this.#syncEvents();
        this.#syncPlayback();
        break;
      case 'metrics':
        for (const { listener } of this.#metrics.values()) listener(message);
        break;
      case 'events':
        this.#events.at(-1)?.listener(message);
        break;
      case 'playback':
        for (const { listener } of this.#playback) listener(message);
        break;
      case 'subscribed':
        if (message.topic === 'events') this.#events.at(-1)?.listener(message);
        else if (message.topic === 'playback') for (const { listener } of this.#playback) listener(message);
        break;
      case 'error':
        this.#setStatus({ lastError: { code: message.code, message: message.message, at: Date.now() } });
        break;
    }
    for (const listener of this.#messageListeners) listener(message);
  }

  #closed(code: number, reason: string): void {
    this.#dropSocket(null, '');
    const lastClose = { code, reason, at: Date.now() };
    if (!this.#running) {
      this.#setStatus({ state: 'closed', retryAt: null, lastClose, identity: null });
      return;
    }
    if (code === CloseCode.UNAUTHORIZED || code === CloseCode.FORBIDDEN) {
      this.#setStatus({ state: 'unauthorized', retryAt: null, lastClose, identity: null });
      this.#options.onUnauthorized?.(reason, code);
      return;
    }
    const attempt = this.#status.attempt;
    let delay = backoffDelay(attempt, this.#backoff);
    // Too many failed logins from this address: the hub refuses everything for up to a minute.
    if (code === CloseCode.RATE_LIMITED) delay = Math.max(delay, 60_000);
    this.#setStatus({
      state: 'closed',
      attempt: attempt + 1,
      retryAt: Date.now() + delay,
      lastClose,
      identity: null,
    });
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#connect();
    }, delay);
  }

  /** Forgets the current socket (its late events are ignored) and closes it if `code` is given. */
  #dropSocket(code: number | null, reason: string): void {
    const socket = this.#socket;
    this.#socket = null;
    this.#stopIdleWatch();
    if (socket && code !== null) {
      try {
        socket.close(code, reason);
      } catch {
        // already closing
      }
    }
  }

  #clearRetry(): void {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  #startIdleWatch(): void {
    const idleMs = this.#options.idleMs ?? 20_000;
    this.#stopIdleWatch();
    this.#idleTimer = setInterval(() => {
      const silent = Date.now() - this.#lastMessageAt;
      if (silent > 2 * idleMs) {
        this.#dropSocket(4000, 'no answer from the hub');
        this.#closed(1006, `no message from the hub for ${Math.round(silent / 1000)} s`);
      } else if (silent > idleMs) {
        this.#send({ type: 'ping' });
      }
    }, idleMs / 2);
  }

  #stopIdleWatch(): void {
    if (this.#idleTimer !== null) clearInterval(this.#idleTimer);
    this.#idleTimer = null;
  }

  #send(message: ClientMessage): void {
    if (this.#socket?.readyState === OPEN && this.#status.state === 'open')
      this.#socket.send(JSON.stringify(message));
  }

  #setStatus(patch: Partial<SocketStatus>): void {
    this.#status = { ...this.#status, ...patch };
    for (const listener of this.#statusListeners) listener(this.#status);
  }

  // ── subscriptions: what the hub should be sending, re-sent after every (re)connection ─────────────

  #syncMetrics(): void {
    if (this.#status.state !== 'open') return;
    const wanted =
      this.#metrics.size === 0 ? null : Math.min(...[...this.#metrics.values()].map((m) => m.intervalMs));
    if (wanted === this.#metricsInterval) return;
    this.#metricsInterval = wanted;
    this.#send(
      wanted === null
        ? { type: 'unsubscribe', topic: 'metrics' }
        : { type: 'subscribe', topic: 'metrics', intervalMs: wanted },
    );
  }

  #syncEvents(): void {
    if (this.#status.state !== 'open') return;
    const active = this.#events.at(-1);
    const wanted = active ? JSON.stringify(active.request) : null;
    if (wanted === this.#eventsSent) return;
    this.#eventsSent = wanted;
    this.#send(
      active
        ? { type: 'subscribe', topic: 'events', ...active.request }
        : { type: 'unsubscribe', topic: 'events' },
    );
  }

  #syncPlayback(): void {
    if (this.#status.state !== 'open') return;
    const last = [...this.#playback].at(-1);
    const wanted = last ? (last.payload ?? 'text') : null;
    if (wanted === this.#playbackSent) return;
    this.#playbackSent = wanted;
    this.#send(
      wanted === null
        ? { type: 'unsubscribe', topic: 'playback' }
        : { type: 'subscribe', topic: 'playback', payload: wanted },
    );
  }
}
