/**
 * The dashboard endpoints: list, create, read, replace (with the version read, else 409), delete, export and
 * import of the same document, and the data of a widget — saved (`…/widgets/:widgetId/data`) or still being
 * edited (`/api/dashboards/preview`). Both data routes are POSTs that only read (`readOnly`).
 *
 * @module
 */
import { z } from 'zod';
import type { HubServices } from '../hub.ts';
import { notFound } from '../errors.ts';
import type { MetricsHistory } from '../metrics/history.ts';
import { type AnyRoute, defineRoute } from '../routes.ts';
import {
  createDashboardBodySchema,
  type Dashboard,
  type DashboardExport,
  dashboardExportSchema,
  EXPORT_FORMAT,
  EXPORT_FORMAT_VERSION,
  updateDashboardBodySchema,
  widgetDataBodySchema,
  widgetIdSchema,
  widgetPreviewBodySchema,
  type Widget,
} from './schema.ts';
import type { DashboardContent, DashboardStore } from './store.ts';
import { checkWidget, checkWidgets, resolveRange, widgetData } from './widget-data.ts';

const idParams = z.strictObject({ id: z.string().min(1).max(100) });
const widgetParams = z.strictObject({ id: z.string().min(1).max(100), widgetId: widgetIdSchema });

type ContentInput = z.output<typeof createDashboardBodySchema>;

/** Checks the queries (errors name `<prefix>.N.query`) and gives every widget an id. */
function contentOf(input: ContentInput, prefix: string): DashboardContent {
  checkWidgets(input.widgets, prefix);
  const taken = new Set(input.widgets.flatMap((w) => (w.id === undefined ? [] : [w.id])));
  let next = 1;
  const widgets = input.widgets.map((w): Widget => {
    if (w.id !== undefined) return w as Widget;
    while (taken.has(`w${next}`)) next++;
    taken.add(`w${next}`);
    return { ...w, id: `w${next}` };
  });
  return {
    name: input.name,
    description: input.description,
    timeRange: input.timeRange,
    refreshSec: input.refreshSec,
    widgets,
  };
}

/** The export document of a dashboard: everything but its id, version and times. */
export function exportOf(d: Dashboard): DashboardExport {
  return {
    format: EXPORT_FORMAT,
    formatVersion: EXPORT_FORMAT_VERSION,
    dashboard: {
      name: d.name,
      description: d.description,
      timeRange: d.timeRange,
      refreshSec: d.refreshSec as DashboardExport['dashboard']['refreshSec'],
      widgets: d.widgets,
    },
  };
}

const fileName = (name: string): string =>
  `${name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '') || 'dashboard'}.dashboard.json`;

export function dashboardRoutes(
  services: HubServices,
  store: DashboardStore,
  history: MetricsHistory,
): AnyRoute[] {
  const dataOptions = (signal: AbortSignal) => ({
    journal: services.journal,
    history,
    now: services.now(),
    signal,
  });
  return [
    defineRoute({
      method: 'GET',
      path: '/api/dashboards',
      summary: 'Every dashboard, by name',
      handler: (c) => c.json({ dashboards: store.list() }),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/dashboards',
      summary: 'Create a dashboard (widgets optional; their queries are checked)',
      body: createDashboardBodySchema,
      audit: { action: 'dashboard.create' },
      handler: (c, { body }) => {
        const created = store.create(contentOf(body, 'body.widgets'));
        c.set('auditTarget', created.id);
        return c.json(created, 201);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/dashboards/import',
      summary: 'Create a dashboard from the document GET /api/dashboards/:id/export answers',
      body: dashboardExportSchema,
      audit: { action: 'dashboard.import' },
      handler: (c, { body }) => {
        const created = store.create(contentOf(body.dashboard, 'body.dashboard.widgets'));
        c.set('auditTarget', created.id);
        return c.json(created, 201);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/dashboards/preview',
      summary: 'The data an unsaved widget would show (the editor’s preview)',
      readOnly: true,
      body: widgetPreviewBodySchema,
      handler: async (c, { body }) => {
        checkWidget(body.widget, 'body.widget');
        const options = dataOptions(c.req.raw.signal);
        const range = resolveRange(body.since, body.until, options.now);
        const widget = { ...body.widget, id: body.widget.id ?? 'preview' };
        return c.json(await widgetData(widget, range, options));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/dashboards/:id',
      summary: 'One dashboard with its widgets and version',
      params: idParams,
      handler: (c, { params }) => c.json(store.get(params.id)),
    }),
    defineRoute({
      method: 'PUT',
      path: '/api/dashboards/:id',
      summary: 'Replace a dashboard; `version` must be the one read (409 VERSION_CONFLICT otherwise)',
      params: idParams,
      body: updateDashboardBodySchema,
      audit: { action: 'dashboard.update' },
      handler: (c, { params, body }) =>
        c.json(store.update(params.id, body.version, contentOf(body, 'body.widgets'))),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/api/dashboards/:id',
      summary: 'Delete a dashboard',
      params: idParams,
      audit: { action: 'dashboard.delete' },
      handler: (c, { params }) => {
        const deleted = store.delete(params.id);
        return c.json({ deleted: true, id: deleted.id, name: deleted.name });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/dashboards/:id/export',
      summary: 'A dashboard as a JSON document that POST /api/dashboards/import takes back',
      params: idParams,
      handler: (c, { params }) => {
        const dashboard = store.get(params.id);
        c.header('content-disposition', `attachment; filename="${fileName(dashboard.name)}"`);
        return c.json(exportOf(dashboard));
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/dashboards/:id/widgets/:widgetId/data',
      summary: 'The data one widget shows, over the dashboard’s time range or the one given',
      readOnly: true,
      params: widgetParams,
      body: widgetDataBodySchema,
      handler: async (c, { params, body }) => {
        const dashboard = store.get(params.id);
        const widget = dashboard.widgets.find((w) => w.id === params.widgetId);
        if (!widget) throw notFound(`widget ${params.widgetId} of dashboard ${params.id}`);
        const options = dataOptions(c.req.raw.signal);
        const since = body.since ?? dashboard.timeRange.since;
        const until = body.until === undefined ? dashboard.timeRange.until : body.until;
        const range = resolveRange(since, until, options.now);
        return c.json(await widgetData(widget, range, options));
      },
    }),
  ];
}
