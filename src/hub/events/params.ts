/**
 * Query-string and path schemas of the event endpoints: strings in, typed values out, every message naming
 * the parameter and what it expects. The route table runs them (routes.ts); `streamQuery` also merges a
 * repeated `stream=` parameter, which the table's single-valued query object cannot carry.
 *
 * @module
 */
import { z } from 'zod';
import { validationError } from '../errors.ts';
import type { HubContext } from '../routes.ts';
import type { StreamSelector } from './range.ts';
import { PAYLOAD_MODES } from './schema.ts';
import { parseTimeBound, TIME_HINT } from './time.ts';

/** A strict query object whose unknown-parameter message lists the parameters it knows. */
function strictQuery<S extends z.ZodRawShape>(shape: S) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown parameter ${issue.keys.map((k) => `"${k}"`).join(', ')}; this endpoint takes ${known}`
        : undefined,
  });
}

/** A non-negative integer within [min, max]. */
export const integerParam = (what: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${what} must be a non-negative integer`)
    .transform(Number)
    .refine(
      (n) => Number.isSafeInteger(n) && n >= min && n <= max,
      `${what} must be between ${min} and ${max}`,
    );

const sequenceParam = (what: string) => integerParam(what, 0, Number.MAX_SAFE_INTEGER);

export const timeParam = (what: string) =>
  z.string().transform((text, ctx) => {
    const bound = parseTimeBound(text);
    if (bound === null) {
      ctx.addIssue({ code: 'custom', message: `${what} must be ${TIME_HINT}; got "${text}"` });
      return z.NEVER;
    }
    return bound;
  });

const STREAM_NAME_BYTES = 31;

/** `stream=orders,2,ticks`: names or numeric ids, comma-separated. */
export const streamListParam = z.string().transform((text, ctx): StreamSelector[] => {
  const out: StreamSelector[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    if (part === '') {
      ctx.addIssue({ code: 'custom', message: 'stream must be stream names or ids separated by commas' });
      return z.NEVER;
    }
    if (/^\d+$/.test(part)) {
      const id = Number(part);
      if (id > 0xffff) {
        ctx.addIssue({ code: 'custom', message: `stream id ${part} is out of range (0..65535)` });
        return z.NEVER;
      }
      out.push(id);
    } else if (Buffer.byteLength(part) > STREAM_NAME_BYTES) {
      ctx.addIssue({ code: 'custom', message: `stream name "${part}" is longer than 31 bytes` });
      return z.NEVER;
    } else {
      out.push(part);
    }
  }
  return out;
});

const order = z.enum(['asc', 'desc'], { error: 'order must be "asc" or "desc"' });
const payloadModes = <const T extends readonly [string, ...string[]]>(allowed: T) =>
  z.enum(allowed, { error: `payload must be one of ${allowed.join(', ')}` });

/** The selection shared by /api/events and /api/export. */
const selection = {
  stream: streamListParam.optional(),
  node: integerParam('node', 0, 0xffff_ffff).optional(),
  from: sequenceParam('from').optional(),
  to: sequenceParam('to').optional(),
  since: timeParam('since').optional(),
  until: timeParam('until').optional(),
};

const fromNotAfterTo = (q: { from?: number | undefined; to?: number | undefined }) =>
  q.from === undefined || q.to === undefined || q.from <= q.to;
const fromNotAfterToIssue = { message: 'from must not be greater than to', path: ['from'] };

export const MAX_PAGE_LIMIT = 1000;
export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PREVIEW_BYTES = 65_536;

export const eventsQuery = strictQuery({
  ...selection,
  order: order.default('desc'),
  limit: integerParam('limit', 1, MAX_PAGE_LIMIT)
    .optional()
    .transform((n) => n ?? DEFAULT_PAGE_LIMIT),
  cursor: z.string().max(1024, 'cursor is not a cursor from this API').optional(),
  payload: payloadModes(PAYLOAD_MODES).default('none'),
  maxPayloadBytes: integerParam('maxPayloadBytes', 0, MAX_PREVIEW_BYTES)
    .optional()
    .transform((n) => n ?? 256),
}).refine(fromNotAfterTo, fromNotAfterToIssue);
export type EventsQuery = z.output<typeof eventsQuery>;

export const MAX_DETAIL_BYTES = 16 * 1024 * 1024;

export const eventParams = z.strictObject({
  slot: integerParam('slot', 0, Number.MAX_SAFE_INTEGER),
});

export const eventQuery = strictQuery({
  maxPayloadBytes: integerParam('maxPayloadBytes', 0, MAX_DETAIL_BYTES)
    .optional()
    .transform((n) => n ?? 65_536),
});

export const MAX_EXPORT_LIMIT = 1_000_000;
export const DEFAULT_EXPORT_LIMIT = 10_000;
const EXPORT_PAYLOADS = ['auto', 'json', 'text', 'hex', 'base64', 'none'] as const;

export const exportQuery = strictQuery({
  ...selection,
  format: z.enum(['ndjson', 'csv'], { error: 'format must be "ndjson" or "csv"' }).default('ndjson'),
  limit: integerParam('limit', 1, MAX_EXPORT_LIMIT)
    .optional()
    .transform((n) => n ?? DEFAULT_EXPORT_LIMIT),
  payload: payloadModes(EXPORT_PAYLOADS).default('auto'),
}).refine(fromNotAfterTo, fromNotAfterToIssue);
export type ExportQuery = z.output<typeof exportQuery>;

export const jobParams = z.strictObject({
  id: z.string().regex(/^(sim|rpl)_[0-9a-f]{12}$/, 'id must be a job id like sim_0123456789ab'),
});

/**
 * The stream selectors of a request: the route table parsed the first `stream=`; a repeated parameter
 * (`stream=a&stream=b`) is merged here and parsed the same way.
 */
export function streamQuery(
  c: HubContext,
  parsed: StreamSelector[] | undefined,
): StreamSelector[] | undefined {
  const all = c.req.queries('stream') ?? [];
  if (all.length <= 1) return parsed;
  const result = z.strictObject({ stream: streamListParam }).safeParse({ stream: all.join(',') });
  if (!result.success) throw validationError('query', result.error);
  return result.data.stream;
}
