/**
 * The hub's event endpoints end to end: a real `cz start` process, the real hub in-process, real UDP
 * datagrams, and the journal file read back directly as the reference. Every success response is validated
 * against the shared schemas of src/hub/events/schema.ts.
 */
import dgram from 'node:dgram';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { EventFlags } from '../src/core/causal-event.ts';
import { decodeFrame, encodeFrame } from '../src/core/frame.ts';
import { hlcToBigInt } from '../src/core/hlc.ts';
import { u64ToDecimal } from '../src/core/u64.ts';
import { connectIpc } from '../src/ipc/client.ts';
import { JournalReader } from '../src/journal/reader.ts';
import {
  EXPORT_CSV_COLUMNS,
  eventDetailSchema,
  eventSchema,
  eventsPageSchema,
  type EventView,
  replayJobListSchema,
  replayJobSchema,
  simulateJobListSchema,
  simulateJobSchema,
} from '../src/hub/events/schema.ts';
import { closeHubs, startHub, type TestHub } from './helpers/hub.ts';
import { killAll, until } from './helpers/processes.ts';
import { counters, sendUdp, startSequencer, type TestSequencer } from './helpers/sequencer.ts';
import { failure, ok } from './helpers/answers.ts';

afterEach(async () => {
  await closeHubs();
  await killAll();
});

const LOOPBACK_NODE = 0x7f00_0001;

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

async function setup(args: string[] = []): Promise<{ s: TestSequencer; hub: TestHub }> {
  const s = await startSequencer({ backend: 'auto', listens: ['0=default', '0=orders'], args });
  const hub = await startHub({ journalPath: s.journal, ipcPath: s.ipcPath });
  await until(() => hub.hub.services.sequencer.state === 'connected', 'the hub to connect to the sequencer');
  return { s, hub };
}

async function journaled(s: TestSequencer, n: number): Promise<void> {
  await until(() => counters(s.journal).EVENTS_JOURNALED >= n, `${n} events journaled`, 30_000);
}

interface Reference {
  seq: number;
  streamId: number;
  nodeId: number;
  flags: number;
  size: number;
  checksum: number;
  lamport: string;
  timeMs: number;
  payload: Buffer;
}

function journalContent(path: string): Reference[] {
  const reader = JournalReader.open(path);
  try {
    const { head, tail } = reader.publication();
    const out: Reference[] = [];
    reader.scan(tail, head, (e, seq) => {
      out.push({
        seq,
        streamId: e.streamId,
        nodeId: e.nodeId,
        flags: e.flags,
        size: e.payloadLength,
        checksum: e.checksum,
        lamport: u64ToDecimal(e.lamportHi, e.lamportLo),
        timeMs: e.lamportHi * 0x1_0000 + (e.lamportLo >>> 16),
        payload: Buffer.from(reader.payloadView(e)),
      });
    });
    return out;
  } finally {
    reader.close();
  }
}

const summary = (v: EventView | Reference) => ({
  seq: v.seq,
  streamId: v.streamId,
  nodeId: v.nodeId,
  flags: v.flags,
  size: v.size,
  checksum: v.checksum,
  lamport: v.lamport,
});

/** Follows nextCursor to the end; every page is schema-checked and within the limit. */
async function pageAll(
  hub: TestHub,
  query: string,
  limit: number,
  startCursor: string | null = null,
): Promise<EventView[]> {
  const events: EventView[] = [];
  let cursor: string | null = startCursor;
  for (let pages = 0; ; pages++) {
    if (pages > 10_000) throw new Error('paging does not end');
    const suffix: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const page = await ok(hub.api(`/api/events?${query}&limit=${limit}${suffix}`), eventsPageSchema);
    expect(page.events.length).toBeLessThanOrEqual(limit);
    events.push(...page.events);
    cursor = page.nextCursor;
    if (cursor === null) return events;
  }
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

async function waitForJob<J extends { state: string }>(
  hub: TestHub,
  path: string,
  schema: z.ZodType<J>,
  done: (job: J) => boolean = (job) => job.state !== 'running',
): Promise<J> {
  let job: J = await ok(hub.api(path), schema);
  await until(
    async () => {
      job = await ok(hub.api(path), schema);
      return done(job);
    },
    `job ${path} to finish`,
    60_000,
  );
  return job;
}

describe('GET /api/events', () => {
  it('pages through the journal in both orders with cursors: every event exactly once, as journaled', async () => {
    const { s, hub } = await setup();
    const raw = Array.from({ length: 120 }, (_, i) => `raw ${i}`);
    const framed = Array.from({ length: 120 }, (_, i) =>
      encodeFrame({ nodeId: 1000 + (i % 3), streamId: 7, flags: 0x05, payload: Buffer.from(`framed ${i}`) }),
    );
    // One port at a time: the receiver drains its sockets in batches, so only this fixes the journal order.
    await sendUdp(s.port(), raw.slice(0, 60));
    await journaled(s, 60);
    await sendUdp(s.port('orders'), raw.slice(60));
    await journaled(s, 120);
    await sendUdp(s.port(), framed);
    await journaled(s, 240);
    const reference = journalContent(s.journal).map(summary);
    expect(reference).toHaveLength(240);

    const asc = await pageAll(hub, 'order=asc', 17);
    expect(asc.map(summary)).toEqual(reference);
    const desc = await pageAll(hub, 'order=desc', 23);
    expect(desc.map(summary)).toEqual([...reference].reverse());
    expect(asc.every((e, i) => e.slot === e.seq && e.seq === i)).toBe(true);
    expect(asc[0]).toMatchObject({ stream: 'default', nodeId: LOOPBACK_NODE, flagNames: [] });
    expect(asc[60]).toMatchObject({ stream: 'orders' });
    expect(asc[200]).toMatchObject({ streamId: 7, stream: null, flags: 0x105, flagNames: ['FRAMED'] });

    // A paging session is a snapshot: events journaled after the first page do not shift later pages.
    const first = await ok(hub.api('/api/events?limit=100'), eventsPageSchema);
    expect(first).toMatchObject({ head: 240, tail: 0, scanned: { from: 140, to: 240, count: 100 } });
    await sendUdp(s.port(), ['late 1', 'late 2']);
    await journaled(s, 242);
    const rest = await pageAll(hub, '', 100, first.nextCursor);
    expect([...first.events, ...rest].map((e) => e.seq)).toEqual(reference.map((r) => r.seq).reverse());
    const newest = await ok(hub.api('/api/events?limit=1'), eventsPageSchema);
    expect(newest.events[0]!.seq).toBe(241);
  });

  it('filters by stream (name, id, list, repeated), node and sequence range', async () => {
    const { s, hub } = await setup();
    await sendUdp(s.port(), ['d0', 'd1', 'd2']);
    await journaled(s, 3);
    await sendUdp(s.port('orders'), ['o0', 'o1']);
    await journaled(s, 5);
    await sendUdp(
      s.port(),
      Array.from({ length: 30 }, (_, i) =>
        encodeFrame({ nodeId: 11 + (i % 2) * 11, streamId: 9, payload: Buffer.from(`f${i}`) }),
      ),
    );
    await journaled(s, 35);
    const all = journalContent(s.journal);
    const seqs = (pred: (r: Reference) => boolean) => all.filter(pred).map((r) => r.seq);
    const got = async (query: string) => (await pageAll(hub, query, 4)).map((e) => e.seq);

    expect(await got('order=asc&stream=orders')).toEqual(seqs((r) => r.streamId === 1));
    expect(await got('order=asc&stream=9')).toEqual(seqs((r) => r.streamId === 9));
    expect(await got('order=asc&stream=default,orders')).toEqual(seqs((r) => r.streamId <= 1));
    expect(await got('order=asc&stream=default&stream=9')).toEqual(seqs((r) => r.streamId !== 1));
    expect(await got('order=desc&node=22')).toEqual(seqs((r) => r.nodeId === 22).reverse());
    expect(await got(`order=asc&node=${LOOPBACK_NODE}`)).toEqual([0, 1, 2, 3, 4]);
    expect(await got('order=asc&stream=9&node=11&from=10&to=20')).toEqual(
      seqs((r) => r.streamId === 9 && r.nodeId === 11 && r.seq >= 10 && r.seq < 20),
    );
    expect(await got('order=desc&from=3&to=5')).toEqual([4, 3]);
    expect(await got('from=500')).toEqual([]);

    const message = await failure(hub.api('/api/events?stream=nosuch'), 400, 'INVALID_REQUEST');
    expect(message).toBe('query.stream: no stream is named "nosuch" (known streams: default, orders)');
  });

  it('filters by time: epoch ms, RFC 3339 and durations ago', async () => {
    const { s, hub } = await setup();
    await sendUdp(s.port(), ['a0', 'a1', 'a2']);
    await journaled(s, 3);
    const lastA = journalContent(s.journal).at(-1)!.timeMs;
    await until(() => Date.now() > lastA + 20, 'the wall clock to move on');
    await sendUdp(s.port(), ['b0', 'b1']);
    await journaled(s, 5);
    const all = journalContent(s.journal);
    const boundary = all[3]!.timeMs;
    expect(boundary).toBeGreaterThan(lastA);
    const got = async (query: string) => (await pageAll(hub, `order=asc&${query}`, 100)).map((e) => e.seq);

    expect(await got(`since=${boundary}`)).toEqual([3, 4]);
    expect(await got(`until=${boundary}`)).toEqual([0, 1, 2]);
    expect(await got(`since=${new Date(boundary).toISOString()}`)).toEqual([3, 4]);
    expect(await got(`until=${encodeURIComponent(new Date(boundary).toISOString())}`)).toEqual([0, 1, 2]);
    expect(await got(`since=${all[0]!.timeMs}&until=${boundary}`)).toEqual([0, 1, 2]);
    expect(await got('since=1h')).toEqual([0, 1, 2, 3, 4]);
    expect(await got('since=2d&until=1h')).toEqual([]);
    expect(await got('until=now')).toEqual([0, 1, 2, 3, 4]);
    expect(await got(`since=${boundary}&order=desc`)).toEqual([3, 4]);
    expect((await pageAll(hub, `since=${boundary}`, 1)).map((e) => e.seq)).toEqual([4, 3]);

    const message = await failure(hub.api('/api/events?since=yesterday'), 400, 'INVALID_REQUEST');
    expect(message).toMatch(
      /^query\.since: since must be epoch milliseconds, an RFC 3339 time, or a duration/,
    );
  });

  it('renders payload previews as asked, truncated to maxPayloadBytes', async () => {
    const { s, hub } = await setup();
    const long = 'x'.repeat(1000);
    await sendUdp(s.port(), ['{"price":101}', 'hello\n', Buffer.from([0, 1, 2, 0xff]), long]);
    await journaled(s, 4);
    const page = async (query: string) =>
      (await ok(hub.api(`/api/events?order=asc&${query}`), eventsPageSchema)).events.map((e) => e.payload);

    expect(await page('payload=none')).toEqual([undefined, undefined, undefined, undefined]);
    expect(await page('payload=auto')).toEqual([
      { encoding: 'json', json: { price: 101 }, truncated: false },
      { encoding: 'text', text: 'hello\n', truncated: false },
      { encoding: 'hex', hex: '000102ff', truncated: false },
      { encoding: 'text', text: 'x'.repeat(256), truncated: true },
    ]);
    expect(await page('payload=json&maxPayloadBytes=8&to=2')).toEqual([
      { encoding: 'text', text: '{"price"', truncated: true },
      { encoding: 'text', text: 'hello\n', truncated: false },
    ]);
    expect(await page('payload=text&from=2&to=3')).toEqual([
      { encoding: 'hex', hex: '000102ff', truncated: false },
    ]);
    expect(await page('payload=hex&to=1')).toEqual([
      { encoding: 'hex', hex: Buffer.from('{"price":101}').toString('hex'), truncated: false },
    ]);
    expect(await page('payload=base64&from=3&maxPayloadBytes=3')).toEqual([
      { encoding: 'base64', base64: Buffer.from('xxx').toString('base64'), truncated: true },
    ]);
  });

  it('answers 503 while the journal does not exist', async () => {
    const hub = await startHub({ journalPath: '/nonexistent/journal.db', ipcPath: '/nonexistent/cz.sock' });
    await failure(hub.api('/api/events'), 503, 'JOURNAL_UNAVAILABLE');
    await failure(hub.api('/api/events/0'), 503, 'JOURNAL_UNAVAILABLE');
    await failure(hub.api('/api/export'), 503, 'JOURNAL_UNAVAILABLE');
  });
});

describe('GET /api/events/:slot', () => {
  it('decodes one event, verifies its checksum, and says 404 for unwritten and 410 for evicted', async () => {
    const { s, hub } = await setup(['--slots', '1024', '--blob-size', '64KiB']);
    await sendUdp(s.port(), ['{"first":true}', 'plain text', Buffer.from([0xff, 0x00, 0xbe, 0xef])]);
    await journaled(s, 3);

    const json = await ok(hub.api('/api/events/0'), eventDetailSchema);
    const reference = journalContent(s.journal)[0]!;
    expect(json).toMatchObject({
      seq: 0,
      slot: 0,
      lamport: reference.lamport,
      stream: 'default',
      nodeId: LOOPBACK_NODE,
      size: 14,
      checksum: { stored: reference.checksum, computed: reference.checksum, ok: true },
      payload: {
        encoding: 'json',
        json: { first: true },
        text: '{"first":true}',
        hex: Buffer.from('{"first":true}').toString('hex'),
        base64: Buffer.from('{"first":true}').toString('base64'),
        truncated: false,
      },
      overwritten: false,
      retained: true,
    });
    expect((await ok(hub.api('/api/events/1'), eventDetailSchema)).payload).toMatchObject({
      encoding: 'text',
      text: 'plain text',
    });
    const binary = await ok(hub.api('/api/events/2?maxPayloadBytes=2'), eventDetailSchema);
    expect(binary.payload).toEqual({ encoding: 'hex', hex: 'ff00', base64: '/wA=', truncated: true });
    expect(binary.checksum.ok).toBe(true);

    expect(await failure(hub.api('/api/events/3'), 404, 'NOT_FOUND')).toBe(
      'event 3 has not been written; the next sequence is 3',
    );

    // Overrun the 1024-slot ring so that the first events are evicted.
    await sendUdp(
      s.port(),
      Array.from({ length: 1100 }, (_, i) => `filler ${i}`),
    );
    await journaled(s, 1103);
    const { tail, head } = await ok(hub.api('/api/events?limit=1'), eventsPageSchema);
    expect(tail).toBeGreaterThan(0);
    const evicted = await failure(hub.api('/api/events/0'), 410, 'EVENT_EVICTED');
    expect(evicted).toMatch(
      /^event 0 was evicted: the journal's ring keeps the newest events and now holds \[\d+, \d+\)$/,
    );
    const oldest = await ok(hub.api(`/api/events/${tail}`), eventDetailSchema);
    expect(oldest).toMatchObject({ seq: tail, slot: tail % 1024, retained: true, checksum: { ok: true } });
    expect((await ok(hub.api(`/api/events/${head - 1}`), eventDetailSchema)).payload?.text).toBe(
      'filler 1099',
    );
  });
});

describe('GET /api/export', () => {
  it('exports a range as NDJSON and as CSV that parse back to the journal content', async () => {
    const { s, hub } = await setup();
    const payloads = [
      '{"a":1}',
      'comma, and "quotes"',
      'two\nlines\r\n',
      Buffer.from([0, 0xff, 0x10]),
      ' leading space',
      '',
    ];
    await sendUdp(
      s.port(),
      Array.from({ length: 60 }, (_, i) => payloads[i % payloads.length]!),
    );
    await journaled(s, 60);
    const reference = journalContent(s.journal).slice(5, 50);

    const r = await hub.api('/api/export?from=5&to=50&payload=base64');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/x-ndjson');
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="lacrimosa-events-5-50.ndjson"');
    const lines = (await r.text())
      .trimEnd()
      .split('\n')
      .map((l) => eventSchema.parse(JSON.parse(l)));
    expect(lines.map(summary)).toEqual(reference.map(summary));
    expect(lines.map((l) => Buffer.from(l.payload!.base64!, 'base64'))).toEqual(
      reference.map((x) => x.payload),
    );

    const auto = await hub.api('/api/export?from=5&to=11');
    const autoLines = (await auto.text())
      .trimEnd()
      .split('\n')
      .map((l) => eventSchema.parse(JSON.parse(l)));
    expect(autoLines.map((l) => l.payload!.encoding)).toEqual([
      'text',
      'json',
      'text',
      'text',
      'hex',
      'text',
    ]);

    const csvResponse = await hub.api('/api/export?from=5&to=50&format=csv&payload=text');
    expect(csvResponse.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csvResponse.headers.get('content-disposition')).toBe(
      'attachment; filename="lacrimosa-events-5-50.csv"',
    );
    const rows = parseCsv(await csvResponse.text());
    expect(rows[0]).toEqual([...EXPORT_CSV_COLUMNS]);
    const records = rows
      .slice(1)
      .map((row) => Object.fromEntries(EXPORT_CSV_COLUMNS.map((c, i) => [c, row[i]])));
    expect(records).toHaveLength(45);
    expect(records.map((c) => Number(c.seq))).toEqual(reference.map((x) => x.seq));
    expect(records.map((c) => c.lamport)).toEqual(reference.map((x) => x.lamport));
    expect(records.map((c) => Number(c.checksum))).toEqual(reference.map((x) => x.checksum));
    for (const [i, c] of records.entries()) {
      const bytes = reference[i]!.payload;
      const expected = c.payloadEncoding === 'hex' ? bytes.toString('hex') : bytes.toString('utf8');
      expect(c.payload).toBe(expected);
      expect(c.stream).toBe('default');
      expect(new Date(c.time!).getTime()).toBe(Number(c.timeMs));
    }
    expect(records.filter((c) => c.payloadEncoding === 'hex')).toHaveLength(7);

    const limited = await hub.api('/api/export?limit=3&stream=orders');
    expect(await limited.text()).toBe('');
    const few = parseCsv(await (await hub.api('/api/export?limit=3&format=csv')).text());
    expect(few.map((row) => row[0])).toEqual(['seq', '0', '1', '2']);
  });

  it('streams a 200 000-event export without holding it in memory', async () => {
    const { s, hub } = await setup();
    const client = await connectIpc(s.ipcPath);
    const total = 200_000;
    const payload = Buffer.alloc(200, 0x61);
    for (let sent = 0; sent < total; sent += 5000) {
      await client.submit(Array.from({ length: 5000 }, () => ({ streamId: 0, nodeId: 3, payload })));
    }
    client.close();
    await journaled(s, total);

    // Live memory, measured after a full collection so that garbage not yet collected does not count.
    const live = () => {
      collectGarbage();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    // Warm up (JIT, buffers) on a small export first, so the baseline is representative.
    await (await hub.api('/api/export?limit=20000&payload=hex')).text();
    const baseline = live();
    let peak = baseline;
    const response = await hub.api(`/api/export?limit=${total}&payload=hex`);
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let bytes = 0;
    let lines = 0;
    let chunks = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      chunks++;
      for (const b of value) if (b === 0x0a) lines++;
      if (chunks % 64 === 0) peak = Math.max(peak, live());
    }
    expect(lines).toBe(total);
    expect(bytes).toBeGreaterThan(total * 400);
    expect(chunks).toBeGreaterThan(100);
    // Buffering the export would keep all of it alive (> 80 MB here, more as JS strings); streaming keeps
    // a few chunks in flight.
    expect(peak - baseline).toBeLessThan(32 * 1024 * 1024);
  });
});

describe('POST /api/simulate', () => {
  it('submits synthetic events through the sequencer into the named streams', async () => {
    const { s, hub } = await setup();
    const r = await hub.api('/api/simulate', {
      body: {
        streams: ['sim-a', 'sim-b'],
        rate: 5000,
        count: 1000,
        payload: { kind: 'text', size: 24 },
        nodeId: 77,
      },
    });
    expect(r.status).toBe(202);
    const started = simulateJobSchema.parse(await r.json());
    expect(r.headers.get('location')).toBe(`/api/simulate/${started.id}`);
    expect(started).toMatchObject({ kind: 'simulate', state: 'running', progress: { target: 1000 } });

    const job = await waitForJob(hub, `/api/simulate/${started.id}`, simulateJobSchema);
    expect(job).toMatchObject({
      state: 'completed',
      error: null,
      progress: { target: 1000, submitted: 1000, journaled: 1000, dropped: 0, rejected: 0 },
    });
    expect(job.finishedAt).not.toBeNull();
    const list = await ok(hub.api('/api/simulate'), simulateJobListSchema);
    expect(list.jobs.map((j) => j.id)).toEqual([started.id]);

    const [a, b] = job.config.streams;
    expect([a!.name, b!.name]).toEqual(['sim-a', 'sim-b']);
    const events = journalContent(s.journal).filter((e) => e.streamId === a!.id || e.streamId === b!.id);
    expect(events).toHaveLength(1000);
    expect(events[0]!.seq).toBe(job.progress.firstSeq);
    expect(events.at(-1)!.seq).toBe(job.progress.lastSeq);
    events.forEach((e, i) => {
      expect(e.streamId).toBe(i % 2 === 0 ? a!.id : b!.id);
      expect(e.flags & EventFlags.SUBMITTED).toBe(EventFlags.SUBMITTED);
      expect(e.nodeId).toBe(77);
      expect(e.payload).toHaveLength(24);
      expect(e.payload.toString()).toMatch(new RegExp(`^event ${i} of ${started.id}`.slice(0, 24)));
    });
    const viaApi = await ok(hub.api('/api/events?stream=sim-a&limit=5'), eventsPageSchema);
    expect(viaApi.events.every((e) => e.stream === 'sim-a' && e.flagNames.includes('SUBMITTED'))).toBe(true);
  });

  it('stops a running job on DELETE, and knows no other', async () => {
    const { hub } = await setup();
    const started = simulateJobSchema.parse(
      await (
        await hub.api('/api/simulate', { body: { streams: ['slow'], rate: 200, durationMs: 600_000 } })
      ).json(),
    );
    await waitForJob(hub, `/api/simulate/${started.id}`, simulateJobSchema, (j) => j.progress.journaled > 0);
    const stopped = await ok(hub.api(`/api/simulate/${started.id}`, { method: 'DELETE' }), simulateJobSchema);
    expect(stopped.state).toBe('stopped');
    expect(stopped.progress.journaled).toBeLessThan(stopped.progress.target);
    expect(stopped.progress.submitted).toBe(stopped.progress.journaled);
    await failure(hub.api('/api/simulate/sim_000000000000', { method: 'DELETE' }), 404, 'NOT_FOUND');
    const message = await failure(hub.api('/api/simulate/nope'), 400, 'INVALID_REQUEST');
    expect(message).toMatch(/^params\.id: /);
  });

  it('answers 503 with the error shape while the sequencer is down', async () => {
    const { s, hub } = await setup();
    await sendUdp(s.port(), ['before']);
    await journaled(s, 1);
    await s.stop();
    await until(() => hub.hub.services.sequencer.state === 'disconnected', 'the hub to notice');
    const message = await failure(
      hub.api('/api/simulate', { body: { streams: ['x'], rate: 10, count: 1 } }),
      503,
      'SEQUENCER_UNAVAILABLE',
    );
    expect(message).toMatch(/the sequencer is not running/);
    await failure(
      hub.api('/api/replay', { body: { target: { kind: 'stream', stream: 'again' } } }),
      503,
      'SEQUENCER_UNAVAILABLE',
    );
    // Reading the journal needs no sequencer.
    const page = await ok(hub.api('/api/events'), eventsPageSchema);
    expect(page.events).toHaveLength(1);
  });
});

describe('POST /api/replay', () => {
  async function receiver(): Promise<{ port: number; datagrams: Buffer[]; close(): void }> {
    const socket = dgram.createSocket('udp4');
    const datagrams: Buffer[] = [];
    socket.on('message', (m) => datagrams.push(m));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return { port: socket.address().port, datagrams, close: () => socket.close() };
  }

  it('re-emits a range to a UDP target, raw or framed', async () => {
    const { s, hub } = await setup();
    await sendUdp(
      s.port(),
      Array.from({ length: 40 }, (_, i) => `payload ${i}`),
    );
    await journaled(s, 40);
    await sendUdp(s.port('orders'), ['order 0', 'order 1']);
    await journaled(s, 42);
    const source = journalContent(s.journal);
    const target = await receiver();
    try {
      const r = await hub.api('/api/replay', {
        body: {
          from: 5,
          to: 42,
          stream: 'default',
          target: { kind: 'udp', host: '127.0.0.1', port: target.port },
        },
      });
      expect(r.status).toBe(202);
      const started = replayJobSchema.parse(await r.json());
      expect(started.config).toMatchObject({
        range: { from: 5, to: 42 },
        streams: [{ id: 0, name: 'default' }],
      });
      const job = await waitForJob(hub, `/api/replay/${started.id}`, replayJobSchema);
      expect(job).toMatchObject({
        state: 'completed',
        progress: { total: 37, matched: 35, sent: 35, failed: 0 },
      });
      await until(() => target.datagrams.length >= 35, 'the datagrams to arrive');
      const expected = source.filter((e) => e.seq >= 5 && e.streamId === 0).map((e) => e.payload.toString());
      expect(target.datagrams.map((d) => d.toString()).sort()).toEqual([...expected].sort());

      target.datagrams.length = 0;
      const framed = replayJobSchema.parse(
        await (
          await hub.api('/api/replay', {
            body: { from: 38, target: { kind: 'udp', host: 'localhost', port: target.port, framed: true } },
          })
        ).json(),
      );
      await waitForJob(hub, `/api/replay/${framed.id}`, replayJobSchema);
      await until(() => target.datagrams.length >= 4, 'the framed datagrams to arrive');
      const frames = target.datagrams.map((d) => {
        const result = decodeFrame(d);
        if (!result.ok) throw new Error(result.error.message);
        return result.frame;
      });
      frames.sort((x, y) => Number(hlcToBigInt(x.clockHint!) - hlcToBigInt(y.clockHint!)));
      expect(
        frames.map((f) => ({
          nodeId: f.nodeId,
          streamId: f.streamId,
          hint: hlcToBigInt(f.clockHint!).toString(),
          payload: Buffer.from(f.payload).toString(),
        })),
      ).toEqual(
        source.slice(38).map((e) => ({
          nodeId: e.nodeId,
          streamId: e.streamId,
          hint: e.lamport,
          payload: e.payload.toString(),
        })),
      );
      const list = await ok(hub.api('/api/replay'), replayJobListSchema);
      expect(list.jobs.map((j) => j.id)).toEqual([framed.id, started.id]);
    } finally {
      target.close();
    }
  });

  it('re-emits a range into a new stream through the sequencer', async () => {
    const { s, hub } = await setup();
    await sendUdp(
      s.port(),
      Array.from({ length: 20 }, (_, i) =>
        encodeFrame({ nodeId: 500 + i, flags: 3, payload: Buffer.from(`e${i}`) }),
      ),
    );
    await journaled(s, 20);
    const started = replayJobSchema.parse(
      await (
        await hub.api('/api/replay', {
          body: { to: 20, target: { kind: 'stream', stream: 'replayed' }, rate: 1000 },
        })
      ).json(),
    );
    const job = await waitForJob(hub, `/api/replay/${started.id}`, replayJobSchema);
    expect(job.progress).toMatchObject({ matched: 20, sent: 20, journaled: 20, dropped: 0, rejected: 0 });
    expect(job.config.target).toMatchObject({ kind: 'stream', stream: 'replayed' });

    const all = journalContent(s.journal);
    const copies = all.filter((e) => e.streamId === (job.config.target as { streamId: number }).streamId);
    expect(copies.map((e) => e.payload.toString())).toEqual(
      all.slice(0, 20).map((e) => e.payload.toString()),
    );
    expect(copies.map((e) => e.nodeId)).toEqual(all.slice(0, 20).map((e) => e.nodeId));
    for (const e of copies) expect(e.flags).toBe(EventFlags.SUBMITTED | 3);
    const viaApi = await pageAll(hub, 'stream=replayed&order=asc', 7);
    expect(viaApi.map((e) => e.seq)).toEqual(copies.map((e) => e.seq));
  });

  it('refuses remote targets, oversized ranges and malformed bodies, naming the field', async () => {
    const { hub } = await setup();
    const refused = await failure(
      hub.api('/api/replay', { body: { target: { kind: 'udp', host: '10.1.2.3', port: 9000 } } }),
      400,
      'REMOTE_TARGET_REFUSED',
    );
    expect(refused).toMatch(/^body\.target\.host: 10\.1\.2\.3 is not a loopback address/);
    const tooLarge = await failure(
      hub.api('/api/replay', { body: { from: 0, to: 20_000_000, target: { kind: 'stream', stream: 'x' } } }),
      400,
      'RANGE_TOO_LARGE',
    );
    expect(tooLarge).toMatch(/at most 10000000/);
    expect(
      await failure(hub.api('/api/replay', { body: { target: { kind: 'tcp' } } }), 400, 'INVALID_REQUEST'),
    ).toMatch(/^body\.target\.kind: /);
    expect(
      await failure(
        hub.api('/api/replay', { body: { since: 'soon', target: { kind: 'stream', stream: 'x' } } }),
        400,
        'INVALID_REQUEST',
      ),
    ).toMatch(/^body\.since: expected epoch milliseconds/);
  });
});

describe('validation', () => {
  it('answers 400 naming the field and what it expects', async () => {
    const { hub } = await setup();
    const cases: [string, { body?: unknown }, string, RegExp][] = [
      ['/api/events?limit=0', {}, 'INVALID_REQUEST', /^query\.limit: limit must be between 1 and 1000$/],
      ['/api/events?order=sideways', {}, 'INVALID_REQUEST', /^query\.order: order must be "asc" or "desc"$/],
      ['/api/events?payload=xml', {}, 'INVALID_REQUEST', /^query\.payload: payload must be one of/],
      ['/api/events?node=-1', {}, 'INVALID_REQUEST', /^query\.node: node must be a non-negative integer$/],
      ['/api/events?from=9&to=2', {}, 'INVALID_REQUEST', /^query\.from: from must not be greater than to$/],
      ['/api/events?colour=red', {}, 'INVALID_REQUEST', /^query: unknown parameter "colour"/],
      ['/api/events?cursor=abc', {}, 'INVALID_CURSOR', /^query\.cursor: not a cursor from this API/],
      ['/api/events/x1', {}, 'INVALID_REQUEST', /^params\.slot: slot must be a non-negative integer$/],
      ['/api/export?format=xlsx', {}, 'INVALID_REQUEST', /^query\.format: format must be "ndjson" or "csv"$/],
      [
        '/api/export?limit=1000001',
        {},
        'INVALID_REQUEST',
        /^query\.limit: limit must be between 1 and 1000000$/,
      ],
      ['/api/simulate', { body: {} }, 'INVALID_REQUEST', /^body\.streams: /],
      [
        '/api/simulate',
        { body: { streams: ['s'], rate: 200_000, count: 1 } },
        'INVALID_REQUEST',
        /^body\.rate: rate is at most 100000 events per second$/,
      ],
      [
        '/api/simulate',
        { body: { streams: ['s'], rate: 10, count: 1, extra: 1 } },
        'INVALID_REQUEST',
        /^body: Unrecognized key: "extra"$/,
      ],
      ['/api/simulate', { body: '{not json' }, 'INVALID_JSON', /^the request body is not valid JSON/],
    ];
    for (const [path, init, code, pattern] of cases) {
      const message = await failure(hub.api(path, init), 400, code);
      expect(message, path).toMatch(pattern);
    }
    // A cursor is bound to its query.
    const page = await ok(hub.api('/api/events?limit=1&order=asc'), eventsPageSchema);
    expect(page.nextCursor).toBeNull();
    await simulateTwo(hub);
    const first = await ok(hub.api('/api/events?limit=1&order=asc'), eventsPageSchema);
    await failure(
      hub.api(`/api/events?limit=1&order=asc&node=5&cursor=${encodeURIComponent(first.nextCursor!)}`),
      400,
      'INVALID_CURSOR',
    );
  });
});

/** Journals two events through the hub's own simulate endpoint. */
async function simulateTwo(hub: TestHub): Promise<void> {
  const r = await hub.api('/api/simulate', { body: { streams: ['v'], rate: 1000, count: 2 } });
  const job = simulateJobSchema.parse(await r.json());
  await waitForJob(hub, `/api/simulate/${job.id}`, simulateJobSchema);
}
