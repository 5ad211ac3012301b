/**
 * Pipelines end to end: a real `cz start` process with UDP listeners, the real hub in-process with its SQLite
 * file, and the journal read back directly as the reference. A filter → aggregate → stream pipeline runs on
 * live UDP events and journals its windows; a copy pipeline survives a hub restart without reprocessing or
 * skipping an event; a webhook sink retries; dry runs of the same range are equal, and a long one leaves the
 * hub answering other requests meanwhile.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { JournalReader } from '../src/journal/reader.ts';
import { connectIpc } from '../src/ipc/client.ts';
import {
  dryRunResultSchema,
  MAX_RUNNING_PIPELINES,
  type PipelineView,
  pipelineListSchema,
  pipelineViewSchema,
} from '../src/hub/pipelines/schema.ts';
import { closeHubs, startHub, type TestHub } from './helpers/hub.ts';
import { killAll, until } from './helpers/processes.ts';
import { counters, sendUdp, startSequencer, type TestSequencer } from './helpers/sequencer.ts';
import { failureError as failure, ok } from './helpers/answers.ts';

afterEach(async () => {
  await closeHubs();
  await killAll();
});

/** Sequence and JSON payload of every event of a stream, read from the journal file. */
function streamEvents(path: string, stream: string): { seq: number; value: Record<string, unknown> }[] {
  const reader = JournalReader.open(path);
  try {
    const id = reader.streamId(stream);
    if (id === null) return [];
    const { head, tail } = reader.publication();
    const out: { seq: number; value: Record<string, unknown> }[] = [];
    reader.scan(tail, head, (e, seq) => {
      if (e.streamId === id)
        out.push({
          seq,
          value: JSON.parse(Buffer.from(reader.payloadView(e)).toString('utf8')) as Record<string, unknown>,
        });
    });
    return out;
  } finally {
    reader.close();
  }
}

async function setup(dataDir?: string): Promise<{ s: TestSequencer; hub: TestHub }> {
  const s = await startSequencer({ backend: 'auto', listens: ['0=orders', '0=clicks'] });
  const hub = await startHub({ journalPath: s.journal, ipcPath: s.ipcPath, ...(dataDir ? { dataDir } : {}) });
  await until(() => hub.hub.services.sequencer.state === 'connected', 'the hub to connect to the sequencer');
  return { s, hub };
}

const statsPipeline = {
  name: 'big orders per user',
  nodes: [
    { id: 'orders', kind: 'source', config: { stream: 'orders' }, position: { x: 0, y: 0 } },
    { id: 'big', kind: 'filter', config: { condition: 'amount > 10' } },
    {
      id: 'per-user',
      kind: 'aggregate',
      config: {
        window: { kind: 'tumbling', sizeMs: 1000 },
        groupBy: ['user'],
        measures: [
          { fn: 'count', as: 'n' },
          { fn: 'sum', field: 'amount', as: 'total' },
        ],
      },
    },
    { id: 'out', kind: 'sink', config: { kind: 'stream', stream: 'order-stats' } },
  ],
  edges: [
    { from: 'orders', to: 'big' },
    { from: 'big', to: 'per-user' },
    { from: 'per-user', to: 'out' },
  ],
};

const copyPipeline = {
  name: 'copy orders with their sequence',
  nodes: [
    { id: 'orders', kind: 'source', config: { stream: 'orders' } },
    {
      id: 'tag',
      kind: 'transform',
      config: {
        ops: [
          { op: 'set', field: 'src', expr: '$seq' },
          { op: 'set', field: 'who', expr: 'upper(user)' },
        ],
      },
    },
    { id: 'out', kind: 'sink', config: { kind: 'stream', stream: 'order-copy' } },
  ],
  edges: [
    { from: 'orders', to: 'tag' },
    { from: 'tag', to: 'out' },
  ],
};

const order = (user: string, amount: number) => JSON.stringify({ user, amount });

async function create(hub: TestHub, body: unknown): Promise<PipelineView> {
  return ok(hub.api('/api/pipelines', { body }), pipelineViewSchema, 201);
}

describe('pipelines', () => {
  it('saves drafts with per-node issues, refuses to run them, and rejects malformed bodies', async () => {
    const { hub } = await setup();
    const draft = await create(hub, {
      name: 'draft',
      nodes: [
        { id: 'a', kind: 'source', config: { stream: 'orders' } },
        { id: 'b', kind: 'filter', config: { condition: 'amount >>' } },
      ],
      edges: [{ from: 'a', to: 'b' }],
    });
    expect(draft.validation.ok).toBe(false);
    expect(draft.validation.issues).toEqual([
      {
        nodeId: 'b',
        path: 'nodes[1].config.condition',
        message: expect.stringMatching(/^line 1, column 9: /),
      },
      { nodeId: null, path: 'nodes', message: 'a pipeline needs a sink' },
    ]);
    const error = await failure(
      hub.api(`/api/pipelines/${draft.id}/run`, { method: 'POST' }),
      400,
      'PIPELINE_INVALID',
    );
    expect(error.message).toMatch(/nodes\[1\]\.config\.condition/);
    expect(error.details).toEqual({ issues: draft.validation.issues });
    await failure(hub.api(`/api/pipelines/${draft.id}/dry-run`, { body: {} }), 400, 'PIPELINE_INVALID');

    const bad = await failure(
      hub.api('/api/pipelines', { body: { name: 'x', nodes: [{ id: 'a', kind: 'teleport' }], edges: [] } }),
      400,
      'INVALID_REQUEST',
    );
    expect(bad.message).toMatch(/^body\.nodes\.0\.kind: /);
    await failure(hub.api('/api/pipelines/pl_000000000000'), 404, 'NOT_FOUND');
    await failure(hub.api('/api/pipelines/nope'), 400, 'INVALID_REQUEST');

    // A fixed draft runs; a running pipeline cannot be edited.
    const fixed = await ok(
      hub.api(`/api/pipelines/${draft.id}`, { method: 'PUT', body: { ...statsPipeline, name: 'fixed' } }),
      pipelineViewSchema,
    );
    expect(fixed.validation).toEqual({ ok: true, issues: [] });
    await ok(hub.api(`/api/pipelines/${draft.id}/run`, { method: 'POST' }), pipelineViewSchema);
    await failure(
      hub.api(`/api/pipelines/${draft.id}`, { method: 'PUT', body: statsPipeline }),
      409,
      'PIPELINE_RUNNING',
    );
    const list = await ok(hub.api('/api/pipelines'), pipelineListSchema);
    expect(list.pipelines.map((p) => [p.name, p.status.state])).toEqual([['fixed', 'running']]);
    // Two pipelines that would feed each other: the second cannot run while the first does.
    const there = await create(hub, { ...copyPipeline, name: 'orders to copies' });
    const back = await create(hub, {
      name: 'copies back to orders',
      nodes: [
        { id: 'copies', kind: 'source', config: { stream: 'order-copy' } },
        { id: 'out', kind: 'sink', config: { kind: 'stream', stream: 'orders' } },
      ],
      edges: [{ from: 'copies', to: 'out' }],
    });
    await ok(hub.api(`/api/pipelines/${there.id}/run`, { method: 'POST' }), pipelineViewSchema);
    const loop = await failure(
      hub.api(`/api/pipelines/${back.id}/run`, { method: 'POST' }),
      409,
      'PIPELINE_LOOP',
    );
    expect(loop.message).toContain(`through pipeline ${there.id}`);
    await ok(hub.api(`/api/pipelines/${there.id}`, { method: 'DELETE' }), pipelineViewSchema);
    await ok(hub.api(`/api/pipelines/${back.id}/run`, { method: 'POST' }), pipelineViewSchema);
    await ok(hub.api(`/api/pipelines/${back.id}`, { method: 'DELETE' }), pipelineViewSchema);

    const deleted = await ok(hub.api(`/api/pipelines/${draft.id}`, { method: 'DELETE' }), pipelineViewSchema);
    expect(deleted.status.state).toBe('stopped');
    await failure(hub.api(`/api/pipelines/${draft.id}`), 404, 'NOT_FOUND');
  });

  it('runs filter → aggregate → stream on live UDP events, resumes after a hub restart, and dry-runs deterministically', async () => {
    const { s, hub } = await setup();
    const stats = await create(hub, statsPipeline);
    const copy = await create(hub, copyPipeline);
    await ok(hub.api(`/api/pipelines/${stats.id}/run`, { method: 'POST' }), pipelineViewSchema);
    await ok(hub.api(`/api/pipelines/${copy.id}/run`, { method: 'POST' }), pipelineViewSchema);

    const first = [
      order('ann', 5),
      order('ann', 20),
      order('bob', 30),
      order('ann', 12),
      order('bob', 1),
      order('cy', 11),
    ];
    await sendUdp(s.port('orders'), first);
    await sendUdp(s.port('clicks'), ['{"page":"/"}']);
    await until(() => streamEvents(s.journal, 'order-copy').length === 6, 'six copies');

    // The windows close once the journal clock (or, on a quiet journal, the wall clock) passes their end.
    const totals = () => {
      const byUser = new Map<string, { n: number; total: number }>();
      for (const { value } of streamEvents(s.journal, 'order-stats')) {
        const t = byUser.get(value.user as string) ?? { n: 0, total: 0 };
        t.n += value.n as number;
        t.total += value.total as number;
        byUser.set(value.user as string, t);
      }
      return Object.fromEntries([...byUser].sort(([a], [b]) => (a < b ? -1 : 1)));
    };
    const expected = { ann: { n: 2, total: 32 }, bob: { n: 1, total: 30 }, cy: { n: 1, total: 11 } };
    await until(() => JSON.stringify(totals()) === JSON.stringify(expected), 'the windows of three users');
    expect(totals()).toEqual(expected);
    for (const { value } of streamEvents(s.journal, 'order-stats')) {
      expect(value.window_end as number).toBe((value.window_start as number) + 1000);
    }

    const running = await ok(hub.api(`/api/pipelines/${stats.id}`), pipelineViewSchema);
    expect(running.status.state).toBe('running');
    expect(running.status.nodes.orders).toMatchObject({ in: 6, out: 6, errors: 0 });
    expect(running.status.nodes.big).toMatchObject({ in: 6, out: 4, errors: 0 });
    expect(running.status.nodes['per-user']).toMatchObject({ in: 4, pending: 0 });
    expect(running.status.nodes.out!.in).toBe(running.status.nodes['per-user']!.out);

    // Restart the hub; events sent while it is down are picked up from the saved position, none twice.
    const dataDir = hub.dataDir;
    await hub.close();
    await sendUdp(s.port('orders'), [order('dan', 40), order('ann', 3)]);
    const hub2 = await startHub({ journalPath: s.journal, ipcPath: s.ipcPath, dataDir });
    await until(() => hub2.hub.services.sequencer.state === 'connected', 'the new hub to connect');
    await sendUdp(s.port('orders'), [order('eve', 50)]);
    await until(() => streamEvents(s.journal, 'order-copy').length >= 9, 'nine copies');
    const orderSeqs = streamEvents(s.journal, 'orders').map((e) => e.seq);
    expect(orderSeqs).toHaveLength(9);
    const copies = streamEvents(s.journal, 'order-copy').map((e) => e.value);
    expect(copies.map((c) => c.src)).toEqual(orderSeqs);
    expect(copies.map((c) => c.who)).toEqual(['ANN', 'ANN', 'BOB', 'ANN', 'BOB', 'CY', 'DAN', 'ANN', 'EVE']);
    await until(() => 'eve' in totals() && 'dan' in totals(), 'windows of dan and eve');
    const resumed = await ok(hub2.api(`/api/pipelines/${stats.id}`), pipelineViewSchema);
    expect(resumed.status.state).toBe('running');
    expect(resumed.status.nodes.orders!.in).toBe(9);
    expect(resumed.status.nodes.big).toMatchObject({ in: 9, out: 6 });

    // Stop: the counters stay; the position is kept for the next run.
    const stopped = await ok(
      hub2.api(`/api/pipelines/${copy.id}/stop`, { method: 'POST' }),
      pipelineViewSchema,
    );
    expect(stopped.status.state).toBe('stopped');
    await sendUdp(s.port('orders'), [order('fay', 60)]);
    await until(() => streamEvents(s.journal, 'orders').length === 10, 'the tenth order');
    expect(streamEvents(s.journal, 'order-copy')).toHaveLength(9);
    const idle = await ok(hub2.api(`/api/pipelines/${copy.id}`), pipelineViewSchema);
    expect(idle.status.nodes.orders!.in).toBe(9);
    expect(idle.status.lag).toBeGreaterThan(0);
    await ok(hub2.api(`/api/pipelines/${copy.id}/run`, { method: 'POST' }), pipelineViewSchema);
    await until(() => streamEvents(s.journal, 'order-copy').length === 10, 'the tenth copy');

    // Dry runs of one range are equal, and agree with the journal.
    const reader = JournalReader.open(s.journal);
    const head = reader.loadHead();
    reader.close();
    const dry = () =>
      ok(hub2.api(`/api/pipelines/${stats.id}/dry-run`, { body: { from: 0, to: head } }), dryRunResultSchema);
    const one = await dry();
    const two = await dry();
    expect(two).toEqual(one);
    expect(one.range).toEqual({ from: 0, to: head });
    expect(one.nodes.orders!.in).toBe(10);
    expect(one.nodes.big!.out).toBe(7);
    const dryTotals = new Map<string, number>();
    for (const r of one.nodes.out!.sample) {
      const f = r.fields as { user: string; total: number };
      dryTotals.set(f.user, (dryTotals.get(f.user) ?? 0) + f.total);
    }
    expect(Object.fromEntries(dryTotals)).toEqual({ ann: 32, bob: 30, cy: 11, dan: 40, eve: 50, fay: 60 });
    const copyDry = await ok(
      hub2.api(`/api/pipelines/${copy.id}/dry-run`, { body: { since: 0, sample: 3 } }),
      dryRunResultSchema,
    );
    expect(copyDry.nodes.out!.sample.map((r) => (r.fields as { src: number }).src)).toEqual(
      orderSeqs.slice(0, 3),
    );
    expect(copyDry.nodes.out!.out).toBe(10);
    await failure(
      hub2.api(`/api/pipelines/${copy.id}/dry-run`, { body: { from: 0, since: '5m' } }),
      400,
      'INVALID_REQUEST',
    );
  });

  it('keeps the hub answering during a dry run over 200 000 events, with the same answer as an undisturbed one', async () => {
    const { s, hub } = await setup();
    const stats = await create(hub, statsPipeline);
    const ids = JournalReader.open(s.journal);
    const ordersId = ids.streamId('orders')!;
    ids.close();
    const total = 200_000;
    const client = await connectIpc(s.ipcPath);
    for (let sent = 0; sent < total; sent += 5000) {
      await client.submit(
        Array.from({ length: 5000 }, (_, i) => ({
          streamId: ordersId,
          nodeId: 3,
          payload: Buffer.from(order(`u${(sent + i) % 7}`, (sent + i) % 23)),
        })),
      );
    }
    client.close();
    await until(() => counters(s.journal).EVENTS_JOURNALED >= total, `${total} events journaled`, 60_000);
    const reader = JournalReader.open(s.journal);
    const head = reader.loadHead();
    reader.close();
    const body = { from: 0, to: head, sample: 5 };
    const dry = () => ok(hub.api(`/api/pipelines/${stats.id}/dry-run`, { body }), dryRunResultSchema);

    const alone = await dry();
    expect(alone.scanned).toBe(head);
    expect(alone.nodes.orders!.in).toBe(total);

    // The status request goes out from inside the dry run's own journal reads, once it is past its first
    // slices, so it is sent while the dry run is certainly in flight: a hub that replays the whole range on
    // one turn of its event loop could only answer it after the dry run.
    const hubReader = hub.hub.services.journal.require();
    const scan = hubReader.scan.bind(hubReader);
    const finished: string[] = [];
    let status: Promise<Response> | null = null;
    hubReader.scan = (from, ...rest) => {
      if (status === null && from >= 16_384) {
        status = hub.api('/api/status').then((r) => {
          finished.push('status');
          return r;
        });
      }
      return scan(from, ...rest);
    };
    try {
      const during = await dry().then((result) => {
        finished.push('dry-run');
        return result;
      });
      expect(status).not.toBeNull();
      expect((await status!).status).toBe(200);
      expect(finished).toEqual(['status', 'dry-run']);
      expect(during).toEqual(alone);
    } finally {
      hubReader.scan = scan;
    }

    await failure(
      hub.api(`/api/pipelines/${stats.id}/dry-run`, { body: { ...body, timeoutMs: 0 } }),
      400,
      'INVALID_REQUEST',
    );
  });

  it('posts to a webhook sink with retries, and caps the running pipelines', async () => {
    const received: unknown[] = [];
    let calls = 0;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        calls++;
        if (calls === 1) {
          res.writeHead(500).end();
          return;
        }
        received.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { s, hub } = await setup();
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const hook = await create(hub, {
        name: 'clicks to a webhook',
        nodes: [
          { id: 'clicks', kind: 'source', config: { stream: 'clicks' } },
          { id: 'post', kind: 'sink', config: { kind: 'webhook', url, timeoutMs: 2000, retries: 2 } },
        ],
        edges: [{ from: 'clicks', to: 'post' }],
      });
      await ok(hub.api(`/api/pipelines/${hook.id}/run`, { method: 'POST' }), pipelineViewSchema);
      await sendUdp(s.port('clicks'), ['{"page":"/a"}', 'not json']);
      await until(() => received.length === 1 && calls === 2, 'the webhook to be retried and delivered');
      expect(received[0]).toMatchObject({
        pipeline: hook.id,
        node: 'post',
        records: [
          { stream: 'clicks', fields: { page: '/a' } },
          { stream: 'clicks', fields: { payload: 'not json' } },
        ],
      });

      const others = [];
      for (let i = 1; i < MAX_RUNNING_PIPELINES; i++) {
        const p = await create(hub, { ...copyPipeline, name: `copy ${i}` });
        await ok(hub.api(`/api/pipelines/${p.id}/run`, { method: 'POST' }), pipelineViewSchema);
        others.push(p);
      }
      const extra = await create(hub, { ...copyPipeline, name: 'one too many' });
      const error = await failure(
        hub.api(`/api/pipelines/${extra.id}/run`, { method: 'POST' }),
        409,
        'TOO_MANY_PIPELINES',
      );
      expect(error.message).toMatch(/at most 8 pipelines run at once/);
    } finally {
      server.close();
    }
  });
});
