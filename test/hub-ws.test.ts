/**
 * `/ws` and playback end to end: a real `cz start`, an in-process hub on a real port, real UDP datagrams and
 * real WebSocket clients (`ws`); `cz tail` as a real process. Every server message is parsed with the
 * protocol's own schema, so the schemas the UI imports are checked against what the hub really sends.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodeFrame } from '../src/core/frame.ts';
import { wallMsOfWords } from '../src/core/hlc.ts';
import { JournalReader } from '../src/journal/reader.ts';
import type { PlaybackState } from '../src/hub/playback/schema.ts';
import { payloadBytes } from '../src/hub/ws/event-view.ts';
import type { WsFeature } from '../src/hub/ws/index.ts';
import { CloseCode, type EventView, type ServerMessage, serverMessage } from '../src/hub/ws/schema.ts';
import { closeHubs, startHub, type TestHub } from './helpers/hub.ts';
import { killAll, runCz, spawnCz, tempDir, until } from './helpers/processes.ts';
import { counters, sendUdp, startSequencer, type TestSequencer } from './helpers/sequencer.ts';

afterEach(async () => {
  await closeHubs();
  await killAll();
});

// ── a WebSocket probe ───────────────────────────────────────────────────────────────────────────────

type Msg<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

interface Probe {
  ws: WebSocket;
  messages: ServerMessage[];
  /** Arrival time (performance.now()) of each message. */
  arrivals: number[];
  closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
  /** The first message at or after index `from` that `match` accepts. */
  next<T extends ServerMessage['type']>(
    type: T,
    match?: (m: Msg<T>) => boolean,
    options?: { from?: number; timeoutMs?: number },
  ): Promise<Msg<T>>;
  all<T extends ServerMessage['type']>(type: T): Msg<T>[];
}

function connect(
  hub: TestHub,
  options: { key?: string | null; auth?: 'header' | 'message'; query?: string } = {},
): Probe {
  const key = options.key === undefined ? hub.rootKey : options.key;
  const auth = options.auth ?? 'header';
  const url = `${hub.url.replace('http:', 'ws:')}/ws${options.query ?? ''}`;
  const ws = new WebSocket(
    url,
    auth === 'header' && key !== null ? { headers: { authorization: `Bearer ${key}` } } : {},
  );
  const messages: ServerMessage[] = [];
  const arrivals: number[] = [];
  ws.on('message', (data) => {
    messages.push(serverMessage.parse(JSON.parse(String(data))));
    arrivals.push(performance.now());
  });
  ws.on('error', () => undefined);
  if (auth === 'message' && key !== null)
    ws.once('open', () => ws.send(JSON.stringify({ type: 'auth', key })));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const probe: Probe = {
    ws,
    messages,
    arrivals,
    closed,
    send(message) {
      ws.send(typeof message === 'string' ? message : JSON.stringify(message));
    },
    async next(type, match, { from = 0, timeoutMs = 20_000 } = {}) {
      let found: ServerMessage | undefined;
      await until(
        () => {
          found = messages
            .slice(from)
            .find((m) => m.type === type && (!match || match(m as Msg<typeof type>)));
          return found !== undefined;
        },
        `a "${type}" message`,
        timeoutMs,
      );
      return found as Msg<typeof type>;
    },
    all(type) {
      return messages.filter((m) => m.type === type) as Msg<typeof type>[];
    },
  };
  return probe;
}

async function authenticated(hub: TestHub, options: Parameters<typeof connect>[1] = {}): Promise<Probe> {
  const probe = connect(hub, options);
  await probe.next('authenticated');
  return probe;
}

async function subscribeEvents(probe: Probe, request: Record<string, unknown>): Promise<Msg<'subscribed'>> {
  const from = probe.messages.length;
  probe.send({ type: 'subscribe', topic: 'events', ...request });
  return probe.next('subscribed', (m) => m.topic === 'events', { from });
}

function receivedEvents(probe: Probe): EventView[] {
  return probe.all('events').flatMap((m) => m.events);
}

async function setup(
  options: { listens?: string[]; args?: string[]; ipc?: 'sequencer' | 'none' } = {},
): Promise<{ s: TestSequencer; h: TestHub }> {
  const s = await startSequencer({ backend: 'auto', listens: options.listens, args: options.args });
  const ipcPath = options.ipc === 'none' ? join(tempDir(), 'nobody.sock') : s.ipcPath;
  const h = await startHub({ journalPath: s.journal, ipcPath });
  return { s, h };
}

function wsServer(h: TestHub): WsFeature['server'] {
  return (h.hub.features.find((f) => f.name === 'ws') as WsFeature).server;
}

async function journaled(s: TestSequencer, n: number): Promise<void> {
  await until(() => counters(s.journal).EVENTS_JOURNALED >= n, `${n} events journaled`, 20_000);
}

async function sendSpaced(port: number, payloads: string[], gapMs: number): Promise<void> {
  for (const [i, p] of payloads.entries()) {
    await sendUdp(port, [p]);
    if (i + 1 < payloads.length) await new Promise((r) => setTimeout(r, gapMs));
  }
}

async function control(h: TestHub, body: unknown): Promise<PlaybackState> {
  const response = await h.api('/api/playback', { body });
  const json = (await response.json()) as PlaybackState;
  if (response.status !== 200)
    throw new Error(`POST /api/playback ${JSON.stringify(body)}: ${JSON.stringify(json)}`);
  return json;
}

// ── authentication ──────────────────────────────────────────────────────────────────────────────────

describe('/ws authentication', () => {
  it('accepts a key in the Authorization header of the upgrade, answers ping, and closes 1001 on shutdown', async () => {
    const { h } = await setup();
    const probe = await authenticated(h);
    const auth = probe.all('authenticated')[0]!;
    expect(auth.key.name).toBe('root');
    expect(auth.limits.metricsIntervalMs).toEqual({ min: 100, max: 60_000, default: 1000 });
    probe.send({ type: 'ping' });
    await probe.next('pong');
    await h.close();
    expect((await probe.closed).code).toBe(1001);
  });

  it('accepts a key in the first message', async () => {
    const { h } = await setup();
    const probe = connect(h, { auth: 'message' });
    expect((await probe.next('authenticated')).key.name).toBe('root');
  });

  it('closes 4401 when the first message is not auth, and when no key arrives within 5 s', async () => {
    const { h } = await setup();
    const early = connect(h, { key: null });
    early.ws.once('open', () => early.send({ type: 'ping' }));
    const first = await early.closed;
    expect(first.code).toBe(CloseCode.UNAUTHORIZED);
    expect(first.reason).toMatch(/authenticate first/);

    const started = performance.now();
    const silent = connect(h, { key: null });
    const closed = await silent.closed;
    expect(closed.code).toBe(CloseCode.UNAUTHORIZED);
    expect(closed.reason).toMatch(/AUTH_TIMEOUT/);
    expect(performance.now() - started).toBeGreaterThanOrEqual(4500);
  });

  it('closes 4401 for malformed, unknown and revoked keys, and when a connected key is revoked', async () => {
    const { h } = await setup();
    const malformed = await connect(h, { key: 'cz_short' }).closed;
    expect(malformed).toMatchObject({ code: 4401 });
    expect(malformed.reason).toMatch(/malformed/);
    const unknown = await connect(h, { key: `cz_${'A'.repeat(43)}`, auth: 'message' }).closed;
    expect(unknown).toMatchObject({ code: 4401 });
    expect(unknown.reason).toMatch(/not known/);

    const created = (await (
      await h.api('/api/auth/keys', { body: { name: 'viewer', scopes: ['read'] } })
    ).json()) as {
      key: string;
      id: string;
    };
    const live = await authenticated(h, { key: created.key });
    expect((await h.api(`/api/auth/keys/${created.id}`, { method: 'DELETE' })).status).toBe(200);
    const revokedWhileOpen = await live.closed;
    expect(revokedWhileOpen.code).toBe(4401);
    expect(revokedWhileOpen.reason).toMatch(/revoked/);
    const revoked = await connect(h, { key: created.key }).closed;
    expect(revoked.code).toBe(4401);
    expect(revoked.reason).toMatch(/revoked/);
  });

  it('refuses a key in the URL with 4400, even a valid one', async () => {
    const { h } = await setup();
    const closed = await connect(h, { query: `?key=${h.rootKey}` }).closed;
    expect(closed.code).toBe(CloseCode.KEY_IN_URL);
    expect(closed.reason).toMatch(/KEY_IN_URL/);
  });

  it('closes 4429 once an address has failed authentication too often', async () => {
    const { h } = await setup();
    const bad = `cz_${'B'.repeat(43)}`;
    for (let i = 0; i < 20; i++) expect((await connect(h, { key: bad }).closed).code).toBe(4401);
    const limited = await connect(h, { key: bad }).closed;
    expect(limited.code).toBe(CloseCode.RATE_LIMITED);
    expect(limited.reason).toMatch(/retry in/);
    // The root key is refused too while the address is limited: the limit is per address.
    expect((await connect(h).closed).code).toBe(CloseCode.RATE_LIMITED);
  });

  it('answers malformed messages with an error message and keeps the connection', async () => {
    const { h } = await setup();
    const probe = await authenticated(h);
    const cases: [unknown, string, RegExp][] = [
      ['{not json', 'INVALID_JSON', /not valid JSON/],
      [{ type: 'launch' }, 'INVALID_MESSAGE', /^type: /],
      [{ type: 'subscribe', topic: 'metrics', intervalMs: 5 }, 'INVALID_MESSAGE', /^intervalMs: /],
      [{ type: 'subscribe', topic: 'events' }, 'INVALID_MESSAGE', /^stream: /],
      [{ type: 'ping', extra: 1 }, 'INVALID_MESSAGE', /extra/],
      [{ type: 'subscribe', topic: 'events', stream: 'nope' }, 'UNKNOWN_STREAM', /no stream named "nope"/],
      [{ type: 'auth', key: h.rootKey }, 'ALREADY_AUTHENTICATED', /already/],
      ['x'.repeat(70_000), 'MESSAGE_TOO_LARGE', /limited/],
    ];
    for (const [message, code, text] of cases) {
      const from = probe.messages.length;
      probe.send(message);
      const error = await probe.next('error', undefined, { from });
      expect(error.code).toBe(code);
      expect(error.message).toMatch(text);
    }
    probe.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await probe.next('error', (m) => m.code === 'BINARY_NOT_SUPPORTED')).message).toMatch(
      /JSON text/,
    );
    const from = probe.messages.length;
    probe.send({ type: 'ping' });
    await probe.next('pong', undefined, { from });
    expect(probe.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('answers a plain GET of /ws with 426', async () => {
    const { h } = await setup();
    const response = await h.api('/ws');
    expect(response.status).toBe(426);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('UPGRADE_REQUIRED');
  });
});

// ── metrics ─────────────────────────────────────────────────────────────────────────────────────────

describe('/ws metrics', () => {
  it('pushes snapshots at the asked interval, and they reflect UDP traffic', async () => {
    const { s, h } = await setup();
    const probe = await authenticated(h);
    probe.send({ type: 'subscribe', topic: 'metrics', intervalMs: 200 });
    expect((await probe.next('subscribed')).topic).toBe('metrics');
    await until(() => probe.all('metrics').length >= 12, '12 metrics messages', 20_000);
    const times = probe.all('metrics').map((m) => m.at);
    const gaps = times.slice(2).map((t, i) => t - times[i + 1]!);
    const sorted = [...gaps].sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1]!;
    expect(median).toBeGreaterThanOrEqual(150);
    expect(median).toBeLessThanOrEqual(400);
    const first = probe.all('metrics')[0]!;
    expect(first.intervalMs).toBe(200);
    expect(first.hub.clients).toBe(1);

    await sendUdp(
      s.port(),
      Array.from({ length: 30 }, (_, i) => `datagram ${i}`),
    );
    const seen = await probe.next(
      'metrics',
      (m) => (m.snapshot.counters?.EVENTS_JOURNALED ?? 0) >= 30 && m.snapshot.head >= 30,
    );
    expect(seen.snapshot.ring.used).toBeGreaterThanOrEqual(30);
    expect(seen.snapshot.journal.available).toBe(true);

    const from = probe.messages.length;
    probe.send({ type: 'unsubscribe', topic: 'metrics' });
    await probe.next('unsubscribed', undefined, { from });
    const after = probe.all('metrics').length;
    probe.send({ type: 'ping' });
    await probe.next('pong', undefined, { from });
    // At most one message already in flight when the unsubscribe arrived.
    expect(probe.all('metrics').length).toBeLessThanOrEqual(after + 1);
  });
});

// ── live events ─────────────────────────────────────────────────────────────────────────────────────

describe('/ws live events', () => {
  it("delivers one stream's events byte-exact and in order, and nothing of other streams", async () => {
    const { s, h } = await setup({ listens: ['0=default', '0=orders'] });
    const text = await authenticated(h);
    const hex = await authenticated(h);
    const json = await authenticated(h);
    const sub = await subscribeEvents(text, { stream: 'orders' });
    expect(sub).toMatchObject({ stream: 1, streamName: 'orders', payload: 'text' });
    await subscribeEvents(hex, { stream: 1, payload: 'hex' });
    await subscribeEvents(json, { stream: 'orders', payload: 'json' });

    await sendUdp(s.port(), ['default 1', 'default 2']);
    await journaled(s, 2);
    const payloads = [
      Buffer.from('{"order":1}'),
      Buffer.from('plain text ü €'),
      Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80]),
      Buffer.from('\ufeffwith a BOM'),
      Buffer.alloc(3000, 'x'),
      Buffer.from('{"order":2}'),
    ];
    await sendUdp(s.port('orders'), payloads);
    for (const probe of [text, hex, json]) {
      await until(() => receivedEvents(probe).length >= payloads.length, 'every orders event', 20_000);
    }
    const reader = JournalReader.open(s.journal);
    const ordersId = reader.streamId('orders');
    reader.close();
    for (const probe of [text, hex]) {
      const events = receivedEvents(probe);
      expect(events).toHaveLength(payloads.length);
      expect(events.every((e) => e.stream === ordersId)).toBe(true);
      expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b));
      events.forEach((e, i) => {
        expect(payloadBytes(e)!.equals(payloads[i]!)).toBe(true);
        expect(e.size).toBe(payloads[i]!.length);
      });
      expect(probe.all('events').every((m) => m.dropped === 0 && m.gap === 0)).toBe(true);
    }
    expect(receivedEvents(text).map((e) => e.encoding)).toEqual([
      'text',
      'text',
      'hex',
      'text',
      'text',
      'text',
    ]);
    expect(receivedEvents(hex).every((e) => e.encoding === 'hex')).toBe(true);
    const parsed = receivedEvents(json);
    expect(parsed[0]).toMatchObject({ encoding: 'json', payload: { order: 1 } });
    expect(parsed[1]).toMatchObject({ encoding: 'text', payload: 'plain text ü €' });
    expect(parsed[2]!.encoding).toBe('hex');
  });

  it('filters by node and limits the rate, counting the rest as dropped', async () => {
    const { s, h } = await setup();
    const filtered = await authenticated(h);
    const limited = await authenticated(h);
    await subscribeEvents(filtered, { stream: 'default', where: { node: 7 } });
    await subscribeEvents(limited, { stream: 'default', maxPerSecond: 5, payload: 'none' });
    const frames = Array.from({ length: 100 }, (_, i) =>
      encodeFrame({
        nodeId: i % 2 === 0 ? 7 : 8,
        streamId: 0,
        flags: 0,
        clockHint: null,
        payload: Buffer.from(`from node ${i % 2 === 0 ? 7 : 8}: ${i}`),
      }),
    );
    await sendUdp(s.port(), frames);
    await until(() => receivedEvents(filtered).length >= 50, '50 node-7 events', 20_000);
    expect(
      receivedEvents(filtered).every(
        (e) => e.node === 7 && String(payloadBytes(e)).startsWith('from node 7'),
      ),
    ).toBe(true);
    const total = (): number =>
      receivedEvents(limited).length + limited.all('events').reduce((n, m) => n + m.dropped, 0);
    await until(() => total() >= 100, 'all 100 events delivered or counted as dropped', 20_000);
    expect(total()).toBe(100);
    expect(receivedEvents(limited).length).toBeLessThanOrEqual(20);
    expect(receivedEvents(limited).every((e) => e.encoding === 'none' && e.payload === undefined)).toBe(true);
  });

  it('follows the journal by polling when the sequencer is not connected', async () => {
    const { s, h } = await setup({ ipc: 'none' });
    expect(h.hub.services.sequencer.state).toBe('disconnected');
    const probe = await authenticated(h);
    await subscribeEvents(probe, { stream: 'default' });
    await sendUdp(s.port(), ['polled 1', 'polled 2']);
    await until(() => receivedEvents(probe).length >= 2, 'two polled events', 20_000);
    expect(receivedEvents(probe).map((e) => e.payload)).toEqual(['polled 1', 'polled 2']);
  });

  it('drops a client that stops reading with 4408 while another keeps receiving', async () => {
    const { s, h } = await setup();
    const stuck = await authenticated(h);
    const healthy = await authenticated(h);
    await subscribeEvents(stuck, { stream: 'default', maxPerSecond: 10_000 });
    await subscribeEvents(healthy, { stream: 'default', maxPerSecond: 10_000 });
    (stuck.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const server = wsServer(h);
    const big = Buffer.alloc(32 * 1024, 'y');
    const deadline = Date.now() + 50_000;
    while (server.slowClientsDropped === 0) {
      if (Date.now() > deadline) throw new Error('the stuck client was never dropped');
      await sendUdp(
        s.port(),
        Array.from({ length: 40 }, () => big),
      );
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(server.clients).toBe(1);
    const before = receivedEvents(healthy).length;
    // While the healthy client's queue is still full of big events a small one may be dropped: resend it.
    await until(
      async () => {
        if (receivedEvents(healthy).some((e) => e.payload === 'still flowing')) return true;
        await sendUdp(s.port(), ['still flowing']);
        await new Promise((r) => setTimeout(r, 100));
        return false;
      },
      'the healthy client to keep receiving',
      30_000,
    );
    expect(receivedEvents(healthy).length).toBeGreaterThan(before);
    expect(healthy.ws.readyState).toBe(WebSocket.OPEN);
    (stuck.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const closed = await stuck.closed;
    expect(closed.code).toBe(CloseCode.SLOW_CONSUMER);
    expect(closed.reason).toMatch(/SLOW_CONSUMER/);
  });
});

// ── playback ────────────────────────────────────────────────────────────────────────────────────────

describe('playback', () => {
  it('plays a range over ws in order at roughly the asked pace, and reports the end', async () => {
    const { s, h } = await setup();
    await sendSpaced(
      s.port(),
      Array.from({ length: 20 }, (_, i) => `tick ${i}`),
      100,
    );
    await journaled(s, 20);
    const probe = await authenticated(h);
    probe.send({ type: 'subscribe', topic: 'playback' });
    const subscribed = await probe.next('subscribed', (m) => m.topic === 'playback');
    expect(subscribed).toMatchObject({ payload: 'text', state: { state: 'stopped', position: null } });

    const started = performance.now();
    const state = await control(h, { action: 'play', speed: 2 });
    expect(state).toMatchObject({ state: 'playing', from: 0, to: 20, position: 0, speed: 2 });
    const end = await probe.next('playback', (m) => m.state.stoppedReason === 'end');
    const elapsed = performance.now() - started;
    const events = probe.all('playback').flatMap((m) => m.frame?.events ?? []);
    expect(events.map((e) => e.payload)).toEqual(Array.from({ length: 20 }, (_, i) => `tick ${i}`));
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const span = events.at(-1)!.time - events[0]!.time;
    expect(span).toBeGreaterThanOrEqual(1500);
    // ~span / 2 at ×2; generous bounds for a loaded machine.
    expect(elapsed).toBeGreaterThan(span / 2 - 400);
    expect(elapsed).toBeLessThan(span / 2 + 4000);
    expect(end.state).toMatchObject({ state: 'stopped', eventsPlayed: 20, position: 20 });
    const frames = probe.all('playback').flatMap((m) => (m.frame ? [m.frame.index] : []));
    expect(frames).toEqual([...frames].sort((a, b) => a - b));
    expect(frames.length).toBeGreaterThan(5);
    expect(((await (await h.api('/api/playback')).json()) as PlaybackState).stoppedReason).toBe('end');
  });

  it('pauses, resumes, seeks, changes speed and stops through REST', async () => {
    const { s, h } = await setup();
    await sendSpaced(
      s.port(),
      Array.from({ length: 40 }, (_, i) => `step ${i}`),
      50,
    );
    await journaled(s, 40);
    const probe = await authenticated(h);
    probe.send({ type: 'subscribe', topic: 'playback' });
    await probe.next('subscribed');
    expect((await h.api('/api/playback', { body: { action: 'pause' } })).status).toBe(409);

    await control(h, { action: 'play', speed: 0.5, from: 0, to: 40 });
    await probe.next('playback', (m) => m.frame !== null);
    const paused = await control(h, { action: 'pause' });
    expect(paused.state).toBe('paused');
    const framesAtPause = probe.all('playback').filter((m) => m.frame !== null).length;
    await new Promise((r) => setTimeout(r, 400));
    expect(probe.all('playback').filter((m) => m.frame !== null).length).toBeLessThanOrEqual(
      framesAtPause + 1,
    );
    expect(((await (await h.api('/api/playback')).json()) as PlaybackState).position).toBe(paused.position);

    const seeked = await control(h, { action: 'seek', to: 30 });
    expect(seeked).toMatchObject({ state: 'paused', position: 30 });
    const mark = probe.messages.length;
    const fast = await control(h, { action: 'speed', speed: 20 });
    expect(fast.speed).toBe(20);
    await control(h, { action: 'resume' });
    const end = await probe.next('playback', (m) => m.state.stoppedReason === 'end', { from: mark });
    const after = probe.messages
      .slice(mark)
      .flatMap((m) => (m.type === 'playback' ? (m.frame?.events ?? []) : []));
    expect(after.map((e) => e.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 30 + i));
    expect(end.state.position).toBe(40);

    // Seek by time, then stop.
    const reader = JournalReader.open(s.journal);
    const slot = reader.decodeSlot(10);
    const time = wallMsOfWords(slot.lamportHi, slot.lamportLo);
    reader.close();
    await control(h, { action: 'play', speed: 0.1 });
    const byTime = await control(h, { action: 'seek', to: { time: new Date(time).toISOString() } });
    expect(byTime.position).toBeLessThanOrEqual(10);
    expect(byTime.position).toBeGreaterThanOrEqual(9);
    const stopped = await control(h, { action: 'stop' });
    expect(stopped).toMatchObject({ state: 'stopped', stoppedReason: 'stopped' });
    await probe.next('playback', (m) => m.state.stoppedReason === 'stopped');
  });

  it('validates actions, naming the field', async () => {
    const { s, h } = await setup();
    // Spaced, so that playing [0, 2) at ×0.1 lasts a couple of seconds.
    await sendSpaced(s.port(), ['a', 'b', 'c'], 200);
    await journaled(s, 3);
    const cases: [unknown, number, RegExp][] = [
      [{ action: 'warp' }, 400, /^body\.action: /],
      [{}, 400, /^body\.action: /],
      [{ action: 'play', speed: 0 }, 400, /^body\.speed: speed must be at least 0\.1/],
      [{ action: 'play', speed: 5000 }, 400, /^body\.speed: /],
      [{ action: 'play', from: 99 }, 400, /^body\.from: event 99 has not been journaled/],
      [{ action: 'play', from: 2, to: 1 }, 400, /body\.to must come after body\.from/],
      [{ action: 'play', streams: ['nope'] }, 400, /^body\.streams\.0: no stream named "nope"/],
      [{ action: 'play', from: 'yesterday' }, 400, /^body\.from: a place is a sequence number, a time/],
      [{ action: 'play', from: -1 }, 400, /^body\.from: /],
      [{ action: 'seek' }, 400, /^body\.to: /],
      [{ action: 'stop', now: true }, 400, /now/],
    ];
    for (const [body, status, message] of cases) {
      const response = await h.api('/api/playback', { body });
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    expect((await h.api('/api/playback', { key: null })).status).toBe(401);
    // Times relative to now, bare or as { time }: an hour ago is before the first event, so play starts there.
    for (const from of ['1h', { time: '1h' }, { time: 0 }]) {
      const state = await control(h, { action: 'play', speed: 0.1, from, to: 2 });
      expect([state.state, state.from], JSON.stringify(from)).toEqual(['playing', 0]);
    }
    await control(h, { action: 'play', speed: 0.1, from: 0, to: 2 });
    const outside = await h.api('/api/playback', { body: { action: 'seek', to: 3 } });
    expect(outside.status).toBe(400);
    expect(((await outside.json()) as { error: { code: string } }).error.code).toBe('OUT_OF_RANGE');
  });

  it('stops and reports when the journal evicts the range being played', async () => {
    const { s, h } = await setup({ args: ['--slots', '1024'] });
    await sendSpaced(
      s.port(),
      Array.from({ length: 30 }, (_, i) => `old ${i}`),
      50,
    );
    await journaled(s, 30);
    const probe = await authenticated(h);
    probe.send({ type: 'subscribe', topic: 'playback' });
    await probe.next('subscribed');
    await control(h, { action: 'play', speed: 0.1 });
    await probe.next('playback', (m) => m.frame !== null);
    for (let sent = 0; sent < 3000; sent += 500) {
      await sendUdp(
        s.port(),
        Array.from({ length: 500 }, (_, i) => `new ${sent + i}`),
      );
    }
    const stopped = await probe.next('playback', (m) => m.state.stoppedReason === 'evicted', {
      timeoutMs: 30_000,
    });
    expect(stopped.state.message).toMatch(/evicted/);
    expect(stopped.state.state).toBe('stopped');
  });
});

// ── cz tail ─────────────────────────────────────────────────────────────────────────────────────────

describe('cz tail', () => {
  it('prints the payloads sent to a stream and exits 0 on SIGINT', async () => {
    const { s, h } = await setup({ listens: ['0=default', '0=orders'] });
    const tail = spawnCz(['tail', '--hub', h.url, '--data-dir', h.dataDir, '--stream', 'orders']);
    const json = spawnCz(['tail', '--hub', h.url, '--key', h.rootKey, '--stream', '1', '--json']);
    await until(
      () => tail.stderr().includes('following') && json.stderr().includes('following'),
      'both tails to subscribe',
      30_000,
    );
    await sendUdp(s.port(), ['not this one']);
    await sendUdp(s.port('orders'), ['order one', 'order two', Buffer.from([0xff, 0xfe])]);
    await tail.waitForLine((l) => l.includes('0xfffe'));
    expect(tail.lines.some((l) => l.includes('order one'))).toBe(true);
    expect(tail.lines.some((l) => l.includes('order two'))).toBe(true);
    expect(tail.lines.some((l) => l.includes('not this one'))).toBe(false);
    expect(tail.lines[0]).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z {2}#\d+ {2}orders {2}127\.0\.0\.1 {2}order one$/,
    );
    await json.waitForLine((l) => l.includes('"hex"'));
    const parsed = json.lines.map((l) => JSON.parse(l) as EventView & { streamName: string });
    expect(parsed.map((e) => e.payload)).toEqual(['order one', 'order two', 'fffe']);
    expect(parsed[0]!.streamName).toBe('orders');
    tail.child.kill('SIGINT');
    json.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
    expect(await json.exited).toBe(0);
  });

  it('fails with one line for a refused key, an unknown stream and an unreachable hub', async () => {
    const { h } = await setup();
    const refused = await runCz(
      'tail',
      '--hub',
      h.url,
      '--key',
      `cz_${'C'.repeat(43)}`,
      '--stream',
      'default',
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toMatch(
      /^cz: the hub at http:\/\/127\.0\.0\.1:\d+ refused the API key: .*not known/,
    );
    const unknown = await runCz('tail', '--hub', h.url, '--key', h.rootKey, '--stream', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toMatch(/^cz: the hub refused the subscription: .*no stream named "nope"/);
    const unreachable = await runCz(
      'tail',
      '--hub',
      'http://127.0.0.1:1',
      '--key',
      h.rootKey,
      '--stream',
      'x',
    );
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr.trim()).toBe('cz: cannot reach the hub at http://127.0.0.1:1: ECONNREFUSED');
    const noKey = await runCz('tail', '--hub', h.url, '--data-dir', tempDir(), '--stream', 'x');
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/no API key/);
  });
});
