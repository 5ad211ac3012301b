/**
 * Response schemas of the runtime routes, shared with the UI (which validates what it receives with them):
 * `/api/status`, `/api/system`, `/api/ring`, `/api/journal/layout`, `/api/streams`, `/api/topology`, and the
 * hub's error body. Objects are loose, so a UI built against this version keeps working when fields are added.
 *
 * @module
 */
import { z } from 'zod';
import { trackerStateSchema } from '../metrics/schema.ts';

const int = () => z.number().int();
const nonNegative = () => z.number().int().nonnegative();

/** Every failure: `{ error: { code, message, details? } }` (src/hub/errors.ts). */
export const errorResponseSchema = z.object({
  error: z.looseObject({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;

export const statusResponseSchema = z.looseObject({
  status: z.literal('ok'),
  version: z.string(),
  uptimeMs: z.number(),
  sequencer: z.looseObject({
    state: z.enum(['connected', 'disconnected']),
    pid: int().optional(),
    backend: z.string().optional(),
  }),
  journal: z.looseObject({
    path: z.string(),
    available: z.boolean(),
    head: nonNegative().optional(),
    tail: nonNegative().optional(),
  }),
});
export type StatusResponse = z.infer<typeof statusResponseSchema>;

const sizesSchema = z.looseObject({ apparentBytes: nonNegative(), allocatedBytes: nonNegative() });

export const listenerSchema = z.looseObject({
  host: z.string(),
  port: int(),
  streamId: int(),
  stream: z.string(),
});

export const systemResponseSchema = z.looseObject({
  at: z.number(),
  hub: z.looseObject({
    pid: int(),
    version: z.string(),
    startedAt: z.number(),
    uptimeMs: z.number(),
    nodeVersion: z.string(),
    platform: z.string(),
    arch: z.string(),
    memory: z.looseObject({
      rssBytes: nonNegative(),
      heapUsedBytes: nonNegative(),
      heapTotalBytes: nonNegative(),
      externalBytes: nonNegative(),
      arrayBuffersBytes: nonNegative(),
    }),
    cpu: z.looseObject({
      userSeconds: z.number().nonnegative(),
      systemSeconds: z.number().nonnegative(),
      /** Over the last sample interval, in percent of one core. */
      percent: z.number().nonnegative(),
    }),
  }),
  host: z.looseObject({
    hostname: z.string(),
    platform: z.string(),
    release: z.string(),
    cpuCount: int(),
    loadAverage: z.tuple([z.number(), z.number(), z.number()]),
    totalMemoryBytes: nonNegative(),
    freeMemoryBytes: nonNegative(),
  }),
  journal: z.looseObject({
    path: z.string(),
    available: z.boolean(),
    /** Null when the file does not exist. */
    file: sizesSchema.nullable(),
  }),
  dataDir: sizesSchema.extend({ path: z.string(), files: nonNegative(), truncated: z.boolean() }),
  sequencer: z.looseObject({
    state: z.enum(['connected', 'disconnected']),
    pid: int().nullable(),
    backend: z.string().nullable(),
    listeners: z.array(listenerSchema),
  }),
});
export type SystemResponse = z.infer<typeof systemResponseSchema>;

export const geometrySchema = z.looseObject({
  slotCount: nonNegative(),
  slotSize: nonNegative(),
  ringOffset: nonNegative(),
  ringBytes: nonNegative(),
  blobOffset: nonNegative(),
  blobSize: nonNegative(),
  fileSize: nonNegative(),
  maxPayload: nonNegative(),
});

const cursorPlaceSchema = z.enum(['retained', 'at-head', 'behind-tail', 'ahead-of-head']);

export const ringResponseSchema = z.looseObject({
  at: z.number(),
  geometry: geometrySchema,
  head: nonNegative(),
  tail: nonNegative(),
  retained: nonNegative(),
  blobHead: nonNegative(),
  blobTail: nonNegative(),
  blobUsed: nonNegative(),
  utilization: z.looseObject({ ring: z.number(), blob: z.number() }),
  /** How many times the ring's slot index and the blob's byte offset have wrapped to the start. */
  wraps: z.looseObject({ ring: nonNegative(), blob: nonNegative() }),
  publishedMs: nonNegative(),
  clock: z.looseObject({ wallMs: nonNegative(), logical: nonNegative() }),
  writer: z.looseObject({
    pid: nonNegative(),
    open: z.boolean(),
    fsync: z.enum(['none', 'interval', 'always']),
    durableHead: nonNegative(),
    openCount: nonNegative(),
  }),
  evicted: nonNegative(),
  dropped: nonNegative(),
  consumers: z.array(
    z.looseObject({
      index: int(),
      name: z.string(),
      pid: int(),
      position: nonNegative(),
      lag: nonNegative(),
      live: z.boolean(),
      heartbeatMs: nonNegative(),
      heartbeatAgeMs: z.number(),
      leaseMs: nonNegative(),
      place: cursorPlaceSchema,
      /** Events evicted below the cursor's position before it read them (position < tail). */
      lostEvents: nonNegative(),
      eventsPerSec: z.number(),
    }),
  ),
});
export type RingResponse = z.infer<typeof ringResponseSchema>;

const sectionSchema = z.looseObject({
  name: z.string(),
  offset: nonNegative(),
  size: nonNegative(),
  description: z.string(),
});

export const layoutResponseSchema = z.looseObject({
  at: z.number(),
  geometry: geometrySchema,
  head: nonNegative(),
  tail: nonNegative(),
  blobHead: nonNegative(),
  blobTail: nonNegative(),
  utilization: z.looseObject({ ring: z.number(), blob: z.number() }),
  fileSize: nonNegative(),
  header: z.looseObject({ offset: nonNegative(), size: nonNegative(), sections: z.array(sectionSchema) }),
  ring: z.looseObject({
    offset: nonNegative(),
    size: nonNegative(),
    slotCount: nonNegative(),
    slotSize: nonNegative(),
    tailSlot: nonNegative(),
    headSlot: nonNegative(),
    occupied: z.array(
      z.looseObject({
        fromSlot: nonNegative(),
        toSlot: nonNegative(),
        fromSequence: nonNegative(),
        toSequence: nonNegative(),
        offset: nonNegative(),
        size: nonNegative(),
      }),
    ),
  }),
  padding: z.looseObject({ offset: nonNegative(), size: nonNegative() }),
  blob: z.looseObject({
    offset: nonNegative(),
    size: nonNegative(),
    tailOffset: nonNegative(),
    headOffset: nonNegative(),
    occupied: z.array(
      z.looseObject({
        from: nonNegative(),
        to: nonNegative(),
        fromOffset: nonNegative(),
        toOffset: nonNegative(),
        offset: nonNegative(),
        size: nonNegative(),
      }),
    ),
  }),
  cursors: z.array(
    z.looseObject({
      index: int(),
      name: z.string(),
      position: nonNegative(),
      live: z.boolean(),
      place: cursorPlaceSchema,
      slot: nonNegative(),
      offset: nonNegative(),
    }),
  ),
});
export type LayoutResponse = z.infer<typeof layoutResponseSchema>;

export const streamsResponseSchema = z.looseObject({
  at: z.number(),
  streams: z.array(
    z.looseObject({
      id: int(),
      name: z.string(),
      named: z.boolean(),
      listeners: z.array(z.looseObject({ host: z.string(), port: int() })),
      events: z.number(),
      payloadBytes: z.number(),
      liveEvents: z.number(),
      eventsPerSec: z.number(),
      payloadBytesPerSec: z.number(),
      lastSeenMs: z.number().nullable(),
      /** Distinct senders seen in this stream (within the tracker's limits). */
      nodes: nonNegative(),
    }),
  ),
  tracking: trackerStateSchema,
});
export type StreamsResponse = z.infer<typeof streamsResponseSchema>;

export const topologyNodeSchema = z.discriminatedUnion('kind', [
  z.looseObject({
    id: z.string(),
    kind: z.literal('node'),
    label: z.string(),
    nodeId: int(),
    source: z.string(),
    events: z.number(),
    eventsPerSec: z.number(),
    lastSeenMs: z.number().nullable(),
  }),
  z.looseObject({
    id: z.string(),
    kind: z.literal('stream'),
    label: z.string(),
    streamId: int(),
    named: z.boolean(),
    events: z.number(),
    eventsPerSec: z.number(),
    lastSeenMs: z.number().nullable(),
  }),
  z.looseObject({
    id: z.string(),
    kind: z.literal('consumer'),
    label: z.string(),
    index: int(),
    position: z.number(),
    lag: z.number(),
    live: z.boolean(),
    eventsPerSec: z.number(),
  }),
]);

export const topologyResponseSchema = z.looseObject({
  at: z.number(),
  nodes: z.array(topologyNodeSchema),
  edges: z.array(
    z.looseObject({
      id: z.string(),
      from: z.string(),
      to: z.string(),
      eventsPerSec: z.number(),
      events: z.number().optional(),
      estimated: z.boolean(),
    }),
  ),
});
export type TopologyResponse = z.infer<typeof topologyResponseSchema>;
