/**
 * Saved queries, the query history and `POST /api/query/check` against a real sequencer fed by UDP and a real
 * hub with its SQLite file: create, rename, change, delete, bad input, and both surviving a hub restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import {
  QUERY_HISTORY_MAX,
  queryCheckResultSchema,
  queryHistorySchema,
  savedQueryListSchema,
  savedQuerySchema,
  querySyntaxDetailsSchema,
} from '../src/hub/query/schema.ts';
import { closeHubs, startHub, type TestHub } from './helpers/hub.ts';
import { killAll, until } from './helpers/processes.ts';
import { counters, sendUdp, startSequencer, type TestSequencer } from './helpers/sequencer.ts';

let s: TestSequencer;
let hub: TestHub;

beforeAll(async () => {
  s = await startSequencer({ backend: 'auto', listens: ['0=orders'] });
  await sendUdp(
    s.port('orders'),
    Array.from({ length: 30 }, (_, i) => JSON.stringify({ id: i, amount: i * 10 })),
  );
  await until(() => counters(s.journal).EVENTS_JOURNALED >= 30, 'events journaled', 30_000);
  hub = await startHub({ journalPath: s.journal, ipcPath: s.ipcPath });
});

afterAll(async () => {
  await closeHubs();
  await killAll();
});

async function call(path: string, init: { method?: string; body?: unknown; key?: string } = {}) {
  const response = await hub.api(path, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const errorOf = (body: Record<string, unknown>) =>
  body.error as { code: string; message: string; details?: unknown };

async function newKey(name: string, scope: 'read' | 'write'): Promise<string> {
  const { body } = await call('/api/auth/keys', { body: { name, scopes: [scope] } });
  return body.key as string;
}

describe('saved queries', () => {
  it('are created, listed by name, renamed, changed and deleted', async () => {
    const created = await call('/api/query/saved', {
      body: { name: '  big orders ', query: 'SELECT id FROM orders WHERE amount > 100' },
    });
    expect(created.status).toBe(201);
    const saved = savedQuerySchema.parse(created.body);
    expect(saved).toMatchObject({ name: 'big orders', query: 'SELECT id FROM orders WHERE amount > 100' });
    expect(saved.updatedBy).toBe('root');
    await call('/api/query/saved', { body: { name: 'all', query: 'SELECT * FROM *' } });

    const list = savedQueryListSchema.parse((await call('/api/query/saved')).body);
    expect(list.queries.map((q) => q.name)).toEqual(['all', 'big orders']);

    const renamed = await call(`/api/query/saved/${saved.id}`, {
      method: 'PUT',
      body: { name: 'large orders', query: 'SELECT id FROM orders WHERE amount > 200' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({
      id: saved.id,
      name: 'large orders',
      query: 'SELECT id FROM orders WHERE amount > 200',
      createdAt: saved.createdAt,
    });

    const deleted = await call(`/api/query/saved/${saved.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ name: 'large orders' });
    expect((await call(`/api/query/saved/${saved.id}`, { method: 'DELETE' })).status).toBe(404);
    const after = savedQueryListSchema.parse((await call('/api/query/saved')).body);
    expect(after.queries.map((q) => q.name)).toEqual(['all']);
  });

  it('refuse a query that does not parse, with the parser’s position, and store nothing', async () => {
    const { status, body } = await call('/api/query/saved', {
      body: { name: 'broken', query: 'SELECT * FROM orders\nWHERE amount >> 3' },
    });
    expect(status).toBe(400);
    const error = errorOf(body);
    expect(error.code).toBe('QUERY_SYNTAX');
    expect(querySyntaxDetailsSchema.parse(error.details)).toMatchObject({
      line: 2,
      column: 15,
      offset: 35,
      length: 1,
      found: '">"',
    });
    const list = savedQueryListSchema.parse((await call('/api/query/saved')).body);
    expect(list.queries.some((q) => q.name === 'broken')).toBe(false);

    const { body: listed } = await call('/api/query/saved');
    const id = savedQueryListSchema.parse(listed).queries[0]!.id;
    const update = await call(`/api/query/saved/${id}`, { method: 'PUT', body: { query: 'SELECT' } });
    expect(update.status).toBe(400);
    expect(errorOf(update.body).code).toBe('QUERY_SYNTAX');
  });

  it('name the missing or bad field, and answer 409 for a name in use', async () => {
    const missing = await call('/api/query/saved', { body: { query: 'SELECT * FROM *' } });
    expect(missing.status).toBe(400);
    expect(errorOf(missing.body)).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(errorOf(missing.body).message).toMatch(/^body\.name:/);
    const blank = await call('/api/query/saved', { body: { name: '   ', query: 'SELECT * FROM *' } });
    expect(errorOf(blank.body).message).toBe('body.name: name is empty');
    const control = await call('/api/query/saved', { body: { name: 'a\nb', query: 'SELECT * FROM *' } });
    expect(errorOf(control.body).message).toBe('body.name: name must not contain control characters');

    await call('/api/query/saved', { body: { name: 'taken', query: 'SELECT seq FROM *' } });
    const duplicate = await call('/api/query/saved', { body: { name: 'taken', query: 'SELECT * FROM *' } });
    expect(duplicate.status).toBe(409);
    expect(errorOf(duplicate.body)).toMatchObject({ code: 'NAME_TAKEN', details: { name: 'taken' } });

    const other = savedQuerySchema.parse(
      (await call('/api/query/saved', { body: { name: 'other', query: 'SELECT * FROM *' } })).body,
    );
    const rename = await call(`/api/query/saved/${other.id}`, { method: 'PUT', body: { name: 'taken' } });
    expect(rename.status).toBe(409);
    const empty = await call(`/api/query/saved/${other.id}`, { method: 'PUT', body: {} });
    expect(empty.status).toBe(400);
    expect(errorOf(empty.body).message).toBe('body: give a name, a query, or both');
    const badId = await call('/api/query/saved/abc', { method: 'DELETE' });
    expect(badId.status).toBe(400);
    expect(errorOf(badId.body).message).toBe('params.id: id must be a positive integer');
    expect((await call('/api/query/saved/999999', { method: 'PUT', body: { name: 'x' } })).status).toBe(404);
  });

  it('need the write scope to change and the read scope to list', async () => {
    const read = await newKey('reader', 'read');
    expect((await call('/api/query/saved', { key: read })).status).toBe(200);
    const refused = await call('/api/query/saved', {
      key: read,
      body: { name: 'by reader', query: 'SELECT * FROM *' },
    });
    expect(refused.status).toBe(403);
    const write = await newKey('writer', 'write');
    const made = await call('/api/query/saved', {
      key: write,
      body: { name: 'by writer', query: 'SELECT * FROM *' },
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ updatedBy: 'writer' });
    const { body: audit } = await call('/api/auth/audit?limit=200');
    const actions = (audit.entries as { action: string; keyName: string | null; outcome: string }[]).map(
      (e) => `${e.action} ${e.keyName} ${e.outcome}`,
    );
    expect(actions).toContain('query.save writer success');
    expect(actions).toContain('query.save reader failure');
  });
});

describe('POST /api/query/check', () => {
  it('answers the canonical text, or the syntax error with the span to underline', async () => {
    const good = queryCheckResultSchema.parse(
      (await call('/api/query/check', { body: { query: 'select id from orders where amount>3' } })).body,
    );
    expect(good).toEqual({ ok: true, query: 'SELECT id FROM orders WHERE amount > 3' });
    const text = 'SELECT * FROM orders WHERE status = "open';
    const bad = queryCheckResultSchema.parse(
      (await call('/api/query/check', { body: { query: text } })).body,
    );
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error).toMatchObject({ line: 1, column: 37, offset: 36, length: 1 });
    expect(bad.error.message).toBe(
      'line 1, column 37: expected a string, a number, TRUE, FALSE, NULL but found an unterminated or badly escaped string',
    );
    const word = queryCheckResultSchema.parse(
      (await call('/api/query/check', { body: { query: 'SELECT * FROM orders WHERE amount > 3 LIMITS 4' } }))
        .body,
    );
    expect(word.ok).toBe(false);
    if (!word.ok) expect(word.error).toMatchObject({ offset: 38, length: 6, found: '"LIMITS"' });
    const empty = queryCheckResultSchema.parse(
      (await call('/api/query/check', { body: { query: '' } })).body,
    );
    expect(empty).toMatchObject({ ok: false, error: { offset: 0, length: 0, found: 'end of input' } });
  });

  it('does not run the query, so leaves no history entry', async () => {
    const before = queryHistorySchema.parse((await call('/api/query/history?limit=1')).body).entries[0];
    await call('/api/query/check', { body: { query: 'SELECT * FROM orders' } });
    const after = queryHistorySchema.parse((await call('/api/query/history?limit=1')).body).entries[0];
    expect(after?.id).toBe(before?.id);
  });
});

describe('query history', () => {
  it('records every run of POST /api/query, answered or failed, newest first, and no audit entry', async () => {
    const reader = await newKey('history-reader', 'read');
    const auditBefore = ((await call('/api/auth/audit?limit=500')).body.entries as unknown[]).length;
    const ok = await call('/api/query', {
      key: reader,
      body: { query: 'SELECT id FROM orders WHERE id < 4' },
    });
    expect(ok.status).toBe(200);
    const syntax = await call('/api/query', { key: reader, body: { query: 'SELECT * FRM orders' } });
    expect(syntax.status).toBe(400);
    const unknown = await call('/api/query', { key: reader, body: { query: 'SELECT * FROM nowhere' } });
    expect(errorOf(unknown.body).code).toBe('UNKNOWN_STREAM');
    const ndjson = await hub.api('/api/query', {
      key: reader,
      body: { query: 'SELECT id FROM orders WHERE id >= 25', format: 'ndjson' },
    });
    const lines = (await ndjson.text()).trim().split('\n');
    expect(lines).toHaveLength(1 + 5 + 1);

    const history = queryHistorySchema.parse((await call('/api/query/history?limit=4')).body);
    expect(
      history.entries.map((e) => ({
        query: e.query,
        format: e.format,
        keyName: e.keyName,
        rows: e.rows,
        ok: e.ok,
        errorCode: e.errorCode,
      })),
    ).toEqual([
      {
        query: 'SELECT id FROM orders WHERE id >= 25',
        format: 'ndjson',
        keyName: 'history-reader',
        rows: 5,
        ok: true,
        errorCode: null,
      },
      {
        query: 'SELECT * FROM nowhere',
        format: 'json',
        keyName: 'history-reader',
        rows: 0,
        ok: false,
        errorCode: 'UNKNOWN_STREAM',
      },
      {
        query: 'SELECT * FRM orders',
        format: 'json',
        keyName: 'history-reader',
        rows: 0,
        ok: false,
        errorCode: 'QUERY_SYNTAX',
      },
      {
        query: 'SELECT id FROM orders WHERE id < 4',
        format: 'json',
        keyName: 'history-reader',
        rows: 4,
        ok: true,
        errorCode: null,
      },
    ]);
    const first = history.entries[3]!;
    expect(first.scanned).toBe(30);
    expect(first.durationMs).toBeGreaterThanOrEqual(0);
    expect(first.keyId).toMatch(/\S/);
    expect(history.entries[2]!.scanned).toBeNull();
    const ids = history.entries.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));

    const auditAfter = ((await call('/api/auth/audit?limit=500')).body.entries as unknown[]).length;
    expect(auditAfter - auditBefore).toBe(0);
  });

  it('records an NDJSON answer its reader abandoned as QUERY_CANCELLED, with the rows sent so far', async () => {
    // In-process, so nothing but this reader pulls the stream: after the first line, no row has been sent.
    const response = await hub.hub.app.request('/api/query', {
      method: 'POST',
      headers: {
        host: new URL(hub.url).host,
        authorization: `Bearer ${hub.rootKey}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ query: 'SELECT id FROM orders WHERE id >= 0', format: 'ndjson' }),
    });
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(JSON.parse(first)).toMatchObject({ columns: ['id'] });
    await reader.cancel();
    const { entries } = queryHistorySchema.parse((await call('/api/query/history?limit=1')).body);
    expect(entries[0]).toMatchObject({
      query: 'SELECT id FROM orders WHERE id >= 0',
      format: 'ndjson',
      rows: 0,
      ok: false,
      errorCode: 'QUERY_CANCELLED',
    });
  });

  it('validates its limit', async () => {
    const { status, body } = await call('/api/query/history?limit=0');
    expect(status).toBe(400);
    expect(errorOf(body).message).toBe(`query.limit: limit must be between 1 and ${QUERY_HISTORY_MAX}`);
    expect((await call(`/api/query/history?limit=${QUERY_HISTORY_MAX + 1}`)).status).toBe(400);
  });

  it(`keeps only the newest ${QUERY_HISTORY_MAX} runs`, async () => {
    for (let i = 0; i < QUERY_HISTORY_MAX + 10; i++) {
      const response = await hub.api('/api/query', {
        body: { query: `EXPLAIN SELECT * FROM orders LIMIT ${i + 1}` },
      });
      await response.arrayBuffer();
    }
    const { entries } = queryHistorySchema.parse(
      (await call(`/api/query/history?limit=${QUERY_HISTORY_MAX}`)).body,
    );
    expect(entries).toHaveLength(QUERY_HISTORY_MAX);
    expect(entries[0]!.query).toBe(`EXPLAIN SELECT * FROM orders LIMIT ${QUERY_HISTORY_MAX + 10}`);
    expect(entries.at(-1)!.query).toBe('EXPLAIN SELECT * FROM orders LIMIT 11');
    const stored = hub.hub.services.db.prepare('SELECT COUNT(*) FROM query_history').pluck().get();
    expect(stored).toBe(QUERY_HISTORY_MAX);
  }, 60_000);
});

describe('cz query --save and cz query saved', () => {
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

  it('saves a query while running it, lists the saved queries, and reports a taken name', async () => {
    const run = await cz('SELECT id FROM orders WHERE id < 2', '--save', 'first two');
    expect(run.code, run.err).toBe(0);
    expect(run.err).toMatch(/^saved as "first two" \(id \d+\)/);
    expect(run.out).toMatch(/^2 rows/m);
    const listed = await cz('saved');
    expect(listed.code, listed.err).toBe(0);
    expect(listed.out).toMatch(/\d+\s+first two\s+SELECT id FROM orders WHERE id < 2/);
    const json = await cz('saved', '--json');
    const queries = savedQueryListSchema.shape.queries.parse(JSON.parse(json.out));
    expect(queries.find((q) => q.name === 'first two')?.query).toBe('SELECT id FROM orders WHERE id < 2');
    const again = await cz('SELECT * FROM orders', '--save', 'first two');
    expect(again.code).not.toBe(0);
    expect(again.err).toContain('NAME_TAKEN');
  });
});

describe('after a hub restart', () => {
  it('the saved queries and the history are still there', async () => {
    const saved = savedQueryListSchema.parse((await call('/api/query/saved')).body).queries;
    const history = queryHistorySchema.parse((await call('/api/query/history?limit=20')).body).entries;
    expect(saved.length).toBeGreaterThan(0);
    const dataDir = hub.dataDir;
    await hub.close();
    hub = await startHub({ journalPath: s.journal, ipcPath: s.ipcPath, dataDir });
    expect(savedQueryListSchema.parse((await call('/api/query/saved')).body).queries).toEqual(saved);
    expect(queryHistorySchema.parse((await call('/api/query/history?limit=20')).body).entries).toEqual(
      history,
    );
  });
});
