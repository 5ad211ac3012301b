/**
 * The trace endpoints: OTLP/HTTP JSON export (`POST /v1/traces`), the simple span ingest, the trace list with
 * its filters, one trace, and the service graph. `/v1/traces` reads its body itself, so the content type and
 * encoding are checked before any JSON is parsed (a protobuf exporter gets a 415 that says what to change).
 *
 * @module
 */
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { HubError, notFound, validationError } from '../errors.ts';
import { timeParam } from '../events/params.ts';
import { resolveTimeBound } from '../events/time.ts';
import { type AnyRoute, defineRoute, limitParam } from '../routes.ts';
import type { IngestBudget } from './budget.ts';
import { countOtlpSpans, fromOtlp, fromSimple } from './convert.ts';
import {
  INGEST_MAX_SPANS,
  type IngestResult,
  otlpRequestSchema,
  simpleIngestBodySchema,
  traceIdSchema,
  type TraceList,
} from './schema.ts';
import type { SpanRecord, TraceStore } from './store.ts';

const msParam = (what: string) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, `${what} must be a non-negative number of milliseconds`)
    .transform(Number);

const listQuery = z.strictObject({
  service: z.string().min(1).max(128).optional(),
  operation: z.string().min(1).max(256).optional(),
  minDurationMs: msParam('minDurationMs').optional(),
  maxDurationMs: msParam('maxDurationMs').optional(),
  since: timeParam('since').optional(),
  errorOnly: z.enum(['true', 'false']).optional(),
  limit: limitParam(1000, 20),
});

const OTLP_PROTOBUF = new Set(['application/x-protobuf', 'application/protobuf']);

/** The JSON of an OTLP request body: checks its media type and encoding, inflates gzip within `maxBytes`. */
function otlpJson(
  bytes: Uint8Array,
  contentType: string | undefined,
  encoding: string | undefined,
  maxBytes: number,
): unknown {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (OTLP_PROTOBUF.has(type)) {
    throw new HubError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'this hub accepts OTLP/HTTP JSON only, not protobuf: configure the exporter for http/json ' +
        '(OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json, or @opentelemetry/exporter-trace-otlp-http) ' +
        'and send Content-Type: application/json',
    );
  }
  if (type !== 'application/json') {
    throw new HubError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `OTLP requests must have Content-Type: application/json (got "${type || 'none'}")`,
    );
  }
  let body = bytes;
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if (enc === 'gzip') {
    try {
      body = gunzipSync(bytes, { maxOutputLength: maxBytes });
    } catch (error) {
      if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
        throw new HubError(
          413,
          'PAYLOAD_TOO_LARGE',
          `inflated request bodies are limited to ${maxBytes} bytes`,
        );
      throw new HubError(
        400,
        'INVALID_REQUEST',
        `the gzip body cannot be inflated: ${(error as Error).message}`,
      );
    }
  } else if (enc !== 'identity') {
    throw new HubError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Encoding "${enc}" is not supported (use gzip or none)`,
    );
  }
  const text = new TextDecoder().decode(body);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HubError(
      400,
      'INVALID_JSON',
      `the request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}

function tooMany(n: number, max: number): HubError {
  return new HubError(
    413,
    'PAYLOAD_TOO_LARGE',
    `one request may carry at most ${max} spans (got ${n}); send smaller batches`,
  );
}

export function traceRoutes(
  store: TraceStore,
  options: { now: () => number; maxBodyBytes: number; budget: IngestBudget },
): AnyRoute[] {
  const { budget } = options;
  // A request larger than the bucket could never be admitted: it is refused for good (413), not throttled.
  const maxSpans = Math.min(INGEST_MAX_SPANS, budget.burstSpans);
  /** Stores the spans if the budget admits them all; otherwise stores none and says when to come back. */
  const admitAndStore = (spans: readonly SpanRecord[]): IngestResult => {
    const verdict = budget.take(spans.length);
    if (verdict.admitted) return store.ingest(spans);
    if (verdict.reason === 'too-large') throw tooMany(spans.length, verdict.burstSpans);
    throw new HubError(
      429,
      'INGEST_OVERLOADED',
      `the hub is storing spans at its limit of ${budget.spansPerSecond} per second; ` +
        `retry in ${verdict.retryAfterSeconds} s (nothing of this request was stored)`,
      { retryAfterSeconds: verdict.retryAfterSeconds },
      { 'Retry-After': String(verdict.retryAfterSeconds) },
    );
  };
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/traces',
      summary: 'OTLP/HTTP JSON trace export (what OpenTelemetry exporters send)',
      audit: { action: 'traces.otlp' },
      handler: async (c) => {
        const json = otlpJson(
          new Uint8Array(await c.req.arrayBuffer()),
          c.req.header('content-type'),
          c.req.header('content-encoding'),
          options.maxBodyBytes,
        );
        const parsed = otlpRequestSchema.safeParse(json);
        if (!parsed.success) throw validationError('body', parsed.error);
        const total = countOtlpSpans(parsed.data);
        if (total > maxSpans) throw tooMany(total, maxSpans);
        const { spans, rejected, errors } = fromOtlp(parsed.data);
        if (total > 0 && spans.length === 0) {
          // Each reason is "<where>: <why>"; as issues they become the Status's BadRequest field violations.
          const issues = errors.map((e) => {
            const colon = e.indexOf(': ');
            return { field: e.slice(0, colon), message: e.slice(colon + 2) };
          });
          throw new HubError(400, 'INVALID_REQUEST', `every span was rejected: ${errors.join('; ')}`, {
            rejectedSpans: rejected,
            issues,
          });
        }
        const result = spans.length > 0 ? admitAndStore(spans) : { accepted: 0, traces: 0 };
        c.set('auditDetail', { accepted: result.accepted, rejected, traces: result.traces });
        if (rejected === 0) return c.json({});
        return c.json({
          partialSuccess: { rejectedSpans: String(rejected), errorMessage: errors.join('; ') },
        });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/traces/ingest',
      summary: 'Store spans given in the simple span shape',
      body: simpleIngestBodySchema,
      audit: { action: 'traces.ingest' },
      handler: (c, { body }) => {
        const spans = body.spans.map(fromSimple);
        const bad = spans.findIndex((s) => s.endNs < s.startNs);
        if (bad >= 0)
          throw new HubError(400, 'INVALID_REQUEST', `body.spans.${bad}: the span ends before it starts`);
        const result = admitAndStore(spans);
        c.set('auditDetail', result);
        return c.json(result);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/traces',
      summary: 'Traces, newest first, filtered by service, operation, duration, time and errors',
      query: listQuery,
      handler: (c, { query }) => {
        const body: TraceList = {
          traces: store.list({
            limit: query.limit,
            ...(query.service === undefined ? {} : { service: query.service }),
            ...(query.operation === undefined ? {} : { operation: query.operation }),
            ...(query.minDurationMs === undefined ? {} : { minDurationMs: query.minDurationMs }),
            ...(query.maxDurationMs === undefined ? {} : { maxDurationMs: query.maxDurationMs }),
            ...(query.since === undefined ? {} : { since: resolveTimeBound(query.since, options.now()) }),
            errorOnly: query.errorOnly === 'true',
          }),
        };
        return c.json(body);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/traces/service-graph',
      summary: 'Services and the calls between them, from parent/child spans of different services',
      query: z.strictObject({ since: timeParam('since').optional() }),
      handler: (c, { query }) =>
        c.json(
          store.serviceGraph(
            query.since === undefined ? undefined : resolveTimeBound(query.since, options.now()),
          ),
        ),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/traces/:id',
      summary: 'One trace: its summary and its spans with depth and offsets for a timeline',
      params: z.strictObject({ id: traceIdSchema }),
      handler: (c, { params }) => {
        const trace = store.get(params.id);
        if (!trace) throw notFound(`trace ${params.id}`);
        return c.json(trace);
      },
    }),
  ];
}
