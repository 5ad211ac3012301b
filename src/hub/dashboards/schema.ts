/**
 * Wire shapes of the dashboards feature, shared by the hub, the UI and verify_dashboards.sh: a dashboard
 * (name, time range, refresh interval, widgets on a 12-column grid), its export document (what
 * `GET /api/dashboards/:id/export` answers and `POST /api/dashboards/import` takes, so the two round-trip), and
 * the data a widget shows. Imports only zod, other schema modules and the pure time helpers.
 *
 * @module
 */
import { z } from 'zod';
import { parseTimeBound, TIME_HINT } from '../events/time.ts';
import { SERIES, seriesNameSchema } from '../metrics/schema.ts';

export const GRID_COLUMNS = 12;
export const MAX_GRID_ROWS = 1000;
export const MAX_WIDGET_HEIGHT = 48;
export const MAX_WIDGETS = 50;
export const WIDGET_QUERY_MAX_LENGTH = 10_000;
/** Rows a table widget shows at most, and log lines a log widget keeps (the newest). */
export const TABLE_MAX_ROWS = 500;
export const LOG_MAX_LINES = 200;
/** Series a grouped time series draws at most (the largest groups); the rest are summed into "other". */
export const TIMESERIES_MAX_SERIES = 10;
/** Points a time series aims at when its query names no `BY` bucket. */
export const TIMESERIES_TARGET_POINTS = 60;

export const WIDGET_TYPES = ['timeseries', 'value', 'table', 'log'] as const;
/** How a timeseries widget with a `value` field folds the values of one bucket (and series) into a point. */
export const VALUE_AGGREGATIONS = ['avg', 'sum', 'min', 'max', 'last'] as const;
export type ValueAggregation = (typeof VALUE_AGGREGATIONS)[number];
export const WIDGET_VALUE_MAX_LENGTH = 200;
export type WidgetType = (typeof WIDGET_TYPES)[number];
/** Widget types that may show a metric of the hub's own history instead of a query. */
export const METRIC_WIDGET_TYPES: readonly WidgetType[] = ['timeseries', 'value'];
export const REFRESH_CHOICES = [5, 10, 30, 60, 300] as const;
export const EXPORT_FORMAT = 'lacrimosa.dashboard';
export const EXPORT_FORMAT_VERSION = 1;

/** A time as users write it: `15m`, `now`, epoch milliseconds or RFC 3339 (see events/time.ts). */
export const timeTextSchema = z
  .string()
  .max(64)
  .refine((s) => parseTimeBound(s) !== null, `expected ${TIME_HINT}, or now`);

export const timeRangeSchema = z.strictObject({
  /** Start of the range: relative (`1h`) or absolute. */
  since: timeTextSchema,
  /** End of the range; null means now. */
  until: timeTextSchema.nullable().default(null),
});
export type TimeRange = z.infer<typeof timeRangeSchema>;

const gridInt = (what: string) => z.int(`${what} must be an integer`);

export const widgetLayoutSchema = z
  .strictObject({
    x: gridInt('x')
      .min(0, 'x must be 0 or more')
      .max(GRID_COLUMNS - 1, `x must be below ${GRID_COLUMNS}`),
    y: gridInt('y').min(0, 'y must be 0 or more').max(MAX_GRID_ROWS, `y must be at most ${MAX_GRID_ROWS}`),
    w: gridInt('w').min(1, 'w must be at least 1').max(GRID_COLUMNS, `w must be at most ${GRID_COLUMNS}`),
    h: gridInt('h')
      .min(1, 'h must be at least 1')
      .max(MAX_WIDGET_HEIGHT, `h must be at most ${MAX_WIDGET_HEIGHT}`),
  })
  .refine((l) => l.x + l.w <= GRID_COLUMNS, {
    message: `x + w must fit in the ${GRID_COLUMNS}-column grid`,
    path: ['w'],
  });
export type WidgetLayout = z.infer<typeof widgetLayoutSchema>;

export const widgetIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a widget id is 1 to 64 letters, digits, _ or -');

/**
 * A widget: what it shows (`type`), where (`layout`), and its source — a `query` of the query language
 * (docs/query.md) or a `metric` of the hub's history (only for timeseries and value widgets). The query text
 * is checked by the hub's parser when the dashboard is saved.
 */
export const widgetSchema = z
  .strictObject({
    /** Given by the hub when left out; unique within a dashboard. */
    id: widgetIdSchema.optional(),
    type: z.enum(WIDGET_TYPES),
    title: z.string().max(100, 'title is longer than 100 characters').default(''),
    query: z
      .string()
      .min(1, 'query is empty')
      .max(WIDGET_QUERY_MAX_LENGTH, `query is longer than ${WIDGET_QUERY_MAX_LENGTH} characters`)
      .optional(),
    metric: seriesNameSchema.optional(),
    /**
     * A timeseries widget plots this field of the matching events (a field as the query language writes it,
     * like `value` or `latency.ms`), folded per bucket by `agg`, instead of counting them.
     */
    value: z
      .string()
      .trim()
      .min(1, 'value is empty: name a field, like latency.ms')
      .max(WIDGET_VALUE_MAX_LENGTH, `value is longer than ${WIDGET_VALUE_MAX_LENGTH} characters`)
      .optional(),
    /** Default avg. */
    agg: z.enum(VALUE_AGGREGATIONS, `agg must be one of ${VALUE_AGGREGATIONS.join(', ')}`).optional(),
    layout: widgetLayoutSchema,
  })
  .superRefine((w, ctx) => {
    if (w.value !== undefined && (w.type !== 'timeseries' || w.query === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: 'value plots a field of the query’s events: only a timeseries widget with a query has one',
      });
    if (w.agg !== undefined && w.value === undefined)
      ctx.addIssue({ code: 'custom', path: ['agg'], message: 'agg folds a value field: give value too' });
    if (w.query !== undefined && w.metric !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['metric'],
        message: 'give either a query or a metric, not both',
      });
    } else if (w.query === undefined && w.metric === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['query'],
        message: `a widget needs a query (or a metric: ${SERIES.join(', ')})`,
      });
    } else if (w.metric !== undefined && !METRIC_WIDGET_TYPES.includes(w.type)) {
      ctx.addIssue({
        code: 'custom',
        path: ['metric'],
        message: `a ${w.type} widget shows a query; metrics go in ${METRIC_WIDGET_TYPES.join(' or ')} widgets`,
      });
    }
  });
export type WidgetInput = z.input<typeof widgetSchema>;
export type Widget = z.infer<typeof widgetSchema> & { id: string };

const widgetListSchema = z
  .array(widgetSchema)
  .max(MAX_WIDGETS, `a dashboard holds at most ${MAX_WIDGETS} widgets`)
  .default([])
  .superRefine((widgets, ctx) => {
    const seen = new Set<string>();
    widgets.forEach((w, i) => {
      if (w.id === undefined) return;
      if (seen.has(w.id))
        ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `widget id "${w.id}" is used twice` });
      seen.add(w.id);
    });
  });

/** The editable part of a dashboard: what POST creates, PUT replaces, and an export carries. */
const dashboardFields = {
  name: z.string().trim().min(1, 'name is empty').max(100, 'name is longer than 100 characters'),
  description: z.string().max(1000, 'description is longer than 1000 characters').default(''),
  timeRange: timeRangeSchema.default({ since: '1h', until: null }),
  /** Seconds between refreshes in the UI; null: no auto-refresh. */
  refreshSec: z
    .literal(REFRESH_CHOICES, `refreshSec must be one of ${REFRESH_CHOICES.join(', ')} or null`)
    .nullable()
    .default(null),
  widgets: widgetListSchema,
};

export const createDashboardBodySchema = z.strictObject(dashboardFields);
export type CreateDashboardBody = z.input<typeof createDashboardBodySchema>;

/** PUT replaces the whole dashboard; `version` is the one read, so a stale editor gets 409 instead of winning. */
export const updateDashboardBodySchema = z.strictObject({
  ...dashboardFields,
  version: z.int('version must be an integer').min(1),
});
export type UpdateDashboardBody = z.input<typeof updateDashboardBodySchema>;

const storedWidgetSchema = z.object({
  id: widgetIdSchema,
  type: z.enum(WIDGET_TYPES),
  title: z.string(),
  query: z.string().optional(),
  metric: seriesNameSchema.optional(),
  value: z.string().optional(),
  agg: z.enum(VALUE_AGGREGATIONS).optional(),
  layout: z.object({ x: z.number(), y: z.number(), w: z.number(), h: z.number() }),
});

export const dashboardSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  timeRange: z.object({ since: z.string(), until: z.string().nullable() }),
  refreshSec: z.number().nullable(),
  widgets: z.array(storedWidgetSchema),
  version: z.number(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Dashboard = z.infer<typeof dashboardSchema>;
export type DashboardWidget = Dashboard['widgets'][number];

export const dashboardSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  widgetCount: z.number(),
  version: z.number(),
  updatedAt: z.number(),
});
export const dashboardListSchema = z.object({ dashboards: z.array(dashboardSummarySchema) });
export type DashboardList = z.infer<typeof dashboardListSchema>;

/** The export document: a dashboard without its identity, tagged so an import can tell what it was given. */
export const dashboardExportSchema = z.strictObject({
  format: z.literal(EXPORT_FORMAT, `format must be "${EXPORT_FORMAT}"`),
  formatVersion: z.literal(EXPORT_FORMAT_VERSION, `formatVersion must be ${EXPORT_FORMAT_VERSION}`),
  dashboard: createDashboardBodySchema,
});
export type DashboardExport = z.infer<typeof dashboardExportSchema>;

/** `POST …/widgets/:widgetId/data`: the range to show, overriding the dashboard's own. */
export const widgetDataBodySchema = z
  .strictObject({ since: timeTextSchema.optional(), until: timeTextSchema.nullable().optional() })
  .optional()
  .transform((b) => b ?? {});
export type WidgetDataBody = z.input<typeof widgetDataBodySchema>;

/** `POST /api/dashboards/preview`: the data of a widget not saved yet (the editor's preview). */
export const widgetPreviewBodySchema = z.strictObject({
  widget: widgetSchema,
  since: timeTextSchema.default('1h'),
  until: timeTextSchema.nullable().default(null),
});
export type WidgetPreviewBody = z.input<typeof widgetPreviewBodySchema>;

const dataStatsSchema = z.object({ scanned: z.number(), matched: z.number(), elapsedMs: z.number() });

/**
 * A chart point: `t` (epoch ms, the bucket start) and one number per series key. A value series leaves out the
 * buckets where it had no event (a gap, not a zero).
 */
export const widgetPointSchema = z.object({ t: z.number() }).catchall(z.number());

const dataCommon = {
  widgetId: z.string(),
  /** The range shown, resolved to epoch milliseconds. */
  range: z.object({ since: z.number(), until: z.number() }),
  /** Scan figures of a query widget; null for a metric. */
  stats: dataStatsSchema.nullable(),
};

export const widgetDataSchema = z.discriminatedUnion('type', [
  z.object({
    ...dataCommon,
    type: z.literal('timeseries'),
    /** Width of a point in milliseconds. */
    stepMs: z.number(),
    series: z.array(z.object({ key: z.string(), label: z.string() })),
    points: z.array(widgetPointSchema),
  }),
  z.object({
    ...dataCommon,
    type: z.literal('value'),
    value: z.number().nullable(),
    label: z.string(),
  }),
  z.object({
    ...dataCommon,
    type: z.literal('table'),
    columns: z.array(z.string()),
    rows: z.array(z.array(z.unknown())),
    truncated: z.boolean(),
  }),
  z.object({
    ...dataCommon,
    type: z.literal('log'),
    columns: z.array(z.string()),
    /** Newest first. */
    rows: z.array(z.array(z.unknown())),
    truncated: z.boolean(),
  }),
]);
export type WidgetData = z.infer<typeof widgetDataSchema>;
