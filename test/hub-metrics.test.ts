/**
 * Metrics and runtime routes end to end: a real `cz start`, a real hub on a free port, real UDP on 127.0.0.1.
 * Every success response is validated against the schemas the UI imports (src/hub/{metrics,runtime}/schema.ts);
 * `/metrics` is checked by the real `promtool` (Debian package `prometheus`; missing promtool fails the test).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { encodeFrame } from '../src/core/frame.ts';
import { journalGeometry } from '../src/journal/layout.ts';
import { JournalReader } from '../src/journal/reader.ts';
import { historyResponseSchema } from '../src/hub/metrics/schema.ts';
import {
  errorResponseSchema,
  layoutResponseSchema,
  ringResponseSchema,
  statusResponseSchema,
  streamsResponseSchema,
  systemResponseSchema,
  topologyResponseSchema,
} from '../src/hub/runtime/schema.ts';
import { closeHubs, startHub, type TestHub } from './helpers/hub.ts';
import { killAll, tempDir, until } from './helpers/processes.ts';
import { counters, sendUdp, startSequencer } from './helpers/sequencer.ts';

afterEach(async () => {
  await closeHubs();
  await killAll();
});

const WAIT_MS = 30_000;

async function get<S extends z.ZodType>(hub: TestHub, path: string, schema: S): Promise<z.infer<S>> {
  const response = await hub.api(path);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${text}`);
  return schema.parse(JSON.parse(text));
}

async function metricsText(hub: TestHub): Promise<string> {
  const response = await hub.api('/metrics');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return response.text();
}

function promtoolCheck(text: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (result.error) {
    throw new Error(`promtool is needed (apt-get install -y prometheus): ${result.error.message}`);
  }
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

async function expectUnavailable(hub: TestHub, path: string): Promise<void> {
  const response = await hub.api(path);
  expect(response.status, path).toBe(503);
  const body = errorResponseSchema.parse(await response.json());
  expect(body.error.code).toBe('JOURNAL_UNAVAILABLE');
}

describe('hub metrics and runtime', () => {
  it('moves counters and rates after UDP traffic', async () => {
    const s = await startSequencer({ backend: 'auto' });
    const hub = await startHub({ journalPath: s.journal, ipcPath: s.ipcPath });
    await sendUdp(
      s.port(),
      Array.from({ length: 20 }, (_, i) => `event ${i}`),
    );
    await until(
      async () => (await metricsText(hub)).includes('\nlacrimosa_events_journaled_total 20\n'),
      'lacrimosa_events_journaled_total 20',
      WAIT_MS,
    );
    const text = await metricsText(hub);
    expect(text).toContain('\nlacrimosa_datagrams_received_total 20\n');
    expect(text).toContain('\nlacrimosa_sequencer_connected 1\n');
    expect(text).toMatch(/\nlacrimosa_stream_events_total\{stream="default",stream_id="0"\} 20\n/);
    // The sample that saw the 20 events had a non-zero rate; it is in the 1 s history.
    await until(
      async () => {
        const history = await get(hub, '/api/metrics/history?since=5m&resolution=1s', historyResponseSchema);
        return history.points.some((p) => (p.eventsPerSec ?? 0) > 0);
      },
      'a history point with eventsPerSec > 0',
      WAIT_MS,
    );
    const history = await get(
      hub,
      '/api/metrics/history?since=5m&series=eventsPerSec,head&stream=default',
      historyResponseSchema,
    );
    expect(history).toMatchObject({ resolution: '1s', requested: 'auto', series: ['eventsPerSec', 'head'] });
    expect(history.streams).toEqual([{ id: 0, name: 'default', key: 'stream_0' }]);
    expect(Object.keys(history.points.at(-1)!).sort()).toEqual(['eventsPerSec', 'head', 'stream_0', 't']);
    expect(history.points.some((p) => (p.stream_0 ?? 0) > 0)).toBe(true);
    expect(history.points.at(-1)!.head).toBe(20);

    const bad = await hub.api('/api/metrics/history?series=nope');
    expect(bad.status).toBe(400);
    expect(errorResponseSchema.parse(await bad.json()).error.code).toBe('INVALID_REQUEST');
    const unknownStream = await hub.api('/api/metrics/history?stream=nope');
    expect(unknownStream.status).toBe(400);
    expect((await hub.api('/metrics', { key: null })).status).toBe(401);
  });

  it('counts per stream what was sent on two ports, lists idle named streams, and draws the topology', async () => {
    const s = await startSequencer({ backend: 'auto', listens: ['0=default', '0=orders', '0=idle'] });
    const hub = await startHub({ journalPath: s.journal, ipcPath: s.ipcPath });
    await sendUdp(s.port(), ['a', 'bb', 'ccc', 'dddd', 'eeeee']);
    await sendUdp(s.port('orders'), ['{"order":1}', '{"order":2}', '{"order":3}']);
    await until(
      async () => {
        const { streams } = await get(hub, '/api/streams', streamsResponseSchema);
        const by = (name: string) => streams.find((x) => x.name === name)?.events;
        return by('default') === 5 && by('orders') === 3;
      },
      'per-stream counts 5 and 3',
      WAIT_MS,
    );
    const { streams, tracking } = await get(hub, '/api/streams', streamsResponseSchema);
    const orders = streams.find((x) => x.name === 'orders')!;
    expect(orders).toMatchObject({ named: true, payloadBytes: 33, nodes: 1 });
    expect(orders.listeners).toContainEqual({ host: '127.0.0.1', port: s.port('orders') });
    expect(orders.lastSeenMs).toBeGreaterThan(Date.now() - 60_000);
    expect(streams.find((x) => x.name === 'default')).toMatchObject({ id: 0, payloadBytes: 15 });
    expect(streams.find((x) => x.name === 'idle')).toMatchObject({ events: 0, lastSeenMs: null, nodes: 0 });
    expect(tracking.missedEvents).toBe(0);

    const topology = await get(hub, '/api/topology', topologyResponseSchema);
    const local = topology.nodes.find((n) => n.kind === 'node' && n.label === '127.0.0.1');
    expect(local).toMatchObject({ id: 'node:2130706433', events: 8, source: 'ipv4' });
    const edges = topology.edges.filter((e) => e.from === local!.id);
    expect(edges.map((e) => [e.to, e.events]).sort()).toEqual([
      ['stream:0', 5],
      [`stream:${orders.id}`, 3],
    ]);
    expect(topology.nodes.find((n) => n.id === `stream:${orders.id}`)).toMatchObject({ label: 'orders' });
  });

  it('serves /metrics that promtool accepts, with consumer lag and clock-hint lead', async () => {
    const s = await startSequencer({ backend: 'auto' });
    const hub = await startHub({ journalPath: s.journal, ipcPath: s.ipcPath });
    const reader = JournalReader.open(s.journal, { cursors: true });
    try {
      const cursor = reader.registerCursor('exporter', { position: 0 });
      const ahead = Date.now() + 5000;
      await sendUdp(s.port(), [
        encodeFrame({ nodeId: 42, payload: Buffer.from('hinted'), clockHint: { wallMs: ahead, logical: 0 } }),
        'raw',
      ]);
      await until(
        async () => {
          const text = await metricsText(hub);
          return (
            text.includes('lacrimosa_node_clock_hint_ahead_max_seconds{node="node-42",node_id="42"}') &&
            text.includes('lacrimosa_consumer_lag_events{cursor="exporter",index="') &&
            text.includes('\nlacrimosa_events_journaled_total 2\n')
          );
        },
        'clock-hint lead and consumer lag in /metrics',
        WAIT_MS,
      );
      const text = await metricsText(hub);
      expect(text).toMatch(
        new RegExp(`lacrimosa_consumer_lag_events\\{cursor="exporter",index="${cursor.index}"\\} 2\n`),
      );
      const lead = Number(/node_id="42"\} (\S+)\n/.exec(text)![1]);
      // A lower bound of the 5 s lead: the hub samples up to a second (more on a loaded box) after arrival.
      expect(lead).toBeGreaterThan(0);
      expect(lead).toBeLessThanOrEqual(5);
      expect(text).toContain('lacrimosa_event_payload_size_bytes_count 2\n');
      expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
      cursor.release();
    } finally {
      reader.close();
    }
  });

  it('keeps history across a hub restart: earlier points come back from SQLite', async () => {
    const s = await startSequencer({ backend: 'auto' });
    const started = Date.now();
    const first = await startHub({ journalPath: s.journal, ipcPath: s.ipcPath });
    await sendUdp(s.port(), ['one', 'two', 'three']);
    await until(
      async () => {
        const h = await get(first, '/api/metrics/history?since=5m&resolution=1s', historyResponseSchema);
        return h.points.some((p) => (p.eventsPerSec ?? 0) > 0);
      },
      'a 1 s point with traffic',
      WAIT_MS,
    );
    const stoppedAt = Date.now();
    await first.close();

    const second = await startHub({ journalPath: s.journal, ipcPath: s.ipcPath, dataDir: first.dataDir });
    const since = started - 60_000;
    const auto = await get(second, `/api/metrics/history?since=${since}`, historyResponseSchema);
    expect(auto.sources[0]).toMatchObject({ resolution: '1m' });
    const before = auto.points.filter((p) => p.t <= stoppedAt);
    expect(before.some((p) => (p.eventsPerSec ?? 0) > 0)).toBe(true);
    const minutes = await get(
      second,
      `/api/metrics/history?since=${since}&resolution=1m&series=eventsPerSec,head`,
      historyResponseSchema,
    );
    expect(minutes.points.some((p) => (p.eventsPerSec ?? 0) > 0 && p.head === 3)).toBe(true);
    const hours = await get(
      second,
      `/api/metrics/history?since=${since}&resolution=1h`,
      historyResponseSchema,
    );
    expect(hours.points.length).toBeGreaterThan(0);
  });

  it('agrees with JournalReader on ring and layout after the ring and blob wrapped', async () => {
    const s = await startSequencer({ backend: 'auto', args: ['--slots', '1024', '--blob-size', '64KiB'] });
    const hub = await startHub({ journalPath: s.journal, ipcPath: s.ipcPath });
    const small = Array.from({ length: 2000 }, (_, i) => 'x'.repeat(1 + (i % 8)));
    const large = Array.from({ length: 200 }, (_, i) => `${i}`.padEnd(400, '.'));
    await sendUdp(s.port(), small);
    await sendUdp(s.port(), large);
    await until(
      () => {
        const c = counters(s.journal);
        return c.DATAGRAMS_RECEIVED + c.KERNEL_DROPS_REPORTED >= small.length + large.length;
      },
      'every datagram taken',
      WAIT_MS,
    );
    const reader = JournalReader.open(s.journal, { cursors: true });
    try {
      const p = reader.publication();
      expect(p.head).toBeGreaterThan(2048);
      expect(p.blobHead).toBeGreaterThan(65_536);
      const cursor = reader.registerCursor('mirror', { position: p.tail + 100 });

      const ring = await get(hub, '/api/ring', ringResponseSchema);
      expect(ring).toMatchObject({
        head: p.head,
        tail: p.tail,
        blobHead: p.blobHead,
        blobTail: p.blobTail,
        retained: p.head - p.tail,
        wraps: { ring: Math.floor(p.head / 1024), blob: Math.floor(p.blobHead / 65_536) },
        geometry: { slotCount: 1024, blobSize: 65_536, maxPayload: reader.writer().maxPayload },
      });
      expect(ring.geometry.fileSize).toBe(reader.identity().fileSize);
      expect(ring.evicted).toBe(reader.counter('EVENTS_EVICTED'));
      expect(ring.consumers).toContainEqual(
        expect.objectContaining({
          index: cursor.index,
          name: 'mirror',
          position: p.tail + 100,
          lag: p.head - p.tail - 100,
          live: true,
          place: 'retained',
          lostEvents: 0,
        }),
      );
      expect(ring.utilization.blob).toBeCloseTo((p.blobHead - p.blobTail) / 65_536);

      const layout = await get(hub, '/api/journal/layout', layoutResponseSchema);
      expect(layout).toMatchObject({
        head: p.head,
        tail: p.tail,
        blobHead: p.blobHead,
        blobTail: p.blobTail,
      });
      const spans = layout.ring.occupied;
      expect(spans[0]).toMatchObject({ fromSlot: p.tail % 1024, fromSequence: p.tail });
      expect(spans.at(-1)!.toSequence).toBe(p.head);
      expect(spans.reduce((n, x) => n + (x.toSlot - x.fromSlot), 0)).toBe(p.head - p.tail);
      for (const span of spans) {
        expect(span.offset).toBe(65_536 + span.fromSlot * 32);
        // The slot the map names holds the sequence it says, as the reader sees it.
        const event = reader.readEvent(span.fromSequence);
        expect(event).not.toBeNull();
        expect(reader.readEvent(span.toSequence - 1)).not.toBeNull();
      }
      expect(reader.readEvent(p.tail)!.payloadOffset).toBe(p.blobTail);
      const blob = layout.blob.occupied;
      expect(blob[0]).toMatchObject({ from: p.blobTail % 65_536, fromOffset: p.blobTail });
      expect(blob.reduce((n, x) => n + x.size, 0)).toBe(p.blobHead - p.blobTail);
      expect(blob.at(-1)!.toOffset).toBe(p.blobHead);
      expect(layout.cursors).toContainEqual(
        expect.objectContaining({ name: 'mirror', place: 'retained', slot: (p.tail + 100) % 1024 }),
      );
      expect(layout.header.sections.reduce((n, x) => n + x.size, 0)).toBe(65_536);
      expect(layout.blob.offset + layout.blob.size).toBe(layout.fileSize);
      cursor.release();
    } finally {
      reader.close();
    }
  });

  it('works before the journal exists and picks up the journal and sequencer when they appear', async () => {
    const dir = tempDir('cz-late-');
    const hub = await startHub({ journalPath: join(dir, 'journal.db'), ipcPath: join(dir, 'cz.sock') });
    const status = await get(hub, '/api/status', statusResponseSchema);
    expect(status).toMatchObject({ journal: { available: false }, sequencer: { state: 'disconnected' } });
    for (const path of ['/api/ring', '/api/journal/layout', '/api/streams', '/api/topology']) {
      await expectUnavailable(hub, path);
    }
    const system = await get(hub, '/api/system', systemResponseSchema);
    expect(system).toMatchObject({
      hub: { pid: process.pid },
      journal: { available: false, file: null },
      sequencer: { state: 'disconnected', pid: null, listeners: [] },
    });
    expect(system.dataDir.files).toBeGreaterThan(0);
    expect((await get(hub, '/api/metrics/history', historyResponseSchema)).points).toEqual([]);
    const bare = await metricsText(hub);
    expect(bare).toContain('\nlacrimosa_journal_available 0\n');
    expect(promtoolCheck(bare)).toEqual({ status: 0, output: '' });

    const s = await startSequencer({ backend: 'auto', dir });
    await until(async () => (await hub.api('/api/ring')).status === 200, '/api/ring to answer', WAIT_MS);
    await until(
      async () => (await get(hub, '/api/system', systemResponseSchema)).sequencer.state === 'connected',
      'the sequencer link',
      WAIT_MS,
    );
    const later = await get(hub, '/api/system', systemResponseSchema);
    expect(later.sequencer).toMatchObject({ pid: s.ready.pid, backend: s.ready.backend });
    expect(later.sequencer.listeners.map((l) => l.port)).toContain(s.port());
    const { slotCount, blobSize } = s.ready.journal;
    expect(later.journal.file!.apparentBytes).toBe(journalGeometry(slotCount, blobSize).fileSize);
    expect(later.journal.file!.allocatedBytes).toBeLessThanOrEqual(later.journal.file!.apparentBytes);
    expect(await get(hub, '/api/status', statusResponseSchema)).toMatchObject({
      journal: { available: true },
      sequencer: { state: 'connected' },
    });
    await sendUdp(s.port(), ['late 1', 'late 2', 'late 3']);
    await until(
      async () => (await get(hub, '/api/streams', streamsResponseSchema)).streams[0]?.events === 3,
      'the late journal tracked',
      WAIT_MS,
    );
  });
});
