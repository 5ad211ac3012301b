/**
 * `/api/dashboards…`: dashboards, their export/import document and widget data. Answers are parsed with
 * src/hub/dashboards/schema.ts; bodies are checked against the same schemas before they are sent.
 *
 * @module
 */
import { z } from 'zod';
import {
  createDashboardBodySchema,
  type CreateDashboardBody,
  dashboardExportSchema,
  dashboardListSchema,
  dashboardSchema,
  updateDashboardBodySchema,
  type UpdateDashboardBody,
  widgetDataBodySchema,
  widgetDataSchema,
  widgetPreviewBodySchema,
  type WidgetPreviewBody,
} from '../../../src/hub/dashboards/schema.ts';
import { request, type RequestOptions, segment } from './transport.ts';

const deletedSchema = z.object({ deleted: z.literal(true), id: z.string(), name: z.string() });

/** `GET /api/dashboards` — every dashboard, by name. */
export const listDashboards = (options: RequestOptions = {}) =>
  request('GET', '/api/dashboards', dashboardListSchema, options);

/** `GET /api/dashboards/:id` — one dashboard with its widgets and version. */
export const getDashboard = (id: string, options: RequestOptions = {}) =>
  request('GET', `/api/dashboards/${segment(id)}`, dashboardSchema, options);

/** `POST /api/dashboards` — creates a dashboard. */
export const createDashboard = (body: CreateDashboardBody, options: RequestOptions = {}) =>
  request('POST', '/api/dashboards', dashboardSchema, {
    ...options,
    body,
    bodySchema: createDashboardBodySchema,
  });

/** `PUT /api/dashboards/:id` — replaces a dashboard; `version` is the one read (409 VERSION_CONFLICT if stale). */
export const updateDashboard = (id: string, body: UpdateDashboardBody, options: RequestOptions = {}) =>
  request('PUT', `/api/dashboards/${segment(id)}`, dashboardSchema, {
    ...options,
    body,
    bodySchema: updateDashboardBodySchema,
  });

/** `DELETE /api/dashboards/:id`. */
export const deleteDashboard = (id: string, options: RequestOptions = {}) =>
  request('DELETE', `/api/dashboards/${segment(id)}`, deletedSchema, options);

/** `GET /api/dashboards/:id/export` — the document `importDashboard` takes back. */
export const exportDashboard = (id: string, options: RequestOptions = {}) =>
  request('GET', `/api/dashboards/${segment(id)}/export`, dashboardExportSchema, options);

/** `POST /api/dashboards/import` — a new dashboard from an export document (parsed JSON). */
export const importDashboard = (document: unknown, options: RequestOptions = {}) =>
  request('POST', '/api/dashboards/import', dashboardSchema, {
    ...options,
    body: document,
    bodySchema: dashboardExportSchema,
  });

/** `POST /api/dashboards/:id/widgets/:widgetId/data` — what a saved widget shows over a range. */
export const getWidgetData = (
  id: string,
  widgetId: string,
  range: { since?: string; until?: string | null } = {},
  options: RequestOptions = {},
) =>
  request('POST', `/api/dashboards/${segment(id)}/widgets/${segment(widgetId)}/data`, widgetDataSchema, {
    ...options,
    body: range,
    bodySchema: widgetDataBodySchema,
  });

/** `POST /api/dashboards/preview` — what an unsaved widget would show (the editor's preview). */
export const previewWidget = (body: WidgetPreviewBody, options: RequestOptions = {}) =>
  request('POST', '/api/dashboards/preview', widgetDataSchema, {
    ...options,
    body,
    bodySchema: widgetPreviewBodySchema,
  });
