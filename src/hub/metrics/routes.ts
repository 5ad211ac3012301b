/**
 * `GET /api/metrics/history` (chart points from history.ts) and `GET /metrics` (Prometheus text from
 * prometheus.ts), both with the read scope.
 *
 * @module
 */
import { z } from 'zod';
import { HubError } from '../errors.ts';
import type { HubServices } from '../hub.ts';
import { type AnyRoute, defineRoute } from '../routes.ts';
import { VERSION } from '../version.ts';
import { type MetricsHistory, streamKey } from './history.ts';
import { CONTENT_TYPE, hubMetricFamilies, renderExposition } from './prometheus.ts';
import { type HistoryResponse, RESOLUTIONS, SERIES, type SeriesName } from './schema.ts';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
// Date.parse accepts far more than RFC 3339 (e.g. "1"); require the shape first.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/;
export const TIME_FORMS =
  'epoch milliseconds, an RFC 3339 time, `now`, or a duration ago like 30s, 15m, 2h, 7d';

/** Epoch ms of a written time (`1700000000000`, `2024-01-01T00:00:00Z`, `15m` ago, `now`), or null. */
export function parseTime(text: string, now: number): number | null {
  const s = text.trim();
  if (s === 'now') return now;
  if (/^\d+$/.test(s)) return Number.isSafeInteger(Number(s)) ? Number(s) : null;
  const relative = /^(\d+)(ms|s|m|h|d|w)$/.exec(s);
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS];
  if (RFC3339.test(s)) {
    const at = Date.parse(s);
    return Number.isNaN(at) ? null : at;
  }
  return null;
}

const timeParam = (what: string) =>
  z
    .string()
    .refine((s) => parseTime(s, 0) !== null, `${what} must be ${TIME_FORMS}`)
    .optional();

const listParam = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== ''),
  )
  .optional();

export const historyQuerySchema = z.strictObject({
  since: timeParam('since'),
  until: timeParam('until'),
  resolution: z.enum(['auto', ...RESOLUTIONS] as ['auto', '1s', '1m', '1h']).default('auto'),
  series: listParam.refine(
    (names) => names === undefined || names.every((n) => (SERIES as readonly string[]).includes(n)),
    `series must be a comma-separated list of: ${SERIES.join(', ')}`,
  ),
  stream: listParam.refine(
    (names) => names === undefined || names.length <= 32,
    'stream names at most 32 streams',
  ),
});

const DEFAULT_RANGE_MS = 15 * 60_000;

export function metricsRoutes(services: HubServices, history: MetricsHistory): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/metrics/history',
      summary:
        'Metrics over time for charts: seconds for the last hour, minutes for 7 days, hours for 90 days',
      query: historyQuerySchema,
      handler: (c, { query }) => {
        const now = services.now();
        const until = query.until === undefined ? now : parseTime(query.until, now)!;
        const since = query.since === undefined ? until - DEFAULT_RANGE_MS : parseTime(query.since, now)!;
        if (since >= until) {
          throw new HubError(
            400,
            'INVALID_REQUEST',
            `query.since (${since}) must be before query.until (${until})`,
          );
        }
        const series = (query.series ?? [...SERIES]) as SeriesName[];
        const streams = resolveStreams(services, query.stream ?? []);
        const result = history.query({
          now,
          since,
          until,
          resolution: query.resolution,
          series,
          streams: streams.map((s) => s.id),
        });
        const body: HistoryResponse = {
          since,
          until,
          resolution: result.resolution,
          requested: query.resolution,
          series,
          streams: streams.map((s) => ({ ...s, key: streamKey(s.id) })),
          sources: result.sources,
          points: result.points,
        };
        return c.json(body);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/metrics',
      summary: 'Prometheus text exposition of the journal counters, gauges, rates and the hub process',
      handler: (c) => {
        const snapshot = services.metrics.latest();
        const memory = process.memoryUsage();
        const cpu = process.cpuUsage();
        const now = services.now();
        const text = renderExposition(
          hubMetricFamilies(snapshot, {
            version: VERSION,
            nodeVersion: process.version,
            startTimeMs: services.startedAt,
            uptimeMs: now - services.startedAt,
            rssBytes: memory.rss,
            heapUsedBytes: memory.heapUsed,
            heapTotalBytes: memory.heapTotal,
            cpuSecondsTotal: (cpu.user + cpu.system) / 1e6,
          }),
        );
        return c.body(text, 200, { 'content-type': CONTENT_TYPE });
      },
    }),
  ];
}

/** Stream names or ids → ids with names; a name the journal does not know is a 400. */
function resolveStreams(services: HubServices, wanted: string[]): { id: number; name: string }[] {
  if (wanted.length === 0) return [];
  const known = services.journal.reader()?.streams() ?? [];
  const tracked = services.metrics.latest().streams ?? [];
  return wanted.map((w) => {
    if (/^\d+$/.test(w)) {
      const id = Number(w);
      if (id > 0xffff)
        throw new HubError(400, 'INVALID_REQUEST', `query.stream: stream id ${w} is above 65535`);
      const name = known.find((s) => s.id === id)?.name ?? tracked.find((s) => s.id === id)?.name;
      return { id, name: name ?? `stream-${id}` };
    }
    const found = known.find((s) => s.name === w);
    if (!found) {
      throw new HubError(400, 'INVALID_REQUEST', `query.stream: no stream named "${w}" in the journal`, {
        known: known.map((s) => s.name),
      });
    }
    return found;
  });
}
