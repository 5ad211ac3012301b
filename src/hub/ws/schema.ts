/**
 * The `/ws` protocol as zod schemas: every message a client may send, every message the hub sends, the close
 * codes and the limits. The hub validates what it receives with `clientMessage`; the UI parses what it
 * receives with `serverMessage`. Prose and examples: docs/api.md.
 *
 * Server messages are plain (non-strict) objects so a client built against this version keeps working when
 * the hub adds fields; client messages are strict, so a misspelled field is an error rather than ignored.
 *
 * @module
 */
import { z } from 'zod';
import { metricsSnapshotSchema } from '../metrics/schema.ts';
import { playbackStateSchema } from '../playback/schema.ts';
import { PAYLOAD_MODES, WS_LIMITS } from './limits.ts';

export { PAYLOAD_MODES, WS_LIMITS };

/** Close codes the hub uses (1001 and 1013 are standard; 44xx mirror the HTTP statuses they resemble). */
export const CloseCode = {
  /** The hub is shutting down. */
  GOING_AWAY: 1001,
  /** The hub holds its maximum number of connections. */
  TRY_AGAIN_LATER: 1013,
  /** A key in the URL (`?key=`): refused, since URLs end up in logs and browser history. */
  KEY_IN_URL: 4400,
  /** No key within the deadline, a bad, expired or revoked key, or a message before authenticating. */
  UNAUTHORIZED: 4401,
  /** The key lacks the read scope. */
  FORBIDDEN: 4403,
  /** The client did not read fast enough: more than `maxBufferedBytes` waited in the hub for it. */
  SLOW_CONSUMER: 4408,
  /** Too many failed authentications from this address (AuthService's limit). */
  RATE_LIMITED: 4429,
} as const;

export const payloadMode = z.enum(PAYLOAD_MODES);
export type PayloadMode = z.infer<typeof payloadMode>;

export const TOPICS = ['metrics', 'events', 'playback'] as const;
export const topic = z.enum(TOPICS);
export type Topic = z.infer<typeof topic>;

// ── client → server ─────────────────────────────────────────────────────────────────────────────────

export const authMessage = z.strictObject({ type: z.literal('auth'), key: z.string().min(1).max(256) });

export const subscribeMetrics = z.strictObject({
  type: z.literal('subscribe'),
  topic: z.literal('metrics'),
  intervalMs: z
    .number()
    .int()
    .min(WS_LIMITS.metricsIntervalMs.min)
    .max(WS_LIMITS.metricsIntervalMs.max)
    .optional(),
});

export const subscribeEvents = z.strictObject({
  type: z.literal('subscribe'),
  topic: z.literal('events'),
  /** A registered stream name, or a stream id (0..1023). */
  stream: z.union([z.string().min(1).max(31), z.number().int().min(0).max(1023)]),
  where: z.strictObject({ node: z.number().int().min(0).max(0xffff_ffff).optional() }).optional(),
  maxPerSecond: z.number().int().min(WS_LIMITS.maxPerSecond.min).max(WS_LIMITS.maxPerSecond.max).optional(),
  payload: payloadMode.optional(),
});

export const subscribePlayback = z.strictObject({
  type: z.literal('subscribe'),
  topic: z.literal('playback'),
  payload: payloadMode.optional(),
});

export const subscribeMessage = z.discriminatedUnion('topic', [
  subscribeMetrics,
  subscribeEvents,
  subscribePlayback,
]);

export const unsubscribeMessage = z.strictObject({ type: z.literal('unsubscribe'), topic });

export const pingMessage = z.strictObject({ type: z.literal('ping') });

export const clientMessage = z.discriminatedUnion('type', [
  authMessage,
  subscribeMessage,
  unsubscribeMessage,
  pingMessage,
]);

export type ClientMessage = z.infer<typeof clientMessage>;
export type SubscribeEvents = z.infer<typeof subscribeEvents>;

// ── server → client ─────────────────────────────────────────────────────────────────────────────────

/**
 * One journaled event. `time` and `logical` are the two parts of its hybrid-logical-clock value (wall-clock
 * ms, counter). `encoding` says what `payload` holds: `text` (the bytes, valid UTF-8, as a string), `json`
 * (the parsed JSON value; formatting is not kept), `hex` (the bytes as lowercase hex, used whenever the
 * asked-for mode cannot represent them), or `none` (no payload field). `text` and `hex` are byte-exact.
 */
export const eventView = z.object({
  seq: z.number().int(),
  time: z.number().int(),
  logical: z.number().int(),
  node: z.number().int(),
  stream: z.number().int(),
  flags: z.number().int(),
  size: z.number().int(),
  encoding: payloadMode,
  payload: z.unknown().optional(),
});
export type EventView = z.infer<typeof eventView>;

/**
 * The sampler's snapshot, as `metrics/schema.ts` describes it, with the parts the tracker and the process probe
 * add optional: they are absent until the first sample that has them. (sampler.ts checks at compile time that
 * its type fits this schema.)
 */
export const metricsSnapshot = metricsSnapshotSchema
  .extend({
    rates: metricsSnapshotSchema.shape.rates.partial({ rejectedPerSec: true, kernelDropsPerSec: true }),
    consumers: z.array(metricsSnapshotSchema.shape.consumers.element.partial({ eventsPerSec: true })),
  })
  .partial({
    streams: true,
    nodes: true,
    flows: true,
    payloadSizes: true,
    livePayloadSizes: true,
    tracker: true,
    process: true,
  });

/** The hub's own health, computed when each `metrics` message is sent. */
export const hubHealth = z.object({
  clients: z.number().int(),
  /** Clients closed with 4408 since the hub started. */
  slowClientsDropped: z.number().int(),
  /** Event-loop delay of the hub process over the current window (up to 10 s), in ms. */
  eventLoopDelayMs: z.object({ p50: z.number(), p99: z.number(), max: z.number() }),
});
export type HubHealth = z.infer<typeof hubHealth>;

export const limitsView = z.object({
  metricsIntervalMs: z.object({ min: z.number(), max: z.number(), default: z.number() }),
  maxPerSecond: z.object({ min: z.number(), max: z.number(), default: z.number() }),
  maxBatchEvents: z.number(),
  batchIntervalMs: z.number(),
  maxBufferedBytes: z.number(),
  maxMessageBytes: z.number(),
});

export const authenticatedMessage = z.object({
  type: z.literal('authenticated'),
  key: z.object({ id: z.string(), name: z.string(), scopes: z.array(z.string()) }),
  limits: limitsView,
});

export const subscribedMessage = z.discriminatedUnion('topic', [
  z.object({ type: z.literal('subscribed'), topic: z.literal('metrics'), intervalMs: z.number().int() }),
  z.object({
    type: z.literal('subscribed'),
    topic: z.literal('events'),
    stream: z.number().int(),
    streamName: z.string().nullable(),
    /** Events from this sequence on are delivered (the journal head when subscribing). */
    from: z.number().int(),
    where: z.object({ node: z.number().int().optional() }),
    maxPerSecond: z.number().int(),
    payload: payloadMode,
  }),
  z.object({
    type: z.literal('subscribed'),
    topic: z.literal('playback'),
    payload: payloadMode,
    state: playbackStateSchema,
  }),
]);

export const unsubscribedMessage = z.object({ type: z.literal('unsubscribed'), topic });

export const metricsMessage = z.object({
  type: z.literal('metrics'),
  /** When the hub sent it (the snapshot has its own `at`: snapshots are sampled once a second). */
  at: z.number(),
  intervalMs: z.number().int(),
  hub: hubHealth,
  snapshot: metricsSnapshot,
});

export const eventsMessage = z.object({
  type: z.literal('events'),
  stream: z.number().int(),
  streamName: z.string().nullable(),
  events: z.array(eventView),
  /** Events of this subscription not delivered since the previous message (maxPerSecond, queue bounds). */
  dropped: z.number().int(),
  /**
   * Events of any stream the hub could not read since the previous message because the journal evicted them
   * first (only under extreme load); whether they were of this stream is unknown.
   */
  gap: z.number().int(),
});

export const playbackFrame = z.object({
  /** Frame number since play began. */
  index: z.number().int(),
  /** Event-clock time (wall ms) the playhead had reached. */
  virtualTime: z.number(),
  events: z.array(eventView),
});

export const playbackMessage = z.object({
  type: z.literal('playback'),
  state: playbackStateSchema,
  /** Null for a state change (play, pause, seek, speed, stop, end) without events. */
  frame: playbackFrame.nullable(),
});

export const pongMessage = z.object({ type: z.literal('pong'), at: z.number() });

export const errorMessage = z.object({
  type: z.literal('error'),
  code: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
});

export const serverMessage = z.union([
  authenticatedMessage,
  subscribedMessage,
  unsubscribedMessage,
  metricsMessage,
  eventsMessage,
  playbackMessage,
  pongMessage,
  errorMessage,
]);

export type ServerMessage = z.infer<typeof serverMessage>;
export type AuthenticatedMessage = z.infer<typeof authenticatedMessage>;
export type SubscribedMessage = z.infer<typeof subscribedMessage>;
export type MetricsMessage = z.infer<typeof metricsMessage>;
export type EventsMessage = z.infer<typeof eventsMessage>;
export type PlaybackMessage = z.infer<typeof playbackMessage>;
export type ErrorMessage = z.infer<typeof errorMessage>;
