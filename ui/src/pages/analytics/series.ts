/**
 * The Analytics page's arithmetic on metrics history: the windows it offers, bucketing points for drawing,
 * totals over a window (rate × bucket length), the split into top streams and "other", payload-size bucket
 * labels and time-axis ticks. Pure functions.
 *
 * @module
 */
import type { HistoryResponse } from '../../api/index.ts';
import { formatBytes, formatTime } from '../../lib/format.ts';

export type WindowId = '5m' | '1h' | '24h' | '7d';

export interface WindowSpec {
  id: WindowId;
  label: string;
  ms: number;
  /** The history tier asked for. */
  resolution: '1s' | '1m' | '1h';
  /** Points are averaged into buckets this long for drawing. */
  bucketMs: number;
  /** How often the history is re-read. */
  refreshMs: number;
}

export const WINDOWS: readonly WindowSpec[] = [
  { id: '5m', label: '5 min', ms: 300_000, resolution: '1s', bucketMs: 1_000, refreshMs: 2_000 },
  { id: '1h', label: '1 hour', ms: 3_600_000, resolution: '1s', bucketMs: 15_000, refreshMs: 10_000 },
  { id: '24h', label: '24 hours', ms: 86_400_000, resolution: '1m', bucketMs: 300_000, refreshMs: 60_000 },
  { id: '7d', label: '7 days', ms: 604_800_000, resolution: '1h', bucketMs: 3_600_000, refreshMs: 300_000 },
];

export const windowOf = (id: string | null): WindowSpec => WINDOWS.find((w) => w.id === id) ?? WINDOWS[0]!;

const RESOLUTION_MS = { '1s': 1_000, '1m': 60_000, '1h': 3_600_000 } as const;

export type Point = { t: number } & Record<string, number>;

/**
 * Averages points into buckets of `bucketMs` (a bucket's `t` is its start). Keys missing from a point are not
 * counted as zero; a bucket without points is absent, so charts show the gap.
 */
export function bucketPoints(points: readonly Point[], bucketMs: number): Point[] {
  if (bucketMs <= 1) return points.map((p) => ({ ...p }));
  const buckets = new Map<number, { sums: Record<string, number>; counts: Record<string, number> }>();
  for (const point of points) {
    const start = Math.floor(point.t / bucketMs) * bucketMs;
    let bucket = buckets.get(start);
    if (!bucket) buckets.set(start, (bucket = { sums: {}, counts: {} }));
    for (const [key, value] of Object.entries(point)) {
      if (key === 't' || !Number.isFinite(value)) continue;
      bucket.sums[key] = (bucket.sums[key] ?? 0) + value;
      bucket.counts[key] = (bucket.counts[key] ?? 0) + 1;
    }
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([t, { sums, counts }]) => {
      const point: Point = { t } as Point;
      for (const key of Object.keys(sums)) point[key] = sums[key]! / counts[key]!;
      return point;
    });
}

/** Σ rate × the tier's bucket length: how many events (or bytes) a rate series adds up to. */
export function totalOf(history: HistoryResponse, key: string): number {
  const seconds = RESOLUTION_MS[history.resolution] / 1000;
  let total = 0;
  for (const point of history.points) {
    const value = point[key];
    if (value !== undefined && Number.isFinite(value)) total += value * seconds;
  }
  return total;
}

/** The largest value of a series, or 0. */
export const peakOf = (history: HistoryResponse, key: string): number =>
  history.points.reduce((max, p) => Math.max(max, p[key] ?? 0), 0);

/** Mean rate over the part of the window the hub has samples for. */
export function averageOf(history: HistoryResponse, key: string): number {
  const values = history.points.map((p) => p[key]).filter((v): v is number => v !== undefined);
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

export interface StreamSeries {
  key: string;
  label: string;
}

/**
 * Keeps the `limit` streams with the most events in the window as their own series and folds the rest (and
 * events of streams the history does not list) into `other` = total − shown, never below zero.
 */
export function splitStreams(
  history: HistoryResponse,
  limit: number,
): { series: StreamSeries[]; points: Point[]; hasOther: boolean } {
  const ranked = history.streams
    .map((s) => ({ key: s.key, label: s.name, total: totalOf(history, s.key) }))
    .filter((s) => s.total > 0)
    .sort((a, b) => b.total - a.total);
  const shown = ranked.slice(0, limit);
  let hasOther = false;
  const points = history.points.map((p) => {
    const point: Point = { t: p.t } as Point;
    let sum = 0;
    for (const s of shown) {
      const value = p[s.key] ?? 0;
      point[s.key] = value;
      sum += value;
    }
    const total = p.eventsPerSec;
    if (total !== undefined) {
      const other = Math.max(0, total - sum);
      point.other = other;
      // Rounding noise in the per-stream means is not "other traffic".
      if (other > Math.max(0.05, total * 0.01)) hasOther = true;
    }
    return point;
  });
  return { series: shown.map(({ key, label }) => ({ key, label })), points, hasOther };
}

/**
 * Labels of the payload-size histogram's buckets (`bounds` are inclusive upper bounds; one more, +Inf): a short
 * one for the axis (`≤64 B`) and the range for tooltips (`17 B – 64 B`).
 */
export function sizeBucketLabels(bounds: readonly number[]): { short: string; range: string }[] {
  const labels: { short: string; range: string }[] = [];
  let low = -1;
  for (const bound of bounds) {
    if (bound === 0) labels.push({ short: '0 B', range: 'empty payloads' });
    else
      labels.push({
        short: `≤${formatBytes(bound)}`,
        range: `${formatBytes(low + 1)} – ${formatBytes(bound)}`,
      });
    low = bound;
  }
  labels.push({ short: `>${formatBytes(low)}`, range: `more than ${formatBytes(low)}` });
  return labels;
}

const TICK_STEPS = [
  10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000,
  10_800_000, 21_600_000, 43_200_000, 86_400_000,
];

/** About `count` round wall-clock times within [start, end] (local midnight-aligned for day steps). */
export function timeTicks(start: number, end: number, count = 6): number[] {
  const step = TICK_STEPS.find((s) => (end - start) / s <= count) ?? TICK_STEPS[TICK_STEPS.length - 1]!;
  const offset = step >= 3_600_000 ? new Date(start).getTimezoneOffset() * 60_000 : 0;
  const ticks: number[] = [];
  for (let t = Math.ceil((start - offset) / step) * step + offset; t <= end; t += step) ticks.push(t);
  return ticks;
}

/** A tick's text: seconds for short windows, hours and minutes for a day, the date for a week. */
export function tickLabel(t: number, windowMs: number): string {
  const text = formatTime(t);
  if (windowMs <= 600_000) return text.slice(11, 19);
  if (windowMs <= 86_400_000) return text.slice(11, 16);
  return `${text.slice(5, 10)} ${text.slice(11, 16)}`;
}
