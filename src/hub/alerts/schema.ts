/**
 * Wire shapes of the alerts feature — rules (the simple form and the richer v2 form), alert states, incidents
 * with their timeline and delivery log, notification channels, silences and the rule preview — shared by the
 * hub, the UI and `cz incidents`. Imports only zod.
 *
 * @module
 */
import { z } from 'zod';

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const THRESHOLD_OPS = ['>', '>=', '<', '<=', '=', '!='] as const;
export type ThresholdOp = (typeof THRESHOLD_OPS)[number];
export const AGGREGATE_FNS = ['count', 'sum', 'avg', 'min', 'max'] as const;
export type AggregateFn = (typeof AGGREGATE_FNS)[number];
export const ALERT_STATES = ['ok', 'pending', 'firing', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
export const INCIDENT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];
export const CHANNEL_KINDS = ['webhook', 'slack'] as const;

/** Longest evaluation window, `for` and `keep_firing_for`: one day. */
export const MAX_DURATION_MS = 86_400_000;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `90s`, `5m`, `1h`, `250ms` (or a number of milliseconds) → milliseconds; null when it is none of those. */
export function parseDuration(value: string | number): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(value.trim());
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return Number.isSafeInteger(ms) ? ms : null;
}

/** The shortest exact form of a duration: 300000 → `5m`, 1500 → `1500ms`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

const duration = (what: string, min: number) =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === null) {
      ctx.addIssue({
        code: 'custom',
        message: `${what} must be a duration like 30s, 5m, 1h (or milliseconds); got ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    if (ms < min || ms > MAX_DURATION_MS) {
      ctx.addIssue({
        code: 'custom',
        message: `${what} must be between ${formatDuration(min)} and 1d; got ${formatDuration(ms)}`,
      });
      return z.NEVER;
    }
    return ms;
  });

const labelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'label names are identifiers (≤ 64)');
export const labelsSchema = z
  .record(labelName, z.string().max(256))
  .refine((l) => Object.keys(l).length <= 32, 'at most 32 labels');

const ruleName = z.string().trim().min(1, 'name is empty').max(100, 'name is longer than 100 characters');
// Not trimmed: syntax errors point at columns of the text as the user wrote it.
const queryText = z
  .string()
  .max(4000, 'longer than 4000 characters')
  .refine((s) => s.trim().length > 0, 'empty');

export const thresholdSchema = z.strictObject({
  op: z.enum(THRESHOLD_OPS),
  value: z.number().finite(),
});
export type Threshold = z.infer<typeof thresholdSchema>;

const common = {
  name: ruleName,
  threshold: thresholdSchema.default({ op: '>', value: 0 }),
  /** The evaluation window: the value is computed over the events of the last `window`. */
  window: duration('window', 1000).default(60_000),
  /** How long the threshold must hold before the alert fires (0: at once). */
  for: duration('for', 0).default(0),
  severity: z.enum(SEVERITIES).default('warning'),
  labels: labelsSchema.default({}),
  /** `{{value}}`, `{{threshold}}`, `{{group}}`, `{{rule}}`, `{{labels.x}}` are replaced. */
  description: z.string().max(2000).default(''),
  enabled: z.boolean().default(true),
};

/**
 * The simple form (`POST /api/alerts/rules`): one query — a condition (`level = "error"`) or a count
 * (`SELECT COUNT(*) FROM app WHERE level = "error" GROUP BY service`) — compared with a threshold over a window.
 */
export const ruleBodySchema = z.strictObject({ ...common, query: queryText });
export type RuleBody = z.input<typeof ruleBodySchema>;

/** The richer form (`POST /api/alerts/rules/v2`): several conditions, an aggregate, grouping, keep_firing_for. */
export const ruleV2BodySchema = z.strictObject({
  ...common,
  /** Streams read (names or ids); absent or empty: every stream. */
  from: z
    .array(z.union([z.string().min(1).max(31), z.int().min(0).max(65535)]))
    .max(64)
    .default([]),
  /** Conditions of the query language, combined by `match`. */
  conditions: z.array(queryText).max(32).default([]),
  match: z.enum(['all', 'any']).default('all'),
  aggregate: z
    .strictObject({ fn: z.enum(AGGREGATE_FNS), field: z.string().trim().min(1).max(256).optional() })
    .refine((a) => a.fn === 'count' || a.field !== undefined, {
      message: 'sum, avg, min and max need a field',
      path: ['field'],
    })
    .default({ fn: 'count' }),
  /** A field (query-language path): one alert per value of it. */
  group_by: z.string().trim().min(1).max(256).optional(),
  /** Keep firing this long after the threshold stops holding (flapping guard). */
  keep_firing_for: duration('keep_firing_for', 0).default(0),
});
export type RuleV2Body = z.input<typeof ruleV2BodySchema>;

export const ruleIdParams = z.strictObject({ id: z.string().regex(/^r_[0-9a-f]{12}$/, 'not a rule id') });

export const ruleSchema = z.object({
  id: z.string(),
  name: z.string(),
  form: z.enum(['v1', 'v2']),
  /** The rule as a query of the language, for display: `SELECT COUNT(*) FROM … WHERE … GROUP BY …`. */
  query: z.string(),
  from: z.array(z.union([z.string(), z.number()])),
  where: z.string().nullable(),
  aggregate: z.object({ fn: z.enum(AGGREGATE_FNS), field: z.string().nullable() }),
  groupBy: z.string().nullable(),
  threshold: thresholdSchema,
  windowMs: z.number(),
  forMs: z.number(),
  keepFiringForMs: z.number(),
  severity: z.enum(SEVERITIES),
  labels: z.record(z.string(), z.string()),
  description: z.string(),
  enabled: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
  /** The body that created it (the simple or the v2 form), so editors can round-trip it. */
  body: z.record(z.string(), z.unknown()),
});
export type RuleView = z.infer<typeof ruleSchema>;
export const ruleListSchema = z.object({ rules: z.array(ruleSchema) });

export const evidenceSchema = z.object({
  /** First and last sequence of the matching events in the window that made it fire. */
  firstSeq: z.number().nullable(),
  lastSeq: z.number().nullable(),
  /** A few matching sequences (the most recent), to open in the Event Explorer. */
  samples: z.array(z.number()),
  value: z.number().nullable(),
});
export type Evidence = z.infer<typeof evidenceSchema>;

export const alertSchema = z.object({
  ruleId: z.string(),
  rule: z.string(),
  group: z.string().nullable(),
  state: z.enum(ALERT_STATES),
  severity: z.enum(SEVERITIES),
  labels: z.record(z.string(), z.string()),
  value: z.number().nullable(),
  activeAt: z.number().nullable(),
  firedAt: z.number().nullable(),
  resolvedAt: z.number().nullable(),
  evidence: evidenceSchema,
  incidentId: z.number().nullable(),
  description: z.string(),
});
export type AlertView = z.infer<typeof alertSchema>;
export const alertListSchema = z.object({
  alerts: z.array(alertSchema),
  /** Journal position the engine has evaluated up to, and how far behind the head it is. */
  position: z.number(),
  lag: z.number(),
});
export type AlertList = z.infer<typeof alertListSchema>;

// ── incidents ────────────────────────────────────────────────────────────────────────────────────────

export const TIMELINE_KINDS = [
  'opened',
  'acknowledged',
  'resolved',
  'note',
  'alert-firing',
  'alert-resolved',
  'silenced',
  'notified',
  'notify-failed',
] as const;

export const timelineEntrySchema = z.object({
  at: z.number(),
  kind: z.enum(TIMELINE_KINDS),
  actor: z.string().nullable(),
  text: z.string(),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

export const deliverySchema = z.object({
  id: z.number(),
  channelId: z.string(),
  channel: z.string(),
  kind: z.enum(CHANNEL_KINDS),
  /** What was announced: the incident opening or its resolution. */
  event: z.enum(['opened', 'resolved']),
  attempt: z.number(),
  at: z.number(),
  status: z.number().nullable(),
  error: z.string().nullable(),
  ok: z.boolean(),
  durationMs: z.number(),
});
export type DeliveryView = z.infer<typeof deliverySchema>;

export const incidentSchema = z.object({
  id: z.number(),
  title: z.string(),
  description: z.string(),
  state: z.enum(INCIDENT_STATES),
  severity: z.enum(SEVERITIES),
  ruleId: z.string().nullable(),
  rule: z.string().nullable(),
  group: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  test: z.boolean(),
  silenced: z.boolean(),
  silenceId: z.string().nullable(),
  openedAt: z.number(),
  acknowledgedAt: z.number().nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedAt: z.number().nullable(),
  resolvedBy: z.string().nullable(),
  evidence: evidenceSchema,
  /** Times the alert fired again while this incident was open (deduplicated into it). */
  refires: z.number(),
});
export type IncidentView = z.infer<typeof incidentSchema>;
export const incidentDetailSchema = incidentSchema.extend({
  timeline: z.array(timelineEntrySchema),
  deliveries: z.array(deliverySchema),
});
export type IncidentDetail = z.infer<typeof incidentDetailSchema>;
export const incidentListSchema = z.object({
  incidents: z.array(incidentSchema),
  total: z.number(),
  limit: z.number(),
  offset: z.number(),
});
export type IncidentList = z.infer<typeof incidentListSchema>;

export const incidentParams = z.strictObject({
  id: z
    .string()
    .regex(/^\d{1,15}$/, 'an incident id is a positive integer')
    .transform(Number),
});
export const incidentActionBodySchema = z
  .strictObject({ comment: z.string().trim().max(4000).optional() })
  .optional();
export const incidentNoteBodySchema = z.strictObject({
  text: z.string().trim().min(1, 'the note is empty').max(4000),
});
export const testIncidentBodySchema = z
  .strictObject({
    title: z.string().trim().min(1).max(200).optional(),
    severity: z.enum(SEVERITIES).optional(),
    labels: labelsSchema.optional(),
    description: z.string().max(2000).optional(),
  })
  .optional();

// ── channels and silences ────────────────────────────────────────────────────────────────────────────

const httpUrl = z
  .string()
  .max(2000)
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'url must be an absolute http:// or https:// URL');

export const channelBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  kind: z.enum(CHANNEL_KINDS),
  url: httpUrl,
  /** Per-attempt timeout. */
  timeoutMs: z.int().min(100).max(60_000).default(5000),
  /** Attempts in all (1: no retry). */
  maxAttempts: z.int().min(1).max(10).default(4),
  /** Delay before the first retry; doubled for each next one. */
  backoffMs: z.int().min(10).max(60_000).default(500),
  /** Only incidents at least this severe are sent. */
  minSeverity: z.enum(SEVERITIES).default('info'),
  enabled: z.boolean().default(true),
});
export type ChannelBody = z.input<typeof channelBodySchema>;
export const channelSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(CHANNEL_KINDS),
  url: z.string(),
  timeoutMs: z.number(),
  maxAttempts: z.number(),
  backoffMs: z.number(),
  minSeverity: z.enum(SEVERITIES),
  enabled: z.boolean(),
  createdAt: z.number(),
});
export type ChannelView = z.infer<typeof channelSchema>;
export const channelListSchema = z.object({ channels: z.array(channelSchema) });

export const idParams = z.strictObject({ id: z.string().min(1).max(64) });

export const matcherSchema = z.strictObject({
  /** `rule`, `severity`, `group`, or a label name. */
  name: z.string().min(1).max(64),
  op: z.enum(['=', '!=']).default('='),
  value: z.string().max(256),
});
export type Matcher = z.infer<typeof matcherSchema>;

export const silenceBodySchema = z
  .strictObject({
    matchers: z.array(matcherSchema).min(1, 'a silence needs at least one matcher').max(16),
    startsAt: z.int().min(0).optional(),
    /** The end as epoch milliseconds, or `duration` from the start. */
    endsAt: z.int().min(0).optional(),
    duration: duration('duration', 1000).optional(),
    comment: z.string().trim().max(1000).default(''),
  })
  .refine((s) => (s.endsAt === undefined) !== (s.duration === undefined), {
    message: 'give exactly one of endsAt and duration',
    path: ['endsAt'],
  })
  .refine((s) => s.endsAt === undefined || s.endsAt > (s.startsAt ?? 0), {
    message: 'endsAt must be after startsAt',
    path: ['endsAt'],
  });
export type SilenceBody = z.input<typeof silenceBodySchema>;
export const silenceSchema = z.object({
  id: z.string(),
  matchers: z.array(matcherSchema),
  startsAt: z.number(),
  endsAt: z.number(),
  author: z.string().nullable(),
  comment: z.string(),
  createdAt: z.number(),
  state: z.enum(['pending', 'active', 'expired']),
});
export type SilenceView = z.infer<typeof silenceSchema>;
export const silenceListSchema = z.object({ silences: z.array(silenceSchema) });

// ── preview ──────────────────────────────────────────────────────────────────────────────────────────

export const previewBodySchema = z.strictObject({
  form: z.enum(['v1', 'v2']).default('v1'),
  /** The rule as it would be posted (either form); `name` may be left out. */
  rule: z.record(z.string(), z.unknown()),
  /** How far back to look (default: 10 windows, at most 1 day). */
  lookback: duration('lookback', 1000).optional(),
});
export type PreviewBody = z.input<typeof previewBodySchema>;
export const previewSchema = z.object({
  query: z.string(),
  range: z.object({ from: z.number(), to: z.number(), sinceMs: z.number(), untilMs: z.number() }),
  scanned: z.number(),
  matched: z.number(),
  /** Tumbling windows of the rule's size, oldest first, each with its value per group. */
  windows: z.array(
    z.object({
      start: z.number(),
      groups: z.array(
        z.object({
          group: z.string().nullable(),
          value: z.number().nullable(),
          count: z.number(),
          breaches: z.boolean(),
        }),
      ),
    }),
  ),
  /** Matching sequences (the most recent few). */
  samples: z.array(z.number()),
  wouldFire: z.boolean(),
  truncated: z.boolean(),
});
export type Preview = z.infer<typeof previewSchema>;
