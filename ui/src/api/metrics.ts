/**
 * Metrics history for charts and the Prometheus exposition. Answers are parsed with
 * src/hub/metrics/schema.ts. Live numbers come over `/ws` instead (`useMetrics`).
 *
 * @module
 */
import { historyResponseSchema, type Resolution, type SeriesName } from '../../../src/hub/metrics/schema.ts';
import { type RequestOptions, request, send } from './transport.ts';

export interface HistoryQuery {
  /** Epoch ms, RFC 3339, `now`, or a duration ago (`15m`); default 15 minutes before `until`. */
  since?: number | string;
  until?: number | string;
  /** Default `auto`: the finest tier that covers the range. */
  resolution?: 'auto' | Resolution;
  /** Default all. */
  series?: readonly SeriesName[];
  /** Per-stream event rates for these stream names (at most 32). */
  stream?: readonly string[];
}

/** `GET /api/metrics/history` — points for charts: seconds for the last hour, minutes for 7 days, hours for 90. */
export const getMetricsHistory = (query: HistoryQuery = {}, options: RequestOptions = {}) =>
  request('GET', '/api/metrics/history', historyResponseSchema, { ...options, query: { ...query } });

/** `GET /metrics` — the Prometheus text exposition, as text. */
export async function getPrometheusText(options: RequestOptions = {}): Promise<string> {
  const response = await send('GET', '/metrics', options);
  return response.text();
}
