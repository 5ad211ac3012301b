/**
 * Wire shapes of the pipelines feature: the graph (nodes, typed ports, edges), each node kind's config, the
 * pipeline as the API shows it with its per-node counters, and the dry-run request and answer. Imports only
 * zod: the UI parses every answer with these schemas.
 *
 * @module
 */
import { z } from 'zod';

export const NODE_KINDS = ['source', 'filter', 'transform', 'join', 'aggregate', 'sink'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

/** Input ports per kind (a source has none); every kind but `sink` has the single output port `out`. */
export const INPUT_PORTS: Record<NodeKind, readonly string[]> = {
  source: [],
  filter: ['in'],
  transform: ['in'],
  join: ['left', 'right'],
  aggregate: ['in'],
  sink: ['in'],
};
export const hasOutput = (kind: NodeKind): boolean => kind !== 'sink';

export const MAX_NODES = 100;
export const MAX_EDGES = 200;
export const MAX_RUNNING_PIPELINES = 8;
export const MAX_WINDOW_MS = 86_400_000;
export const DRY_RUN_MAX_SLOTS = 2_000_000;
export const DRY_RUN_SAMPLE = 50;
/** The longest a dry run may replay (wall clock); a request may ask for less with `timeoutMs`. */
export const DRY_RUN_TIME_BUDGET_MS = 30_000;

const nodeId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a node id is 1–64 letters, digits, "_" or "-"');
/** A dotted path into a record's fields: `user.name`, `items.0.price`. */
const fieldPath = z
  .string()
  .min(1, 'a field path is required')
  .max(200)
  .regex(/^[^.\s]+(\.[^.\s]+)*$/, 'a field path is names separated by dots, like user.name');
const streamName = z
  .string()
  .min(1, 'a stream name is required')
  .max(63)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'a stream name is letters, digits and _ . : -');

// ── node configs ─────────────────────────────────────────────────────────────────────────────────────

export const sourceConfigSchema = z.strictObject({ stream: streamName });

export const filterConfigSchema = z.strictObject({
  /** A query-language condition (docs/query.md), like `amount > 100 AND status = "ok"`. */
  condition: z.string().min(1, 'a condition is required').max(10_000),
});

export const transformOpSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('set'), field: fieldPath, expr: z.string().min(1).max(10_000) }),
  z.strictObject({ op: z.literal('rename'), from: fieldPath, to: fieldPath }),
  z.strictObject({ op: z.literal('drop'), field: fieldPath }),
]);
export type TransformOp = z.infer<typeof transformOpSchema>;
export const transformConfigSchema = z.strictObject({
  ops: z.array(transformOpSchema).min(1, 'a transform needs at least one operation').max(100),
});

export const joinConfigSchema = z.strictObject({
  leftKey: fieldPath,
  rightKey: fieldPath,
  windowMs: z.number().int().min(1).max(MAX_WINDOW_MS),
});

export const AGGREGATE_FUNCTIONS = ['count', 'sum', 'avg', 'min', 'max', 'percentile'] as const;
export const measureSchema = z
  .strictObject({
    fn: z.enum(AGGREGATE_FUNCTIONS),
    field: fieldPath.optional(),
    /** For percentile: 0–100. */
    p: z.number().min(0).max(100).optional(),
    as: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'an output name is a plain identifier'),
  })
  .superRefine((m, ctx) => {
    if (m.fn !== 'count' && m.field === undefined)
      ctx.addIssue({ code: 'custom', path: ['field'], message: `${m.fn} needs a field` });
    if (m.fn === 'percentile' && m.p === undefined)
      ctx.addIssue({ code: 'custom', path: ['p'], message: 'percentile needs p (0–100)' });
  });
export type Measure = z.infer<typeof measureSchema>;

export const windowSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('tumbling'), sizeMs: z.number().int().min(1).max(MAX_WINDOW_MS) }),
  z
    .strictObject({
      kind: z.literal('sliding'),
      sizeMs: z.number().int().min(1).max(MAX_WINDOW_MS),
      slideMs: z.number().int().min(1).max(MAX_WINDOW_MS),
    })
    .refine((w) => w.slideMs <= w.sizeMs && w.sizeMs / w.slideMs <= 100, {
      message: 'slideMs must be at most sizeMs, and a window at most 100 slides long',
      path: ['slideMs'],
    }),
]);
export type WindowSpec = z.infer<typeof windowSchema>;

export const aggregateConfigSchema = z.strictObject({
  window: windowSchema,
  groupBy: z.array(fieldPath).max(10).default([]),
  measures: z.array(measureSchema).min(1, 'an aggregate needs at least one measure').max(20),
});

export const SINK_KINDS = ['stream', 'webhook', 'incident', 'alert', 'dashboard'] as const;
export const INCIDENT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export const sinkConfigSchema = z.discriminatedUnion('kind', [
  /** Each record's fields as a JSON event in a derived stream, submitted through the sequencer. */
  z.strictObject({ kind: z.literal('stream'), stream: streamName }),
  /** Each batch's records POSTed as JSON. */
  z.strictObject({
    kind: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }),
    timeoutMs: z.number().int().min(100).max(60_000).default(5000),
    retries: z.number().int().min(0).max(10).default(3),
  }),
  /**
   * Each record opens an incident through the alerts feature (its silences and channels apply), or joins the
   * one still unresolved for this pipeline, sink and group. `{{path}}` in the title and description is the
   * record's field; `{{pipeline}}` and `{{node}}` name the sink.
   */
  z.strictObject({
    kind: z.literal('incident'),
    title: z.string().min(1, 'an incident needs a title').max(200),
    description: z.string().max(2000).default(''),
    severity: z.enum(INCIDENT_SEVERITIES).default('warning'),
    /** Record fields copied into the incident's labels, named by their path. */
    labels: z.array(fieldPath).max(20).default([]),
    /** Fields whose values pick the incident a record joins; by default the labels. */
    groupBy: z.array(fieldPath).max(10).optional(),
    /** A numeric record field shown as the incident's value. */
    valueField: fieldPath.optional(),
  }),
  /**
   * `{alert, severity, …fields}` events in a stream, for an alert rule's query to read (the older sink; an
   * `incident` sink opens incidents directly).
   */
  z.strictObject({
    kind: z.literal('alert'),
    stream: streamName,
    name: z.string().min(1).max(200),
    severity: z.enum(INCIDENT_SEVERITIES).default('warning'),
  }),
  /**
   * `{series, time, value}` points in a stream, for a timeseries widget with `value: "value"` and
   * `GROUP BY series`. `{{path}}` in the series is the record's field, so a grouped aggregate gives one line per
   * group.
   */
  z.strictObject({
    kind: z.literal('dashboard'),
    stream: streamName,
    series: z.string().min(1).max(200),
    valueField: fieldPath,
  }),
]);
export type SinkConfig = z.infer<typeof sinkConfigSchema>;

export const CONFIG_SCHEMAS = {
  source: sourceConfigSchema,
  filter: filterConfigSchema,
  transform: transformConfigSchema,
  join: joinConfigSchema,
  aggregate: aggregateConfigSchema,
  sink: sinkConfigSchema,
} as const;
export type NodeConfig<K extends NodeKind> = z.infer<(typeof CONFIG_SCHEMAS)[K]>;

// ── graph ────────────────────────────────────────────────────────────────────────────────────────────

/** A node as stored: its config is checked by validation (so an unfinished graph can be saved as a draft). */
export const pipelineNodeSchema = z.strictObject({
  id: nodeId,
  kind: z.enum(NODE_KINDS),
  label: z.string().max(200).optional(),
  config: z.record(z.string(), z.unknown()).default({}),
  position: z.strictObject({ x: z.number().finite(), y: z.number().finite() }).optional(),
});
export type PipelineNode = z.infer<typeof pipelineNodeSchema>;

export const pipelineEdgeSchema = z.strictObject({
  from: nodeId,
  to: nodeId,
  /** The target's input port: `in`, or `left`/`right` of a join. */
  port: z.string().max(16).default('in'),
});
export type PipelineEdge = z.infer<typeof pipelineEdgeSchema>;

export const pipelineGraphSchema = z.strictObject({
  nodes: z.array(pipelineNodeSchema).max(MAX_NODES),
  edges: z.array(pipelineEdgeSchema).max(MAX_EDGES),
});
export type PipelineGraph = z.infer<typeof pipelineGraphSchema>;

const nameSchema = z.string().trim().min(1, 'a name is required').max(200);

export const createPipelineBodySchema = z.strictObject({
  name: nameSchema,
  description: z.string().max(2000).default(''),
  nodes: pipelineGraphSchema.shape.nodes,
  edges: pipelineGraphSchema.shape.edges,
});
export type CreatePipelineBody = z.input<typeof createPipelineBodySchema>;
export const updatePipelineBodySchema = createPipelineBodySchema;

export const pipelineParams = z.strictObject({
  id: z.string().regex(/^pl_[0-9a-f]{12}$/, 'a pipeline id looks like pl_0123456789ab'),
});

// ── validation and status ────────────────────────────────────────────────────────────────────────────

export const validationIssueSchema = z.object({
  /** The node (or edge's target node) the issue is about, for the editor to mark; null for the whole graph. */
  nodeId: z.string().nullable(),
  /** Where in the body: `nodes[3].config.condition`, `edges[1].to`. */
  path: z.string(),
  message: z.string(),
});
export type ValidationIssue = z.infer<typeof validationIssueSchema>;

export const nodeCountersSchema = z.object({
  in: z.number(),
  out: z.number(),
  errors: z.number(),
  /** Records held in window or join state. */
  pending: z.number(),
  /**
   * Work that reached the node but is not through it yet: for a source, journal events the run has not read;
   * for an aggregate or join, records held in its state; for a sink, records being delivered.
   */
  lag: z.number(),
  lastError: z.string().nullable(),
});
export type NodeCounters = z.infer<typeof nodeCountersSchema>;

export const PIPELINE_STATES = ['stopped', 'running', 'failed'] as const;

export const pipelineStatusSchema = z.object({
  state: z.enum(PIPELINE_STATES),
  /** Next journal sequence the run will read (null before the first run). */
  position: z.number().nullable(),
  /** Journal head minus position while it runs. */
  lag: z.number(),
  /** Events evicted before the run could read them (only when the cursor was lost). */
  lost: z.number(),
  startedAt: z.number().nullable(),
  lastError: z.string().nullable(),
  nodes: z.record(z.string(), nodeCountersSchema),
});
export type PipelineStatus = z.infer<typeof pipelineStatusSchema>;

export const pipelineViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  nodes: z.array(pipelineNodeSchema),
  edges: z.array(pipelineEdgeSchema),
  createdAt: z.number(),
  updatedAt: z.number(),
  validation: z.object({ ok: z.boolean(), issues: z.array(validationIssueSchema) }),
  status: pipelineStatusSchema,
});
export type PipelineView = z.infer<typeof pipelineViewSchema>;

export const pipelineListSchema = z.object({ pipelines: z.array(pipelineViewSchema) });

// ── dry run ──────────────────────────────────────────────────────────────────────────────────────────

const bound = z.union([z.number().int().min(0), z.string().min(1).max(100)]);
export const dryRunBodySchema = z
  .strictObject({
    /** First journal sequence (inclusive). */
    from: z.number().int().min(0).optional(),
    /** End sequence (exclusive); default the head when the run starts. */
    to: z.number().int().min(0).optional(),
    /** Or a time range: epoch ms, RFC 3339, or a duration ago like 5m. */
    since: bound.optional(),
    until: bound.optional(),
    /** Records shown per node (counters always count all). */
    sample: z.number().int().min(0).max(1000).default(DRY_RUN_SAMPLE),
    /** Stop with DRY_RUN_BUDGET_EXCEEDED after this many ms (at most, and by default, DRY_RUN_TIME_BUDGET_MS). */
    timeoutMs: z.number().int().positive().optional(),
  })
  .refine((b) => !((b.from !== undefined || b.to !== undefined) && (b.since ?? b.until) !== undefined), {
    message: 'give a slot range (from/to) or a time range (since/until), not both',
  });
export type DryRunBody = z.input<typeof dryRunBodySchema>;

/** A record flowing through a pipeline: its fields, and the journal event (or window) it came from. */
export const pipelineRecordSchema = z.object({
  seq: z.number(),
  time: z.number(),
  stream: z.string().nullable(),
  fields: z.unknown(),
});
export type PipelineRecordView = z.infer<typeof pipelineRecordSchema>;

export const dryRunResultSchema = z.object({
  range: z.object({ from: z.number(), to: z.number() }),
  scanned: z.number(),
  overwritten: z.number(),
  nodes: z.record(z.string(), nodeCountersSchema.extend({ sample: z.array(pipelineRecordSchema) })),
});
export type DryRunResult = z.infer<typeof dryRunResultSchema>;
