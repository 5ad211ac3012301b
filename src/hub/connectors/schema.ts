/**
 * The wire shapes of the connector endpoints, shared by the hub and the UI: the body that creates a connector
 * (one shape per creatable kind), the connector as the API shows it (config, status, counters, last error),
 * and the answer of a webhook ingest. Only zod and other schema modules are imported here.
 *
 * @module
 */
import { z } from 'zod';
import { STREAM_NAME_PATTERN } from '../events/schema.ts';

/** Kinds a client may create; `udp` connectors are the sequencer's own listeners, shown read-only. */
export const CREATABLE_KINDS = ['webhook', 'http-poll', 'nats'] as const;
export const CONNECTOR_KINDS = [...CREATABLE_KINDS, 'udp'] as const;
export type ConnectorKind = (typeof CONNECTOR_KINDS)[number];

/** Largest number of events one ingest request may carry. */
export const INGEST_MAX_EVENTS = 10_000;

const streamName = z
  .string()
  .regex(STREAM_NAME_PATTERN, "a stream name is 1-31 letters, digits, '_', '-', '.', ':' or '/'");
const connectorName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, "a connector name is 1-64 letters, digits, '_', '-' or '.'");
const u32 = z.int().min(0).max(0xffff_ffff);

/** A dotted path into a JSON document (`data.items`, `$.data.items`, `items.0.id`); empty means the root. */
export const jsonPath = z
  .string()
  .max(256)
  .regex(
    /^(\$\.?)?([A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*)?$/,
    'a JSON path is dotted field names, like data.items',
  );

const common = {
  name: connectorName,
  /** The stream the connector's events are journaled in (registered if new); default: the connector's name. */
  stream: streamName.optional(),
  /** The node id stamped on its events (default 0). */
  nodeId: u32.optional(),
  /** Create it paused. */
  paused: z.boolean().optional(),
};

const httpUrl = z
  .string()
  .max(2048)
  .refine((u) => {
    try {
      const url = new URL(u);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'url must be an absolute http:// or https:// URL');

export const webhookConfigSchema = z.strictObject({});

export const httpPollConfigSchema = z.strictObject({
  url: httpUrl,
  /** Milliseconds between polls (default 5000). */
  intervalMs: z.int().min(100, 'intervalMs is at least 100').max(86_400_000).default(5000),
  /** Request headers (e.g. Authorization). */
  headers: z
    .record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'not a header name'), z.string().max(8192))
    .default({}),
  /** Where the event list sits in the response; empty: the response itself (an array, or one object). */
  path: jsonPath.default(''),
  /** A field of each item that identifies it; items seen before are skipped. Without it, every item is new. */
  dedupeKey: jsonPath.optional(),
  /** Per-request timeout (default 10000 ms). */
  timeoutMs: z.int().min(100).max(120_000).default(10_000),
  /** Longest pause between polls after consecutive errors (default 300000 ms). */
  maxBackoffMs: z.int().min(100).max(86_400_000).default(300_000),
});

export const natsConfigSchema = z.strictObject({
  /** Server URL(s), e.g. nats://127.0.0.1:4222. */
  servers: z
    .array(z.string().regex(/^(nats|tls):\/\/[^\s/]+$/, 'a NATS server looks like nats://host:port'))
    .min(1)
    .max(16),
  /** Subject to subscribe to; wildcards `*` and `>` allowed. */
  subject: z.string().regex(/^[^\s]{1,255}$/, 'a subject is 1-255 characters without spaces'),
  /** Queue group, to share the subject's messages with other subscribers. */
  queue: z
    .string()
    .regex(/^[^\s]{1,64}$/)
    .optional(),
  /** Messages held in memory while the sequencer is away (default 10000). */
  bufferMessages: z.int().min(1).max(1_000_000).default(10_000),
  /** Bytes held in memory while the sequencer is away (default 16 MiB). */
  bufferBytes: z
    .int()
    .min(1024)
    .max(1 << 30)
    .default(16 << 20),
  /**
   * Consume through a JetStream durable consumer instead of a plain subscription: messages are acknowledged
   * only once journaled, so what the hub held when it stopped is redelivered.
   */
  jetstream: z
    .strictObject({
      /** The JetStream stream holding the subject. */
      stream: z.string().regex(/^[^\s.*>]{1,255}$/, 'a JetStream stream name has no spaces, ".", "*" or ">"'),
      /** The durable consumer's name (created if missing, filtered on `subject`). */
      durable: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,64}$/, "a durable name is 1-64 letters, digits, '_' or '-'"),
      /** How long JetStream waits for an acknowledgement before redelivering (default 30000 ms). */
      ackWaitMs: z.int().min(1000).max(3_600_000).default(30_000),
    })
    .optional(),
});

export const createConnectorBodySchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('webhook'), ...common, config: webhookConfigSchema.default({}) }),
    z.strictObject({ kind: z.literal('http-poll'), ...common, config: httpPollConfigSchema }),
    z.strictObject({ kind: z.literal('nats'), ...common, config: natsConfigSchema }),
  ],
  { error: 'kind must be webhook, http-poll or nats (udp listeners are configured on `cz start --listen`)' },
);
export type CreateConnectorBody = z.infer<typeof createConnectorBodySchema>;
/** What a client sends (defaults not yet applied). */
export type CreateConnectorInput = z.input<typeof createConnectorBodySchema>;
export type HttpPollConfig = z.infer<typeof httpPollConfigSchema>;
export type NatsConfig = z.infer<typeof natsConfigSchema>;

export const connectorParams = z.strictObject({
  id: z
    .string()
    .regex(/^(con_[0-9a-f]{12}|udp-\d{1,5})$/, 'a connector id looks like con_0123456789ab or udp-9000'),
});

/**
 * `active`: taking events; `paused`: stopped by a user; `waiting`: holding events until the sequencer is back;
 * `backoff`: polling failed and the next attempt is delayed; `error`: cannot run (see lastError).
 */
export const CONNECTOR_STATES = ['active', 'paused', 'waiting', 'backoff', 'error'] as const;

export const connectorCountersSchema = z.strictObject({
  /** Events offered to the connector (posted, polled, received). */
  received: z.int().min(0),
  journaled: z.int().min(0),
  /** Refused by the journal's drop rule (a live consumer cursor holds the ring). */
  dropped: z.int().min(0),
  /** Refused for another reason (too large, …), or lost from a full NATS buffer. */
  rejected: z.int().min(0),
  /** Payload bytes journaled. */
  bytes: z.int().min(0),
  /** Polls or submits that failed (each counted once). */
  errors: z.int().min(0),
  /** Items skipped as already seen (http-poll with dedupeKey). */
  duplicates: z.int().min(0),
  /** Events held, not yet acknowledged (http-poll page, NATS buffer). */
  pending: z.int().min(0),
});
export type ConnectorCounters = z.infer<typeof connectorCountersSchema>;

export const connectorErrorSchema = z.strictObject({ at: z.int(), code: z.string(), message: z.string() });

export const connectorSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  kind: z.enum(CONNECTOR_KINDS),
  /** udp connectors cannot be changed through the API. */
  readOnly: z.boolean(),
  stream: z.string(),
  nodeId: z.int().min(0).nullable(),
  config: z.record(z.string(), z.unknown()),
  state: z.enum(CONNECTOR_STATES),
  createdAt: z.int().nullable(),
  lastEventAt: z.int().nullable(),
  lastError: connectorErrorSchema.nullable(),
  /** Null for udp listeners (their counters are the sequencer's, in /api/streams and /metrics). */
  counters: connectorCountersSchema.nullable(),
});
export type ConnectorView = z.infer<typeof connectorSchema>;

export const connectorListSchema = z.strictObject({ connectors: z.array(connectorSchema) });

export const ingestResultSchema = z.strictObject({
  connector: z.string(),
  stream: z.string(),
  received: z.int().min(0),
  journaled: z.int().min(0),
  dropped: z.int().min(0),
  rejected: z.int().min(0),
  /** Sequence number per event in the order given; null for one not journaled. */
  sequences: z.array(z.int().min(0).nullable()),
});
export type IngestResult = z.infer<typeof ingestResultSchema>;

/** The answer of `POST /api/connectors/test`: whether the settings work, and what was found. */
export const probeResultSchema = z.strictObject({
  kind: z.enum(CREATABLE_KINDS),
  ok: z.boolean(),
  message: z.string(),
  /** http-poll: items found at `path`. */
  items: z.int().min(0).nullable(),
  /** http-poll: the first item as JSON (at most 2000 characters). */
  sample: z.string().nullable(),
  /** Whether the hub could journal right now. */
  sequencer: z.enum(['connected', 'disconnected']),
  elapsedMs: z.int().min(0),
});
export type ProbeResult = z.infer<typeof probeResultSchema>;
