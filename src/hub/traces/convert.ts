/**
 * Turns both ingest shapes into `SpanRecord`s. OTLP spans are validated one by one, so a request with some bad
 * spans stores the good ones and reports the rest as OTLP's `partialSuccess` asks.
 *
 * @module
 */
import {
  type AnyValueIn,
  type OtlpRequest,
  otlpSpanSchema,
  SPAN_KINDS,
  type SimpleSpan,
  STATUS_CODES,
} from './schema.ts';
import type { SpanRecord } from './store.ts';

/** An OTLP AnyValue as plain JSON (64-bit integers beyond 2^53 stay strings, bytes stay base64). */
function anyValue(value: AnyValueIn | undefined): unknown {
  if (value === undefined) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) {
    const n = Number(value.intValue);
    return Number.isSafeInteger(n) ? n : String(value.intValue);
  }
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.bytesValue !== undefined) return value.bytesValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(anyValue);
  if (value.kvlistValue !== undefined) return attributeMap(value.kvlistValue.values);
  return null;
}

export function attributeMap(
  list: { key: string; value?: AnyValueIn }[] | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

export interface OtlpConversion {
  spans: SpanRecord[];
  rejected: number;
  /** The first few reasons, each naming the span's place in the request. */
  errors: string[];
}

/** Spans present in a request, valid or not. */
export function countOtlpSpans(request: OtlpRequest): number {
  let n = 0;
  for (const rs of request.resourceSpans ?? [])
    for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
  return n;
}

export function fromOtlp(request: OtlpRequest): OtlpConversion {
  const spans: SpanRecord[] = [];
  const errors: string[] = [];
  let rejected = 0;
  const reject = (where: string, message: string): void => {
    rejected += 1;
    if (errors.length < 5) errors.push(`${where}: ${message}`);
  };
  (request.resourceSpans ?? []).forEach((rs, i) => {
    const resource = attributeMap(rs.resource?.attributes);
    const serviceName = resource['service.name'];
    const service = typeof serviceName === 'string' && serviceName !== '' ? serviceName : 'unknown_service';
    (rs.scopeSpans ?? []).forEach((ss, j) => {
      (ss.spans ?? []).forEach((raw, k) => {
        const where = `resourceSpans.${i}.scopeSpans.${j}.spans.${k}`;
        const parsed = otlpSpanSchema.safeParse(raw);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          reject([where, ...issue.path.map(String)].join('.'), issue.message);
          return;
        }
        const span = parsed.data;
        const startNs = BigInt(span.startTimeUnixNano);
        const endNs = BigInt(span.endTimeUnixNano);
        if (endNs < startNs) {
          reject(where, 'endTimeUnixNano is before startTimeUnixNano');
          return;
        }
        const attributes = attributeMap(span.attributes);
        if (ss.scope?.name) attributes['otel.scope.name'] = ss.scope.name;
        spans.push({
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId ? span.parentSpanId : null,
          service,
          name: span.name,
          kind: span.kind ?? 0,
          startNs,
          endNs,
          statusCode: span.status?.code ?? 0,
          statusMessage: span.status?.message || null,
          attributes,
          resource,
          events: (span.events ?? []).map((e) => ({
            name: e.name ?? '',
            timeNs: e.timeUnixNano === undefined ? startNs : BigInt(e.timeUnixNano),
            attributes: attributeMap(e.attributes),
          })),
        });
      });
    });
  });
  return { spans, rejected, errors };
}

/** Milliseconds (maybe fractional) to nanoseconds without going through a float above 2^53. */
function nsOfMs(ms: number): bigint {
  const whole = Math.trunc(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}

/** A simple span (already validated) as a record; throws RangeError if it ends before it starts. */
export function fromSimple(span: SimpleSpan): SpanRecord {
  const startNs =
    span.startTimeUnixNano !== undefined ? BigInt(span.startTimeUnixNano) : nsOfMs(span.startTimeUnixMs!);
  const endNs =
    span.endTimeUnixNano !== undefined
      ? BigInt(span.endTimeUnixNano)
      : span.endTimeUnixMs !== undefined
        ? nsOfMs(span.endTimeUnixMs)
        : startNs + nsOfMs(span.durationMs!);
  const status = span.error ? 'error' : (span.status ?? 'unset');
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId ?? null,
    service: span.service,
    name: (span.operation ?? span.name)!,
    kind: SPAN_KINDS.indexOf(span.kind ?? 'unspecified'),
    startNs,
    endNs,
    statusCode: STATUS_CODES.indexOf(status),
    statusMessage: span.statusMessage ?? null,
    attributes: span.attributes ?? {},
    resource: { 'service.name': span.service },
    events: [],
  };
}
