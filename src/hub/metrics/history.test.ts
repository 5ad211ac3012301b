/**
 * History: downsampling into minute and hour buckets, merging across a restart, and queries over the
 * in-memory and SQLite tiers (a real SQLite database in a temp dir).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, migrate, openDatabase } from '../db.ts';
import { autoResolution, MetricsHistory, metricsMigrations, RollupStore, type Sample } from './history.ts';
import { SERIES, type SeriesName } from './schema.ts';

let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cz-history-'));
  db = openDatabase(dir);
  migrate(db, metricsMigrations);
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** 2024-01-01T00:00:00Z: minute and hour aligned. */
const T0 = Date.UTC(2024, 0, 1);

function sample(t: number, eventsPerSec: number, streams: Record<string, number> = {}): Sample {
  const values = Object.fromEntries(SERIES.map((s) => [s, 0])) as Record<SeriesName, number>;
  values.eventsPerSec = eventsPerSec;
  values.head = t / 1000;
  return { t, values, streams };
}

const all = { series: SERIES, streams: [] as number[] };

describe('MetricsHistory', () => {
  it('rolls seconds up into minute and hour buckets: means of rates, last values of gauges', () => {
    const store = new RollupStore(db);
    const history = new MetricsHistory(store);
    // Minute 0: rate 10 for every sample; minute 1: 0..59; then one sample of minute 2 closes minute 1.
    for (let i = 0; i < 60; i++) history.record(sample(T0 + i * 1000, 10));
    for (let i = 0; i < 60; i++) history.record(sample(T0 + MINUTE + i * 1000, i));
    history.record(sample(T0 + 2 * MINUTE, 1000));
    const minutes = store.range(MINUTE, T0, T0 + HOUR);
    expect(minutes.map((b) => [b.t, b.samples])).toEqual([
      [T0, 60],
      [T0 + MINUTE, 60],
    ]);
    const result = history.query({ ...all, since: T0, until: T0 + 2 * MINUTE, resolution: '1m' });
    expect(result.points.map((p) => [p.t, p.eventsPerSec, p.head])).toEqual([
      [T0, 10, (T0 + 59_000) / 1000],
      [T0 + MINUTE, 29.5, (T0 + MINUTE + 59_000) / 1000],
      // The open minute is part of the answer before it is written.
      [T0 + 2 * MINUTE, 1000, (T0 + 2 * MINUTE) / 1000],
    ]);
    const hours = history.query({ ...all, since: T0, until: T0 + HOUR, resolution: '1h' });
    expect(hours.points).toHaveLength(1);
    expect(hours.points[0]!.eventsPerSec).toBeCloseTo((60 * 10 + (59 * 60) / 2 + 1000) / 121);
  });

  it('adds to the bucket a previous hub left when restarted within the same minute', () => {
    const first = new MetricsHistory(new RollupStore(db));
    for (let i = 0; i < 10; i++) first.record(sample(T0 + i * 1000, 6));
    first.flush();
    const second = new MetricsHistory(new RollupStore(db));
    for (let i = 20; i < 40; i++) second.record(sample(T0 + i * 1000, 3));
    second.flush();
    const [bucket] = new RollupStore(db).range(MINUTE, T0, T0);
    expect(bucket!.samples).toBe(30);
    const point = second.query({ ...all, since: T0, until: T0 + MINUTE - 1, resolution: '1m' }).points[0]!;
    expect(point.eventsPerSec).toBe((10 * 6 + 20 * 3) / 30);
    expect(point.head).toBe((T0 + 39_000) / 1000);
  });

  it('auto: seconds from memory, and the minutes before the restart from SQLite', () => {
    const before = new MetricsHistory(new RollupStore(db));
    for (let i = 0; i < 120; i++) before.record(sample(T0 + i * 1000, 5));
    before.flush();
    const after = new MetricsHistory(new RollupStore(db));
    const restart = T0 + 5 * MINUTE;
    for (let i = 0; i < 30; i++) after.record(sample(restart + i * 1000, 7));
    const result = after.query({ ...all, since: T0, until: restart + 30_000, resolution: 'auto' });
    expect(result.resolution).toBe('1s');
    expect(result.sources).toEqual([
      { resolution: '1m', from: T0, to: T0 + MINUTE, points: 2 },
      { resolution: '1s', from: restart, to: restart + 29_000, points: 30 },
    ]);
    expect(result.points.slice(0, 3).map((p) => p.eventsPerSec)).toEqual([5, 5, 7]);
    // Explicit 1s reads memory only.
    expect(after.query({ ...all, since: T0, until: restart + 30_000, resolution: '1s' }).points).toHaveLength(
      30,
    );
  });

  it('auto: hour rows for a stretch older than the minute retention, and no coarse rows where fine ones cover', () => {
    const history = new MetricsHistory(new RollupStore(db));
    for (let i = 0; i < 120; i++) history.record(sample(T0 + i * 1000, 2));
    history.flush();
    const day = 24 * HOUR;
    const old = history.query({ ...all, since: T0, until: T0 + day, now: T0 + 30 * day, resolution: 'auto' });
    expect(old.resolution).toBe('1m');
    expect(old.sources).toEqual([{ resolution: '1h', from: T0, to: T0, points: 1 }]);
    const recent = history.query({
      ...all,
      since: T0 - HOUR,
      until: T0 + day,
      now: T0 + day,
      resolution: 'auto',
    });
    expect(recent.sources).toEqual([{ resolution: '1m', from: T0, to: T0 + MINUTE, points: 2 }]);
  });

  it('returns only the series and streams asked for, a missing stream as zero', () => {
    const history = new MetricsHistory(new RollupStore(db));
    history.record(sample(T0, 4, { '1': 3, '2': 1 }));
    history.record(sample(T0 + 1000, 2, { '1': 2 }));
    const result = history.query({
      since: T0,
      until: T0 + 1000,
      resolution: '1s',
      series: ['eventsPerSec'],
      streams: [2],
    });
    expect(result.points).toEqual([
      { t: T0, eventsPerSec: 4, stream_2: 1 },
      { t: T0 + 1000, eventsPerSec: 2, stream_2: 0 },
    ]);
    const minute = history.query({ since: T0, until: T0, resolution: '1m', series: [], streams: [1, 2] });
    expect(minute.points).toEqual([{ t: T0, stream_1: 2.5, stream_2: 0.5 }]);
  });

  it('keeps the newest samples in memory when its ring is full', () => {
    const history = new MetricsHistory(new RollupStore(db), { capacity: 10 });
    for (let i = 0; i < 25; i++) history.record(sample(T0 + i * 1000, i));
    expect(history.samples().map((s) => s.values.eventsPerSec)).toEqual([
      15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
    ]);
  });

  it('prunes minute rows after 7 days and hour rows after 90 days', () => {
    const store = new RollupStore(db);
    const history = new MetricsHistory(store);
    history.record(sample(T0, 1));
    history.flush();
    const day = 24 * HOUR;
    expect(store.prune(T0 + 6 * day)).toBe(0);
    expect(store.prune(T0 + 8 * day)).toBe(1);
    expect(store.range(HOUR, T0, T0)).toHaveLength(1);
    expect(store.prune(T0 + 91 * day)).toBe(1);
    expect(store.range(HOUR, T0, T0)).toHaveLength(0);
  });

  it('auto picks seconds up to an hour, minutes up to three days, hours beyond', () => {
    expect(autoResolution(15 * MINUTE)).toBe('1s');
    expect(autoResolution(HOUR)).toBe('1s');
    expect(autoResolution(HOUR + 1)).toBe('1m');
    expect(autoResolution(72 * HOUR)).toBe('1m');
    expect(autoResolution(30 * 24 * HOUR)).toBe('1h');
  });
});
