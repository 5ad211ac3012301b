// @vitest-environment jsdom
/**
 * The React side of `/ws` against a real `ws` server on 127.0.0.1 (port 0) answering like the hub: the
 * provider connects with the session's key and reconnects when it changes, `useHubSocket` follows the state
 * (open, closed and retrying, unauthorized), `useMetrics` delivers snapshots, and unmounting closes the socket.
 */
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as WsClient, WebSocketServer, type WebSocket as WsPeer } from 'ws';
import { CloseCode, type MetricsMessage } from '../../../src/hub/ws/schema.ts';
import { getSession, login, promptForKey, resetSession } from '../auth/session.ts';
import { HubSocketProvider, useHubSocket, useMetrics } from './hooks.tsx';
import { HubSocket, type WebSocketFactory } from './socket.ts';

const KEY = `cz_${'k'.repeat(43)}`;
const IDENTITY = { id: 'key_0123456789ab', name: 'ops', scopes: ['read'] };
const LIMITS = {
  metricsIntervalMs: { min: 100, max: 60_000, default: 1000 },
  maxPerSecond: { min: 1, max: 10_000, default: 1000 },
  maxBatchEvents: 500,
  batchIntervalMs: 100,
  maxBufferedBytes: 1 << 20,
  maxMessageBytes: 1 << 16,
};
const histogram = { bounds: [64, 256], counts: [0, 0, 0], count: 0, sum: 0 };

function metrics(head: number): MetricsMessage {
  return {
    type: 'metrics',
    at: Date.now(),
    intervalMs: 500,
    hub: { clients: 1, slowClientsDropped: 0, eventLoopDelayMs: { p50: 1, p99: 2, max: 3 } },
    snapshot: {
      at: Date.now(),
      journal: { available: true, path: '/tmp/journal.db' },
      sequencer: { state: 'connected', backend: 'io_uring', pid: 42 },
      head,
      tail: 0,
      ring: { slotCount: 1024, used: head, utilization: head / 1024 },
      blob: { size: 1 << 20, used: head * 10, utilization: (head * 10) / (1 << 20) },
      counters: { DATAGRAMS_RECEIVED: head },
      rates: {
        eventsPerSec: 5,
        payloadBytesPerSec: 50,
        datagramsPerSec: 5,
        bytesPerSec: 60,
        droppedPerSec: 0,
        evictedPerSec: 0,
        rejectedPerSec: 0,
        kernelDropsPerSec: 0,
      },
      consumers: [],
      streams: [],
      nodes: [],
      flows: [],
      payloadSizes: histogram,
      livePayloadSizes: histogram,
      tracker: {
        since: 0,
        next: head,
        lagEvents: 0,
        backfill: { from: 0, to: 0, next: 0, done: true },
        missedEvents: 0,
        dropped: { streams: 0, nodes: 0, flows: 0 },
      },
      process: { rssBytes: 1, heapUsedBytes: 1, heapTotalBytes: 1, cpuPercent: 1, cpuSecondsTotal: 1 },
    },
  } as MetricsMessage;
}

let server: WebSocketServer;
let url = '';
const peers: WsPeer[] = [];
const received: unknown[] = [];

beforeAll(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
  server.on('connection', (peer) => {
    peers.push(peer);
    peer.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; key?: string; topic?: string };
      received.push(message);
      if (message.type === 'auth') {
        if (message.key === KEY)
          peer.send(JSON.stringify({ type: 'authenticated', key: IDENTITY, limits: LIMITS }));
        else peer.close(CloseCode.UNAUTHORIZED, 'the API key is not known');
      } else if (message.type === 'subscribe' && message.topic === 'metrics') {
        peer.send(JSON.stringify(metrics(7)));
      }
    });
  });
});

afterAll(async () => {
  for (const client of server.clients) client.terminate();
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  cleanup();
  resetSession();
  localStorage.clear();
  peers.length = 0;
  received.length = 0;
});

/** The socket the app's provider makes, pointed at the test server. */
function appSocket(): HubSocket {
  return new HubSocket({
    url,
    getKey: () => getSession().key,
    onUnauthorized: (reason) => promptForKey('rejected', reason),
    createSocket: ((address: string) => new WsClient(address)) as unknown as WebSocketFactory,
    backoff: { initialMs: 30, jitter: 0 },
  });
}

function Probe() {
  const { state, identity, retryAt } = useHubSocket();
  const latest = useMetrics(500);
  return (
    <dl>
      <dt>state</dt>
      <dd data-testid="state">{state}</dd>
      <dt>who</dt>
      <dd data-testid="who">{identity ? `${identity.name} (${identity.scopes.join(',')})` : '-'}</dd>
      <dt>retry</dt>
      <dd data-testid="retry">{retryAt === null ? 'no' : 'yes'}</dd>
      <dt>head</dt>
      <dd data-testid="head">{latest ? latest.snapshot.head : '-'}</dd>
    </dl>
  );
}

const text = (id: string) => screen.getByTestId(id).textContent;

describe('HubSocketProvider and hooks', () => {
  it('connects with the session key, shows who it is, and delivers metric snapshots', async () => {
    login(KEY);
    render(
      <HubSocketProvider socket={appSocket()}>
        <Probe />
      </HubSocketProvider>,
    );
    await waitFor(() => expect(text('state')).toBe('open'));
    expect(text('who')).toBe('ops (read)');
    await waitFor(() => expect(text('head')).toBe('7'));
    expect(received).toContainEqual({ type: 'auth', key: KEY });
    expect(received).toContainEqual({ type: 'subscribe', topic: 'metrics', intervalMs: 500 });
  });

  it('shows a lost connection as closed and retrying, then open again', async () => {
    login(KEY);
    render(
      <HubSocketProvider socket={appSocket()}>
        <Probe />
      </HubSocketProvider>,
    );
    await waitFor(() => expect(text('state')).toBe('open'));
    peers[0]!.close(1001, 'hub restarting');
    await waitFor(() => expect(text('state')).toBe('closed'));
    expect(text('retry')).toBe('yes');
    expect(text('who')).toBe('-');
    await waitFor(() => expect(text('state')).toBe('open'));
    expect(peers).toHaveLength(2);
  });

  it('reconnects when the key changes; a refused key is "unauthorized" and asks for another', async () => {
    login(KEY);
    render(
      <HubSocketProvider socket={appSocket()}>
        <Probe />
      </HubSocketProvider>,
    );
    await waitFor(() => expect(text('state')).toBe('open'));

    login(`cz_${'w'.repeat(43)}`);
    await waitFor(() => expect(text('state')).toBe('unauthorized'));
    expect(getSession().prompt).toEqual({ reason: 'rejected', message: 'the API key is not known' });
    expect(text('retry')).toBe('no');

    login(KEY);
    await waitFor(() => expect(text('state')).toBe('open'));
    expect(peers).toHaveLength(3);
  });

  it('closes the socket when the provider unmounts', async () => {
    login(KEY);
    const { unmount } = render(
      <HubSocketProvider socket={appSocket()}>
        <Probe />
      </HubSocketProvider>,
    );
    await waitFor(() => expect(text('state')).toBe('open'));
    const peer = peers[0]!;
    const closed = new Promise<number>((resolve) => peer.once('close', resolve));
    unmount();
    expect(await closed).toBe(1000);
  });
});
