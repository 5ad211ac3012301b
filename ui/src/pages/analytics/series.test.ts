import { describe, expect, it } from 'vitest';
import type { HistoryResponse } from '../../api/index.ts';
import {
  averageOf,
  bucketPoints,
  peakOf,
  type Point,
  sizeBucketLabels,
  splitStreams,
  timeTicks,
  totalOf,
  windowOf,
} from './series.ts';

const history = (points: Record<string, number>[], resolution: '1s' | '1m' = '1s'): HistoryResponse => ({
  since: 0,
  until: 10_000,
  resolution,
  requested: resolution,
  series: ['eventsPerSec'],
  streams: [
    { id: 0, name: 'default', key: 'stream_0' },
    { id: 1, name: 'orders', key: 'stream_1' },
    { id: 2, name: 'quiet', key: 'stream_2' },
  ],
  sources: [],
  points: points as Point[],
});

describe('analytics series', () => {
  it('picks the window from the URL, 5 minutes by default', () => {
    expect(windowOf('24h').resolution).toBe('1m');
    expect(windowOf('nonsense').id).toBe('5m');
    expect(windowOf(null).id).toBe('5m');
  });

  it('averages points into buckets and leaves empty buckets out', () => {
    const points = [
      { t: 0, a: 2 },
      { t: 500, a: 4 },
      { t: 2_100, a: 10, b: 1 },
    ] as Point[];
    expect(bucketPoints(points, 1000)).toEqual([
      { t: 0, a: 3 },
      { t: 2000, a: 10, b: 1 },
    ]);
  });

  it('adds rates up to totals by the tier length, with peak and mean', () => {
    const h = history(
      [
        { t: 0, eventsPerSec: 2 },
        { t: 60_000, eventsPerSec: 4 },
      ],
      '1m',
    );
    expect(totalOf(h, 'eventsPerSec')).toBe(360);
    expect(peakOf(h, 'eventsPerSec')).toBe(4);
    expect(averageOf(h, 'eventsPerSec')).toBe(3);
  });

  it('keeps the busiest streams and folds the rest into "other"', () => {
    const h = history([
      { t: 0, eventsPerSec: 10, stream_0: 6, stream_1: 3, stream_2: 0 },
      { t: 1000, eventsPerSec: 8, stream_0: 4, stream_1: 4 },
    ]);
    const split = splitStreams(h, 1);
    expect(split.series).toEqual([{ key: 'stream_0', label: 'default' }]);
    expect(split.points).toEqual([
      { t: 0, stream_0: 6, other: 4 },
      { t: 1000, stream_0: 4, other: 4 },
    ]);
    expect(split.hasOther).toBe(true);
    expect(splitStreams(h, 5).series.map((s) => s.label)).toEqual(['default', 'orders']);
    expect(splitStreams(h, 5).hasOther).toBe(true);
  });

  it('labels payload-size buckets', () => {
    const labels = sizeBucketLabels([0, 16, 64, 1024]);
    expect(labels.map((l) => l.short)).toEqual(['0 B', '≤16 B', '≤64 B', '≤1 KiB', '>1 KiB']);
    expect(labels[2]!.range).toBe('17 B – 64 B');
  });

  it('places time ticks on round times', () => {
    expect(timeTicks(5_000, 65_000, 6)).toEqual([10_000, 20_000, 30_000, 40_000, 50_000, 60_000]);
  });
});
