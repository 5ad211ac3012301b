/**
 * HubSocket against a real `ws` server on 127.0.0.1 (port 0) that plays the hub's part as each test needs:
 * first-message auth, state transitions, reconnection with a growing backoff that resets after a good
 * connection, 4401 as "unauthorized" without retries, resubscription, and messages that fail the schema.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as WsClient, WebSocketServer, type WebSocket as WsPeer } from 'ws';
import { CloseCode } from '../../../src/hub/ws/schema.ts';
import {
  backoffDelay,
  HubSocket,
  type HubSocketOptions,
  type SocketStatus,
  type WebSocketFactory,
} from './socket.ts';

const KEY = `cz_${'k'.repeat(43)}`;
const IDENTITY = { id: 'key_0123456789ab', name: 'root', scopes: ['read', 'write', 'admin'] };
const LIMITS = {
  metricsIntervalMs: { min: 100, max: 60_000, default: 1000 },
  maxPerSecond: { min: 1, max: 10_000, default: 1000 },
  maxBatchEvents: 500,
  batchIntervalMs: 100,
  maxBufferedBytes: 1 << 20,
  maxMessageBytes: 1 << 16,
};

/** The browser's WebSocket, as `ws` implements it (same events, codes and reasons). */
const createSocket: WebSocketFactory = (url) => new WsClient(url) as unknown as ReturnType<WebSocketFactory>;

interface Connection {
  peer: WsPeer;
  url: string;
  messages: unknown[];
  /** Resolves with the n-th message (0-based) this connection receives. */
  message(n: number): Promise<unknown>;
}

interface FakeHub {
  url: string;
  connections: Connection[];
  /** Resolves with the n-th connection (0-based). */
  connection(n: number): Promise<Connection>;
  close(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeHub(onConnection: (connection: Connection) => void = () => {}): Promise<FakeHub> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const connections: Connection[] = [];
  const waiting: { n: number; resolve: (c: Connection) => void }[] = [];
  server.on('connection', (peer, request) => {
    const messages: unknown[] = [];
    const messageWaiters: { n: number; resolve: (m: unknown) => void }[] = [];
    const connection: Connection = {
      peer,
      url: request.url ?? '',
      messages,
      message: (n) =>
        new Promise((resolve) => {
          if (messages.length > n) resolve(messages[n]);
          else messageWaiters.push({ n, resolve });
        }),
    };
    peer.on('message', (data) => {
      messages.push(JSON.parse(String(data)));
      for (const w of messageWaiters.filter((w) => w.n < messages.length)) {
        messageWaiters.splice(messageWaiters.indexOf(w), 1);
        w.resolve(messages[w.n]);
      }
    });
    connections.push(connection);
    for (const w of waiting.filter((w) => w.n < connections.length)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(connections[w.n]!);
    }
    onConnection(connection);
  });
  const hub: FakeHub = {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`,
    connections,
    connection: (n) =>
      new Promise((resolve) => {
        if (connections.length > n) resolve(connections[n]!);
        else waiting.push({ n, resolve });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
  cleanups.push(() => hub.close());
  return hub;
}

/** Answers the first message like the hub: `authenticated` for KEY, else a 4401 close. */
function authenticate(connection: Connection): void {
  connection.peer.once('message', (data) => {
    const message = JSON.parse(String(data)) as { type: string; key?: string };
    if (message.type === 'auth' && message.key === KEY) {
      connection.peer.send(JSON.stringify({ type: 'authenticated', key: IDENTITY, limits: LIMITS }));
    } else {
      connection.peer.close(CloseCode.UNAUTHORIZED, 'the API key is not known');
    }
  });
}

function socket(options: Partial<HubSocketOptions> & { url: string }): {
  socket: HubSocket;
  statuses: SocketStatus[];
  next: (match: (s: SocketStatus) => boolean) => Promise<SocketStatus>;
} {
  const hubSocket = new HubSocket({
    getKey: () => KEY,
    createSocket,
    backoff: { jitter: 0 },
    ...options,
  });
  const statuses: SocketStatus[] = [];
  const waiters: { match: (s: SocketStatus) => boolean; resolve: (s: SocketStatus) => void }[] = [];
  hubSocket.onStatus((status) => {
    statuses.push(status);
    for (const w of [...waiters]) {
      if (w.match(status)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(status);
      }
    }
  });
  cleanups.push(() => hubSocket.stop());
  return {
    socket: hubSocket,
    statuses,
    next: (match) => new Promise((resolve) => waiters.push({ match, resolve })),
  };
}

/** Each retry's delay: `retryAt` and `lastClose.at` are two clock readings, a millisecond or so apart. */
function expectDelays(statuses: SocketStatus[], delays: number[]): void {
  const measured = statuses.map((st) => st.retryAt! - st.lastClose!.at);
  expect(
    measured.map((m, i) => m >= delays[i]! && m <= delays[i]! + 5),
    `delays ${measured.join(', ')}`,
  ).toEqual(delays.map(() => true));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('HubSocket', () => {
  it('authenticates with its first message, never in the URL, and goes connecting → open', async () => {
    const hub = await fakeHub(authenticate);
    const { socket: s, statuses, next } = socket({ url: hub.url });
    expect(s.status.state).toBe('closed');
    s.start();
    const open = await next((st) => st.state === 'open');

    const connection = hub.connections[0]!;
    expect(connection.url).toBe('/ws');
    expect(connection.messages[0]).toEqual({ type: 'auth', key: KEY });
    expect(open.identity).toEqual(IDENTITY);
    expect(open.attempt).toBe(0);
    expect(statuses.map((st) => st.state)).toEqual(['connecting', 'open']);

    s.stop();
    expect(s.status.state).toBe('closed');
    expect(s.status.retryAt).toBeNull();
    await sleep(50);
    expect(hub.connections).toHaveLength(1);
  });

  it('reconnects with a backoff that grows up to its cap and starts over after a good connection', async () => {
    // The first five connections are dropped at once; the sixth is accepted, then dropped by the "hub".
    const hub = await fakeHub((connection) => {
      if (hub.connections.length <= 5) connection.peer.close(1011, 'hub restarting');
      else authenticate(connection);
    });
    const {
      socket: s,
      statuses,
      next,
    } = socket({
      url: hub.url,
      backoff: { initialMs: 20, factor: 2, maxMs: 120, jitter: 0 },
    });
    s.start();
    await next((st) => st.state === 'open');

    const retries = statuses.filter((st) => st.state === 'closed');
    expect(retries.map((st) => st.attempt)).toEqual([1, 2, 3, 4, 5]);
    expectDelays(retries, [20, 40, 80, 120, 120]);
    expect(
      retries.every((st) => st.lastClose?.code === 1011 && st.lastClose.reason === 'hub restarting'),
    ).toBe(true);
    expect(s.status.attempt).toBe(0);

    // A connection lost after authenticating retries after the initial delay again.
    hub.connections[5]!.peer.close(1001, 'going away');
    const closed = await next((st) => st.state === 'closed');
    expect(closed.attempt).toBe(1);
    expectDelays([closed], [20]);
    expect(closed.identity).toBeNull();
    await next((st) => st.state === 'open');
    expect(hub.connections).toHaveLength(7);
  });

  it('treats 4401 as unauthorized: tells the app, does not retry, and tries again on reconnect()', async () => {
    let key = `cz_${'x'.repeat(43)}`;
    const refusals: [string, number][] = [];
    const hub = await fakeHub(authenticate);
    const { socket: s, next } = socket({
      url: hub.url,
      getKey: () => key,
      onUnauthorized: (reason, code) => refusals.push([reason, code]),
    });
    s.start();
    const refused = await next((st) => st.state === 'unauthorized');
    expect(refused.lastClose).toMatchObject({ code: 4401, reason: 'the API key is not known' });
    expect(refused.retryAt).toBeNull();
    expect(refusals).toEqual([['the API key is not known', 4401]]);
    await sleep(100);
    expect(hub.connections).toHaveLength(1);
    expect(s.status.state).toBe('unauthorized');

    key = KEY;
    s.reconnect();
    await next((st) => st.state === 'open');
    expect(hub.connections).toHaveLength(2);
  });

  it('without a key it does not connect at all', async () => {
    const hub = await fakeHub(authenticate);
    const { socket: s } = socket({ url: hub.url, getKey: () => null });
    s.start();
    expect(s.status.state).toBe('unauthorized');
    await sleep(50);
    expect(hub.connections).toHaveLength(0);
  });

  it('subscribes once authenticated and subscribes again after a reconnect', async () => {
    const hub = await fakeHub(authenticate);
    const { socket: s, next } = socket({ url: hub.url, backoff: { initialMs: 10, jitter: 0 } });
    const stopFast = s.subscribeMetrics(1000, () => {});
    s.subscribeMetrics(250, () => {});
    s.start();
    const first = await hub.connection(0);
    expect(await first.message(1)).toEqual({ type: 'subscribe', topic: 'metrics', intervalMs: 250 });

    first.peer.close(1011, 'restart');
    const second = await hub.connection(1);
    await next((st) => st.state === 'open');
    expect(await second.message(1)).toEqual({ type: 'subscribe', topic: 'metrics', intervalMs: 250 });
    stopFast();
    // The shortest interval still wanted is 250: nothing to change.
    await sleep(30);
    expect(second.messages).toHaveLength(2);
  });

  it('passes valid messages on and records one that fails the schema, naming the field', async () => {
    const hub = await fakeHub(authenticate);
    const { socket: s, next } = socket({ url: hub.url });
    const seen: unknown[] = [];
    s.onMessage((m) => seen.push(m.type));
    s.start();
    await next((st) => st.state === 'open');
    const peer = hub.connections[0]!.peer;

    peer.send('{not json');
    const notJson = await next((st) => st.lastError?.code === 'INVALID_JSON');
    expect(notJson.state).toBe('open');

    peer.send(
      JSON.stringify({ type: 'authenticated', key: { ...IDENTITY, scopes: 'admin' }, limits: LIMITS }),
    );
    const invalid = await next((st) => st.lastError?.code === 'INVALID_MESSAGE');
    expect(invalid.lastError!.message).toMatch(/"authenticated" message .* at key\.scopes/);

    peer.send(JSON.stringify({ type: 'error', code: 'RATE_LIMITED', message: 'too fast' }));
    const hubError = await next((st) => st.lastError?.code === 'RATE_LIMITED');
    expect(hubError.lastError!.message).toBe('too fast');
    expect(seen).toEqual(['authenticated', 'error']);
  });
});

describe('backoffDelay', () => {
  const options = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.2 };
  it('doubles from the initial delay up to the cap', () => {
    const mid = () => 0.5; // no jitter
    expect([0, 1, 2, 3, 10].map((a) => backoffDelay(a, options, mid))).toEqual([
      500, 1000, 2000, 4000, 30_000,
    ]);
  });
  it('spreads by ± the jitter fraction, never beyond the cap', () => {
    expect(backoffDelay(0, options, () => 0)).toBe(400);
    expect(backoffDelay(0, options, () => 1)).toBe(600);
    expect(backoffDelay(20, options, () => 1)).toBe(30_000);
    expect(backoffDelay(20, options, () => 0)).toBe(24_000);
  });
});
