import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeTestJournals, type TestJournal, testJournal } from '../events/test-journal.ts';
import { HubError } from '../errors.ts';
import type { Expr, Field, Literal, Query } from './ast.ts';
import { runQuery } from './executor.ts';
import { parseQuery } from './parser.ts';
import { printQuery } from './printer.ts';

// ── a small journal with known contents ──────────────────────────────────────────────────────────────

interface Plain {
  seq: number;
  streamId: number;
  stream: string | null;
  node: number;
  time: number;
  bytes: Uint8Array;
}

const utf8 = new TextEncoder();

const payloadArb = fc.oneof(
  fc
    .record(
      {
        status: fc.constantFrom('ok', 'error', 'pending', 'okay'),
        level: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constant('3')),
        tags: fc.array(fc.constantFrom('a', 'b', 1, 2), { maxLength: 3 }),
        nested: fc.record({ a: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant(null)) }),
        stream: fc.constant('inner'),
      },
      { requiredKeys: [] },
    )
    .map((o) => utf8.encode(JSON.stringify(o))),
  // Escaped spellings: the byte pre-filter must not rule these out.
  fc
    .constantFrom(
      '{"status":"\\u006fk","tags":["\\u0061"]}',
      '{"status":"o\\u006bay","level":1}',
      '{"status":"err\\tor"}',
    )
    .map((s) => utf8.encode(s)),
  fc
    .constantFrom('plain text ok', 'error: disk', '[1,2,"a"]', '42', '"ok"', 'null')
    .map((s) => utf8.encode(s)),
  fc.constant(new Uint8Array([0xff, 0xfe, 0x00, 0x41])),
);

const eventArb = fc.record({
  stream: fc.constantFrom(0, 1, 7),
  node: fc.constantFrom(1, 2, 3),
  gapMs: fc.constantFrom(0, 1, 10, 300),
  payload: payloadArb,
});

type RandomEvent = { stream: number; node: number; gapMs: number; payload: Uint8Array };

async function buildJournal(events: RandomEvent[]) {
  const j = testJournal({ slots: 1024, blobSize: 1 << 20 });
  const alpha = j.sequencer.registerStream('alpha');
  const beta = j.sequencer.registerStream('beta');
  const ids = [alpha, beta, 7];
  // Clock hints move the clock forward (up to the sequencer's 60 s drift limit), spacing the events out.
  const base = Date.now() + 1000;
  let at = base;
  const submitted = events.map((e) => {
    at += e.gapMs;
    return {
      streamId: ids[e.stream === 7 ? 2 : e.stream]!,
      nodeId: e.node,
      clockHint: BigInt(at) << 16n,
      payload: e.payload,
    };
  });
  await j.write(submitted);
  return { j, base };
}

/** Everything in the journal, read naively one event at a time. */
function contents(j: TestJournal): Plain[] {
  const { head, tail } = j.reader.publication();
  const out: Plain[] = [];
  for (let seq = tail; seq < head; seq++) {
    const e = j.reader.readEvent(seq)!;
    out.push({
      seq,
      streamId: e.streamId,
      stream: j.reader.streamName(e.streamId),
      node: e.nodeId,
      time: e.lamportHi * 0x10000 + (e.lamportLo >>> 16),
      bytes: j.reader.readPayload(seq, e).bytes,
    });
  }
  return out;
}

// ── the reference: obviously right, slow, written apart from the executor ───────────────────────────

const NONE = Symbol('none');

function text(e: Plain): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(e.bytes);
  } catch {
    return null;
  }
}

function json(e: Plain): unknown {
  const t = text(e);
  if (t === null) return NONE;
  try {
    return JSON.parse(t);
  } catch {
    return NONE;
  }
}

function get(e: Plain, f: Field, literal?: Literal): unknown {
  if (f.kind === 'builtin') {
    if (f.name === 'stream') return typeof literal === 'number' ? e.streamId : (e.stream ?? NONE);
    if (f.name === 'node') return e.node;
    if (f.name === 'seq') return e.seq;
    if (f.name === 'time') return e.time;
    if (f.name === 'size') return e.bytes.length;
    return text(e) ?? NONE;
  }
  let v = json(e);
  for (const s of f.path) {
    if (v === NONE) return NONE;
    if (typeof s === 'number') v = Array.isArray(v) && s < v.length ? v[s] : NONE;
    else
      v =
        v !== null && typeof v === 'object' && !Array.isArray(v) && s in v
          ? (v as Record<string, unknown>)[s]
          : NONE;
  }
  return v;
}

function holds(e: Plain, x: Expr): boolean {
  if (x.kind === 'and') return holds(e, x.left) && holds(e, x.right);
  if (x.kind === 'or') return holds(e, x.left) || holds(e, x.right);
  if (x.kind === 'not') return !holds(e, x.expr);
  const v = get(e, x.field, x.value);
  const l = x.value;
  if (v === NONE) return false;
  if (x.op === '=') return v === l;
  if (x.op === '!=') return v !== l;
  if (x.op === 'CONTAINS')
    return typeof v === 'string' ? typeof l === 'string' && v.includes(l) : Array.isArray(v) && v.includes(l);
  if (x.op === 'STARTSWITH') return typeof v === 'string' && typeof l === 'string' && v.startsWith(l);
  if (!((typeof v === 'number' && typeof l === 'number') || (typeof v === 'string' && typeof l === 'string')))
    return false;
  const [a, b] = [v as never, l as never];
  return x.op === '>' ? a > b : x.op === '>=' ? a >= b : x.op === '<' ? a < b : a <= b;
}

function cell(e: Plain, f: Field): unknown {
  if (f.kind === 'builtin' && f.name === 'stream') return e.stream ?? e.streamId;
  const v = get(e, f);
  return v === NONE ? null : v;
}

function reference(all: Plain[], q: Query, now: number): unknown[][] {
  const bound = (b: { at: number } | { ago: number }) => ('at' in b ? b.at : Math.max(0, now - b.ago));
  const names = q.from;
  const rows = all.filter(
    (e) =>
      (q.since === null || e.time >= bound(q.since)) &&
      (q.until === null || e.time < bound(q.until)) &&
      (names === null || names.some((n) => (typeof n === 'number' ? n === e.streamId : n === e.stream))) &&
      (q.where === null || holds(e, q.where)),
  );
  const offset = q.offset ?? 0;
  if (q.projection.kind === 'count') {
    const groups: { bucket: number; key: string; value: unknown; count: number }[] = [];
    for (const e of rows) {
      const bucket = q.bucketMs === null ? 0 : e.time - (e.time % q.bucketMs);
      const value = q.groupBy === null ? null : cell(e, q.groupBy);
      const key = JSON.stringify(value);
      const g = groups.find((x) => x.bucket === bucket && x.key === key);
      if (g) g.count++;
      else groups.push({ bucket, key, value, count: 1 });
    }
    if (groups.length === 0 && q.groupBy === null && q.bucketMs === null)
      return [[0]].slice(offset, q.limit === null ? undefined : offset + q.limit);
    groups.sort(
      (a, b) => a.bucket - b.bucket || b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    );
    const out = groups.map((g) => [
      ...(q.bucketMs === null ? [] : [g.bucket]),
      ...(q.groupBy === null ? [] : [g.value]),
      g.count,
    ]);
    return out.slice(offset, q.limit === null ? undefined : offset + q.limit);
  }
  const picked = rows.slice(offset, q.limit === null ? undefined : offset + q.limit);
  return picked.map((e) => {
    if (q.projection.kind === 'fields') return q.projection.fields.map((f) => cell(e, f));
    const j = json(e);
    return [e.seq, e.time, e.stream ?? e.streamId, e.node, e.bytes.length, j !== NONE ? j : text(e)];
  });
}

// ── random queries over those journals ───────────────────────────────────────────────────────────────

const anyFieldArb: fc.Arbitrary<Field> = fc.constantFrom<Field>(
  { kind: 'builtin', name: 'stream' },
  { kind: 'builtin', name: 'node' },
  { kind: 'builtin', name: 'seq' },
  { kind: 'builtin', name: 'time' },
  { kind: 'builtin', name: 'size' },
  { kind: 'builtin', name: 'payload' },
  { kind: 'json', path: ['status'] },
  { kind: 'json', path: ['level'] },
  { kind: 'json', path: ['tags'] },
  { kind: 'json', path: ['tags', 0] },
  { kind: 'json', path: ['nested', 'a'] },
  { kind: 'json', path: ['stream'] },
  { kind: 'json', path: [1] },
  { kind: 'json', path: ['absent'] },
);
// The slot fields that narrow the scanned range come up more often than the others.
const fieldArb: fc.Arbitrary<Field> = fc.oneof(
  { arbitrary: anyFieldArb, weight: 3 },
  {
    arbitrary: fc.constantFrom<Field>({ kind: 'builtin', name: 'seq' }, { kind: 'builtin', name: 'time' }),
    weight: 1,
  },
);
const literalArb = fc.constantFrom<Literal>(
  'ok',
  'err',
  'error',
  'a',
  'alpha',
  'beta',
  'inner',
  0,
  1,
  2,
  3,
  7,
  5,
  -1,
  '3',
  null,
  true,
  'plain',
  40,
  50,
);
const exprArb = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small' },
    fc.record({
      kind: fc.constant('compare' as const),
      field: fieldArb,
      op: fc.constantFrom('=', '!=', '>', '>=', '<', '<=' as const),
      value: literalArb,
    }),
    fc.record({
      kind: fc.constant('match' as const),
      field: fieldArb,
      op: fc.constantFrom('CONTAINS', 'STARTSWITH' as const),
      value: literalArb,
    }),
    fc.record({ kind: fc.constant('and' as const), left: tie('e'), right: tie('e') }),
    fc.record({ kind: fc.constant('or' as const), left: tie('e'), right: tie('e') }),
    fc.record({ kind: fc.constant('not' as const), expr: tie('e') }),
  ),
})).e;

/** Times relative to a journal's first event, made absolute per journal. */
type RelTime = { at: number } | { ago: number };
const timeArb: fc.Arbitrary<RelTime> = fc.oneof(
  fc.integer({ min: -500, max: 16_000 }).map((at) => ({ at })),
  fc.integer({ min: 0, max: 12_000 }).map((ago) => ({ ago })),
);

/** Null three times in four: clauses that narrow the answer should not hide what the condition does. */
const rarely = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> =>
  fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: arb, weight: 1 });

const execQueryArb: fc.Arbitrary<Query> = fc
  .record({
    projection: fc.oneof(
      fc.constant({ kind: 'all' as const }),
      fc.constant({ kind: 'count' as const }),
      fc
        .array(fieldArb, { minLength: 1, maxLength: 3 })
        .map((fields) => ({ kind: 'fields' as const, fields })),
    ),
    from: fc.option(fc.subarray<string | number>(['alpha', 'beta', 7], { minLength: 1 })),
    where: fc.option(exprArb, { freq: 5 }),
    since: rarely(timeArb),
    until: rarely(timeArb),
    groupBy: fc.option(fieldArb),
    bucketMs: fc.option(fc.constantFrom(1, 1000, 60_000)),
    limit: rarely(fc.integer({ min: 0, max: 40 })),
    offset: rarely(fc.integer({ min: 0, max: 10 })),
  })
  .map((q) => ({
    explain: false,
    ...q,
    ...(q.projection.kind === 'count' ? {} : { groupBy: null, bucketMs: null }),
  }));

const JOURNALS = Number(process.env.QUERY_PROPERTY_JOURNALS ?? 6);
const QUERIES = Number(process.env.QUERY_PROPERTY_RUNS ?? 500);

describe('executor', () => {
  let journals: { j: TestJournal; base: number; all: Plain[] }[] = [];

  beforeAll(async () => {
    const samples = fc.sample(fc.array(eventArb, { minLength: 40, maxLength: 200 }), {
      numRuns: JOURNALS,
      seed: 42,
    });
    for (const events of samples) {
      const { j, base } = await buildJournal(events);
      journals.push({ j, base, all: contents(j) });
    }
  });
  afterAll(() => {
    closeTestJournals();
    journals = [];
  });

  it('agrees with a naive reference evaluator on random journals and queries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(JOURNALS - 1), execQueryArb, async (which, relative) => {
        const { j, base, all } = journals[which]!;
        const now = base + 10_000;
        const absolute = (t: RelTime | null) => (t === null || 'ago' in t ? t : { at: base + t.at });
        // A number compared with `time` is taken as a step of 100 ms after the journal's first event.
        const rebase = (e: Expr | null): Expr | null => {
          if (e === null) return null;
          if (e.kind === 'and' || e.kind === 'or')
            return { ...e, left: rebase(e.left)!, right: rebase(e.right)! };
          if (e.kind === 'not') return { ...e, expr: rebase(e.expr)! };
          const isTime = e.field.kind === 'builtin' && e.field.name === 'time' && typeof e.value === 'number';
          return isTime ? { ...e, value: base + (e.value as number) * 100 } : e;
        };
        const q = {
          ...relative,
          where: rebase(relative.where),
          since: absolute(relative.since),
          until: absolute(relative.until),
        };
        const { rows, stats } = await runQuery(j.reader, q, now);
        expect({ rows, q: printQuery(q) }).toEqual({ rows: reference(all, q, now), q: printQuery(q) });
        expect(stats.overwritten).toBe(0);
      }),
      { numRuns: QUERIES },
    );
  });

  it('reads only the slots of the time range, and payloads only when a condition needs them', async () => {
    const j = testJournal();
    const base = Date.now() + 1000;
    const s = j.sequencer.registerStream('s');
    const t = j.sequencer.registerStream('t');
    await j.write(
      Array.from({ length: 1000 }, (_, i) => ({
        streamId: i % 2 ? t : s,
        nodeId: 1,
        clockHint: BigInt(base + i * 10) << 16n,
        payload: utf8.encode(JSON.stringify({ i })),
      })),
    );
    const q = (text: string) => {
      const r = parseQuery(text);
      if (!r.ok) throw new Error(r.error.message);
      return r.query;
    };
    const bounded = await runQuery(
      j.reader,
      q(`SELECT COUNT(*) FROM * SINCE ${base + 1000} UNTIL ${new Date(base + 2000).toISOString()}`),
      0,
    );
    expect(bounded.rows).toEqual([[100]]);
    expect(bounded.stats.scanned).toEqual({ from: 100, to: 200, count: 100 });
    expect(bounded.stats.payloadsDecoded).toBe(0);

    const pushed = await runQuery(
      j.reader,
      q(`SELECT COUNT(*) FROM * WHERE time >= ${base + 1000} AND time < ${base + 2000} AND seq != 150`),
      0,
    );
    expect(pushed.rows).toEqual([[99]]);
    expect(pushed.stats.scanned).toEqual({ from: 100, to: 200, count: 100 });
    const bySeq = await runQuery(
      j.reader,
      q('SELECT COUNT(*) FROM * WHERE seq > 990.5 AND (seq <= 995 OR size > 0)'),
      0,
    );
    expect(bySeq.rows).toEqual([[9]]);
    expect(bySeq.stats.scanned).toEqual({ from: 991, to: 1000, count: 9 });
    const notPushed = await runQuery(j.reader, q('SELECT COUNT(*) FROM * WHERE seq > 990 OR size > 100'), 0);
    expect(notPushed.stats.scanned.count).toBe(1000);
    const byStream = await runQuery(j.reader, q('SELECT seq FROM t WHERE i >= 990'), 0);
    expect(byStream.rows).toEqual([[991], [993], [995], [997], [999]]);
    expect(byStream.stats.payloadsDecoded).toBe(500);

    const limited = await runQuery(j.reader, q('SELECT i FROM s WHERE size > 0 LIMIT 3 OFFSET 2'), 0);
    expect(limited.rows).toEqual([[4], [6], [8]]);
    expect(limited.stats.scanned.to).toBe(9);
    expect(limited.stats.payloadsDecoded).toBe(5);
  });

  it('skips payloads that lack a required string without decoding them, but never an escaped spelling', async () => {
    const j = testJournal();
    const texts = [
      '{"status":"ok"}',
      '{"status":"\\u006fk"}',
      '{"status":"no"}',
      '{"status":"n\\u006f"}',
      'ok',
    ];
    await j.write(texts.map((t) => ({ streamId: 0, nodeId: 1, payload: utf8.encode(t) })));
    const run = async (text: string) => {
      const r = parseQuery(text);
      if (!r.ok) throw new Error(r.error.message);
      return runQuery(j.reader, r.query, 0);
    };
    const ok = await run('SELECT seq FROM * WHERE status = "ok"');
    expect(ok.rows).toEqual([[0], [1]]);
    expect(ok.stats).toMatchObject({ payloadsDecoded: 4, payloadsSkippedByBytes: 1 });
    const either = await run('SELECT seq FROM * WHERE status = "ok" OR status = "no"');
    expect(either.rows).toEqual([[0], [1], [2], [3]]);
    expect(either.stats.payloadsSkippedByBytes).toBe(0);
  });

  it('never returns an event the writer evicted while the query read it', async () => {
    // A small blob that wraps every few hundred events, written by the native thread while the queries scan.
    const j = testJournal({ slots: 1024, blobSize: 1 << 16 });
    const pad = 'x'.repeat(100);
    let next = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        const batch = Array.from({ length: 200 }, () => ({
          streamId: 0,
          nodeId: 1,
          payload: utf8.encode(JSON.stringify({ i: next++, pad })),
        }));
        await j.write(batch);
      }
    })();
    const all = parseQuery('SELECT seq, i FROM * WHERE size > 0');
    if (!all.ok) throw new Error('parse');
    let rowsSeen = 0;
    let overwritten = 0;
    const until = Date.now() + 1500;
    try {
      while (Date.now() < until) {
        const { rows, stats } = await runQuery(j.reader, all.query, Date.now(), { defaultLimit: null });
        for (const [seq, i] of rows) expect(i).toBe(seq);
        rowsSeen += rows.length;
        overwritten += stats.overwritten;
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      writing = false;
      await writer;
    }
    expect(rowsSeen).toBeGreaterThan(0);
    expect(next).toBeGreaterThan(2000);
    // How often a race was actually caught varies from run to run; it is reported, not asserted.
    console.info(`eviction race: ${rowsSeen} rows checked, ${overwritten} events dropped as overwritten`);
  });

  it('stops with QUERY_BUDGET_EXCEEDED or QUERY_CANCELLED', async () => {
    const j = testJournal();
    await j.write(
      Array.from({ length: 2000 }, () => ({ streamId: 0, nodeId: 1, payload: utf8.encode('{}') })),
    );
    const all = parseQuery('SELECT * FROM *');
    if (!all.ok) throw new Error('parse');
    const over = await runQuery(j.reader, all.query, Date.now(), {
      scanBudget: 500,
      defaultLimit: null,
    }).catch((e: unknown) => e);
    expect(over).toBeInstanceOf(HubError);
    expect(over).toMatchObject({
      code: 'QUERY_BUDGET_EXCEEDED',
      details: { scanned: { from: 0, to: 500, count: 500 } },
    });
    const grouped = parseQuery('SELECT COUNT(*) FROM * GROUP BY seq');
    if (!grouped.ok) throw new Error('parse');
    const groups = await runQuery(j.reader, grouped.query, 0, { maxGroups: 100 }).catch((e: unknown) => e);
    expect(groups).toMatchObject({ code: 'QUERY_TOO_MANY_GROUPS', details: { maxGroups: 100 } });
    const controller = new AbortController();
    controller.abort();
    const cancelled = await runQuery(j.reader, all.query, Date.now(), { signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect(cancelled).toMatchObject({ code: 'QUERY_CANCELLED' });
    const unknown = await Promise.resolve()
      .then(() => runQuery(j.reader, { ...all.query, from: ['nope'] }, 0))
      .catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: 'UNKNOWN_STREAM' });
  });
});
