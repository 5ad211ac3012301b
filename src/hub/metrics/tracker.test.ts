/**
 * The stream tracker against a real journal written by the native sequencer in-process (submit path), so the
 * tests decide exactly which events exist when the tracker looks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventFlags } from '../../core/causal-event.ts';
import { hlcToBigInt } from '../../core/hlc.ts';
import { loadAddon, type NativeSequencer } from '../../native/binding.ts';
import { JournalReader } from '../../journal/reader.ts';
import { nodeLabel, nodeSourceOf, sizeBucket, StreamTracker } from './tracker.ts';

let dir: string;
let sequencer: NativeSequencer;
let reader: JournalReader;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cz-tracker-'));
  sequencer = new (loadAddon().Sequencer)({
    journal: join(dir, 'journal.db'),
    slots: 1024,
    blobSize: 65_536,
    listens: [],
  });
  sequencer.start(() => {});
  reader = JournalReader.open(join(dir, 'journal.db'));
});

afterEach(() => {
  reader.close();
  sequencer.close();
  rmSync(dir, { recursive: true, force: true });
});

const submit = (
  count: number,
  options: {
    streamId?: number;
    nodeId?: number | ((i: number) => number);
    size?: number;
    hint?: bigint;
  } = {},
) =>
  sequencer.submit(
    Array.from({ length: count }, (_, i) => ({
      streamId: options.streamId ?? 0,
      nodeId: typeof options.nodeId === 'function' ? options.nodeId(i) : (options.nodeId ?? 7),
      payload: Buffer.alloc(options.size ?? 10, 0x61),
      clockHint: options.hint,
    })),
  );

const update = (tracker: StreamTracker, at: number) => tracker.update(reader, reader.publication(), at);

describe('StreamTracker', () => {
  it('backfills the retained window, then counts live events per stream, node and flow with rates', async () => {
    const orders = sequencer.registerStream('orders');
    await submit(3, { streamId: 0, nodeId: 1 });
    await submit(2, { streamId: orders, nodeId: 2, size: 100 });
    const tracker = new StreamTracker();
    update(tracker, 1000);
    tracker.finishBackfill();
    let view = tracker.view();
    expect(view.state.backfill).toEqual({ from: 0, to: 5, next: 5, done: true });
    expect(view.streams.find((s) => s.id === 0)).toMatchObject({ name: 'default', events: 3, liveEvents: 0 });
    expect(view.streams.find((s) => s.id === orders)).toMatchObject({
      name: 'orders',
      named: true,
      events: 2,
      payloadBytes: 200,
    });

    await submit(4, { streamId: orders, nodeId: 2, size: 100 });
    update(tracker, 3000);
    view = tracker.view();
    const ordersStats = view.streams.find((s) => s.id === orders)!;
    expect(ordersStats).toMatchObject({ events: 6, liveEvents: 4, eventsPerSec: 2, payloadBytesPerSec: 200 });
    expect(ordersStats.lastSeenMs).toBeGreaterThan(Date.now() - 60_000);
    expect(view.nodes.map((n) => [n.id, n.events, n.source])).toEqual([
      [1, 3, 'submitted'],
      [2, 6, 'submitted'],
    ]);
    expect(view.flows.map((f) => [f.nodeId, f.streamId, f.events, f.eventsPerSec])).toEqual([
      [1, 0, 3, 0],
      [2, orders, 6, 2],
    ]);
    expect(view.payloadSizes.count).toBe(9);
    expect(view.payloadSizes.sum).toBe(3 * 10 + 6 * 100);
    expect(view.livePayloadSizes.count).toBe(4);
    expect(view.nodes[1]!.payloadSizes[sizeBucket(100)]).toBe(6);

    // A quiet interval brings the rates back to zero; counts stay.
    update(tracker, 4000);
    view = tracker.view();
    expect(view.streams.find((s) => s.id === orders)).toMatchObject({ events: 6, eventsPerSec: 0 });
  });

  it('lists named streams without traffic', () => {
    const idle = sequencer.registerStream('idle');
    const tracker = new StreamTracker();
    update(tracker, 0);
    expect(tracker.view().streams.find((s) => s.id === idle)).toMatchObject({
      name: 'idle',
      events: 0,
      lastSeenMs: null,
    });
  });

  it("measures how far ahead of the sample a sender's applied clock hint ran", async () => {
    const tracker = new StreamTracker();
    update(tracker, Date.now());
    const ahead = Date.now() + 5000;
    await submit(1, { nodeId: 9, hint: hlcToBigInt({ wallMs: ahead, logical: 0 }) });
    await submit(1, { nodeId: 9 });
    const sampleAt = Date.now();
    update(tracker, sampleAt);
    const node = tracker.view().nodes.find((n) => n.id === 9)!;
    expect(node.clockHints.applied).toBe(1);
    expect(node.clockHints.measured).toBe(1);
    expect(node.clockHints.maxAheadMs).toBe(ahead - sampleAt);
    expect(node.clockHints.maxAheadMs).toBeGreaterThan(4000);
  });

  it('counts events evicted before it could read them as missed, and scans only what is retained', async () => {
    const tracker = new StreamTracker();
    update(tracker, 0);
    await submit(3000, { size: 1 });
    update(tracker, 1000);
    const view = tracker.view();
    expect(view.state.missedEvents).toBe(3000 - 1024);
    expect(view.streams.find((s) => s.id === 0)!.events).toBe(1024);
    expect(view.state.next).toBe(3000);
  });

  it('backfills at most maxBackfill of the newest events', async () => {
    await submit(500);
    const tracker = new StreamTracker({ maxBackfill: 100 });
    update(tracker, 0);
    tracker.finishBackfill();
    expect(tracker.view().state.backfill).toMatchObject({ from: 400, to: 500, done: true });
    expect(tracker.view().streams[0]!.events).toBe(100);
  });

  it('finishes the backfill in the background, in slices', async () => {
    await submit(900);
    const tracker = new StreamTracker({ backfillSliceMs: 0, scanStep: 100 });
    update(tracker, 0);
    expect(tracker.view().state.backfill).toMatchObject({ next: 0, done: false });
    let slices = 0;
    await new Promise<void>((resolve) => {
      const poll = () => (tracker.view().state.backfill.done ? resolve() : (slices++, setImmediate(poll)));
      poll();
    });
    expect(slices).toBeGreaterThan(1);
    expect(tracker.view().streams[0]!.events).toBe(900);
  });

  it('abandons a background backfill whose reader was closed (the journal was replaced)', async () => {
    await submit(900);
    const other = JournalReader.open(join(dir, 'journal.db'));
    const tracker = new StreamTracker({ backfillSliceMs: 0, scanStep: 100 });
    tracker.update(other, other.publication(), 0);
    other.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(tracker.view().state.backfill.done).toBe(true);
  });

  it('keeps its maps bounded, dropping the least recently seen entries', async () => {
    const tracker = new StreamTracker({ maxNodes: 8, maxFlows: 8 });
    update(tracker, 0);
    await submit(40, { nodeId: (i) => 100 + i });
    update(tracker, 1000);
    const view = tracker.view();
    expect(view.nodes.length).toBeLessThanOrEqual(8);
    expect(view.flows.length).toBeLessThanOrEqual(8);
    expect(view.state.dropped.nodes).toBeGreaterThan(0);
    // The newest sender survives.
    expect(view.nodes.some((n) => n.id === 139)).toBe(true);
    // Streams are not affected by the node limit.
    expect(view.streams[0]!.events).toBe(40);
  });

  it('keeps stream and node totals exact when flows are dropped, and drops flows with their stream', async () => {
    const tracker = new StreamTracker({ maxFlows: 2 });
    update(tracker, 0);
    for (let stream = 1; stream <= 5; stream++) await submit(stream, { streamId: stream, nodeId: 3 });
    update(tracker, 1000);
    let view = tracker.view();
    expect(view.flows.length).toBeLessThanOrEqual(2);
    expect(view.state.dropped.flows).toBeGreaterThan(0);
    // Dropped flows fold into their stream and node: nothing is lost.
    expect(view.streams.map((s) => [s.id, s.events])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
      [5, 5],
    ]);
    expect(view.nodes.map((n) => [n.id, n.events, n.liveEvents])).toEqual([[3, 15, 15]]);

    const narrow = new StreamTracker({ maxStreams: 2, maxBackfill: 0 });
    update(narrow, 0);
    await submit(1, { streamId: 10, nodeId: 4 });
    await submit(1, { streamId: 11, nodeId: 4 });
    await submit(1, { streamId: 12, nodeId: 4 });
    update(narrow, 1000);
    view = narrow.view();
    expect(view.state.dropped.streams).toBe(1);
    expect(view.streams.filter((s) => s.events > 0).map((s) => s.id)).toEqual([11, 12]);
    expect(view.flows.map((f) => f.streamId)).toEqual([11, 12]);
    // The node keeps the events of the stream that was dropped.
    expect(view.nodes[0]!.events).toBe(3);
  });

  it('starts over for a new journal and forgets everything when the journal goes away', async () => {
    await submit(5);
    const tracker = new StreamTracker();
    update(tracker, 0);
    tracker.finishBackfill();
    expect(tracker.view().streams[0]!.events).toBe(5);
    tracker.update(null, null, 1000);
    expect(tracker.view().streams).toEqual([]);
    const other = JournalReader.open(join(dir, 'journal.db'));
    try {
      tracker.update(other, other.publication(), 2000);
      tracker.finishBackfill();
      expect(tracker.view().streams[0]!.events).toBe(5);
      expect(tracker.view().state.since).toBe(2000);
    } finally {
      tracker.stop();
      other.close();
    }
  });
});

describe('node ids', () => {
  it('are shown as IPv4 addresses for raw IPv4 senders, and by kind otherwise', () => {
    expect(nodeLabel(0x7f00_0001, nodeSourceOf(0))).toBe('127.0.0.1');
    expect(nodeLabel(0xc0a8_0102, 'ipv4')).toBe('192.168.1.2');
    expect(nodeLabel(0xab, nodeSourceOf(EventFlags.SOURCE_IPV6))).toBe('ipv6:000000ab');
    expect(nodeLabel(77, nodeSourceOf(EventFlags.FRAMED | 0x2a))).toBe('node-77');
    expect(nodeSourceOf(EventFlags.SUBMITTED)).toBe('submitted');
  });

  it('sizes fall into inclusive buckets', () => {
    expect([0, 1, 16, 17, 65_536, 65_537, 2_000_000].map(sizeBucket)).toEqual([0, 1, 1, 2, 7, 8, 9]);
  });
});
