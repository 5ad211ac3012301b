/**
 * The wire shapes of the event endpoints, shared by the hub (which builds them) and the UI (which validates
 * what it receives): the responses of `/api/events`, `/api/events/:slot`, `/api/export`, `/api/simulate` and
 * `/api/replay`, and the request bodies of simulate and replay. Types are `z.infer` of the schemas, so the two
 * sides cannot drift apart. Only zod and pure helpers are imported here.
 *
 * u64 clock values travel as decimal strings (JSON numbers lose precision past 2^53); sequence numbers and
 * byte offsets stay below 2^53 and are plain numbers.
 *
 * @module
 */
import { z } from 'zod';
import { parseTimeBound, TIME_HINT } from './time.ts';

const u16 = z.int().min(0).max(0xffff);
const u32 = z.int().min(0).max(0xffff_ffff);
const count = z.int().min(0);
const sequence = z.int().min(0);

// ── events ────────────────────────────────────────────────────────────────────────────────────────

/** Names of the sequencer's flag bits (the high byte of `flags`; the low byte is the sender's). */
export const FLAG_NAMES = ['FRAMED', 'SUBMITTED', 'CLOCK_HINT_APPLIED', 'SOURCE_IPV6'] as const;

/** How a payload is rendered: the field of the same name holds it. */
export const PAYLOAD_ENCODINGS = ['json', 'text', 'hex', 'base64'] as const;
export type PayloadEncoding = (typeof PAYLOAD_ENCODINGS)[number];

/** What a client may ask for; `auto` picks json, else text (printable UTF-8), else hex. */
export const PAYLOAD_MODES = ['none', 'auto', ...PAYLOAD_ENCODINGS] as const;
export type PayloadMode = (typeof PAYLOAD_MODES)[number];

/**
 * A payload rendered one way. `encoding` says which field holds it: `json` (the parsed value; only for a
 * complete payload that parses), `text` (valid UTF-8), `hex` or `base64`. A payload that cannot be rendered as
 * asked (not JSON, not UTF-8) falls back to text, then hex, and `encoding` says what was produced.
 */
export const payloadPreviewSchema = z
  .strictObject({
    encoding: z.enum(PAYLOAD_ENCODINGS),
    json: z.unknown().optional(),
    text: z.string().optional(),
    hex: z.string().optional(),
    base64: z.string().optional(),
    /** Only the first `maxPayloadBytes` bytes are rendered. */
    truncated: z.boolean(),
  })
  .refine((p) => p.encoding in p, { message: 'the field named by encoding is missing' });
export type PayloadPreview = z.infer<typeof payloadPreviewSchema>;

/** One journal event. `seq` is its sequence number, `slot` where it lives in the ring (`seq mod slotCount`). */
export const eventSchema = z.strictObject({
  seq: sequence,
  slot: sequence,
  /** The hybrid-logical-clock value, u64 as decimal text. */
  lamport: z.string().regex(/^\d+$/),
  /** Wall-clock milliseconds of the clock value (its upper 48 bits). */
  timeMs: count,
  /** The clock value's counter (its lower 16 bits). */
  logical: u16,
  streamId: u16,
  /** The stream's registered name, or null when it has none. */
  stream: z.string().nullable(),
  nodeId: u32,
  flags: u16,
  /** Names of the sequencer flag bits set (see FLAG_NAMES); unknown bits appear as `0x....`. */
  flagNames: z.array(z.string()),
  /** Payload length in bytes. */
  size: u32,
  /** CRC32C of the payload as stored in the slot. */
  checksum: u32,
  payload: payloadPreviewSchema.optional(),
  /** Set when the writer evicted the event while its payload was being read: `payload` is then absent. */
  overwritten: z.literal(true).optional(),
});
export type EventView = z.infer<typeof eventSchema>;

/** `GET /api/events`. */
export const eventsPageSchema = z.strictObject({
  events: z.array(eventSchema),
  /** Pass as `cursor` (with the same query) for the next page; null when the range is exhausted. */
  nextCursor: z.string().nullable(),
  /** The slots this request examined, [from, to), and how many of the requested ones were already evicted. */
  scanned: z.strictObject({ from: sequence, to: sequence, count, evicted: count }),
  /** The journal's publication line when the request ran: events [tail, head) were retained. */
  head: sequence,
  tail: sequence,
});
export type EventsPage = z.infer<typeof eventsPageSchema>;

/** The payload of a single event, in every representation that applies. */
export const payloadDetailSchema = z.strictObject({
  /** The best representation: json when the payload parses, else text when it is printable UTF-8, else hex. */
  encoding: z.enum(['json', 'text', 'hex']),
  json: z.unknown().optional(),
  text: z.string().optional(),
  hex: z.string(),
  base64: z.string(),
  truncated: z.boolean(),
});
export type PayloadDetail = z.infer<typeof payloadDetailSchema>;

/** `GET /api/events/:slot`. */
export const eventDetailSchema = eventSchema
  .omit({ checksum: true, payload: true, overwritten: true })
  .extend({
    /** `computed` is the CRC32C of the payload bytes as read now; null (and `ok` null) when overwritten. */
    checksum: z.strictObject({ stored: u32, computed: u32.nullable(), ok: z.boolean().nullable() }),
    /** Null when the payload was overwritten while it was read. */
    payload: payloadDetailSchema.nullable(),
    /** The writer evicted the event while it was being read: the payload bytes could not be trusted. */
    overwritten: z.boolean(),
    /** The event is still in the journal (`seq >= tail`) after the read. */
    retained: z.boolean(),
  });
export type EventDetail = z.infer<typeof eventDetailSchema>;

/** The columns of `GET /api/export?format=csv`, in order. */
export const EXPORT_CSV_COLUMNS = [
  'seq',
  'slot',
  'lamport',
  'timeMs',
  'time',
  'logical',
  'streamId',
  'stream',
  'nodeId',
  'flags',
  'flagNames',
  'size',
  'checksum',
  'payloadEncoding',
  'payload',
] as const;

// ── jobs ──────────────────────────────────────────────────────────────────────────────────────────

export const JOB_STATES = ['running', 'completed', 'stopped', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

const jobBase = {
  id: z.string(),
  state: z.enum(JOB_STATES),
  /** Why the job failed (a HubError code and message), else null. */
  error: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
  createdAt: count,
  finishedAt: count.nullable(),
};

const streamRef = z.strictObject({ id: u16, name: z.string().nullable() });

// ── simulate ──────────────────────────────────────────────────────────────────────────────────────

export const SIMULATE_MAX_RATE = 100_000;
export const SIMULATE_MAX_DURATION_MS = 600_000;
export const SIMULATE_MAX_PAYLOAD = 65_536;
/** "sim\0": the node id of simulated events unless the request names one. */
export const SIMULATE_DEFAULT_NODE_ID = 0x7369_6d00;

/** The sequencer's rule for stream names (it refuses others with INVALID_STREAM_NAME). */
export const STREAM_NAME_PATTERN = /^[A-Za-z0-9_.:/-]{1,31}$/;
const streamName = z
  .string()
  .regex(STREAM_NAME_PATTERN, "a stream name is 1-31 letters, digits, '_', '-', '.', ':' or '/'");

export const simulatePayloadSchema = z
  .strictObject({
    kind: z.enum(['json', 'text', 'bytes'], { error: 'kind must be json, text or bytes' }),
    /** json: at least this many bytes (padded with spaces); text: exactly; bytes: exactly (default 64). */
    size: z
      .int()
      .min(0)
      .max(SIMULATE_MAX_PAYLOAD, `size is at most ${SIMULATE_MAX_PAYLOAD} bytes`)
      .optional(),
    /** json and text: `{{i}}`, `{{stream}}`, `{{time}}`, `{{rand}}` and `{{job}}` are substituted. */
    template: z.string().max(4096, 'template is at most 4096 characters').optional(),
  })
  .refine((p) => p.kind !== 'bytes' || p.template === undefined, {
    message: 'a template applies to json and text payloads only',
    path: ['template'],
  });

export const simulateBodySchema = z
  .strictObject({
    streams: z
      .array(streamName)
      .min(1, 'give at least one stream name')
      .max(64, 'at most 64 streams')
      .refine((s) => new Set(s).size === s.length, 'stream names must be distinct'),
    rate: z
      .int('rate must be an integer (events per second)')
      .min(1, 'rate must be at least 1 event per second')
      .max(SIMULATE_MAX_RATE, `rate is at most ${SIMULATE_MAX_RATE} events per second`),
    durationMs: z
      .int()
      .min(1)
      .max(SIMULATE_MAX_DURATION_MS, `durationMs is at most ${SIMULATE_MAX_DURATION_MS} (10 minutes)`)
      .optional(),
    count: z.int().min(1, 'count must be at least 1').optional(),
    payload: simulatePayloadSchema.default({ kind: 'json' }),
    nodeId: u32.default(SIMULATE_DEFAULT_NODE_ID),
  })
  .refine((b) => b.durationMs !== undefined || b.count !== undefined, {
    message: 'give durationMs or count (or both: the job stops at whichever comes first)',
    path: ['durationMs'],
  })
  .refine((b) => b.count === undefined || b.count <= (b.rate * SIMULATE_MAX_DURATION_MS) / 1000, {
    message: 'count at this rate would run longer than 10 minutes',
    path: ['count'],
  });
export type SimulateBody = z.infer<typeof simulateBodySchema>;
export type SimulateBodyInput = z.input<typeof simulateBodySchema>;

export const simulateJobSchema = z.strictObject({
  ...jobBase,
  kind: z.literal('simulate'),
  config: z.strictObject({
    streams: z.array(z.strictObject({ id: u16, name: z.string() })),
    rate: count,
    durationMs: count.nullable(),
    count: count.nullable(),
    nodeId: u32,
    payload: z.strictObject({
      kind: z.enum(['json', 'text', 'bytes']),
      size: count.nullable(),
      template: z.string().nullable(),
    }),
  }),
  progress: z.strictObject({
    /** Events the job will submit in total (count, or rate × duration). */
    target: count,
    /** Events handed to the sequencer (acknowledged or in flight). */
    submitted: count,
    journaled: count,
    /** Refused by the drop rule (a live consumer cursor held the ring). */
    dropped: count,
    /** Refused for another reason (too large, sequencer shutting down). */
    rejected: count,
    /** Batches the sequencer's full submit queue refused; each was retried after a pause, none lost. */
    backoffs: count,
    firstSeq: sequence.nullable(),
    lastSeq: sequence.nullable(),
  }),
});
export type SimulateJob = z.infer<typeof simulateJobSchema>;
export const simulateJobListSchema = z.strictObject({ jobs: z.array(simulateJobSchema) });

// ── replay ────────────────────────────────────────────────────────────────────────────────────────

export const REPLAY_MAX_RANGE = 10_000_000;
export const REPLAY_DEFAULT_RATE = 10_000;

/** A time in a JSON body: epoch milliseconds, or a string as in query strings (RFC 3339, `5m`, ...). */
export const timeInputSchema = z.union([z.int().min(0), z.string()]).transform((value, ctx) => {
  const bound = typeof value === 'number' ? { at: value } : parseTimeBound(value);
  if (bound === null) {
    ctx.addIssue({ code: 'custom', message: `expected ${TIME_HINT}` });
    return z.NEVER;
  }
  return bound;
});

const streamSelector = z.union([u16, streamName]);

export const replayTargetSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('udp'),
      host: z.string().min(1, 'host must not be empty'),
      port: z.int().min(1).max(65_535, 'port must be 1..65535'),
      /** Frame each payload (original node id, stream id, app flags, clock hint = original lamport). */
      framed: z.boolean().default(false),
    }),
    z.strictObject({ kind: z.literal('stream'), stream: streamName }),
  ],
  { error: 'target.kind must be "udp" or "stream"' },
);

export const replayBodySchema = z
  .strictObject({
    from: sequence.optional(),
    to: sequence.optional(),
    since: timeInputSchema.optional(),
    until: timeInputSchema.optional(),
    /** Only these streams (names or ids). */
    stream: z.union([streamSelector, z.array(streamSelector).min(1)]).optional(),
    node: u32.optional(),
    target: replayTargetSchema,
    rate: z
      .int()
      .min(1)
      .max(SIMULATE_MAX_RATE, `rate is at most ${SIMULATE_MAX_RATE} events per second`)
      .default(REPLAY_DEFAULT_RATE),
  })
  .refine((b) => b.from === undefined || b.to === undefined || b.from <= b.to, {
    message: 'from must not be greater than to',
    path: ['from'],
  });
export type ReplayBody = z.infer<typeof replayBodySchema>;
export type ReplayBodyInput = z.input<typeof replayBodySchema>;

export const replayJobSchema = z.strictObject({
  ...jobBase,
  kind: z.literal('replay'),
  config: z.strictObject({
    /** The sequence range replayed, [from, to), fixed when the job started. */
    range: z.strictObject({ from: sequence, to: sequence }),
    streams: z.array(streamRef).nullable(),
    node: u32.nullable(),
    target: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('udp'), host: z.string(), port: z.int(), framed: z.boolean() }),
      z.strictObject({ kind: z.literal('stream'), stream: z.string(), streamId: u16 }),
    ]),
    rate: count,
  }),
  progress: z.strictObject({
    /** Slots in the range. */
    total: count,
    /** The next sequence to examine. */
    position: sequence,
    /** Slots examined so far (matching or not). */
    scanned: count,
    /** Events that matched the filters. */
    matched: count,
    /** Datagrams sent, or events handed to the sequencer. */
    sent: count,
    /** Stream target: events journaled, dropped by the drop rule, or refused. */
    journaled: count,
    dropped: count,
    rejected: count,
    /** Events that could not be sent (too large for a datagram, a send error). */
    failed: count,
    /** Events evicted from the journal before the replay reached them. */
    evicted: count,
    backoffs: count,
  }),
});
export type ReplayJob = z.infer<typeof replayJobSchema>;
export const replayJobListSchema = z.strictObject({ jobs: z.array(replayJobSchema) });
