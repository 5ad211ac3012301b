/**
 * Event endpoints: journal pages, one event, exports, and the simulate and replay jobs. Answers are parsed
 * with src/hub/events/schema.ts; job bodies are checked against the hub's schemas before sending.
 *
 * @module
 */
import {
  eventDetailSchema,
  eventsPageSchema,
  type PayloadMode,
  replayBodySchema,
  type ReplayBodyInput,
  replayJobListSchema,
  replayJobSchema,
  simulateBodySchema,
  type SimulateBodyInput,
  simulateJobListSchema,
  simulateJobSchema,
} from '../../../src/hub/events/schema.ts';
import { request, type RequestOptions, segment, send } from './transport.ts';

/** Which events: the same selection for pages, exports and replays (docs/api.md, "Selecting events"). */
export interface EventSelection {
  /** Stream names or ids. */
  stream?: string | number | readonly (string | number)[];
  /** A node id (u32). */
  node?: number;
  /** Sequence range [from, to). */
  from?: number;
  to?: number;
  /** Clock-time range: epoch ms, RFC 3339, or a duration ago (`30s`, `5m`, `2h`, `1d`, `now`). */
  since?: number | string;
  until?: number | string;
}

export interface EventsQuery extends EventSelection {
  /** Default `desc` (newest first). */
  order?: 'asc' | 'desc';
  /** 1..1000, default 100. */
  limit?: number;
  /** `nextCursor` of the previous page, with the same selection and order. */
  cursor?: string;
  /** Default `none`. */
  payload?: PayloadMode;
  /** 0..65536, default 256. */
  maxPayloadBytes?: number;
}

/** `GET /api/events` — a page of events; follow `nextCursor` until it is null. */
export const listEvents = (query: EventsQuery = {}, options: RequestOptions = {}) =>
  request('GET', '/api/events', eventsPageSchema, { ...options, query: { ...query } });

/** `GET /api/events/:slot` — one event by sequence number, payload in every representation, checksum verified. */
export const getEvent = (
  seq: number,
  query: { maxPayloadBytes?: number } = {},
  options: RequestOptions = {},
) => request('GET', `/api/events/${segment(seq)}`, eventDetailSchema, { ...options, query });

export interface ExportQuery extends EventSelection {
  format?: 'ndjson' | 'csv';
  /** 1..1000000, default 10000. */
  limit?: number;
  /** Default `auto`; `base64` or `hex` for exact bytes. */
  payload?: PayloadMode;
}

export interface ExportFile {
  blob: Blob;
  /** From Content-Disposition: `lacrimosa-events-<from>-<to>.<ext>`. */
  filename: string;
  /** The resolved sequence range. */
  from: number | null;
  to: number | null;
}

/**
 * `GET /api/export` — the selected events as NDJSON or CSV. Fetched (the key travels in a header, never in
 * a URL) and returned as a Blob for the page to offer as a download.
 */
export async function exportEvents(
  query: ExportQuery = {},
  options: RequestOptions = {},
): Promise<ExportFile> {
  const response = await send('GET', '/api/export', { timeoutMs: 120_000, ...options, query: { ...query } });
  const disposition = response.headers.get('content-disposition') ?? '';
  const filename =
    /filename="([^"]+)"/.exec(disposition)?.[1] ?? `lacrimosa-events.${query.format ?? 'ndjson'}`;
  const number = (name: string) => {
    const value = response.headers.get(name);
    return value === null ? null : Number(value);
  };
  return { blob: await response.blob(), filename, from: number('x-export-from'), to: number('x-export-to') };
}

/** `POST /api/simulate` — starts a job submitting synthetic events (202; poll `getSimulation`). */
export const startSimulation = (body: SimulateBodyInput, options: RequestOptions = {}) =>
  request('POST', '/api/simulate', simulateJobSchema, { ...options, body, bodySchema: simulateBodySchema });

/** `GET /api/simulate` — running and recent jobs, newest first. */
export const listSimulations = (options: RequestOptions = {}) =>
  request('GET', '/api/simulate', simulateJobListSchema, options);

/** `GET /api/simulate/:id`. */
export const getSimulation = (id: string, options: RequestOptions = {}) =>
  request('GET', `/api/simulate/${segment(id)}`, simulateJobSchema, options);

/** `DELETE /api/simulate/:id` — stops the job (a finished one is returned unchanged). */
export const stopSimulation = (id: string, options: RequestOptions = {}) =>
  request('DELETE', `/api/simulate/${segment(id)}`, simulateJobSchema, options);

/** `POST /api/replay` — re-emits a journal range to a UDP target or into a stream (202; poll `getReplay`). */
export const startReplay = (body: ReplayBodyInput, options: RequestOptions = {}) =>
  request('POST', '/api/replay', replayJobSchema, { ...options, body, bodySchema: replayBodySchema });

/** `GET /api/replay` — running and recent jobs, newest first. */
export const listReplays = (options: RequestOptions = {}) =>
  request('GET', '/api/replay', replayJobListSchema, options);

/** `GET /api/replay/:id`. */
export const getReplay = (id: string, options: RequestOptions = {}) =>
  request('GET', `/api/replay/${segment(id)}`, replayJobSchema, options);

/** `DELETE /api/replay/:id` — stops the job. */
export const stopReplay = (id: string, options: RequestOptions = {}) =>
  request('DELETE', `/api/replay/${segment(id)}`, replayJobSchema, options);
