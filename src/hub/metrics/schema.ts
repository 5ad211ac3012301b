/**
 * Response schemas of the metrics feature, shared with the UI (which validates what it receives with them):
 * `GET /api/metrics/history`, and the sampler's `MetricsSnapshot` with everything the tracker adds. Objects
 * are loose, so a UI built against this version keeps working when the hub adds fields.
 *
 * @module
 */
import { z } from 'zod';

/** Every series of the metrics history, in the order charts list them. */
export const SERIES = [
  'eventsPerSec',
  'payloadBytesPerSec',
  'datagramsPerSec',
  'bytesPerSec',
  'droppedPerSec',
  'evictedPerSec',
  'rejectedPerSec',
  'ringUtilization',
  'blobUtilization',
  'consumerLagMax',
  'head',
  'tail',
  'hubCpuPercent',
  'hubRssBytes',
] as const;
export type SeriesName = (typeof SERIES)[number];

/** The history's tiers, finest first: seconds for the last hour, minutes for 7 days, hours for 90 days. */
export const RESOLUTIONS = ['1s', '1m', '1h'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export const resolutionSchema = z.enum(RESOLUTIONS);
export const seriesNameSchema = z.enum(SERIES);

/** A chart point: `t` (epoch ms, the bucket start) and a number per series or `stream_<id>` key. */
export const historyPointSchema = z.object({ t: z.number() }).catchall(z.number());

export const historyResponseSchema = z.looseObject({
  since: z.number(),
  until: z.number(),
  /** The resolution asked for, or the one `auto` chose. */
  resolution: resolutionSchema,
  requested: z.enum(['auto', '1s', '1m', '1h']),
  series: z.array(seriesNameSchema),
  /** The legend of the `stream_<id>` keys. */
  streams: z.array(z.looseObject({ id: z.number().int(), name: z.string(), key: z.string() })),
  sources: z.array(
    z.looseObject({
      resolution: resolutionSchema,
      from: z.number(),
      to: z.number(),
      points: z.number().int(),
    }),
  ),
  points: z.array(historyPointSchema),
});
export type HistoryResponse = z.infer<typeof historyResponseSchema>;

const histogramSchema = z.looseObject({
  bounds: z.array(z.number()).readonly(),
  counts: z.array(z.number()),
  count: z.number(),
  sum: z.number(),
});

export const streamStatsSchema = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  named: z.boolean(),
  events: z.number(),
  payloadBytes: z.number(),
  liveEvents: z.number(),
  livePayloadBytes: z.number(),
  eventsPerSec: z.number(),
  payloadBytesPerSec: z.number(),
  lastSeenMs: z.number().nullable(),
});

export const nodeStatsSchema = z.looseObject({
  id: z.number().int(),
  label: z.string(),
  source: z.enum(['ipv4', 'ipv6', 'framed', 'submitted']),
  events: z.number(),
  payloadBytes: z.number(),
  liveEvents: z.number(),
  eventsPerSec: z.number(),
  payloadBytesPerSec: z.number(),
  lastSeenMs: z.number().nullable(),
  payloadSizes: z.array(z.number()),
  clockHints: z.looseObject({
    applied: z.number(),
    measured: z.number(),
    lastAheadMs: z.number().nullable(),
    maxAheadMs: z.number().nullable(),
    meanAheadMs: z.number().nullable(),
  }),
});

export const flowStatsSchema = z.looseObject({
  nodeId: z.number().int(),
  streamId: z.number().int(),
  events: z.number(),
  payloadBytes: z.number(),
  eventsPerSec: z.number(),
  lastSeenMs: z.number().nullable(),
});

export const trackerStateSchema = z.looseObject({
  since: z.number().nullable(),
  next: z.number(),
  lagEvents: z.number(),
  backfill: z.looseObject({ from: z.number(), to: z.number(), next: z.number(), done: z.boolean() }),
  missedEvents: z.number(),
  dropped: z.looseObject({ streams: z.number(), nodes: z.number(), flows: z.number() }),
});

/** The sampler's snapshot as the sampler produces it (every optional field filled in). */
export const metricsSnapshotSchema = z.looseObject({
  at: z.number(),
  journal: z.looseObject({ available: z.boolean(), path: z.string() }),
  sequencer: z.looseObject({
    state: z.enum(['connected', 'disconnected']),
    backend: z.string().nullable(),
    pid: z.number().nullable(),
  }),
  head: z.number(),
  tail: z.number(),
  ring: z.looseObject({ slotCount: z.number(), used: z.number(), utilization: z.number() }),
  blob: z.looseObject({ size: z.number(), used: z.number(), utilization: z.number() }),
  counters: z.record(z.string(), z.number()).nullable(),
  rates: z.looseObject({
    eventsPerSec: z.number(),
    payloadBytesPerSec: z.number(),
    datagramsPerSec: z.number(),
    bytesPerSec: z.number(),
    droppedPerSec: z.number(),
    evictedPerSec: z.number(),
    rejectedPerSec: z.number(),
    kernelDropsPerSec: z.number(),
  }),
  consumers: z.array(
    z.looseObject({
      index: z.number().int(),
      name: z.string(),
      position: z.number(),
      lag: z.number(),
      live: z.boolean(),
      eventsPerSec: z.number(),
    }),
  ),
  streams: z.array(streamStatsSchema),
  nodes: z.array(nodeStatsSchema),
  flows: z.array(flowStatsSchema),
  payloadSizes: histogramSchema,
  livePayloadSizes: histogramSchema,
  tracker: trackerStateSchema,
  process: z.looseObject({
    rssBytes: z.number(),
    heapUsedBytes: z.number(),
    heapTotalBytes: z.number(),
    cpuPercent: z.number(),
    cpuSecondsTotal: z.number(),
  }),
});
export type MetricsSnapshotView = z.infer<typeof metricsSnapshotSchema>;
