/**
 * The `/ws` endpoint's server side: authentication (upgrade header or first message), message dispatch, and
 * the three feeds — metric snapshots (one timer per distinct interval, each snapshot serialized once and sent
 * to every client of that interval), live events (live-events.ts) and playback frames (one serialization per
 * payload mode per frame). Protocol: docs/api.md; schemas: schema.ts.
 *
 * @module
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { WSContext, WSEvents } from 'hono/ws';
import type { WebSocket } from 'ws';
import type { z } from 'zod';
import type { Principal } from '../auth/service.ts';
import { HubError } from '../errors.ts';
import type { HubServices } from '../hub.ts';
import type { MetricsSnapshot } from '../metrics/sampler.ts';
import { type Frame, type PlaybackCursor, playbackOf } from '../playback/cursor.ts';
import type { PlaybackState } from '../playback/schema.ts';
import type { HubContext } from '../routes.ts';
import { closeReason, WsClient } from './client.ts';
import { viewOf } from './event-view.ts';
import { EventsSubscription, LiveEvents } from './live-events.ts';
import {
  type ClientMessage,
  clientMessage,
  CloseCode,
  type HubHealth,
  type PayloadMode,
  type SubscribeEvents,
  type Topic,
  WS_LIMITS,
} from './schema.ts';

export interface WsOptions {
  /** Interval of `metrics` subscriptions that name none (100..60000 ms). Default 1000. */
  defaultMetricsIntervalMs?: number;
}

const REVOCATION_CHECK_MS = 5000;
const HEARTBEAT_MS = 30_000;
const EVENT_LOOP_WINDOW_MS = 10_000;
const EVENT_LOOP_RESOLUTION_MS = 10;

interface MetricsGroup {
  timer: NodeJS.Timeout;
  clients: Set<WsClient>;
}

function closeCodeOf(error: HubError): number {
  if (error.status === 403) return CloseCode.FORBIDDEN;
  if (error.status === 429) return CloseCode.RATE_LIMITED;
  return CloseCode.UNAUTHORIZED;
}

function describeIssues(error: z.ZodError): {
  message: string;
  issues: { field: string; message: string }[];
} {
  const issues = error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || '(message)',
    message: issue.message,
  }));
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return { message: `${first.field}: ${first.message}${more}`, issues };
}

export class WsServer {
  readonly #services: HubServices;
  readonly #defaultIntervalMs: number;
  readonly #clients = new Set<WsClient>();
  readonly #metricsGroups = new Map<number, MetricsGroup>();
  readonly #live: LiveEvents;
  readonly #playback: PlaybackCursor;
  readonly #playbackClients = new Set<WsClient>();
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #unsubscribe: (() => void)[] = [];
  #eventLoop: IntervalHistogram | null = null;
  #nextId = 1;
  #slowClientsDropped = 0;
  #snapshotCache: { snapshot: MetricsSnapshot; json: string } | null = null;

  constructor(services: HubServices, options: WsOptions = {}) {
    this.#services = services;
    const fallback = options.defaultMetricsIntervalMs ?? WS_LIMITS.metricsIntervalMs.default;
    const { min, max } = WS_LIMITS.metricsIntervalMs;
    if (!Number.isInteger(fallback) || fallback < min || fallback > max) {
      throw new RangeError(`defaultMetricsIntervalMs must be an integer in ${min}..${max}, got ${fallback}`);
    }
    this.#defaultIntervalMs = fallback;
    this.#live = new LiveEvents(services.journal, services.sequencer);
    this.#playback = playbackOf(services);
  }

  /** Open connections (authenticated or not). */
  get clients(): number {
    return this.#clients.size;
  }

  get slowClientsDropped(): number {
    return this.#slowClientsDropped;
  }

  get liveEvents(): LiveEvents {
    return this.#live;
  }

  start(): void {
    this.#eventLoop = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
    this.#eventLoop.enable();
    const every = (ms: number, fn: () => void): void => {
      const timer = setInterval(fn, ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(EVENT_LOOP_WINDOW_MS, () => this.#eventLoop?.reset());
    every(REVOCATION_CHECK_MS, () => this.#checkKeys());
    every(HEARTBEAT_MS, () => this.#heartbeat());
    this.#unsubscribe.push(
      this.#playback.onFrame((frame, state) => this.#sendFrame(frame, state)),
      this.#playback.onState((state) => this.#sendPlaybackState(state)),
    );
  }

  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers.length = 0;
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe.length = 0;
    for (const group of this.#metricsGroups.values()) clearInterval(group.timer);
    this.#metricsGroups.clear();
    for (const client of this.#clients) this.#forget(client);
    this.#live.stop();
    this.#eventLoop?.disable();
    this.#eventLoop = null;
  }

  /** The hub's own health as `metrics` messages report it. */
  health(): HubHealth {
    const h = this.#eventLoop;
    // The histogram records whole timer periods: the delay is what exceeds the sampling resolution.
    const ms = (ns: number): number =>
      Math.max(0, Math.round((ns - EVENT_LOOP_RESOLUTION_MS * 1e6) / 1e4) / 100);
    const empty = h === null || h.count === 0;
    return {
      clients: this.#clients.size,
      slowClientsDropped: this.#slowClientsDropped,
      eventLoopDelayMs: {
        p50: empty ? 0 : ms(h.percentile(50)),
        p99: empty ? 0 : ms(h.percentile(99)),
        max: empty ? 0 : ms(h.max),
      },
    };
  }

  /** The upgrade handler's events for one connection (given to `upgradeWebSocket`). */
  events(c: HubContext): WSEvents {
    let remote = 'unknown';
    try {
      remote = getConnInfo(c).remote.address ?? 'unknown';
    } catch {
      // Not behind @hono/node-server (in-process requests): no address to rate-limit by.
    }
    // Decided during the upgrade, acted on once the socket is open (a close code needs an open socket).
    let verdict: { principal: Principal } | { code: number; error: HubError } | null = null;
    if (new URL(c.req.url).searchParams.has('key')) {
      verdict = {
        code: CloseCode.KEY_IN_URL,
        error: new HubError(
          400,
          'KEY_IN_URL',
          'keys are never accepted in the URL (it ends up in logs and history); send an Authorization: Bearer header or a first message {"type":"auth","key":"cz_…"}, and consider revoking the key',
        ),
      };
    } else {
      const header = c.req.header('authorization');
      if (header !== undefined) verdict = this.#authenticate(header, remote);
    }
    let client: WsClient | null = null;
    return {
      onOpen: (_event, ws: WSContext) => {
        const socket = ws.raw as WebSocket;
        client = new WsClient(this.#nextId++, remote, socket, (c, code) => this.#closed(c, code));
        socket.on('pong', () => {
          if (client) client.alive = true;
        });
        this.#clients.add(client);
        if (this.#clients.size > WS_LIMITS.maxClients) {
          client.close(
            CloseCode.TRY_AGAIN_LATER,
            `TOO_MANY_CLIENTS: the hub serves ${WS_LIMITS.maxClients} at most`,
          );
        } else if (verdict === null) {
          const waiting = client;
          waiting.authTimer = setTimeout(() => {
            waiting.authTimer = null;
            if (waiting.principal === null) {
              this.#refuse(
                waiting,
                CloseCode.UNAUTHORIZED,
                new HubError(
                  401,
                  'AUTH_TIMEOUT',
                  `no key within ${WS_LIMITS.authTimeoutMs} ms: send an Authorization header or {"type":"auth","key":"cz_…"} first`,
                ),
              );
            }
          }, WS_LIMITS.authTimeoutMs);
          waiting.authTimer.unref();
        } else if ('principal' in verdict) {
          this.#accept(client, verdict.principal);
        } else {
          this.#refuse(client, verdict.code, verdict.error);
        }
      },
      onMessage: (event) => {
        if (client !== null && !client.closed) this.#onMessage(client, event.data);
      },
      onClose: (event) => {
        client?.closedByPeer(event.code);
      },
      onError: () => {
        // A socket error is followed by close; nothing to add.
      },
    };
  }

  // ── authentication ────────────────────────────────────────────────────────────────────────────────

  #authenticate(
    presented: string,
    remote: string,
  ): { principal: Principal } | { code: number; error: HubError } {
    try {
      const principal = this.#services.auth.authenticate(presented, remote);
      this.#services.auth.require(principal, 'read');
      return { principal };
    } catch (error) {
      if (!(error instanceof HubError)) throw error;
      return { code: closeCodeOf(error), error };
    }
  }

  #accept(client: WsClient, principal: Principal): void {
    if (client.authTimer !== null) clearTimeout(client.authTimer);
    client.authTimer = null;
    client.principal = principal;
    client.send({
      type: 'authenticated',
      key: { id: principal.keyId, name: principal.keyName, scopes: principal.scopes },
      limits: {
        metricsIntervalMs: { ...WS_LIMITS.metricsIntervalMs, default: this.#defaultIntervalMs },
        maxPerSecond: WS_LIMITS.maxPerSecond,
        maxBatchEvents: WS_LIMITS.maxBatchEvents,
        batchIntervalMs: WS_LIMITS.batchIntervalMs,
        maxBufferedBytes: WS_LIMITS.maxBufferedBytes,
        maxMessageBytes: WS_LIMITS.maxMessageBytes,
      },
    });
  }

  /** Sends the full error, then closes with the code and the (possibly cut) reason. */
  #refuse(client: WsClient, code: number, error: HubError): void {
    client.send({ type: 'error', code: error.code, message: error.message });
    client.close(code, closeReason(`${error.code}: ${error.message}`));
  }

  #checkKeys(): void {
    const now = this.#services.now();
    const verdicts = new Map<string, string | null>();
    for (const client of this.#clients) {
      const principal = client.principal;
      if (principal === null) continue;
      let problem = verdicts.get(principal.keyId);
      if (problem === undefined) {
        const record = this.#services.auth.keys.get(principal.keyId);
        problem =
          record === null || record.revokedAt !== null
            ? 'the API key has been revoked'
            : record.expiresAt !== null && record.expiresAt <= now
              ? 'the API key has expired'
              : null;
        verdicts.set(principal.keyId, problem);
      }
      if (problem !== null)
        this.#refuse(client, CloseCode.UNAUTHORIZED, new HubError(401, 'UNAUTHORIZED', problem));
    }
  }

  #heartbeat(): void {
    for (const client of this.#clients) {
      if (!client.alive) {
        client.socket.terminate();
        client.closedByPeer(1006);
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }

  // ── messages ──────────────────────────────────────────────────────────────────────────────────────

  #error(client: WsClient, code: string, message: string, details?: unknown): void {
    client.send({ type: 'error', code, message, ...(details === undefined ? {} : { details }) });
  }

  #onMessage(client: WsClient, data: unknown): void {
    const authenticated = client.principal !== null;
    const reject = (code: string, message: string, details?: unknown): void => {
      if (authenticated) this.#error(client, code, message, details);
      else
        this.#refuse(
          client,
          CloseCode.UNAUTHORIZED,
          new HubError(401, code, `${message}; authenticate first`),
        );
    };
    if (typeof data !== 'string') {
      reject('BINARY_NOT_SUPPORTED', 'messages are JSON text; binary messages are not understood');
      return;
    }
    if (data.length > WS_LIMITS.maxMessageBytes) {
      reject('MESSAGE_TOO_LARGE', `messages are limited to ${WS_LIMITS.maxMessageBytes} bytes`);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch (error) {
      reject('INVALID_JSON', `the message is not valid JSON: ${(error as Error).message}`);
      return;
    }
    const parsed = clientMessage.safeParse(json);
    if (!parsed.success) {
      const { message, issues } = describeIssues(parsed.error);
      reject('INVALID_MESSAGE', message, { issues });
      return;
    }
    const message = parsed.data;
    if (!authenticated) {
      if (message.type !== 'auth') {
        reject('UNAUTHORIZED', `"${message.type}" before authentication`);
        return;
      }
      const verdict = this.#authenticate(message.key, client.remote);
      if ('principal' in verdict) this.#accept(client, verdict.principal);
      else this.#refuse(client, verdict.code, verdict.error);
      return;
    }
    this.#dispatch(client, message);
  }

  #dispatch(client: WsClient, message: ClientMessage): void {
    switch (message.type) {
      case 'auth':
        this.#error(client, 'ALREADY_AUTHENTICATED', 'this connection is already authenticated');
        return;
      case 'ping':
        client.send({ type: 'pong', at: this.#services.now() });
        return;
      case 'unsubscribe':
        this.#unsubscribeTopic(client, message.topic);
        client.send({ type: 'unsubscribed', topic: message.topic });
        return;
      case 'subscribe':
        switch (message.topic) {
          case 'metrics':
            this.#subscribeMetrics(client, message.intervalMs ?? this.#defaultIntervalMs);
            return;
          case 'events':
            this.#subscribeEvents(client, message);
            return;
          case 'playback':
            this.#subscribePlayback(client, message.payload ?? 'text');
            return;
        }
    }
  }

  #unsubscribeTopic(client: WsClient, topic: Topic): void {
    if (topic === 'metrics' && client.metricsIntervalMs !== null) {
      const group = this.#metricsGroups.get(client.metricsIntervalMs);
      group?.clients.delete(client);
      if (group && group.clients.size === 0) {
        clearInterval(group.timer);
        this.#metricsGroups.delete(client.metricsIntervalMs);
      }
      client.metricsIntervalMs = null;
    } else if (topic === 'events' && client.events !== null) {
      client.events.unsubscribe();
      client.events.subscription.close();
      client.events = null;
    } else if (topic === 'playback') {
      this.#playbackClients.delete(client);
      client.playback = null;
    }
  }

  #forget(client: WsClient): void {
    if (client.authTimer !== null) clearTimeout(client.authTimer);
    client.authTimer = null;
    for (const topic of ['metrics', 'events', 'playback'] as const) this.#unsubscribeTopic(client, topic);
    this.#clients.delete(client);
  }

  #closed(client: WsClient, code: number): void {
    if (code === CloseCode.SLOW_CONSUMER) this.#slowClientsDropped++;
    this.#forget(client);
  }

  // ── metrics ───────────────────────────────────────────────────────────────────────────────────────

  #subscribeMetrics(client: WsClient, intervalMs: number): void {
    this.#unsubscribeTopic(client, 'metrics');
    let group = this.#metricsGroups.get(intervalMs);
    if (group === undefined) {
      const clients = new Set<WsClient>();
      const timer = setInterval(() => this.#pushMetrics(intervalMs, clients), intervalMs);
      timer.unref();
      group = { timer, clients };
      this.#metricsGroups.set(intervalMs, group);
    }
    group.clients.add(client);
    client.metricsIntervalMs = intervalMs;
    client.send({ type: 'subscribed', topic: 'metrics', intervalMs });
    this.#pushMetrics(intervalMs, new Set([client]));
  }

  #pushMetrics(intervalMs: number, clients: Set<WsClient>): void {
    const snapshot = this.#services.metrics.latest();
    if (this.#snapshotCache?.snapshot !== snapshot) {
      this.#snapshotCache = { snapshot, json: JSON.stringify(snapshot) };
    }
    const text =
      `{"type":"metrics","at":${this.#services.now()},"intervalMs":${intervalMs},` +
      `"hub":${JSON.stringify(this.health())},"snapshot":${this.#snapshotCache.json}}`;
    for (const client of clients) client.sendText(text);
  }

  // ── live events ───────────────────────────────────────────────────────────────────────────────────

  #subscribeEvents(client: WsClient, message: SubscribeEvents): void {
    const reader = this.#services.journal.reader();
    if (reader === null) {
      this.#error(
        client,
        'JOURNAL_UNAVAILABLE',
        `the journal ${this.#services.journal.path} cannot be read yet; subscribe again once the sequencer runs`,
      );
      return;
    }
    let streamId: number;
    let streamName: string | null;
    if (typeof message.stream === 'number') {
      streamId = message.stream;
      streamName = reader.streamName(streamId);
    } else {
      const id = reader.streamId(message.stream);
      if (id === null) {
        const known = reader.streams().map((s) => s.name);
        this.#error(
          client,
          'UNKNOWN_STREAM',
          `stream: no stream named "${message.stream}" (known: ${known.join(', ') || 'none'}); streams can also be given by id`,
        );
        return;
      }
      streamId = id;
      streamName = message.stream;
    }
    this.#unsubscribeTopic(client, 'events');
    const node = message.where?.node ?? null;
    const subscription = new EventsSubscription({
      streamId,
      streamName,
      node,
      maxPerSecond: message.maxPerSecond ?? WS_LIMITS.maxPerSecond.default,
      payload: message.payload ?? 'text',
      send: (text) => client.sendText(text),
    });
    const unsubscribe = this.#live.subscribe(subscription, reader);
    client.events = { subscription, unsubscribe };
    client.send({
      type: 'subscribed',
      topic: 'events',
      stream: streamId,
      streamName,
      from: subscription.from,
      where: node === null ? {} : { node },
      maxPerSecond: subscription.maxPerSecond,
      payload: subscription.payload,
    });
  }

  // ── playback ──────────────────────────────────────────────────────────────────────────────────────

  #subscribePlayback(client: WsClient, payload: PayloadMode): void {
    this.#playbackClients.add(client);
    client.playback = payload;
    client.send({ type: 'subscribed', topic: 'playback', payload, state: this.#playback.state() });
  }

  #sendFrame(frame: Frame, state: PlaybackState): void {
    if (this.#playbackClients.size === 0) return;
    const stateJson = JSON.stringify(state);
    const byMode = new Map<PayloadMode, string>();
    for (const client of this.#playbackClients) {
      const mode = client.playback ?? 'text';
      let text = byMode.get(mode);
      if (text === undefined) {
        const events = frame.events.map((raw) => viewOf(raw, mode).json).join(',');
        text =
          `{"type":"playback","state":${stateJson},"frame":{"index":${frame.index},` +
          `"virtualTime":${frame.virtualTime},"events":[${events}]}}`;
        byMode.set(mode, text);
      }
      client.sendText(text);
    }
  }

  #sendPlaybackState(state: PlaybackState): void {
    if (this.#playbackClients.size === 0) return;
    const text = `{"type":"playback","state":${JSON.stringify(state)},"frame":null}`;
    for (const client of this.#playbackClients) client.sendText(text);
  }
}
