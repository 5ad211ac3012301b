/**
 * Traces end to end: the real OpenTelemetry SDK and its OTLP/HTTP JSON exporter send the spans of a small
 * two-service program to a real hub (in-process, its own SQLite file); the trace list, the timeline data of
 * the trace and the service graph come back right. Then the OTLP rules (ids, integer enums, partial success,
 * media type, size), the simple span shape with the list filters, and retention.
 */
import { request } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { migrate, openDatabase } from '../src/hub/db.ts';
import {
  ingestResultSchema,
  otlpResponseSchema,
  serviceGraphSchema,
  traceDetailSchema,
  traceListSchema,
} from '../src/hub/traces/schema.ts';
import { traceMigrations, TraceStore } from '../src/hub/traces/store.ts';
import { closeHubs, startHub, type TestHub } from './helpers/hub.ts';
import { killAll, tempDir } from './helpers/processes.ts';
import { failure, ok } from './helpers/answers.ts';

afterEach(async () => {
  await closeHubs();
  await killAll();
});

/** A hub with no sequencer: traces need none. */
async function hubOnly(): Promise<TestHub> {
  const dir = tempDir('cz-traces-');
  return startHub({ journalPath: join(dir, 'none.db'), ipcPath: join(dir, 'none.sock') });
}

interface OtlpStatus {
  code: number;
  message: string;
  details: ({ '@type': string } & Record<string, unknown>)[];
}

/** Parses an OTLP failure: a google.rpc.Status whose first detail is an ErrorInfo carrying the hub's code. */
function otlpStatus(text: string, status: number, reason: string, actual: number): OtlpStatus {
  const body = JSON.parse(text) as OtlpStatus;
  expect(Object.keys(body).sort(), text).toEqual(['code', 'details', 'message']);
  expect(typeof body.code).toBe('number');
  expect(typeof body.message).toBe('string');
  expect({ status: actual, reason: body.details[0]?.reason }, body.message).toEqual({ status, reason });
  expect(body.details[0]!['@type']).toBe('type.googleapis.com/google.rpc.ErrorInfo');
  return body;
}

/** Expects an OTLP failure (`/v1/*`): the HTTP status and the hub's code as the ErrorInfo reason. */
async function otlpFailure(response: Promise<Response>, status: number, reason: string): Promise<OtlpStatus> {
  const r = await response;
  return otlpStatus(await r.text(), status, reason, r.status);
}

/** A POST that reads the answer even when the hub stops reading an oversized body early. */
function rawRequest(
  url: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', (error) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EPIPE' && code !== 'ECONNRESET') reject(error);
    });
    req.end(body);
  });
}

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = (n: number): string => n.toString(16).padStart(16, '0');

function otlpSpan(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    traceId: TRACE,
    spanId: SPAN(1),
    name: 'op',
    kind: 2,
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000000005000000',
    status: { code: 0 },
    ...overrides,
  };
}

const otlpBody = (spans: unknown[], service = 'svc'): unknown => ({
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{ scope: { name: 'test' }, spans }],
    },
  ],
});

describe('the OpenTelemetry SDK exporting to the hub', () => {
  it('stores a two-service trace; list, timeline and service graph agree with what the program did', async () => {
    const hub = await hubOnly();
    const provider = (service: string): BasicTracerProvider =>
      new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': service }),
        spanProcessors: [
          new SimpleSpanProcessor(
            new OTLPTraceExporter({
              url: `${hub.url}/v1/traces`,
              headers: { authorization: `Bearer ${hub.rootKey}` },
            }),
          ),
        ],
      });
    const frontend = provider('frontend');
    const payments = provider('payments');
    const web = frontend.getTracer('web');
    const api = payments.getTracer('api');

    // frontend: GET /checkout → (client) charge → payments: POST /charge (fails) → db.query
    const root = web.startSpan('GET /checkout', {
      kind: SpanKind.SERVER,
      attributes: { 'http.route': '/checkout' },
    });
    const client = web.startSpan(
      'charge card',
      { kind: SpanKind.CLIENT },
      trace.setSpan(context.active(), root),
    );
    const server = api.startSpan(
      'POST /charge',
      { kind: SpanKind.SERVER },
      trace.setSpan(context.active(), client),
    );
    const query = api.startSpan(
      'db.query',
      { attributes: { 'db.rows': 3 } },
      trace.setSpan(context.active(), server),
    );
    await new Promise((r) => setTimeout(r, 15));
    query.addEvent('rows read', { rows: 3 });
    query.end();
    server.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
    server.end();
    client.end();
    root.end();
    await Promise.all([frontend.forceFlush(), payments.forceFlush()]);
    await Promise.all([frontend.shutdown(), payments.shutdown()]);

    const traceId = root.spanContext().traceId;
    const list = await ok(hub.api('/api/traces?service=payments'), traceListSchema);
    expect(list.traces).toHaveLength(1);
    const summary = list.traces[0]!;
    expect(summary).toMatchObject({
      traceId,
      root: { spanId: root.spanContext().spanId, service: 'frontend', name: 'GET /checkout' },
      spanCount: 4,
      errorCount: 1,
      error: true,
      services: ['frontend', 'payments'],
    });
    expect(summary.durationMs).toBeGreaterThanOrEqual(14);

    const detail = await ok(hub.api(`/api/traces/${traceId}`), traceDetailSchema);
    expect(detail.spans.map((s) => [s.name, s.service, s.depth, s.kind, s.parentSpanId])).toEqual([
      ['GET /checkout', 'frontend', 0, 'server', null],
      ['charge card', 'frontend', 1, 'client', root.spanContext().spanId],
      ['POST /charge', 'payments', 2, 'server', client.spanContext().spanId],
      ['db.query', 'payments', 3, 'internal', server.spanContext().spanId],
    ]);
    const [rootSpan, , serverSpan, querySpan] = detail.spans;
    expect(rootSpan!.offsetMs).toBe(0);
    // Each provider anchors its own clock, so the child service's spans may overhang the root by a little.
    expect(rootSpan!.durationMs).toBeGreaterThanOrEqual(14);
    expect(rootSpan!.durationMs).toBeLessThanOrEqual(summary.durationMs);
    expect(rootSpan!.attributes['http.route']).toBe('/checkout');
    expect(serverSpan).toMatchObject({ status: 'error', statusMessage: 'card declined', error: true });
    expect(querySpan!.attributes['db.rows']).toBe(3);
    expect(querySpan!.events).toMatchObject([{ name: 'rows read', attributes: { rows: 3 } }]);
    for (const s of detail.spans) {
      expect(s.offsetMs).toBeGreaterThanOrEqual(0);
      expect(s.offsetMs + s.durationMs).toBeLessThanOrEqual(summary.durationMs + 0.001);
    }

    const graph = await ok(hub.api('/api/traces/service-graph'), serviceGraphSchema);
    expect(graph.edges).toEqual([{ parent: 'frontend', child: 'payments', calls: 1, errors: 1 }]);
    expect(graph.services).toEqual([
      { name: 'frontend', spans: 2, errors: 0 },
      { name: 'payments', spans: 2, errors: 1 },
    ]);
  }, 30_000);
});

describe('POST /v1/traces', () => {
  it('follows the OTLP rules: partial success, integer enums, hex ids, media type, size, auth', async () => {
    const hub = await hubOnly();
    const post = (body: unknown, headers?: Record<string, string>, key?: string | null) =>
      hub.api('/v1/traces', { body, ...(headers ? { headers } : {}), ...(key === undefined ? {} : { key }) });

    expect(await ok(post(otlpBody([otlpSpan()])), otlpResponseSchema)).toEqual({});
    expect(await ok(post({}), otlpResponseSchema)).toEqual({});

    const partial = await ok(
      post(
        otlpBody([
          otlpSpan({ spanId: SPAN(2) }),
          otlpSpan({ spanId: 'xyz' }),
          otlpSpan({ spanId: SPAN(4), kind: 'SPAN_KIND_SERVER' }),
          otlpSpan({ spanId: SPAN(5), status: { code: 7 } }),
          otlpSpan({ spanId: SPAN(6), traceId: '0'.repeat(32) }),
          otlpSpan({ spanId: SPAN(7), startTimeUnixNano: 1.5 }),
          otlpSpan({ spanId: SPAN(8), endTimeUnixNano: '1' }),
        ]),
      ),
      otlpResponseSchema,
    );
    expect(partial.partialSuccess?.rejectedSpans).toBe('6');
    expect(partial.partialSuccess?.errorMessage).toContain('spans.1.spanId: a span id is 16 hex digits');
    expect(partial.partialSuccess?.errorMessage).toContain('kind must be an integer enum value');
    const stored = await ok(hub.api(`/api/traces/${TRACE}`), traceDetailSchema);
    expect(stored.spans.map((s) => s.spanId).sort()).toEqual([SPAN(1), SPAN(2)]);
    expect(stored.trace.services).toEqual(['svc']);

    // A retry with the same ids replaces, not duplicates.
    await ok(post(otlpBody([otlpSpan({ name: 'renamed' })])), otlpResponseSchema);
    const again = await ok(hub.api(`/api/traces/${TRACE}`), traceDetailSchema);
    expect(again.trace.spanCount).toBe(2);
    expect(again.spans.find((s) => s.spanId === SPAN(1))!.name).toBe('renamed');

    // Failures are google.rpc.Status bodies, as OTLP/HTTP requires; bad data comes with a BadRequest.
    const allBad = await otlpFailure(post(otlpBody([otlpSpan({ traceId: 'abc' })])), 400, 'INVALID_REQUEST');
    expect(allBad.code).toBe(3);
    expect(allBad.message).toContain('a trace id is 32 hex digits');
    expect(allBad.details[1]).toEqual({
      '@type': 'type.googleapis.com/google.rpc.BadRequest',
      fieldViolations: [
        { field: 'resourceSpans.0.scopeSpans.0.spans.0.traceId', description: 'a trace id is 32 hex digits' },
      ],
    });
    const envelope = await otlpFailure(post({ resourceSpans: 5 }), 400, 'INVALID_REQUEST');
    expect(envelope.details[1]).toMatchObject({
      '@type': 'type.googleapis.com/google.rpc.BadRequest',
      fieldViolations: [{ field: 'body.resourceSpans' }],
    });
    await otlpFailure(post('{"resourceSpans": ['), 400, 'INVALID_JSON');
    expect(
      (
        await otlpFailure(
          post('\x0a\x00', { 'content-type': 'application/x-protobuf' }),
          415,
          'UNSUPPORTED_MEDIA_TYPE',
        )
      ).message,
    ).toContain('http/json');
    await otlpFailure(post('{}', { 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    const big = await rawRequest(
      `${hub.url}/v1/traces`,
      {
        authorization: `Bearer ${hub.rootKey}`,
        'content-type': 'application/json',
      },
      Buffer.from(JSON.stringify(otlpBody([otlpSpan({ name: 'x'.repeat(2 << 20) })]))),
    );
    expect(otlpStatus(big.body, 413, 'PAYLOAD_TOO_LARGE', big.status).code).toBe(8);
    // Spans are counted before each is checked, so empty objects are enough to exceed the per-request limit.
    const many = await otlpFailure(
      post(otlpBody(Array.from({ length: 10_001 }, () => ({})))),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expect(many.message).toContain('at most 10000 spans');
    expect((await otlpFailure(post(otlpBody([otlpSpan()]), undefined, null), 401, 'UNAUTHORIZED')).code).toBe(
      16,
    );
    await otlpFailure(hub.api('/v1/metrics', { body: {} }), 404, 'NOT_FOUND');

    const gzipped = gzipSync(JSON.stringify(otlpBody([otlpSpan({ spanId: SPAN(9) })])));
    const r = await fetch(`${hub.url}/v1/traces`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${hub.rootKey}`,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body: gzipped,
    });
    expect(r.status, await r.clone().text()).toBe(200);
    expect(await r.json()).toEqual({});
    expect((await ok(hub.api(`/api/traces/${TRACE}`), traceDetailSchema)).trace.spanCount).toBe(3);
  });
});

describe('overload: the span budget', () => {
  /** A hub that stores 1 span per second, at most 3 at once: the second 3-span request within 3 s is refused. */
  async function throttledHub(): Promise<TestHub> {
    const dir = tempDir('cz-traces-');
    return startHub({
      journalPath: join(dir, 'none.db'),
      ipcPath: join(dir, 'none.sock'),
      traceIngest: { spansPerSecond: 1, burstSpans: 3 },
    });
  }
  const threeSpans = (trace: string) =>
    otlpBody([1, 2, 3].map((n) => otlpSpan({ traceId: trace, spanId: SPAN(n), name: `op${n}` })));
  const stored = async (hub: TestHub, trace: string): Promise<number> => {
    const r = await hub.api(`/api/traces/${trace}`);
    if (r.status === 404) return 0;
    return traceDetailSchema.parse(await r.json()).trace.spanCount;
  };

  it('answers 429 with Retry-After and a Status with RetryInfo, stores nothing of it, and admits after the wait', async () => {
    const hub = await throttledHub();
    const [first, second] = ['a1'.repeat(16), 'b2'.repeat(16)];
    const post = (body: unknown) => hub.api('/v1/traces', { body });

    expect(await ok(post(threeSpans(first)), otlpResponseSchema)).toEqual({});
    expect(await stored(hub, first)).toBe(3);

    const refused = await post(threeSpans(second));
    const retryAfter = refused.headers.get('retry-after');
    const status = otlpStatus(await refused.text(), 429, 'INGEST_OVERLOADED', refused.status);
    expect(retryAfter).toMatch(/^[1-3]$/);
    expect(status.code).toBe(8);
    expect(status.message).toContain('nothing of this request was stored');
    expect(status.details).toContainEqual({
      '@type': 'type.googleapis.com/google.rpc.RetryInfo',
      retryDelay: `${retryAfter}s`,
    });
    expect(await stored(hub, second)).toBe(0);
    // The audit log records the refusal as a failed export.
    const audit = (await (await hub.api('/api/auth/audit?limit=1')).json()) as {
      entries: { action: string; status: number }[];
    };
    expect(audit.entries[0]).toMatchObject({ action: 'traces.otlp', status: 429 });

    // The simple ingest shares the budget and answers in the hub's error shape.
    const simple = await hub.api('/api/traces/ingest', {
      body: {
        spans: [
          {
            traceId: second,
            spanId: SPAN(1),
            service: 's',
            operation: 'o',
            startTimeUnixMs: 1,
            durationMs: 1,
          },
        ],
      },
    });
    expect(simple.status).toBe(429);
    expect(simple.headers.get('retry-after')).toMatch(/^[1-3]$/);
    expect(((await simple.json()) as { error: { code: string } }).error.code).toBe('INGEST_OVERLOADED');

    await new Promise((resolve) => setTimeout(resolve, Number(retryAfter) * 1000));
    expect(await ok(post(threeSpans(second)), otlpResponseSchema)).toEqual({});
    expect(await stored(hub, second)).toBe(3);
  }, 30_000);

  it('refuses for good (413, not 429) a request larger than the budget could ever admit', async () => {
    const hub = await throttledHub();
    const trace = 'c3'.repeat(16);
    const body = otlpBody([1, 2, 3, 4].map((n) => otlpSpan({ traceId: trace, spanId: SPAN(n) })));
    const refused = await otlpFailure(hub.api('/v1/traces', { body }), 413, 'PAYLOAD_TOO_LARGE');
    expect(refused.message).toContain('at most 3 spans');
    expect(await stored(hub, trace)).toBe(0);
  });

  it('lets the real OTLP exporter deliver through a 429: it waits for Retry-After and sends again', async () => {
    const hub = await throttledHub();
    // Use the whole burst, so the exporter's first attempt is refused.
    await ok(hub.api('/v1/traces', { body: threeSpans('d4'.repeat(16)) }), otlpResponseSchema);
    const exporter = new OTLPTraceExporter({
      url: `${hub.url}/v1/traces`,
      headers: { Authorization: `Bearer ${hub.rootKey}` },
      timeoutMillis: 20_000,
    });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'retrier' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const span = provider.getTracer('t').startSpan('patient');
    const traceId = span.spanContext().traceId;
    span.end();
    await provider.forceFlush();
    await provider.shutdown();
    expect(await stored(hub, traceId)).toBe(1);
    const audit = (await (await hub.api('/api/auth/audit?limit=10')).json()) as {
      entries: { action: string; status: number }[];
    };
    const exports = audit.entries.filter((e) => e.action === 'traces.otlp').map((e) => e.status);
    // Newest first: the exporter's accepted retry, after at least one 429, after the burst.
    expect(exports[0]).toBe(200);
    expect(exports.slice(1, -1).every((s) => s === 429) && exports.length >= 3).toBe(true);
    expect(exports.at(-1)).toBe(200);
  }, 30_000);
});

describe('POST /api/traces/ingest and the list filters', () => {
  it('stores simple spans and filters traces by service, operation, duration, time and errors', async () => {
    const hub = await hubOnly();
    const now = Date.now();
    const t = (n: number): string => n.toString(16).padStart(32, 'a');
    const result = await ok(
      hub.api('/api/traces/ingest', {
        body: {
          spans: [
            {
              traceId: t(1),
              spanId: SPAN(1),
              service: 'web',
              operation: 'GET /',
              startTimeUnixMs: now - 100,
              durationMs: 50,
            },
            {
              traceId: t(1),
              spanId: SPAN(2),
              parentSpanId: SPAN(1),
              service: 'db',
              name: 'select',
              startTimeUnixMs: now - 90,
              endTimeUnixMs: now - 80,
              error: true,
            },
            {
              traceId: t(2),
              spanId: SPAN(3),
              service: 'web',
              operation: 'GET /health',
              startTimeUnixNano: String(BigInt(now - 20) * 1_000_000n),
              endTimeUnixNano: String(BigInt(now - 18) * 1_000_000n),
              status: 'ok',
              attributes: { code: 200 },
            },
            {
              traceId: t(3),
              spanId: SPAN(4),
              service: 'batch',
              operation: 'nightly',
              startTimeUnixMs: now - 3 * 3_600_000,
              durationMs: 1000,
            },
          ],
        },
      }),
      ingestResultSchema,
    );
    expect(result).toEqual({ accepted: 4, traces: 3 });
    const ids = async (query: string): Promise<string[]> =>
      (await ok(hub.api(`/api/traces${query}`), traceListSchema)).traces.map((x) => x.traceId);
    expect(await ids('')).toEqual([t(2), t(1), t(3)]);
    expect(await ids('?service=db')).toEqual([t(1)]);
    expect(await ids('?service=web&operation=GET%20/health')).toEqual([t(2)]);
    expect(await ids('?service=db&operation=GET%20/health')).toEqual([]);
    expect(await ids('?minDurationMs=10')).toEqual([t(1), t(3)]);
    expect(await ids('?maxDurationMs=60')).toEqual([t(2), t(1)]);
    expect(await ids('?errorOnly=true')).toEqual([t(1)]);
    expect(await ids('?since=1h')).toEqual([t(2), t(1)]);
    expect(await ids('?limit=1')).toEqual([t(2)]);
    const one = await ok(hub.api(`/api/traces/${t(1)}`), traceDetailSchema);
    expect(one.trace).toMatchObject({ durationMs: 50, spanCount: 2, error: true, services: ['db', 'web'] });
    expect(one.spans.map((s) => [s.name, s.depth, s.offsetMs, s.durationMs, s.status])).toEqual([
      ['GET /', 0, 0, 50, 'unset'],
      ['select', 1, 10, 10, 'error'],
    ]);

    await failure(hub.api(`/api/traces/${'f'.repeat(32)}`), 404, 'NOT_FOUND');
    await failure(hub.api('/api/traces/nothex'), 400, 'INVALID_REQUEST');
    await failure(hub.api('/api/traces?limit=0'), 400, 'INVALID_REQUEST');
    await failure(hub.api('/api/traces?since=yesterday'), 400, 'INVALID_REQUEST');
    const base = { traceId: t(9), spanId: SPAN(9), service: 's', operation: 'o', startTimeUnixMs: now };
    await failure(hub.api('/api/traces/ingest', { body: { spans: [base] } }), 400, 'INVALID_REQUEST');
    await failure(
      hub.api('/api/traces/ingest', { body: { spans: [{ ...base, durationMs: 1, endTimeUnixMs: now }] } }),
      400,
      'INVALID_REQUEST',
    );
    await failure(
      hub.api('/api/traces/ingest', { body: { spans: [{ ...base, spanId: 'zz', durationMs: 1 }] } }),
      400,
      'INVALID_REQUEST',
    );
    await failure(
      hub.api('/api/traces/ingest', { body: { spans: [{ ...base, endTimeUnixMs: now - 5 }] } }),
      400,
      'INVALID_REQUEST',
    );
  });
});

describe('retention', () => {
  it('keeps at most maxSpans spans, dropping the oldest traces whole, and survives a reopen', () => {
    const dir = tempDir('cz-traces-store-');
    const db = openDatabase(dir);
    migrate(db, traceMigrations);
    const store = new TraceStore(db, { maxSpans: 10 });
    for (let i = 1; i <= 8; i++) {
      const traceId = i.toString(16).padStart(32, '0');
      store.ingest(
        [1, 2, 3].map((n) => ({
          traceId,
          spanId: SPAN(n),
          parentSpanId: n === 1 ? null : SPAN(1),
          service: 's',
          name: `op${n}`,
          kind: 0,
          startNs: BigInt(i * 1000 + n) * 1_000_000n,
          endNs: BigInt(i * 1000 + n + 1) * 1_000_000n,
          statusCode: 0,
          statusMessage: null,
          attributes: {},
          resource: {},
          events: [],
        })),
      );
      expect(store.size).toBeLessThanOrEqual(10);
    }
    expect(store.list({ limit: 100 }).map((t) => parseInt(t.traceId, 16))).toEqual([8, 7, 6]);
    expect(store.size).toBe(9);
    db.close();
    const reopened = openDatabase(dir);
    expect(new TraceStore(reopened, { maxSpans: 10 }).size).toBe(9);
    reopened.close();
  });
});

describe('cz traces', () => {
  it('lists with filters and shows a trace as a tree with timeline bars', async () => {
    const hub = await hubOnly();
    const run = async (...args: string[]): Promise<{ code: number; out: string; err: string }> => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main([...args, '--hub', hub.url, '--key', hub.rootKey], {
        out: (t) => out.push(t),
        err: (t) => err.push(t),
      });
      return { code, out: out.join('\n'), err: err.join('\n') };
    };
    const start = Date.now() - 1000;
    const traceId = 'c1'.repeat(16);
    await ok(
      hub.api('/api/traces/ingest', {
        body: {
          spans: [
            {
              traceId,
              spanId: SPAN(1),
              service: 'web',
              operation: 'GET /cart',
              startTimeUnixMs: start,
              durationMs: 100,
            },
            {
              traceId,
              spanId: SPAN(2),
              parentSpanId: SPAN(1),
              service: 'cart',
              operation: 'load',
              startTimeUnixMs: start + 50,
              durationMs: 50,
              error: true,
              statusMessage: 'timeout',
            },
          ],
        },
      }),
      ingestResultSchema,
    );
    const listed = await run('traces', 'list', '--service', 'cart', '--since', '1h');
    expect(listed.code, listed.err).toBe(0);
    expect(listed.out).toMatch(
      new RegExp(`^${traceId}\\s+\\S+\\s+web: GET /cart\\s+100\\.0ms\\s+2\\s+1\\s+cart,web$`, 'm'),
    );
    expect((await run('traces', 'list', '--service', 'nobody')).out).toBe('no traces match');
    const json = await run('traces', 'list', '--errors', '--json');
    expect((JSON.parse(json.out) as { traceId: string }[]).map((t) => t.traceId)).toEqual([traceId]);

    const shown = await run('traces', 'show', traceId);
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).toContain(`trace ${traceId}`);
    expect(shown.out).toMatch(
      /^0000000000000001\s+GET \/cart\s+web\s+\+0\.00ms\s+100\.0ms\s+\|#{30}\|\s+unset$/m,
    );
    expect(shown.out).toMatch(
      /^0000000000000002\s+ {2}load\s+cart\s+\+50\.0ms\s+50\.0ms\s+\| {15}#{15}\|\s+error: timeout$/m,
    );

    const bad = await run('traces', 'show', 'nope');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain('not a trace id');
    const missing = await run('traces', 'show', 'f'.repeat(32));
    expect(missing.code).not.toBe(0);
    expect(missing.err).toContain('NOT_FOUND');
  });
});
