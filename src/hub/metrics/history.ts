/**
 * Metrics history: every sample of the last hour in memory at full resolution (a ring buffer), and rolled up
 * into SQLite — 1-minute buckets kept 7 days, 1-hour buckets kept 90 days — so charts survive a hub restart.
 *
 * A bucket stores the *sums* of its samples' values and the sample count (plus the last value of gauges such
 * as head, where a mean means nothing), so merging is addition: the open minute is added to its minute row and
 * to its hour row when the minute ends, and a hub restarted within a minute adds to the row its predecessor
 * left. Values are stored as JSON objects keyed by series name, so adding a series needs no migration.
 *
 * Per-stream event rates are kept for at most `MAX_STREAMS_PER_POINT` streams per sample and per bucket (the
 * busiest); a stream missing from a point had a rate of zero or was not among them.
 *
 * @module
 */
import type { Db, Migration } from '../db.ts';
import type { MetricsSnapshot } from './sampler.ts';
// Series and resolution names are part of the API: they live in schema.ts, which the UI imports too.
import { RESOLUTIONS, type Resolution, type SeriesName } from './schema.ts';

/** Gauges whose bucket value is the last sample's, not the mean. */
const LAST_VALUE_SERIES: ReadonlySet<string> = new Set<SeriesName>(['head', 'tail']);

export const RESOLUTION_MS: Record<Resolution, number> = { '1s': 1000, '1m': 60_000, '1h': 3_600_000 };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How long each tier keeps its points. */
export const RETENTION_MS: Record<Resolution, number> = { '1s': HOUR, '1m': 7 * DAY, '1h': 90 * DAY };
export const MAX_STREAMS_PER_POINT = 64;

export const metricsMigrations: Migration[] = [
  {
    id: 'metrics-001',
    sql: `CREATE TABLE metrics_rollups (
      resolution_ms INTEGER NOT NULL,
      t INTEGER NOT NULL,
      samples INTEGER NOT NULL,
      sums TEXT NOT NULL,
      last TEXT NOT NULL,
      streams TEXT NOT NULL,
      PRIMARY KEY (resolution_ms, t)
    ) WITHOUT ROWID`,
  },
];

/** One sample as history keeps it. */
export type Sample = {
  t: number;
  values: Record<SeriesName, number>;
  /** Stream id → events per second, the busiest `MAX_STREAMS_PER_POINT` with a non-zero rate. */
  streams: Record<string, number>;
};

/** Sums over `samples` samples starting at `t`. */
export type Bucket = {
  t: number;
  samples: number;
  sums: Record<string, number>;
  last: Record<string, number>;
  streams: Record<string, number>;
};

/** A chart point: `t` and one number per series, and `stream_<id>` per requested stream. */
export type HistoryPoint = { t: number } & Record<string, number>;

export const streamKey = (id: number): string => `stream_${id}`;

/** The history sample of a snapshot; null while the journal is unavailable (a gap, not zeros). */
export function sampleOf(snapshot: MetricsSnapshot): Sample | null {
  if (!snapshot.journal.available) return null;
  const r = snapshot.rates;
  const liveLags = snapshot.consumers.filter((c) => c.live).map((c) => c.lag);
  const streams = (snapshot.streams ?? [])
    .filter((s) => s.eventsPerSec > 0)
    .sort((a, b) => b.eventsPerSec - a.eventsPerSec)
    .slice(0, MAX_STREAMS_PER_POINT);
  return {
    t: snapshot.at,
    values: {
      eventsPerSec: r.eventsPerSec,
      payloadBytesPerSec: r.payloadBytesPerSec,
      datagramsPerSec: r.datagramsPerSec,
      bytesPerSec: r.bytesPerSec,
      droppedPerSec: r.droppedPerSec,
      evictedPerSec: r.evictedPerSec,
      rejectedPerSec: r.rejectedPerSec ?? 0,
      ringUtilization: snapshot.ring.utilization,
      blobUtilization: snapshot.blob.utilization,
      consumerLagMax: liveLags.length > 0 ? Math.max(...liveLags) : 0,
      head: snapshot.head,
      tail: snapshot.tail,
      hubCpuPercent: snapshot.process?.cpuPercent ?? 0,
      hubRssBytes: snapshot.process?.rssBytes ?? 0,
    },
    streams: Object.fromEntries(streams.map((s) => [String(s.id), s.eventsPerSec])),
  };
}

export const bucketStart = (t: number, resolutionMs: number): number =>
  Math.floor(t / resolutionMs) * resolutionMs;

export function emptyBucket(t: number): Bucket {
  return { t, samples: 0, sums: {}, last: {}, streams: {} };
}

function busiest(streams: Record<string, number>): Record<string, number> {
  const entries = Object.entries(streams);
  if (entries.length <= MAX_STREAMS_PER_POINT) return streams;
  return Object.fromEntries(entries.sort((a, b) => b[1] - a[1]).slice(0, MAX_STREAMS_PER_POINT));
}

export function addSample(bucket: Bucket, sample: Sample): void {
  bucket.samples++;
  for (const [name, value] of Object.entries(sample.values)) {
    bucket.sums[name] = (bucket.sums[name] ?? 0) + value;
    bucket.last[name] = value;
  }
  for (const [id, rate] of Object.entries(sample.streams))
    bucket.streams[id] = (bucket.streams[id] ?? 0) + rate;
}

/** `a` then `b` (b later: its last values win), as a new bucket at `t`. */
export function mergeBuckets(a: Bucket, b: Bucket, t = a.t): Bucket {
  const merged: Bucket = {
    t,
    samples: a.samples + b.samples,
    sums: { ...a.sums },
    last: { ...a.last, ...b.last },
    streams: { ...a.streams },
  };
  for (const [name, value] of Object.entries(b.sums)) merged.sums[name] = (merged.sums[name] ?? 0) + value;
  for (const [id, value] of Object.entries(b.streams)) merged.streams[id] = (merged.streams[id] ?? 0) + value;
  merged.streams = busiest(merged.streams);
  return merged;
}

/**
 * `whole` without `part` (a subset of its samples): exact for sums and counts. The last values of what remains
 * are unknown, so they are left out (a chart shows no head/tail for that point rather than a wrong one).
 */
export function subtractBuckets(whole: Bucket, part: Bucket): Bucket {
  const rest: Bucket = {
    t: whole.t,
    samples: whole.samples - part.samples,
    sums: { ...whole.sums },
    last: {},
    streams: {},
  };
  for (const [name, value] of Object.entries(part.sums)) rest.sums[name] = (rest.sums[name] ?? 0) - value;
  for (const [id, value] of Object.entries(whole.streams)) {
    const left = value - (part.streams[id] ?? 0);
    if (left > 0) rest.streams[id] = left;
  }
  return rest;
}

/** A bucket as a chart point: means of the samples, last values for gauges like head. */
export function pointOf(
  bucket: Bucket,
  series: readonly string[],
  streamIds: readonly number[],
): HistoryPoint {
  const point: HistoryPoint = { t: bucket.t } as HistoryPoint;
  if (bucket.samples === 0) return point;
  for (const name of series) {
    const value = LAST_VALUE_SERIES.has(name) ? bucket.last[name] : bucket.sums[name];
    if (value === undefined) continue;
    point[name] = LAST_VALUE_SERIES.has(name) ? value : value / bucket.samples;
  }
  for (const id of streamIds) point[streamKey(id)] = (bucket.streams[String(id)] ?? 0) / bucket.samples;
  return point;
}

/** The SQLite side: rolled-up buckets per resolution. */
export class RollupStore {
  readonly #db: Db;
  readonly #get;
  readonly #put;
  readonly #range;

  constructor(db: Db) {
    this.#db = db;
    this.#get = db.prepare<
      [number, number],
      { samples: number; sums: string; last: string; streams: string }
    >('SELECT samples, sums, last, streams FROM metrics_rollups WHERE resolution_ms = ? AND t = ?');
    this.#put = db.prepare(
      `INSERT OR REPLACE INTO metrics_rollups (resolution_ms, t, samples, sums, last, streams)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.#range = db.prepare<
      [number, number, number],
      { t: number; samples: number; sums: string; last: string; streams: string }
    >(
      `SELECT t, samples, sums, last, streams FROM metrics_rollups
       WHERE resolution_ms = ? AND t >= ? AND t <= ? ORDER BY t`,
    );
  }

  /** Adds `bucket` to the stored bucket at (resolution, bucket.t), creating it if needed. */
  merge(resolutionMs: number, bucket: Bucket): void {
    this.#db.transaction(() => {
      const row = this.#get.get(resolutionMs, bucket.t);
      const merged = row ? mergeBuckets(parseRow(bucket.t, row), bucket) : bucket;
      this.#put.run(
        resolutionMs,
        merged.t,
        merged.samples,
        JSON.stringify(merged.sums),
        JSON.stringify(merged.last),
        JSON.stringify(busiest(merged.streams)),
      );
    })();
  }

  /** Buckets with `from <= t <= to`, oldest first. */
  range(resolutionMs: number, from: number, to: number): Bucket[] {
    return this.#range.all(resolutionMs, from, to).map((row) => parseRow(row.t, row));
  }

  /** Deletes buckets past their tier's retention; returns how many. */
  prune(now: number): number {
    const del = this.#db.prepare('DELETE FROM metrics_rollups WHERE resolution_ms = ? AND t < ?');
    let deleted = 0;
    for (const tier of ['1m', '1h'] as const) {
      deleted += del.run(RESOLUTION_MS[tier], now - RETENTION_MS[tier]).changes;
    }
    return deleted;
  }
}

function parseRow(t: number, row: { samples: number; sums: string; last: string; streams: string }): Bucket {
  return {
    t,
    samples: row.samples,
    sums: JSON.parse(row.sums) as Record<string, number>,
    last: JSON.parse(row.last) as Record<string, number>,
    streams: JSON.parse(row.streams) as Record<string, number>,
  };
}

export type HistoryQuery = {
  since: number;
  until: number;
  resolution: Resolution | 'auto';
  series: readonly SeriesName[];
  streams: readonly number[];
  /** The hub's clock, for the minute tier's retention horizon (default `until`). */
  now?: number;
};

export type HistorySource = {
  resolution: Resolution;
  from: number;
  to: number;
  points: number;
};

export type HistoryResult = {
  /** The resolution asked for, or the one `auto` chose. */
  resolution: Resolution;
  /** Which tier each stretch of `points` came from, oldest first. */
  sources: HistorySource[];
  points: HistoryPoint[];
};

/** `auto`: the finest resolution that keeps a chart of the range at a few thousand points at most. */
export function autoResolution(rangeMs: number): Resolution {
  if (rangeMs <= HOUR) return '1s';
  if (rangeMs <= 3 * DAY) return '1m';
  return '1h';
}

export type HistoryOptions = {
  /** Samples kept in memory (default: one hour at one sample per second). */
  capacity?: number;
};

export class MetricsHistory {
  readonly #store: RollupStore;
  readonly #capacity: number;
  readonly #ring: (Sample | undefined)[];
  #ringStart = 0;
  #ringLength = 0;
  #open: Bucket | null = null;
  #lastPrune = 0;

  constructor(store: RollupStore, options: HistoryOptions = {}) {
    this.#store = store;
    this.#capacity = options.capacity ?? 3600;
    this.#ring = new Array<Sample | undefined>(this.#capacity);
  }

  /** Keeps a sample: in memory, and in the open minute (written to SQLite when the minute ends). */
  record(sample: Sample): void {
    const index = (this.#ringStart + this.#ringLength) % this.#capacity;
    this.#ring[index] = sample;
    if (this.#ringLength < this.#capacity) this.#ringLength++;
    else this.#ringStart = (this.#ringStart + 1) % this.#capacity;

    const minute = bucketStart(sample.t, RESOLUTION_MS['1m']);
    if (this.#open !== null && this.#open.t !== minute) this.flush();
    this.#open ??= emptyBucket(minute);
    addSample(this.#open, sample);
    if (sample.t - this.#lastPrune >= HOUR) {
      this.#lastPrune = sample.t;
      this.#store.prune(sample.t);
    }
  }

  /** Writes the open minute (also when it is not over: at shutdown) to its minute and hour rows. */
  flush(): void {
    const open = this.#open;
    this.#open = null;
    if (open === null || open.samples === 0) return;
    this.#store.merge(RESOLUTION_MS['1m'], open);
    this.#store.merge(RESOLUTION_MS['1h'], { ...open, t: bucketStart(open.t, RESOLUTION_MS['1h']) });
  }

  /** The samples in memory, oldest first. */
  samples(): Sample[] {
    const out: Sample[] = [];
    for (let i = 0; i < this.#ringLength; i++) out.push(this.#ring[(this.#ringStart + i) % this.#capacity]!);
    return out;
  }

  #buckets(resolution: Resolution, since: number, until: number): Bucket[] {
    if (resolution === '1s') {
      return this.samples()
        .filter((s) => s.t >= since && s.t <= until)
        .map((s) => {
          const bucket = emptyBucket(s.t);
          addSample(bucket, s);
          return bucket;
        });
    }
    const width = RESOLUTION_MS[resolution];
    // Buckets that began before `since` but reach into the range are part of it.
    const stored = this.#store.range(width, since - width + 1, until);
    const open = this.#open;
    if (open === null || open.samples === 0) return stored;
    const t = bucketStart(open.t, width);
    if (t < since - width + 1 || t > until) return stored;
    const at = stored.findIndex((b) => b.t === t);
    if (at >= 0) stored[at] = mergeBuckets(stored[at]!, open, t);
    else {
      stored.push({ ...open, t });
      stored.sort((a, b) => a.t - b.t);
    }
    return stored;
  }

  /**
   * Points in [since, until]. An explicit resolution reads that tier only. `auto` picks one from the range,
   * reads it for the stretch it covers — memory back to its oldest sample, minute rows back to their
   * retention — and the coarser tiers only for what lies before that: after a restart, the second points
   * start at the restart and the minutes before it come from SQLite. A coarser bucket reaching into the finer
   * stretch counts only its samples from before it.
   */
  query(q: HistoryQuery): HistoryResult {
    const target = q.resolution === 'auto' ? autoResolution(q.until - q.since) : q.resolution;
    const chain = q.resolution === 'auto' ? RESOLUTIONS.slice(RESOLUTIONS.indexOf(target)) : [target];
    const now = q.now ?? q.until;
    const horizon = (resolution: Resolution): number => {
      if (resolution === '1s') return this.#ringLength > 0 ? this.#ring[this.#ringStart]!.t : Infinity;
      if (resolution === '1m') return now - RETENTION_MS['1m'];
      return -Infinity;
    };
    const parts: { resolution: Resolution; buckets: Bucket[] }[] = [];
    let upper = q.until;
    let finer: { resolution: Resolution; lower: number } | null = null;
    for (const [i, resolution] of chain.entries()) {
      if (upper < q.since) break;
      const lower = i === chain.length - 1 ? q.since : Math.max(q.since, horizon(resolution));
      const buckets = lower <= upper ? this.#buckets(resolution, lower, upper) : [];
      // The newest coarse bucket may reach into the stretch the finer tier already shows (its samples are in
      // both): keep only the samples before it, or nothing when none are.
      const straddling = buckets.at(-1);
      if (
        finer !== null &&
        straddling !== undefined &&
        straddling.t + RESOLUTION_MS[resolution] > finer.lower
      ) {
        const shown = this.#buckets(
          finer.resolution,
          finer.lower,
          straddling.t + RESOLUTION_MS[resolution] - 1,
        )
          .filter((b) => b.t >= finer!.lower)
          .reduce((sum, b) => mergeBuckets(sum, b), emptyBucket(straddling.t));
        const rest = subtractBuckets(straddling, shown);
        if (rest.samples > 0) buckets[buckets.length - 1] = rest;
        else buckets.pop();
      }
      if (buckets.length > 0) parts.unshift({ resolution, buckets });
      finer = { resolution, lower };
      upper = Math.min(upper, lower - 1);
    }
    return {
      resolution: target,
      sources: parts.map((p) => ({
        resolution: p.resolution,
        from: p.buckets[0]!.t,
        to: p.buckets.at(-1)!.t,
        points: p.buckets.length,
      })),
      points: parts.flatMap((p) => p.buckets.map((b) => pointOf(b, q.series, q.streams))),
    };
  }
}
