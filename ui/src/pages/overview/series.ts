/**
 * The Overview's chart data, pure: the history seed and the live snapshots merged into one series with breaks
 * at gaps, the charts' time span, and round axis ticks.
 *
 * @module
 */
import type { HistoryResponse } from '../../api/index.ts';

export interface ThroughputPoint {
  t: number;
  /** Events journaled per second; null marks a gap. */
  events: number | null;
  /** Payload bytes journaled per second. */
  bytes: number | null;
  /** Events dropped per second (the drop rule). */
  dropped: number | null;
}

/** Consecutive samples further apart than this are drawn with a break between them. */
const GAP_MS = 5000;

/** History points older than the first live one, then the live ones; breaks inserted at gaps; trimmed to the window. */
export function mergeSeries(
  history: readonly HistoryResponse['points'][number][],
  live: readonly ThroughputPoint[],
  windowMs: number,
): ThroughputPoint[] {
  const firstLive = live.length > 0 ? live[0]!.t : Infinity;
  const seeded: ThroughputPoint[] = history
    .filter((p) => p.t < firstLive)
    .map((p) => ({
      t: p.t,
      events: p.eventsPerSec ?? null,
      bytes: p.payloadBytesPerSec ?? null,
      dropped: p.droppedPerSec ?? null,
    }));
  const all = [...seeded, ...live];
  if (all.length === 0) return all;
  const start = all[all.length - 1]!.t - windowMs;
  const out: ThroughputPoint[] = [];
  let previous: ThroughputPoint | null = null;
  for (const point of all) {
    if (point.t < start) continue;
    if (previous && point.t - previous.t > GAP_MS) {
      out.push({ t: previous.t + 1, events: null, bytes: null, dropped: null });
    }
    out.push(point);
    previous = point;
  }
  return out;
}

/** The charts never span less than this, however young the hub's history. */
const MIN_SPAN_MS = 20_000;

/**
 * Where the charts start: the window before `end`, but not before the oldest sample, so that a hub that has
 * been up for a few seconds fills the chart rather than drawing a sliver at its right edge.
 */
export function chartStart(points: { t: number }[], end: number, windowMs: number): number {
  const oldest = points.length > 0 ? points[0]!.t : end;
  return Math.min(end - MIN_SPAN_MS, Math.max(end - windowMs, oldest));
}

const TIME_STEPS = [5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 180_000, 300_000, 600_000, 900_000];

/** Round wall-clock times inside [start, end], about `count` of them. */
export function timeTicks([start, end]: [number, number], count = 5): number[] {
  const step = TIME_STEPS.find((s) => (end - start) / s <= count) ?? TIME_STEPS[TIME_STEPS.length - 1]!;
  const ticks: number[] = [];
  // A label right at the left edge would run into the value axis.
  const first = start + (end - start) * 0.06;
  for (let t = Math.ceil(first / step) * step; t <= end; t += step) ticks.push(t);
  return ticks;
}

/** 0 and round values up to `max` or just above (at least 4, or 1 KiB): steps of 1, 2, 2.5 or 5 × a power of ten (times a power of 1024 for bytes; powers of two below a KiB). */
export function valueTicks(max: number, base: 10 | 1024 = 10, count = 4): number[] {
  const top = Math.max(max, base === 1024 ? 1024 : 4);
  const rough = top / count;
  let unit = 1;
  if (base === 1024) {
    while (unit * 1024 <= rough) unit *= 1024;
  }
  let step: number;
  if (base === 1024 && unit === 1) {
    // Below a KiB, powers of two: 256 B, 512 B rather than 250 B, 500 B.
    step = 2 ** Math.ceil(Math.log2(rough));
  } else {
    const decade = 10 ** Math.floor(Math.log10(rough / unit));
    step = unit * decade * ([1, 2, 2.5, 5, 10].find((m) => unit * decade * m >= rough) ?? 10);
  }
  const ticks: number[] = [];
  for (let v = 0; v < top + step; v += step) ticks.push(v);
  return ticks;
}
