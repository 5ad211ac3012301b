/**
 * The sinks that join pipelines to the other features, end to end on a real `cz start` process with UDP
 * listeners and the real hub with its SQLite file: an `incident` sink opens incidents through the alerts
 * feature (a local HTTP receiver started here gets the webhook notification; later outputs of the same group
 * join the open incident, a resolved one is not joined), a `dashboard` sink's points plot as one line per
 * series in a timeseries widget folding the `value` field, and the per-node lag counters.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { incidentDetailSchema, incidentListSchema, type IncidentView } from '../src/hub/alerts/schema.ts';
import { widgetDataSchema, type WidgetData } from '../src/hub/dashboards/schema.ts';
import { type PipelineView, pipelineViewSchema } from '../src/hub/pipelines/schema.ts';
import { queryResultSchema } from '../src/hub/query/schema.ts';
import { JournalReader } from '../src/journal/reader.ts';
import { closeHubs, startHub, type TestHub } from './helpers/hub.ts';
import { killAll, until } from './helpers/processes.ts';
import { sendUdp, startSequencer, type TestSequencer } from './helpers/sequencer.ts';
import { failure, ok } from './helpers/answers.ts';

const servers: Server[] = [];
/** For answers whose shape another test covers. */
const anyBody = { parse: (v: unknown) => v } as unknown as z.ZodType<unknown>;

afterEach(async () => {
  await closeHubs();
  await killAll();
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise((resolve) => s.close(resolve));
    }),
  );
});

/** A local HTTP receiver that answers 200 and keeps every JSON body it got. */
async function receiver(): Promise<{ url: string; got: unknown[] }> {
  const got: unknown[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      got.push(JSON.parse(text) as unknown);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got };
}

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

async function setup(): Promise<{ s: TestSequencer; hub: TestHub }> {
  const s = await startSequencer({ backend: 'auto', listens: ['0=orders'] });
  const hub = await startHub({ journalPath: s.journal, ipcPath: s.ipcPath });
  await until(() => hub.hub.services.sequencer.state === 'connected', 'the hub to connect to the sequencer');
  return { s, hub };
}

const order = (user: string, amount: number) => JSON.stringify({ user, amount });

async function createAndRun(hub: TestHub, body: unknown): Promise<PipelineView> {
  const created = await ok(hub.api('/api/pipelines', { body }), pipelineViewSchema, 201);
  expect(created.validation.issues).toEqual([]);
  return ok(hub.api(`/api/pipelines/${created.id}/run`, { method: 'POST' }), pipelineViewSchema);
}

/** filter → per-user tumbling window → the given sink. */
function perUserPipeline(name: string, sink: Record<string, unknown>) {
  return {
    name,
    nodes: [
      { id: 'orders', kind: 'source', config: { stream: 'orders' } },
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
      { id: 'out', kind: 'sink', config: sink },
    ],
    edges: [
      { from: 'orders', to: 'big' },
      { from: 'big', to: 'per-user' },
      { from: 'per-user', to: 'out' },
    ],
  };
}

describe('the incident sink', () => {
  it('opens incidents through the alerts feature on live UDP traffic, notifies, and joins repeated outputs', async () => {
    const { s, hub } = await setup();
    const hook = await receiver();
    await ok(
      hub.api('/api/alerts/channels', { body: { name: 'hook', kind: 'webhook', url: hook.url } }),
      anyBody,
      201,
    );
    const pipeline = await createAndRun(
      hub,
      perUserPipeline('big spenders', {
        kind: 'incident',
        title: '{{user}} spent {{total}} in {{n}} orders',
        description: 'raised by {{pipeline}} at {{node}}',
        severity: 'critical',
        labels: ['user'],
        valueField: 'total',
      }),
    );

    // Silences match the labels of a pipeline's incidents as they match a rule's.
    await ok(
      hub.api('/api/alerts/silences', {
        body: { matchers: [{ name: 'user', value: 'cy' }], duration: '1h', comment: 'cy is a test account' },
      }),
      anyBody,
      201,
    );

    await sendUdp(s.port('orders'), [
      order('ann', 20),
      order('bob', 30),
      order('ann', 5),
      order('ann', 12),
      order('cy', 25),
    ]);
    const incidents = async (): Promise<IncidentView[]> =>
      (await ok(hub.api('/api/alerts/incidents'), incidentListSchema)).incidents;
    await until(async () => (await incidents()).length === 3, 'an incident each for ann, bob and cy');
    await until(() => hook.got.length === 2, 'the notifications of ann and bob');

    const source = `pipeline:${pipeline.id}/out`;
    const byUser = new Map((await incidents()).map((i) => [i.labels.user, i]));
    const orderSeqs = streamEvents(s.journal, 'orders').map((e) => e.seq);
    const ann = byUser.get('ann')!;
    const bob = byUser.get('bob')!;
    const cy = byUser.get('cy')!;
    expect(cy).toMatchObject({ silenced: true, title: 'cy spent 25 in 1 orders', state: 'open' });
    expect(ann).toMatchObject({
      ruleId: source,
      rule: 'pipeline "big spenders" → out',
      group: 'user=ann',
      severity: 'critical',
      state: 'open',
      labels: { user: 'ann' },
      test: false,
      silenced: false,
      description: 'raised by big spenders at out',
    });
    // Both of ann's big orders fall in one 1 s window unless the burst straddles a second boundary.
    expect([`ann spent 32 in 2 orders`, `ann spent 20 in 1 orders`]).toContain(ann.title);
    expect(bob).toMatchObject({ title: 'bob spent 30 in 1 orders', group: 'user=bob', refires: 0 });
    // Evidence: the orders that made the window, as journal sequences.
    expect(bob.evidence).toEqual({
      firstSeq: orderSeqs[1],
      lastSeq: orderSeqs[1],
      samples: [orderSeqs[1]],
      value: 30,
    });
    // Ann's big orders are the first and fourth. One window holds both (evidence from the first to the last),
    // unless the burst straddled a second: then the second window joined the incident with its own evidence.
    const [first, , , fourth] = orderSeqs;
    const annEvidence =
      ann.title === 'ann spent 32 in 2 orders'
        ? { firstSeq: first, lastSeq: fourth, samples: [fourth, first], value: 32 }
        : ann.refires === 0
          ? { firstSeq: first, lastSeq: first, samples: [first], value: 20 }
          : { firstSeq: fourth, lastSeq: fourth, samples: [fourth], value: 12 };
    expect(ann.evidence).toEqual(annEvidence);

    const notified = hook.got as { event: string; incident: IncidentView }[];
    expect(notified.map((n) => n.event)).toEqual(['opened', 'opened']);
    expect(notified.map((n) => n.incident.id).sort()).toEqual([ann.id, bob.id].sort());
    expect(notified.find((n) => n.incident.id === bob.id)!.incident.title).toBe('bob spent 30 in 1 orders');

    // A later window of ann joins her open incident: no new incident, no new notification.
    const annWindows = () => incidents().then((list) => list.find((i) => i.id === ann.id)!.refires);
    const refiresBefore = await annWindows();
    await sendUdp(s.port('orders'), [order('ann', 40)]);
    await until(async () => (await annWindows()) > refiresBefore, 'ann’s next window to join her incident');
    expect(await incidents()).toHaveLength(3);
    const detail = await ok(hub.api(`/api/alerts/incidents/${ann.id}`), incidentDetailSchema);
    expect(detail.timeline.map((t) => t.kind)).toContain('alert-firing');
    expect(detail.deliveries.filter((d) => d.ok)).toHaveLength(1);
    expect(hook.got).toHaveLength(2);

    // Once resolved it is not joined any more: the next window opens a new incident and notifies.
    await ok(hub.api(`/api/alerts/incidents/${bob.id}/resolve`, { body: {} }), anyBody);
    await until(() => hook.got.length === 3, 'the resolve notification');
    await sendUdp(s.port('orders'), [order('bob', 50)]);
    await until(async () => (await incidents()).length === 4, 'a new incident for bob');
    const newest = (await incidents())[0]!;
    expect(newest).toMatchObject({ group: 'user=bob', state: 'open', title: 'bob spent 50 in 1 orders' });
    await until(() => hook.got.length === 4, 'the new incident’s notification');
    expect((hook.got as { incident: IncidentView }[]).map((n) => n.incident.id)).not.toContain(cy.id);

    const running = await ok(hub.api(`/api/pipelines/${pipeline.id}`), pipelineViewSchema);
    expect(running.status.nodes.out).toMatchObject({ errors: 0, lag: 0 });
    expect(running.status.nodes.out!.in).toBeGreaterThanOrEqual(5);
  });

  it('refuses an incident sink without a title, naming the node', async () => {
    const { hub } = await setup();
    const created = await ok(
      hub.api('/api/pipelines', {
        body: perUserPipeline('untitled', { kind: 'incident', severity: 'loud' }),
      }),
      pipelineViewSchema,
      201,
    );
    expect(created.validation.ok).toBe(false);
    expect(created.validation.issues.map((i) => [i.nodeId, i.path])).toEqual(
      expect.arrayContaining([
        ['out', 'nodes[3].config.title'],
        ['out', 'nodes[3].config.severity'],
      ]),
    );
    await failure(hub.api(`/api/pipelines/${created.id}/run`, { method: 'POST' }), 400, 'PIPELINE_INVALID');
  });
});

const LAYOUT = { x: 0, y: 0, w: 6, h: 4 };

const FOLDS: Record<string, (xs: number[]) => number> = {
  avg: (xs) => xs.reduce((a, b) => a + b, 0) / xs.length,
  sum: (xs) => xs.reduce((a, b) => a + b, 0),
  min: (xs) => Math.min(...xs),
  max: (xs) => Math.max(...xs),
  last: (xs) => xs.at(-1)!,
};

/** `bucket label` → folded value, from rows [time, label, value] in journal order. */
function reference(rows: [number, string, number][], step: number, agg: string): Record<string, number> {
  const values = new Map<string, number[]>();
  for (const [time, label, value] of rows) {
    const id = `${Math.floor(time / step) * step} ${label}`;
    values.set(id, [...(values.get(id) ?? []), value]);
  }
  return Object.fromEntries([...values].map(([id, xs]) => [id, FOLDS[agg]!(xs)]));
}

/** `bucket label` → the widget's value, for the buckets where a line has one. */
function plotted(data: WidgetData): Record<string, number> {
  if (data.type !== 'timeseries') throw new Error(`a ${data.type} answer`);
  const out: Record<string, number> = {};
  for (const point of data.points)
    for (const line of data.series) if (line.key in point) out[`${point.t} ${line.label}`] = point[line.key]!;
  return out;
}

describe('the dashboard sink', () => {
  it('plots a pipeline’s series in a timeseries widget, one line per series, with exact folded values', async () => {
    const { s, hub } = await setup();
    const pipeline = await createAndRun(
      hub,
      perUserPipeline('spend per user', {
        kind: 'dashboard',
        stream: 'spend_points',
        series: 'spend {{user}}',
        valueField: 'total',
      }),
    );
    await sendUdp(s.port('orders'), [order('ann', 20), order('bob', 30), order('ann', 12), order('cy', 3)]);
    await until(() => streamEvents(s.journal, 'spend_points').length >= 2, 'the first points');
    await sendUdp(s.port('orders'), [order('ann', 15), order('bob', 11)]);
    const total = (series: string) =>
      streamEvents(s.journal, 'spend_points')
        .filter((e) => e.value.series === series)
        .reduce((sum, e) => sum + (e.value.value as number), 0);
    await until(() => total('spend ann') === 47 && total('spend bob') === 41, 'every window journaled');

    const widget = (agg: string, query: string) => ({
      type: 'timeseries',
      query,
      value: 'value',
      agg,
      layout: LAYOUT,
    });
    const preview = (w: unknown) =>
      ok(hub.api('/api/dashboards/preview', { body: { widget: w, since: '5m' } }), widgetDataSchema);

    // The reference: the derived stream's rows through the query API, folded here per bucket.
    const rows = (
      await ok(
        hub.api('/api/query', { body: { query: 'SELECT time, series, value FROM spend_points' } }),
        queryResultSchema,
      )
    ).rows as [number, string, number][];
    expect(rows.length).toBeGreaterThanOrEqual(4);
    // Per second each user has one window; per day both of a user's windows share a bucket, so the folds differ.
    for (const [by, step] of [
      ['1s', 1000],
      ['1d', 86_400_000],
    ] as const) {
      for (const agg of Object.keys(FOLDS)) {
        const query = `SELECT COUNT(*) FROM spend_points GROUP BY series BY ${by}`;
        const data = await preview(widget(agg, query));
        if (data.type !== 'timeseries') throw new Error('not a time series');
        expect(data.stepMs).toBe(step);
        expect(data.series.map((x) => x.label).sort()).toEqual(['spend ann', 'spend bob']);
        expect(plotted(data), `${agg} by ${by}`).toEqual(reference(rows, step, agg));
      }
    }
    const perDay = reference(rows, 86_400_000, 'sum');
    const perDayLast = reference(rows, 86_400_000, 'last');
    expect(perDay).not.toEqual(perDayLast);

    // Saved in a dashboard, one bucket over the whole range: the sums are the users' big orders.
    const saved = await ok(
      hub.api('/api/dashboards', {
        body: {
          name: 'spend',
          timeRange: { since: '1h' },
          widgets: [
            { id: 'spend', ...widget('sum', 'SELECT COUNT(*) FROM spend_points GROUP BY series BY 7d') },
          ],
        },
      }),
      anyBody,
      201,
    );
    const id = (saved as { id: string }).id;
    const whole = plotted(
      await ok(hub.api(`/api/dashboards/${id}/widgets/spend/data`, { method: 'POST' }), widgetDataSchema),
    );
    const sums: Record<string, number> = {};
    for (const [key, value] of Object.entries(whole)) {
      const label = key.slice(key.indexOf(' ') + 1);
      sums[label] = (sums[label] ?? 0) + value;
    }
    expect(sums).toEqual({ 'spend ann': 47, 'spend bob': 41 });
    const stored = await ok(hub.api(`/api/dashboards/${id}`), anyBody);
    expect((stored as { widgets: unknown[] }).widgets[0]).toMatchObject({ value: 'value', agg: 'sum' });

    // Without GROUP BY the matching events are one line; avg is the default fold.
    const single = await preview({
      type: 'timeseries',
      query: 'SELECT * FROM spend_points WHERE series = "spend bob"',
      value: 'value',
      layout: LAYOUT,
    });
    if (single.type !== 'timeseries') throw new Error('not a time series');
    expect(single.series).toEqual([{ key: 'value', label: 'value' }]);
    const bob = rows
      .filter((r) => r[1] === 'spend bob')
      .map(([time, , value]): [number, string, number] => [time, 'value', value]);
    expect(plotted(single)).toEqual(reference(bob, single.stepMs, 'avg'));

    const view = await ok(hub.api(`/api/pipelines/${pipeline.id}`), pipelineViewSchema);
    expect(view.status.nodes.out).toMatchObject({ errors: 0, lag: 0 });
  });

  it('refuses a value on the wrong widget, a value that is not a field, and agg without a value', async () => {
    const { hub } = await setup();
    const save = (w: Record<string, unknown>) =>
      hub.api('/api/dashboards', { body: { name: 'x', widgets: [{ layout: LAYOUT, ...w }] } });
    expect(
      await failure(save({ type: 'table', query: 'SELECT * FROM *', value: 'v' }), 400, 'INVALID_REQUEST'),
    ).toMatch(/widgets\.0\.value/);
    expect(
      await failure(
        save({ type: 'timeseries', query: 'SELECT * FROM *', value: 'a b' }),
        400,
        'INVALID_REQUEST',
      ),
    ).toMatch(/body\.widgets\.0\.value: "a b" is not a field/);
    expect(
      await failure(
        save({ type: 'timeseries', query: 'SELECT COUNT(*) FROM * BY 1m', agg: 'sum' }),
        400,
        'INVALID_REQUEST',
      ),
    ).toMatch(/agg/);
    expect(
      await failure(
        save({ type: 'timeseries', query: 'SELECT * FROM *', value: 'v', agg: 'median' }),
        400,
        'INVALID_REQUEST',
      ),
    ).toMatch(/agg/);
    // Without a value a timeseries still counts, so it still needs COUNT(*).
    expect(
      await failure(save({ type: 'timeseries', query: 'SELECT * FROM *' }), 400, 'INVALID_REQUEST'),
    ).toMatch(/COUNT/);
  });
});

describe('per-node lag', () => {
  it('shows a stopped pipeline’s sources as far behind as the journal, and nothing held at rest', async () => {
    const { s, hub } = await setup();
    const pipeline = await createAndRun(
      hub,
      perUserPipeline('lagging', { kind: 'stream', stream: 'lag_out' }),
    );
    await sendUdp(s.port('orders'), [order('ann', 20)]);
    await until(() => streamEvents(s.journal, 'lag_out').length === 1, 'the window');
    const view = () => ok(hub.api(`/api/pipelines/${pipeline.id}`), pipelineViewSchema);
    // The run also reads the event its own sink journaled before it is level with the head.
    await until(async () => (await view()).status.lag === 0, 'the run to reach the head');
    const atRest = await view();
    for (const node of ['orders', 'big', 'per-user', 'out'])
      expect(atRest.status.nodes[node]!.lag, node).toBe(0);

    await ok(hub.api(`/api/pipelines/${pipeline.id}/stop`, { method: 'POST' }), pipelineViewSchema);
    await sendUdp(s.port('orders'), [order('bob', 30), order('cy', 40), order('dan', 1)]);
    await until(() => streamEvents(s.journal, 'orders').length === 4, 'three more orders');
    const stopped = await ok(hub.api(`/api/pipelines/${pipeline.id}`), pipelineViewSchema);
    expect(stopped.status.lag).toBe(3);
    expect(stopped.status.nodes.orders).toMatchObject({ in: 1, lag: 3 });
    expect(stopped.status.nodes['per-user']!.lag).toBe(0);

    await ok(hub.api(`/api/pipelines/${pipeline.id}/run`, { method: 'POST' }), pipelineViewSchema);
    await until(() => streamEvents(s.journal, 'lag_out').length === 3, 'the windows of bob and cy');
    await until(async () => (await view()).status.lag === 0, 'the run to read its own sink’s events');
    const caughtUp = await view();
    expect(caughtUp.status.nodes.orders).toMatchObject({ in: 4, lag: 0 });
  });
});
