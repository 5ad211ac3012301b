/**
 * The `/ws` protocol's limits and payload modes as plain constants, with no imports: the wire schemas build on
 * them, and `cz tail` offers them as options without loading zod.
 *
 * @module
 */

export const WS_LIMITS = {
  /** Time after the upgrade to send `{type:'auth'}` when no Authorization header was given. */
  authTimeoutMs: 5000,
  metricsIntervalMs: { min: 100, max: 60_000, default: 1000 },
  maxPerSecond: { min: 1, max: 10_000, default: 1000 },
  /** Events in one `events` message at most. */
  maxBatchEvents: 500,
  /** Rough payload bytes in one `events` message at most (one event is always allowed). */
  maxBatchBytes: 512 * 1024,
  /** `events` messages are coalesced to at most one per this interval per client (20/s). */
  batchIntervalMs: 50,
  /** Events waiting for a client beyond this are dropped (counted in `dropped`). */
  maxPendingEvents: 1000,
  maxPendingBytes: 1024 * 1024,
  /** Bytes queued in the hub for one socket before the client is closed with 4408. */
  maxBufferedBytes: 1024 * 1024,
  /** Largest client message accepted. */
  maxMessageBytes: 64 * 1024,
  maxClients: 1024,
} as const;

/** How a subscription wants event payloads shown. */
export const PAYLOAD_MODES = ['none', 'text', 'json', 'hex'] as const;
