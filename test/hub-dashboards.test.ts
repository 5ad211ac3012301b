/**
 * Dashboards against a real sequencer fed by real UDP, a real hub and its SQLite file: the default dashboard
 * of a first start and its data, create/read/update/list/delete with versions, validation errors that name
 * the field, export → import round trips, the data of each widget type from the events sent, time ranges,
 * and persistence across a hub restart (the deleted default dashboard stays deleted).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Dashboard,
  dashboardExportSchema,
  dashboardListSchema,
  dashboardSchema,
  type WidgetData,
  widgetDataSchema,
} from '../src/hub/dashboards/schema.ts';
import { closeHubs, startHub, type TestHub } from './helpers/hub.ts';
import { killAll, tempDir, until } from './helpers/processes.ts';
import { counters, sendUdp, startSequencer, type TestSequencer } from './helpers/sequencer.ts';

let s: TestSequencer;
let hub: TestHub;
let dataDir: string;
let beforeEvents: number;
const ORDERS = 30;
const LOGS = 12;
const LIVE = 20;

const order = (i: number): string =>
  JSON.stringify({ id: i, amount: i * 10, status: i % 5 === 0 ? 'failed' : 'ok' });

beforeAll(async () => {
  s = await startSequencer({ backend: 'auto', listens: ['0=orders', '0=logs'] });
  beforeEvents = Date.now() - 1;
  await sendUdp(
    s.port('orders'),
    Array.from({ length: ORDERS }, (_, i) => order(i)),
  );
  await sendUdp(
    s.port('logs'),
    Array.from({ length: LOGS }, (_, i) => (i % 3 === 0 ? `error: disk ${i}` : `info: tick ${i}`)),
  );
  await until(() => counters(s.journal).EVENTS_JOURNALED >= ORDERS + LOGS, 'events journaled', 30_000);
  dataDir = join(tempDir('cz-dash-'), 'data');
  hub = await startHub({ journalPath: s.journal, ipcPath: s.ipcPath, dataDir });
});

afterAll(async () => {
  await closeHubs();
  await killAll();
});

async function call(path: string, init: { method?: string; body?: unknown } = {}) {
  const response = await hub.api(path, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, response };
}

async function data(dashboard: string, widget: string, range?: Record<string, unknown>): Promise<WidgetData> {
  const { status, body } = await call(`/api/dashboards/${dashboard}/widgets/${widget}/data`, {
    method: 'POST',
    ...(range ? { body: range } : {}),
  });
  expect(status, JSON.stringify(body)).toBe(200);
  return widgetDataSchema.parse(body);
}

const error = (body: Record<string, unknown>) =>
  body.error as { code: string; message: string; details: Record<string, unknown> };

const WIDGETS = [
  {
    type: 'timeseries',
    title: 'Orders by status',
    query: 'SELECT COUNT(*) FROM orders GROUP BY status BY 1m',
    layout: { x: 0, y: 0, w: 6, h: 4 },
  },
  {
    type: 'value',
    title: 'Failed orders',
    query: 'SELECT COUNT(*) FROM orders WHERE status = "failed"',
    layout: { x: 6, y: 0, w: 3, h: 2 },
  },
  {
    id: 'big',
    type: 'table',
    title: 'Big orders',
    query: 'SELECT id, amount FROM orders WHERE amount >= 250',
    layout: { x: 9, y: 0, w: 3, h: 4 },
  },
  {
    type: 'log',
    title: 'Errors',
    query: 'SELECT * FROM logs WHERE payload STARTSWITH "error"',
    layout: { x: 0, y: 4, w: 12, h: 4 },
  },
];

describe('the default dashboard', () => {
  it('exists on first start and shows the sequencer’s health from real numbers', async () => {
    const list = dashboardListSchema.parse((await call('/api/dashboards')).body);
    expect(list.dashboards.map((d) => d.name)).toEqual(['Sequencer health']);
    const id = list.dashboards[0]!.id;
    const dashboard = dashboardSchema.parse((await call(`/api/dashboards/${id}`)).body);
    expect(dashboard.widgets.map((w) => w.type).sort()).toEqual(
      ['log', 'timeseries', 'timeseries', 'value', 'value', 'value', 'value'].sort(),
    );

    // Events sent while the hub samples show up as a rate in its metrics history.
    await sendUdp(
      s.port('orders'),
      Array.from({ length: LIVE }, (_, i) => order(1000 + i)),
    );
    await until(async () => {
      const rate = await data(id, 'events-per-sec');
      return rate.type === 'timeseries' && rate.points.some((p) => (p.eventsPerSec ?? 0) > 0);
    }, 'a non-zero events/s point');
    const total = ORDERS + LOGS + LIVE;
    const inRange = await data(id, 'events-in-range');
    expect(inRange).toMatchObject({ type: 'value', value: total });
    const ring = await data(id, 'ring-fill');
    expect(ring.type).toBe('value');
    expect((ring as { value: number }).value).toBeGreaterThan(0);
    expect((ring as { value: number }).value).toBeLessThanOrEqual(1);
    expect(await data(id, 'dropped-per-sec')).toMatchObject({ type: 'value', value: 0 });

    const byStream = await data(id, 'events-by-stream');
    if (byStream.type !== 'timeseries') throw new Error('expected a timeseries');
    const totals = Object.fromEntries(
      byStream.series.map((series) => [
        series.label,
        byStream.points.reduce((sum, p) => sum + (p[series.key] ?? 0), 0),
      ]),
    );
    expect(totals).toEqual({ orders: ORDERS + LIVE, logs: LOGS });

    const latest = await data(id, 'latest-events');
    if (latest.type !== 'log') throw new Error('expected a log');
    expect(latest.columns).toEqual(['seq', 'time', 'stream', 'node', 'payload']);
    // LIMIT 50: the newest 50 lines, newest first.
    expect(latest.rows.map((row) => row[0])).toEqual(Array.from({ length: 50 }, (_, i) => total - 1 - i));
    expect(latest.truncated).toBe(true);
  });
});

describe('CRUD', () => {
  let created: Dashboard;

  it('creates a dashboard, giving widgets without an id one', async () => {
    const { status, body } = await call('/api/dashboards', {
      body: { name: 'Orders', refreshSec: 30, timeRange: { since: '6h' }, widgets: WIDGETS },
    });
    expect(status, JSON.stringify(body)).toBe(201);
    created = dashboardSchema.parse(body);
    expect(created).toMatchObject({ name: 'Orders', version: 1, refreshSec: 30, description: '' });
    expect(created.timeRange).toEqual({ since: '6h', until: null });
    expect(created.widgets.map((w) => w.id)).toEqual(['w1', 'w2', 'big', 'w3']);
    expect(created.widgets[0]!.layout).toEqual({ x: 0, y: 0, w: 6, h: 4 });
    expect(dashboardSchema.parse((await call(`/api/dashboards/${created.id}`)).body)).toEqual(created);
  });

  it('shows real numbers in each widget type', async () => {
    const series = await data(created.id, 'w1');
    if (series.type !== 'timeseries') throw new Error('expected a timeseries');
    expect(series.stepMs).toBe(60_000);
    const byLabel = Object.fromEntries(
      series.series.map((x) => [x.label, series.points.reduce((n, p) => n + (p[x.key] ?? 0), 0)]),
    );
    // orders 0..29 and 1000..1019: every fifth failed.
    expect(byLabel).toEqual({ ok: 24 + 16, failed: 6 + 4 });
    expect(series.points.every((p, i) => i === 0 || p.t - series.points[i - 1]!.t === 60_000)).toBe(true);

    expect(await data(created.id, 'w2')).toMatchObject({ type: 'value', value: 10, stats: { matched: 10 } });

    const table = await data(created.id, 'big');
    if (table.type !== 'table') throw new Error('expected a table');
    expect(table.columns).toEqual(['id', 'amount']);
    expect(table.rows.slice(0, 5)).toEqual([
      [25, 250],
      [26, 260],
      [27, 270],
      [28, 280],
      [29, 290],
    ]);
    expect(table.rows).toHaveLength(5 + LIVE);
    expect(table.truncated).toBe(false);

    const log = await data(created.id, 'w3');
    if (log.type !== 'log') throw new Error('expected a log');
    expect(log.rows.map((r) => r[5])).toEqual([
      'error: disk 9',
      'error: disk 6',
      'error: disk 3',
      'error: disk 0',
    ]);
  });

  it('bounds queries by the time range, which a request may override', async () => {
    // Nothing was journaled before the test started.
    expect(await data(created.id, 'w2', { until: String(beforeEvents) })).toMatchObject({ value: 0 });
    expect(await data(created.id, 'w2', { since: '24h', until: 'now' })).toMatchObject({ value: 10 });
    const { status, body } = await call(`/api/dashboards/${created.id}/widgets/w2/data`, {
      method: 'POST',
      body: { since: 'yesterday' },
    });
    expect(status).toBe(400);
    expect(error(body).message).toMatch(/^body\.since: expected epoch milliseconds/);
    const empty = await call(`/api/dashboards/${created.id}/widgets/w2/data`, {
      method: 'POST',
      body: { since: '1m', until: '2h' },
    });
    expect(empty.status).toBe(400);
    expect(error(empty.body).message).toMatch(/time range is empty/);
    const missing = await call(`/api/dashboards/${created.id}/widgets/nope/data`, { method: 'POST' });
    expect(missing.status).toBe(404);
  });

  it('updates with the version read and refuses a stale one with 409', async () => {
    const { status, body } = await call(`/api/dashboards/${created.id}`, {
      method: 'PUT',
      body: { ...created, name: 'Orders (EU)' },
    });
    expect(status, JSON.stringify(body)).toBe(400); // id and times are not part of the body
    expect(error(body).message).toMatch(/^body: Unrecognized keys: "id", "createdAt", "updatedAt"/);
    const content = {
      name: 'Orders (EU)',
      description: 'renamed',
      timeRange: created.timeRange,
      refreshSec: null,
      widgets: created.widgets.map((w) =>
        w.id === 'big' ? { ...w, layout: { ...w.layout, x: 8, w: 4 } } : w,
      ),
    };
    const updated = await call(`/api/dashboards/${created.id}`, {
      method: 'PUT',
      body: { ...content, version: 1 },
    });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(dashboardSchema.parse(updated.body)).toMatchObject({
      name: 'Orders (EU)',
      version: 2,
      refreshSec: null,
    });
    const stale = await call(`/api/dashboards/${created.id}`, {
      method: 'PUT',
      body: { ...content, version: 1 },
    });
    expect(stale.status).toBe(409);
    expect(error(stale.body)).toMatchObject({ code: 'VERSION_CONFLICT', details: { current: 2, given: 1 } });
    const read = dashboardSchema.parse((await call(`/api/dashboards/${created.id}`)).body);
    expect(read.widgets.find((w) => w.id === 'big')!.layout).toEqual({ x: 8, y: 0, w: 4, h: 4 });
    created = read;
  });

  it('lists and deletes', async () => {
    const other = await call('/api/dashboards', { body: { name: 'Another' } });
    expect(other.status).toBe(201);
    const names = dashboardListSchema
      .parse((await call('/api/dashboards')).body)
      .dashboards.map((d) => d.name);
    expect(names).toEqual(['Another', 'Orders (EU)', 'Sequencer health']);
    const id = (other.body as { id: string }).id;
    expect((await call(`/api/dashboards/${id}`, { method: 'DELETE' })).body).toMatchObject({ deleted: true });
    expect((await call(`/api/dashboards/${id}`)).status).toBe(404);
    expect((await call(`/api/dashboards/${id}`, { method: 'DELETE' })).status).toBe(404);
    expect(
      (await call(`/api/dashboards/${id}`, { method: 'PUT', body: { name: 'x', version: 1 } })).status,
    ).toBe(404);
  });

  it('exports a document that imports into an equal dashboard', async () => {
    const exported = await call(`/api/dashboards/${created.id}/export`);
    expect(exported.status).toBe(200);
    expect(exported.response.headers.get('content-disposition')).toBe(
      'attachment; filename="Orders-EU.dashboard.json"',
    );
    const doc = dashboardExportSchema.parse(exported.body);
    expect(doc.dashboard.widgets).toEqual(created.widgets);
    const imported = await call('/api/dashboards/import', { body: exported.body });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const copy = dashboardSchema.parse(imported.body);
    expect(copy.id).not.toBe(created.id);
    expect(copy.version).toBe(1);
    const again = await call(`/api/dashboards/${copy.id}/export`);
    expect(again.body).toEqual(exported.body);
    // The copy shows the same data.
    expect(await data(copy.id, 'w2')).toMatchObject({ value: 10 });
    const wrong = await call('/api/dashboards/import', { body: { ...exported.body, format: 'grafana' } });
    expect(wrong.status).toBe(400);
    expect(error(wrong.body).message).toMatch(/^body\.format: format must be "lacrimosa\.dashboard"/);
  });
});

describe('validation', () => {
  async function refused(body: unknown) {
    const { status, body: answer } = await call('/api/dashboards', { body });
    expect(status, JSON.stringify(answer)).toBe(400);
    return error(answer);
  }
  const widget = (extra: Record<string, unknown>) => ({
    type: 'value',
    query: 'SELECT COUNT(*) FROM *',
    layout: { x: 0, y: 0, w: 2, h: 2 },
    ...extra,
  });

  it('points at a widget’s query with the parser’s line and column', async () => {
    const e = await refused({
      name: 'bad',
      widgets: [widget({}), widget({}), widget({ query: 'SELECT COUNT(*) FROM *\nWHERE amount >' })],
    });
    expect(e.code).toBe('QUERY_SYNTAX');
    expect(e.details).toMatchObject({
      field: 'body.widgets.2.query',
      line: 2,
      column: 15,
      found: 'end of input',
    });
    expect(e.message).toMatch(/^body\.widgets\.2\.query: line 2, column 15: expected a string/);
  });

  it('refuses queries that do not suit the widget type, naming the field', async () => {
    const grouped = await refused({
      name: 'bad',
      widgets: [widget({ query: 'SELECT COUNT(*) FROM * GROUP BY node' })],
    });
    expect(grouped).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(grouped.message).toBe(
      'body.widgets.0.query: a value widget shows one number: remove GROUP BY and BY',
    );
    const log = await refused({ name: 'bad', widgets: [widget({ type: 'log' })] });
    expect(log.message).toMatch(/^body\.widgets\.0\.query: a log widget lists events/);
    const series = await refused({
      name: 'bad',
      widgets: [widget({ type: 'timeseries', query: 'SELECT * FROM *' })],
    });
    expect(series.message).toMatch(/^body\.widgets\.0\.query: a timeseries widget needs SELECT COUNT/);
    const metricTable = await refused({
      name: 'bad',
      widgets: [widget({ type: 'table', query: undefined, metric: 'eventsPerSec' })],
    });
    expect(metricTable.message).toMatch(/^body\.widgets\.0\.metric: a table widget shows a query/);
    const neither = await refused({ name: 'bad', widgets: [widget({ query: undefined })] });
    expect(neither.message).toMatch(/^body\.widgets\.0\.query: a widget needs a query/);
    const unknownMetric = await refused({
      name: 'bad',
      widgets: [widget({ query: undefined, metric: 'cpu' })],
    });
    expect(unknownMetric.message).toMatch(/^body\.widgets\.0\.metric: /);
  });

  it('checks the grid: integers, inside 12 columns, no negative or empty sizes', async () => {
    const cases: [Record<string, number>, RegExp][] = [
      [{ x: 8, y: 0, w: 6, h: 2 }, /^body\.widgets\.0\.layout\.w: x \+ w must fit in the 12-column grid/],
      [{ x: -1, y: 0, w: 2, h: 2 }, /^body\.widgets\.0\.layout\.x: x must be 0 or more/],
      [{ x: 0, y: 0, w: 2, h: 0 }, /^body\.widgets\.0\.layout\.h: h must be at least 1/],
      [{ x: 0, y: 0, w: -2, h: 2 }, /^body\.widgets\.0\.layout\.w: w must be at least 1/],
      [{ x: 1.5, y: 0, w: 2, h: 2 }, /^body\.widgets\.0\.layout\.x: x must be an integer/],
      [{ x: 0, y: 0, w: 13, h: 2 }, /^body\.widgets\.0\.layout\.w: w must be at most 12/],
    ];
    for (const [layout, message] of cases) {
      expect((await refused({ name: 'bad', widgets: [widget({ layout })] })).message).toMatch(message);
    }
  });

  it('refuses duplicate widget ids, an empty name, unknown fields and bad time ranges', async () => {
    const dup = await refused({ name: 'x', widgets: [widget({ id: 'a' }), widget({ id: 'a' })] });
    expect(dup.message).toBe('body.widgets.1.id: widget id "a" is used twice');
    expect((await refused({ name: '  ' })).message).toBe('body.name: name is empty');
    expect((await refused({ name: 'x', colour: 'red' })).message).toMatch(/colour/);
    expect((await refused({ name: 'x', timeRange: { since: 'last week' } })).message).toMatch(
      /^body\.timeRange\.since: expected/,
    );
    expect((await refused({ name: 'x', refreshSec: 7 })).message).toMatch(
      /^body\.refreshSec: refreshSec must be one of/,
    );
    expect((await call('/api/dashboards', { body: 'not json' })).status).toBe(400);
  });
});

describe('the widget preview', () => {
  it('answers the data of an unsaved widget, or the query error', async () => {
    const ok = await call('/api/dashboards/preview', {
      body: {
        widget: { type: 'value', query: 'SELECT COUNT(*) FROM logs', layout: { x: 0, y: 0, w: 2, h: 2 } },
      },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(widgetDataSchema.parse(ok.body)).toMatchObject({
      type: 'value',
      value: LOGS,
      widgetId: 'preview',
    });
    const bad = await call('/api/dashboards/preview', {
      body: { widget: { type: 'table', query: 'SELECT FROM', layout: { x: 0, y: 0, w: 2, h: 2 } } },
    });
    expect(bad.status).toBe(400);
    expect(error(bad.body).details).toMatchObject({ field: 'body.widget.query', line: 1, column: 8 });
    // A bucket too fine for the range is widened to keep at most 1000 points; none given: about 60.
    const series = async (query: string, since: string) => {
      const answer = await call('/api/dashboards/preview', {
        body: { widget: { type: 'timeseries', query, layout: { x: 0, y: 0, w: 2, h: 2 } }, since },
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return widgetDataSchema.parse(answer.body) as Extract<WidgetData, { type: 'timeseries' }>;
    };
    const fine = await series('SELECT COUNT(*) FROM logs BY 1s', '24h');
    expect(fine.stepMs).toBe(120_000);
    expect(fine.points.length).toBeLessThanOrEqual(1000);
    expect(fine.points.reduce((n, p) => n + (p.count ?? 0), 0)).toBe(LOGS);
    const auto = await series('SELECT COUNT(*) FROM logs', '1h');
    expect(auto.stepMs).toBe(60_000);
    expect(auto.points.length).toBeGreaterThanOrEqual(60);
    expect(auto.points.length).toBeLessThanOrEqual(61);

    const newest = async (limit: string) => {
      const answer = await call('/api/dashboards/preview', {
        body: {
          widget: { type: 'log', query: `SELECT seq FROM logs ${limit}`, layout: { x: 0, y: 0, w: 2, h: 2 } },
        },
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return widgetDataSchema.parse(answer.body) as Extract<WidgetData, { type: 'log' }>;
    };
    // LIMIT keeps the newest lines of a log, newest first.
    const two = await newest('LIMIT 2');
    expect(two.rows).toEqual([[ORDERS + LOGS - 1], [ORDERS + LOGS - 2]]);
    expect(two.truncated).toBe(true);
    expect((await newest('LIMIT 0')).rows).toEqual([]);
    expect((await newest('')).rows).toHaveLength(LOGS);
    const unknown = await call('/api/dashboards/preview', {
      body: { widget: { type: 'table', query: 'SELECT * FROM nowhere', layout: { x: 0, y: 0, w: 2, h: 2 } } },
    });
    expect(unknown.status).toBe(400);
    expect(error(unknown.body).code).toBe('UNKNOWN_STREAM');
  });
});

describe('restart', () => {
  it('keeps dashboards, and a deleted default dashboard stays deleted', async () => {
    const before = dashboardListSchema.parse((await call('/api/dashboards')).body).dashboards;
    const orders = before.find((d) => d.name === 'Orders (EU)')!;
    const full = (await call(`/api/dashboards/${orders.id}`)).body;
    const health = before.find((d) => d.name === 'Sequencer health')!;
    expect((await call(`/api/dashboards/${health.id}`, { method: 'DELETE' })).status).toBe(200);

    await hub.close();
    hub = await startHub({ journalPath: s.journal, ipcPath: s.ipcPath, dataDir });
    const after = dashboardListSchema.parse((await call('/api/dashboards')).body).dashboards;
    expect(after.map((d) => d.name).sort()).toEqual(['Orders (EU)', 'Orders (EU)']);
    expect((await call(`/api/dashboards/${orders.id}`)).body).toEqual(full);
    expect(await data(orders.id, 'w2')).toMatchObject({ value: 10 });

    // Deleting every dashboard does not bring the default one back either.
    for (const d of after) await call(`/api/dashboards/${d.id}`, { method: 'DELETE' });
    await hub.close();
    hub = await startHub({ journalPath: s.journal, ipcPath: s.ipcPath, dataDir });
    expect(dashboardListSchema.parse((await call('/api/dashboards')).body).dashboards).toEqual([]);
  });
});
