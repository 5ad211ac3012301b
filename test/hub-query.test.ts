/**
 * `POST /api/query` against a real sequencer fed by real UDP and a real hub: rows, projections, aggregations,
 * EXPLAIN, NDJSON streaming, syntax errors with their position, budgets, scopes, and `cz query`.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import {
  queryNdjsonEndSchema,
  queryNdjsonHeadSchema,
  queryResultSchema,
  querySyntaxDetailsSchema,
} from '../src/hub/query/schema.ts';
import { closeHubs, startHub, type TestHub } from './helpers/hub.ts';
import { killAll, tempDir, until } from './helpers/processes.ts';
import { closeTestJournals, testJournal } from '../src/hub/events/test-journal.ts';
import { counters, sendUdp, startSequencer, type TestSequencer } from './helpers/sequencer.ts';

let s: TestSequencer;
let hub: TestHub;
const ORDERS = 60;
const LOGS = 40;

beforeAll(async () => {
  s = await startSequencer({ backend: 'auto', listens: ['0=orders', '0=logs'] });
  await sendUdp(
    s.port('orders'),
    Array.from({ length: ORDERS }, (_, i) =>
      JSON.stringify({
        id: i,
        amount: i * 10,
        status: i % 3 === 0 ? 'failed' : 'ok',
        customer: { tier: i % 2 ? 'gold' : 'basic' },
      }),
    ),
  );
  await sendUdp(
    s.port('logs'),
    Array.from({ length: LOGS }, (_, i) => (i % 4 === 0 ? `error: disk ${i}` : `info: tick ${i}`)),
  );
  await until(() => counters(s.journal).EVENTS_JOURNALED >= ORDERS + LOGS, 'events journaled', 30_000);
  hub = await startHub({ journalPath: s.journal, ipcPath: s.ipcPath });
});

afterAll(async () => {
  await closeHubs();
  closeTestJournals();
  await killAll();
});

async function query(text: string, extra: Record<string, unknown> = {}, key?: string) {
  const response = await hub.api('/api/query', { body: { query: text, ...extra }, ...(key ? { key } : {}) });
  const body = (await response.json()) as unknown;
  return { status: response.status, body };
}

async function rows(text: string) {
  const { status, body } = await query(text);
  expect(status, JSON.stringify(body)).toBe(200);
  return queryResultSchema.parse(body);
}

describe('POST /api/query', () => {
  it("answers the spec's kind of query with columns, rows and the scanned range", async () => {
    const r = await rows(
      'SELECT * FROM orders WHERE amount > 100 AND status = "ok" SINCE 5m LIMIT 5 OFFSET 1',
    );
    expect(r.columns).toEqual(['seq', 'time', 'stream', 'node', 'size', 'payload']);
    expect(r.rows.map((row) => (row[5] as { id: number }).id)).toEqual([13, 14, 16, 17, 19]);
    expect(r.rows.every((row) => row[2] === 'orders')).toBe(true);
    expect(r.stats.matched).toBe(6);
    expect(r.stats.scanned.from).toBe(0);
    expect(r.stats.scanned.count).toBe(r.stats.scanned.to - r.stats.scanned.from);
    expect(r.stats.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  it('projects nested fields and built-ins, reads text payloads, and counts by group', async () => {
    const projected = await rows('SELECT id, customer.tier, stream FROM orders WHERE id < 3');
    expect(projected.columns).toEqual(['id', 'customer.tier', 'stream']);
    expect(projected.rows).toEqual([
      [0, 'basic', 'orders'],
      [1, 'gold', 'orders'],
      [2, 'basic', 'orders'],
    ]);
    const text = await rows('SELECT COUNT(*) FROM logs WHERE payload STARTSWITH "error"');
    expect(text.rows).toEqual([[10]]);
    const grouped = await rows('SELECT COUNT(*) FROM * GROUP BY status');
    expect(grouped.rows).toEqual([
      ['ok', 40],
      [null, LOGS],
      ['failed', 20],
    ]);
    const buckets = await rows('SELECT COUNT(*) FROM orders BY 1d');
    expect(buckets.columns).toEqual(['bucket', 'count']);
    expect(buckets.rows.reduce((n, row) => n + (row[1] as number), 0)).toBe(ORDERS);
  });

  it('explains the plan without scanning', async () => {
    const r = await rows('EXPLAIN SELECT id FROM logs, orders WHERE NOT status = "ok" SINCE 1h');
    expect(r.rows).toEqual([]);
    expect(r.stats.scanned.count).toBe(0);
    expect(r.plan).toMatchObject({
      streams: [
        { id: expect.any(Number), name: 'orders' },
        { id: expect.any(Number), name: 'logs' },
      ].sort((a, b) => a.id - b.id),
      where: 'NOT status = "ok"',
      readsPayload: true,
      range: { from: 0, to: ORDERS + LOGS, slots: ORDERS + LOGS },
    });
  });

  it('streams NDJSON: columns, one array per row, then the stats', async () => {
    const response = await hub.api('/api/query', {
      body: { query: 'SELECT id FROM orders WHERE id >= 50', format: 'ndjson' },
    });
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(queryNdjsonHeadSchema.parse(lines[0]).columns).toEqual(['id']);
    expect(lines.slice(1, -1)).toEqual(Array.from({ length: 10 }, (_, i) => [50 + i]));
    expect(queryNdjsonEndSchema.parse(lines.at(-1))).toMatchObject({ stats: { matched: 10 } });
  });

  it('answers a syntax error with its line, column and what was expected', async () => {
    const { status, body } = await query('SELECT * FROM orders\nWHERE amount >');
    expect(status).toBe(400);
    const error = (body as { error: { code: string; message: string; details: unknown } }).error;
    expect(error.code).toBe('QUERY_SYNTAX');
    expect(querySyntaxDetailsSchema.parse(error.details)).toMatchObject({
      line: 2,
      column: 15,
      found: 'end of input',
    });
    expect(error.message).toMatch(/^line 2, column 15: expected a string, a number/);
  });

  it('names unknown streams and budgets', async () => {
    expect(await query('SELECT * FROM nope')).toMatchObject({
      status: 400,
      body: { error: { code: 'UNKNOWN_STREAM' } },
    });
    const over = await query('SELECT * FROM *', { maxScan: 30 });
    expect(over).toMatchObject({
      status: 400,
      body: { error: { code: 'QUERY_BUDGET_EXCEEDED', details: { scanned: { count: 30 } } } },
    });
    const response = await hub.api('/api/query', {
      body: { query: 'SELECT seq FROM *', format: 'ndjson', maxScan: 30 },
    });
    const last = JSON.parse((await response.text()).trim().split('\n').at(-1)!) as unknown;
    expect(queryNdjsonEndSchema.parse(last)).toMatchObject({ error: { code: 'QUERY_BUDGET_EXCEEDED' } });
  });

  it('is a read: a read key may query, and no audit entry is written', async () => {
    const created = (await (
      await hub.api('/api/auth/keys', { body: { name: 'reader', scopes: ['read'] } })
    ).json()) as {
      key: string;
    };
    expect((await query('SELECT COUNT(*) FROM *', {}, created.key)).body).toMatchObject({
      rows: [[ORDERS + LOGS]],
    });
    const audit = (await (await hub.api('/api/auth/audit?limit=50')).json()) as {
      entries: { path: string }[];
    };
    expect(audit.entries.some((e) => e.path === '/api/query')).toBe(false);
  });
});

describe('cz query', () => {
  async function cz(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['query', ...args, '--hub', hub.url, '--key', hub.rootKey], {
      out: (t) => out.push(`${t}\n`),
      err: (t) => err.push(t),
      write: (t) => out.push(t),
    });
    return { code, out: out.join(''), err: err.join('') };
  }

  it('prints a table, JSON or NDJSON, and one line for a syntax error', async () => {
    const table = await cz('SELECT id, customer.tier FROM orders WHERE id < 2');
    expect(table.code, table.err).toBe(0);
    expect(table.out).toMatch(/id\s+customer\.tier/);
    expect(table.out).toMatch(/1\s+gold/);
    expect(table.out).toMatch(/2 rows/);
    const json = await cz('SELECT COUNT(*) FROM logs', '--json');
    expect(queryResultSchema.parse(JSON.parse(json.out)).rows).toEqual([[LOGS]]);
    const ndjson = await cz('SELECT id FROM orders LIMIT 3', '--ndjson');
    expect(ndjson.out.trim().split('\n')).toHaveLength(5);
    const bad = await cz('SELECT * FROM orders WHERE');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/line 1, column 27: expected/);
    expect(bad.err).toContain(`  SELECT * FROM orders WHERE\n  ${' '.repeat(26)}^`);
  });
});

describe('cancellation', () => {
  it('stops the scan when the request is aborted (a client that goes away)', async () => {
    const j = testJournal({ slots: 1 << 19, blobSize: 1 << 25 });
    const encoder = new TextEncoder();
    for (let done = 0; done < 300_000; done += 20_000) {
      await j.sequencer.submit(
        Array.from({ length: 20_000 }, (_, i) => ({
          streamId: 0,
          nodeId: 1,
          payload: encoder.encode(`{"i":${done + i},"s":"abcdefgh"}`),
        })),
      );
    }
    const big = await startHub({ journalPath: j.path, ipcPath: join(tempDir('cz-query-'), 'none.sock') });
    const controller = new AbortController();
    const pending = big.hub.app.request('/api/query', {
      method: 'POST',
      headers: {
        host: new URL(big.url).host,
        authorization: `Bearer ${big.rootKey}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ query: 'SELECT COUNT(*) FROM * WHERE i < 0' }),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    const response = await pending;
    const body = (await response.json()) as {
      error: { code: string; details: { scanned: { count: number } } };
    };
    expect(response.status).toBe(400);
    expect(body.error.code).toBe('QUERY_CANCELLED');
    expect(body.error.details.scanned.count).toBeLessThan(300_000);
  });
});
