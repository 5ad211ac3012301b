/**
 * The wire shapes of the trace endpoints, shared by the hub and the UI: the simple span of
 * `POST /api/traces/ingest`, the OTLP/HTTP JSON request of `POST /v1/traces` (checked span by span, so one bad
 * span is rejected alone), and the answers of the trace queries. Only zod is imported here.
 *
 * @module
 */
import { z } from 'zod';

/** Largest number of spans one ingest request may carry (either endpoint). */
export const INGEST_MAX_SPANS = 10_000;

/** OTLP span kinds, by their integer value. */
export const SPAN_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;
/** OTLP status codes, by their integer value. */
export const STATUS_CODES = ['unset', 'ok', 'error'] as const;

const isZero = (hex: string): boolean => /^0+$/.test(hex);
export const traceIdSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{32}$/, 'a trace id is 32 hex digits')
  .refine((s) => !isZero(s), 'a trace id must not be all zeros')
  .transform((s) => s.toLowerCase());
export const spanIdSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{16}$/, 'a span id is 16 hex digits')
  .refine((s) => !isZero(s), 'a span id must not be all zeros')
  .transform((s) => s.toLowerCase());

/** A 64-bit unsigned integer: a decimal string (the OTLP JSON rule) or a safe JSON number. */
const u64 = z.union([
  z
    .string()
    .regex(/^\d{1,20}$/, 'expected a decimal integer string')
    .refine((s) => BigInt(s) < 1n << 64n, 'out of range for a 64-bit integer'),
  z
    .int()
    .min(0)
    .transform((n) => String(n)),
]);

/** Span attributes of the simple shape: any JSON values by name. */
export const attributesSchema = z.record(z.string().max(256), z.json());

// ── the simple span ──────────────────────────────────────────────────────────────────────────────────

/**
 * The simple span shape. Times in milliseconds (`startTimeUnixMs`, fractions allowed) or nanoseconds
 * (`startTimeUnixNano`, a decimal string); the end as `durationMs`, `endTimeUnixMs` or `endTimeUnixNano`.
 */
export const simpleSpanSchema = z
  .strictObject({
    traceId: traceIdSchema,
    spanId: spanIdSchema,
    parentSpanId: spanIdSchema.nullable().optional(),
    service: z.string().min(1).max(128),
    /** The operation; `name` is accepted as its synonym. */
    operation: z.string().min(1).max(256).optional(),
    name: z.string().min(1).max(256).optional(),
    kind: z.enum(SPAN_KINDS).optional(),
    startTimeUnixMs: z.number().min(0).max(1e15).optional(),
    startTimeUnixNano: u64.optional(),
    durationMs: z.number().min(0).max(1e12).optional(),
    endTimeUnixMs: z.number().min(0).max(1e15).optional(),
    endTimeUnixNano: u64.optional(),
    /** `error` (or `error: true`) marks a failed span. */
    status: z.enum(STATUS_CODES).optional(),
    statusMessage: z.string().max(4096).optional(),
    error: z.boolean().optional(),
    attributes: attributesSchema.optional(),
  })
  .refine((s) => (s.operation ?? s.name) !== undefined, {
    message: 'operation (or name) is required',
    path: ['operation'],
  })
  .refine((s) => (s.startTimeUnixMs === undefined) !== (s.startTimeUnixNano === undefined), {
    message: 'give exactly one of startTimeUnixMs and startTimeUnixNano',
    path: ['startTimeUnixMs'],
  })
  .refine(
    (s) => [s.durationMs, s.endTimeUnixMs, s.endTimeUnixNano].filter((v) => v !== undefined).length === 1,
    {
      message: 'give exactly one of durationMs, endTimeUnixMs and endTimeUnixNano',
      path: ['durationMs'],
    },
  );
export type SimpleSpan = z.infer<typeof simpleSpanSchema>;

export const simpleIngestBodySchema = z.strictObject({
  spans: z.array(simpleSpanSchema).min(1).max(INGEST_MAX_SPANS),
});
export type SimpleIngestBody = z.infer<typeof simpleIngestBodySchema>;

export const ingestResultSchema = z.strictObject({
  /** Spans stored (a span already stored under the same trace and span id is replaced). */
  accepted: z.int(),
  /** How many distinct traces they belong to. */
  traces: z.int(),
});
export type IngestResult = z.infer<typeof ingestResultSchema>;

// ── OTLP/HTTP JSON ───────────────────────────────────────────────────────────────────────────────────

/** An OTLP AnyValue as received. */
export type AnyValueIn = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number | string;
  bytesValue?: string;
  arrayValue?: { values?: AnyValueIn[] };
  kvlistValue?: { values?: { key: string; value?: AnyValueIn }[] };
};
export const otlpAnyValueSchema: z.ZodType<AnyValueIn> = z.lazy(() =>
  z.object({
    stringValue: z.string().optional(),
    boolValue: z.boolean().optional(),
    intValue: z
      .union([z.string().regex(/^-?\d{1,20}$/, 'intValue is a decimal integer'), z.int()])
      .optional(),
    doubleValue: z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]).optional(),
    bytesValue: z.string().optional(),
    arrayValue: z.object({ values: z.array(otlpAnyValueSchema).optional() }).optional(),
    kvlistValue: z.object({ values: z.array(otlpKeyValueSchema).optional() }).optional(),
  }),
);
export const otlpKeyValueSchema: z.ZodType<{ key: string; value?: AnyValueIn }> = z.lazy(() =>
  z.object({ key: z.string(), value: otlpAnyValueSchema.optional() }),
);
const otlpAttributes = z.array(otlpKeyValueSchema).optional();

/** One OTLP span. Enums are integers, as the OTLP JSON encoding requires. */
export const otlpSpanSchema = z.object({
  traceId: traceIdSchema,
  spanId: spanIdSchema,
  parentSpanId: z.union([z.literal(''), spanIdSchema]).optional(),
  traceState: z.string().optional(),
  name: z.string().max(1024),
  kind: z
    .int('kind must be an integer enum value (0-5)')
    .min(0, 'kind must be 0-5')
    .max(5, 'kind must be 0-5')
    .optional(),
  startTimeUnixNano: u64,
  endTimeUnixNano: u64,
  attributes: otlpAttributes,
  droppedAttributesCount: z.int().optional(),
  events: z
    .array(
      z.object({
        timeUnixNano: u64.optional(),
        name: z.string().optional(),
        attributes: otlpAttributes,
      }),
    )
    .optional(),
  links: z.array(z.unknown()).optional(),
  status: z
    .object({
      code: z
        .int('status.code must be an integer enum value (0-2)')
        .min(0, 'status.code must be 0-2')
        .max(2, 'status.code must be 0-2')
        .optional(),
      message: z.string().optional(),
    })
    .optional(),
});
export type OtlpSpan = z.infer<typeof otlpSpanSchema>;

/**
 * The envelope of an export request. Spans stay `unknown` here: each is checked on its own, so one bad span is
 * rejected (and counted in `partialSuccess`) without failing its neighbours.
 */
export const otlpRequestSchema = z.object({
  resourceSpans: z
    .array(
      z.object({
        resource: z.object({ attributes: otlpAttributes }).optional(),
        scopeSpans: z
          .array(
            z.object({
              scope: z.object({ name: z.string().optional(), version: z.string().optional() }).optional(),
              spans: z.array(z.unknown()).optional(),
            }),
          )
          .optional(),
      }),
    )
    .optional(),
});
export type OtlpRequest = z.infer<typeof otlpRequestSchema>;

export const otlpResponseSchema = z.object({
  partialSuccess: z
    .object({ rejectedSpans: z.union([z.string(), z.int()]), errorMessage: z.string() })
    .optional(),
});

// ── queries ──────────────────────────────────────────────────────────────────────────────────────────

export const traceSummarySchema = z.strictObject({
  traceId: z.string(),
  /** The earliest span without a (known) parent. */
  root: z.strictObject({ spanId: z.string(), service: z.string(), name: z.string() }),
  startTimeUnixMs: z.number(),
  durationMs: z.number(),
  spanCount: z.int(),
  errorCount: z.int(),
  error: z.boolean(),
  services: z.array(z.string()),
});
export type TraceSummary = z.infer<typeof traceSummarySchema>;

export const traceListSchema = z.strictObject({ traces: z.array(traceSummarySchema) });
export type TraceList = z.infer<typeof traceListSchema>;

export const traceSpanSchema = z.strictObject({
  spanId: z.string(),
  parentSpanId: z.string().nullable(),
  service: z.string(),
  name: z.string(),
  kind: z.enum(SPAN_KINDS),
  startTimeUnixNano: z.string(),
  endTimeUnixNano: z.string(),
  /** Milliseconds from the trace's start: where the span's bar begins on a timeline. */
  offsetMs: z.number(),
  durationMs: z.number(),
  /** 0 for a root; a span whose parent is not stored counts as a root (`orphan: true`). */
  depth: z.int(),
  orphan: z.boolean(),
  status: z.enum(STATUS_CODES),
  statusMessage: z.string().nullable(),
  error: z.boolean(),
  attributes: z.record(z.string(), z.json()),
  resource: z.record(z.string(), z.json()),
  events: z.array(
    z.strictObject({ name: z.string(), offsetMs: z.number(), attributes: z.record(z.string(), z.json()) }),
  ),
});
export type TraceSpan = z.infer<typeof traceSpanSchema>;

/** A trace: its summary and its spans in depth-first order (children after their parent, by start time). */
export const traceDetailSchema = z.strictObject({
  trace: traceSummarySchema,
  spans: z.array(traceSpanSchema),
});
export type TraceDetail = z.infer<typeof traceDetailSchema>;

export const serviceGraphSchema = z.strictObject({
  services: z.array(z.strictObject({ name: z.string(), spans: z.int(), errors: z.int() })),
  edges: z.array(z.strictObject({ parent: z.string(), child: z.string(), calls: z.int(), errors: z.int() })),
});
export type ServiceGraph = z.infer<typeof serviceGraphSchema>;
