/**
 * Prometheus exposition: escaping and number formatting, the names taken from the COUNTERS table, and the
 * whole output checked by the real `promtool check metrics` (Debian package `prometheus`; missing promtool
 * fails the test).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { COUNTERS, type CounterName } from '../../journal/layout.ts';
import {
  counterMetricName,
  formatValue,
  type HubProcessInfo,
  hubMetricFamilies,
  renderExposition,
} from './prometheus.ts';
import type { MetricsSnapshot } from './sampler.ts';
import { PAYLOAD_SIZE_BOUNDS } from './tracker.ts';

/** Runs `promtool check metrics` on `text`; throws when promtool is not installed. */
function promtoolCheck(text: string): { status: number; output: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (result.error) {
    throw new Error(
      `promtool is needed to check /metrics (apt-get install -y prometheus): ${result.error.message}`,
    );
  }
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

const hub: HubProcessInfo = {
  version: '0.1.0',
  nodeVersion: 'v20.20.2',
  startTimeMs: 1_700_000_000_000,
  uptimeMs: 12_345,
  rssBytes: 50e6,
  heapUsedBytes: 20e6,
  heapTotalBytes: 30e6,
  cpuSecondsTotal: 1.5,
};

function snapshot(): MetricsSnapshot {
  const counters = Object.fromEntries(COUNTERS.map((c) => [c.name, c.id * 10])) as Record<
    CounterName,
    number
  >;
  const sizes = {
    bounds: PAYLOAD_SIZE_BOUNDS,
    counts: [1, 2, 0, 0, 0, 0, 0, 0, 0, 3],
    count: 6,
    sum: 5_000_000,
  };
  return {
    at: 1_700_000_012_345,
    journal: { available: true, path: '/tmp/journal.db' },
    sequencer: { state: 'connected', backend: 'io_uring', pid: 42 },
    head: 1500,
    tail: 476,
    ring: { slotCount: 1024, used: 1024, utilization: 1 },
    blob: { size: 65_536, used: 8192, utilization: 0.125 },
    counters,
    rates: {
      eventsPerSec: 12.5,
      payloadBytesPerSec: 100,
      datagramsPerSec: 12.5,
      bytesPerSec: 100,
      droppedPerSec: 0,
      evictedPerSec: 3,
      rejectedPerSec: 0,
      kernelDropsPerSec: 0,
    },
    consumers: [{ index: 2, name: 'mirror "a"\\b', position: 476, lag: 1024, live: true, eventsPerSec: 0 }],
    streams: [
      {
        id: 0,
        name: 'default',
        named: true,
        events: 10,
        payloadBytes: 80,
        liveEvents: 6,
        livePayloadBytes: 48,
        eventsPerSec: 2,
        payloadBytesPerSec: 16,
        lastSeenMs: 1_700_000_012_000,
      },
      {
        id: 3,
        name: 'idle',
        named: true,
        events: 0,
        payloadBytes: 0,
        liveEvents: 0,
        livePayloadBytes: 0,
        eventsPerSec: 0,
        payloadBytesPerSec: 0,
        lastSeenMs: null,
      },
    ],
    nodes: [
      {
        id: 0x7f00_0001,
        label: '127.0.0.1',
        source: 'ipv4',
        events: 10,
        payloadBytes: 80,
        liveEvents: 6,
        eventsPerSec: 2,
        payloadBytesPerSec: 16,
        lastSeenMs: 1_700_000_012_000,
        payloadSizes: [0, 10, 0, 0, 0, 0, 0, 0, 0, 0],
        clockHints: { applied: 1, measured: 1, lastAheadMs: 4200, maxAheadMs: 4200, meanAheadMs: 4200 },
      },
    ],
    flows: [],
    payloadSizes: sizes,
    livePayloadSizes: sizes,
    tracker: {
      since: 1_700_000_000_000,
      next: 1500,
      lagEvents: 0,
      backfill: { from: 0, to: 10, next: 10, done: true },
      missedEvents: 7,
      dropped: { streams: 0, nodes: 0, flows: 0 },
    },
  };
}

describe('Prometheus exposition', () => {
  it('formats special values and escapes help and label text', () => {
    expect([1, 0.5, NaN, Infinity, -Infinity, 1e21].map(formatValue)).toEqual([
      '1',
      '0.5',
      'NaN',
      '+Inf',
      '-Inf',
      '1e+21',
    ]);
    const text = renderExposition([
      { name: 'x', type: 'gauge', help: 'a\\b\nc', samples: [{ labels: { l: 'q"\\\n' }, value: 1 }] },
      { name: 'empty', type: 'gauge', help: 'left out', samples: [] },
    ]);
    expect(text).toBe('# HELP x a\\\\b\\nc\n# TYPE x gauge\nx{l="q\\"\\\\\\n"} 1\n');
  });

  it('exports every journal counter under its COUNTERS name and help', () => {
    const text = renderExposition(hubMetricFamilies(snapshot(), hub));
    for (const c of COUNTERS) {
      const name = counterMetricName(c.name);
      expect(text).toContain(`# HELP ${name} ${c.help}\n# TYPE ${name} counter\n${name} ${c.id * 10}\n`);
    }
    expect(counterMetricName('DATAGRAMS_RECEIVED')).toBe('lacrimosa_datagrams_received_total');
    expect(text).toContain('lacrimosa_consumer_lag_events{cursor="mirror \\"a\\"\\\\b",index="2"} 1024\n');
    expect(text).toContain('lacrimosa_stream_events_total{stream="default",stream_id="0"} 6\n');
    expect(text).toContain('lacrimosa_stream_events_total{stream="idle",stream_id="3"} 0\n');
    expect(text).toContain('lacrimosa_event_payload_size_bytes_bucket{le="16"} 3\n');
    expect(text).toContain('lacrimosa_event_payload_size_bytes_bucket{le="+Inf"} 6\n');
    expect(text).toContain(
      'lacrimosa_node_clock_hint_ahead_max_seconds{node="127.0.0.1",node_id="2130706433"} 4.2\n',
    );
  });

  it('passes promtool check metrics, with and without a journal', () => {
    const full = promtoolCheck(renderExposition(hubMetricFamilies(snapshot(), hub)));
    expect(full.output).toBe('');
    expect(full.status).toBe(0);
    const bare: MetricsSnapshot = {
      ...snapshot(),
      journal: { available: false, path: '/tmp/none' },
      counters: null,
      streams: [],
    };
    const text = renderExposition(hubMetricFamilies(bare, hub));
    expect(text).toContain('lacrimosa_journal_available 0\n');
    expect(text).not.toContain('lacrimosa_events_journaled_total');
    expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
  });
});
