/**
 * `/api/alerts…`: alert states, rules and their preview, incidents and their lifecycle, channels and
 * silences. Answers are parsed with src/hub/alerts/schema.ts; bodies with a schema there are checked first.
 *
 * @module
 */
import type { z } from 'zod';
import {
  alertListSchema,
  channelBodySchema,
  channelSchema,
  channelListSchema,
  incidentDetailSchema,
  incidentListSchema,
  incidentSchema,
  previewBodySchema,
  previewSchema,
  ruleListSchema,
  ruleSchema,
  silenceBodySchema,
  silenceListSchema,
  silenceSchema,
} from '../../../src/hub/alerts/schema.ts';
import { queryString, request, type RequestOptions, segment, send } from './transport.ts';

/** `GET /api/alerts` — alerts pending, firing or recently resolved. */
export const getAlerts = (options: RequestOptions = {}) =>
  request('GET', '/api/alerts', alertListSchema, options);

/** `GET /api/alerts/rules` */
export const listAlertRules = (options: RequestOptions = {}) =>
  request('GET', '/api/alerts/rules', ruleListSchema, options);

/**
 * Creates (`POST /api/alerts/rules` or `/v2` by `form`) or replaces (`PUT /api/alerts/rules/:id`) a rule.
 * The hub validates the body and answers field-named errors.
 */
export const saveAlertRule = (
  form: 'v1' | 'v2',
  body: Record<string, unknown>,
  id: string | null,
  options: RequestOptions = {},
) =>
  id === null
    ? request('POST', form === 'v1' ? '/api/alerts/rules' : '/api/alerts/rules/v2', ruleSchema, {
        ...options,
        body,
      })
    : request('PUT', `/api/alerts/rules/${segment(id)}`, ruleSchema, { ...options, body });

/** `DELETE /api/alerts/rules/:id` */
export const deleteAlertRule = async (id: string, options: RequestOptions = {}): Promise<void> => {
  await send('DELETE', `/api/alerts/rules/${segment(id)}`, options);
};

/** `POST /api/alerts/rules/preview` — what a rule would have matched recently. */
export const previewAlertRule = (body: z.input<typeof previewBodySchema>, options: RequestOptions = {}) =>
  request('POST', '/api/alerts/rules/preview', previewSchema, {
    ...options,
    body,
    bodySchema: previewBodySchema,
  });

/** The filters of `GET /api/alerts/incidents`. */
export interface IncidentsQuery {
  state?: string | undefined;
  severity?: string | undefined;
  rule?: string | undefined;
  since?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

/** `GET /api/alerts/incidents` — newest first. */
export const listIncidents = (query: IncidentsQuery = {}, options: RequestOptions = {}) =>
  request('GET', `/api/alerts/incidents${queryString({ ...query })}`, incidentListSchema, options);

/** `GET /api/alerts/incidents/:id` — with timeline and deliveries. */
export const getIncident = (id: number, options: RequestOptions = {}) =>
  request('GET', `/api/alerts/incidents/${segment(id)}`, incidentDetailSchema, options);

/** `POST /api/alerts/incidents/:id/acknowledge` or `/resolve`. */
export const moveIncident = (
  id: number,
  to: 'acknowledge' | 'resolve',
  comment?: string,
  options: RequestOptions = {},
) =>
  request('POST', `/api/alerts/incidents/${segment(id)}/${to}`, incidentSchema, {
    ...options,
    ...(comment ? { body: { comment } } : {}),
  });

/** `POST /api/alerts/incidents/:id/notes` */
export const addIncidentNote = (id: number, text: string, options: RequestOptions = {}) =>
  request('POST', `/api/alerts/incidents/${segment(id)}/notes`, incidentDetailSchema, {
    ...options,
    body: { text },
  });

/** `POST /api/alerts/incidents/test` — a test incident through the normal path. */
export const openTestIncident = (title?: string, options: RequestOptions = {}) =>
  request('POST', '/api/alerts/incidents/test', incidentDetailSchema, {
    ...options,
    ...(title ? { body: { title } } : {}),
  });

/** `GET /api/alerts/channels` */
export const listChannels = (options: RequestOptions = {}) =>
  request('GET', '/api/alerts/channels', channelListSchema, options);

/** `POST /api/alerts/channels` */
export const createChannel = (body: z.input<typeof channelBodySchema>, options: RequestOptions = {}) =>
  request('POST', '/api/alerts/channels', channelSchema, { ...options, body, bodySchema: channelBodySchema });

/** `DELETE /api/alerts/channels/:id` */
export const deleteChannel = async (id: string, options: RequestOptions = {}): Promise<void> => {
  await send('DELETE', `/api/alerts/channels/${segment(id)}`, options);
};

/** `GET /api/alerts/silences` */
export const listSilences = (options: RequestOptions = {}) =>
  request('GET', '/api/alerts/silences', silenceListSchema, options);

/** `POST /api/alerts/silences` */
export const createSilence = (body: z.input<typeof silenceBodySchema>, options: RequestOptions = {}) =>
  request('POST', '/api/alerts/silences', silenceSchema, { ...options, body, bodySchema: silenceBodySchema });

/** `DELETE /api/alerts/silences/:id` — expires it now. */
export const expireSilence = (id: string, options: RequestOptions = {}) =>
  request('DELETE', `/api/alerts/silences/${segment(id)}`, silenceSchema, options);
