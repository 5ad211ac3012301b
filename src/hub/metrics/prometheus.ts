/**
 * `GET /metrics` in the Prometheus text exposition format (version 0.0.4): the journal's counters (named and
 * described by the COUNTERS table of layout.ts), gauges for the journal, ring, blob, consumers and streams,
 * the rates the sampler derives, a payload-size histogram, and the hub process. Everything comes from the
 * sampler's latest snapshot, so a scrape reads no journal memory itself.
 *
 * No ingest-latency histogram: the journal stamps events with a millisecond clock and publishes them within
 * microseconds, so "publish time − event time" is 0 ms, and "sample time − event time" measures the hub's
 * 1 s polling phase, not ingest. An honest latency needs the receive thread to record it (a native histogram
 * in the reserved counter slots).
 *
 * @module
 */
import { COUNTERS } from '../../journal/layout.ts';
import type { MetricsSnapshot } from './sampler.ts';

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricSample {
  /** Appended to the family name (`_bucket`, `_sum`, `_count` for histograms). */
  suffix?: string;
  labels?: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
  samples: MetricSample[];
}

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const escapeHelp = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabel = (text: string): string =>
  text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(labels: Record<string, string> | undefined): string {
  if (!labels) return '';
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** Renders families as exposition text; families without samples are left out. */
export function renderExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    if (family.samples.length === 0) continue;
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const s of family.samples) {
      lines.push(`${family.name}${s.suffix ?? ''}${formatLabels(s.labels)} ${formatValue(s.value)}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** `EVENTS_JOURNALED` → `lacrimosa_events_journaled_total`. */
export const counterMetricName = (name: string): string => `lacrimosa_${name.toLowerCase()}_total`;

export interface HubProcessInfo {
  version: string;
  nodeVersion: string;
  startTimeMs: number;
  uptimeMs: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  cpuSecondsTotal: number;
}

const gauge = (name: string, help: string, value: number, labels?: Record<string, string>): MetricFamily => ({
  name,
  type: 'gauge',
  help,
  samples: [{ value, ...(labels ? { labels } : {}) }],
});

/** Every metric family of the hub, from one snapshot. */
export function hubMetricFamilies(snapshot: MetricsSnapshot, hub: HubProcessInfo): MetricFamily[] {
  const families: MetricFamily[] = [
    gauge('lacrimosa_hub_info', 'Hub build information (always 1)', 1, {
      version: hub.version,
      node_version: hub.nodeVersion,
    }),
    gauge('lacrimosa_hub_uptime_seconds', 'Seconds since the hub started', hub.uptimeMs / 1000),
    gauge(
      'process_start_time_seconds',
      'Start time of the hub process since the Unix epoch',
      hub.startTimeMs / 1000,
    ),
    gauge('process_resident_memory_bytes', 'Resident memory of the hub process', hub.rssBytes),
    gauge('process_heap_bytes', 'V8 heap allocated by the hub process', hub.heapTotalBytes),
    gauge('lacrimosa_hub_heap_used_bytes', 'V8 heap in use by the hub process', hub.heapUsedBytes),
    {
      name: 'process_cpu_seconds_total',
      type: 'counter',
      help: 'User and system CPU time of the hub process',
      samples: [{ value: hub.cpuSecondsTotal }],
    },
    gauge(
      'lacrimosa_sequencer_connected',
      'Whether the hub holds an IPC connection to the sequencer (1) or not (0)',
      snapshot.sequencer.state === 'connected' ? 1 : 0,
    ),
    gauge(
      'lacrimosa_journal_available',
      'Whether the hub can read the journal file (1) or not (0)',
      snapshot.journal.available ? 1 : 0,
    ),
  ];
  const counters = snapshot.counters;
  if (!snapshot.journal.available || counters === null) return families;

  for (const c of COUNTERS) {
    families.push({
      name: counterMetricName(c.name),
      type: 'counter',
      help: c.help,
      samples: [{ value: counters[c.name] }],
    });
  }
  const r = snapshot.rates;
  families.push(
    gauge('lacrimosa_journal_head', 'The next sequence number to be written', snapshot.head),
    gauge('lacrimosa_journal_tail', 'The oldest retained sequence number', snapshot.tail),
    gauge(
      'lacrimosa_journal_retained_events',
      'Events in the journal (head - tail)',
      snapshot.head - snapshot.tail,
    ),
    gauge('lacrimosa_ring_slots', 'Slots in the index ring', snapshot.ring.slotCount),
    gauge(
      'lacrimosa_ring_utilization_ratio',
      'Fraction of ring slots holding retained events',
      snapshot.ring.utilization,
    ),
    gauge('lacrimosa_blob_size_bytes', 'Size of the payload (blob) region', snapshot.blob.size),
    gauge(
      'lacrimosa_blob_used_bytes',
      'Bytes of the blob region holding retained payloads',
      snapshot.blob.used,
    ),
    gauge(
      'lacrimosa_blob_utilization_ratio',
      'Fraction of the blob region holding retained payloads',
      snapshot.blob.utilization,
    ),
    gauge(
      'lacrimosa_events_journaled_per_second',
      'Events journaled per second over the last sample interval',
      r.eventsPerSec,
    ),
    gauge(
      'lacrimosa_payload_bytes_journaled_per_second',
      'Payload bytes journaled per second over the last sample interval',
      r.payloadBytesPerSec,
    ),
    gauge(
      'lacrimosa_datagrams_received_per_second',
      'Datagrams received per second over the last sample interval',
      r.datagramsPerSec,
    ),
    gauge(
      'lacrimosa_bytes_received_per_second',
      'Datagram bytes received per second over the last sample interval',
      r.bytesPerSec,
    ),
    gauge(
      'lacrimosa_events_dropped_per_second',
      'New events dropped per second (a live consumer blocked eviction)',
      r.droppedPerSec,
    ),
    gauge(
      'lacrimosa_events_evicted_per_second',
      'Old events evicted per second to make room',
      r.evictedPerSec,
    ),
    gauge(
      'lacrimosa_datagrams_rejected_per_second',
      'Datagrams rejected per second (checksum, malformed, oversized)',
      r.rejectedPerSec ?? 0,
    ),
  );

  const cursor = (c: MetricsSnapshot['consumers'][number]) => ({ cursor: c.name, index: String(c.index) });
  families.push(
    {
      name: 'lacrimosa_consumer_lag_events',
      type: 'gauge',
      help: 'Events between a consumer cursor and head',
      samples: snapshot.consumers.map((c) => ({ labels: cursor(c), value: c.lag })),
    },
    {
      name: 'lacrimosa_consumer_position',
      type: 'gauge',
      help: 'The next sequence number a consumer cursor still needs',
      samples: snapshot.consumers.map((c) => ({ labels: cursor(c), value: c.position })),
    },
    {
      name: 'lacrimosa_consumer_live',
      type: 'gauge',
      help: 'Whether a consumer cursor is within its lease (1) or expired (0)',
      samples: snapshot.consumers.map((c) => ({ labels: cursor(c), value: c.live ? 1 : 0 })),
    },
  );

  const streams = snapshot.streams ?? [];
  const stream = (s: (typeof streams)[number]) => ({ stream: s.name, stream_id: String(s.id) });
  families.push(
    {
      name: 'lacrimosa_stream_events_total',
      type: 'counter',
      help: 'Events published to a stream since the hub started tracking the journal',
      samples: streams.map((s) => ({ labels: stream(s), value: s.liveEvents })),
    },
    {
      name: 'lacrimosa_stream_payload_bytes_total',
      type: 'counter',
      help: 'Payload bytes published to a stream since the hub started tracking the journal',
      samples: streams.map((s) => ({ labels: stream(s), value: s.livePayloadBytes })),
    },
    {
      name: 'lacrimosa_stream_events_per_second',
      type: 'gauge',
      help: 'Events per second published to a stream over the last sample interval',
      samples: streams.map((s) => ({ labels: stream(s), value: s.eventsPerSec })),
    },
    {
      name: 'lacrimosa_stream_last_seen_timestamp_seconds',
      type: 'gauge',
      help: 'Clock time of the newest event seen in a stream, in seconds since the Unix epoch',
      samples: streams
        .filter((s) => s.lastSeenMs !== null)
        .map((s) => ({ labels: stream(s), value: s.lastSeenMs! / 1000 })),
    },
  );

  const nodes = snapshot.nodes ?? [];
  const node = (n: (typeof nodes)[number]) => ({ node: n.label, node_id: String(n.id) });
  families.push(
    {
      name: 'lacrimosa_node_events_total',
      type: 'counter',
      help: 'Events published from a node since the hub started tracking the journal',
      samples: nodes.map((n) => ({ labels: node(n), value: n.liveEvents })),
    },
    {
      name: 'lacrimosa_node_events_per_second',
      type: 'gauge',
      help: 'Events per second from a node over the last sample interval',
      samples: nodes.map((n) => ({ labels: node(n), value: n.eventsPerSec })),
    },
    {
      name: 'lacrimosa_node_clock_hint_ahead_max_seconds',
      type: 'gauge',
      help: "Largest lead of a node's applied clock hints over the hub's clock (a lower bound)",
      samples: nodes
        .filter((n) => n.clockHints.maxAheadMs !== null)
        .map((n) => ({ labels: node(n), value: n.clockHints.maxAheadMs! / 1000 })),
    },
  );

  const sizes = snapshot.livePayloadSizes;
  if (sizes) {
    let cumulative = 0;
    const samples: MetricSample[] = sizes.bounds.map((bound, i) => {
      cumulative += sizes.counts[i] ?? 0;
      return { suffix: '_bucket', labels: { le: String(bound) }, value: cumulative };
    });
    samples.push(
      { suffix: '_bucket', labels: { le: '+Inf' }, value: sizes.count },
      { suffix: '_sum', value: sizes.sum },
      { suffix: '_count', value: sizes.count },
    );
    families.push({
      name: 'lacrimosa_event_payload_size_bytes',
      type: 'histogram',
      help: 'Payload sizes of the events published since the hub started tracking the journal',
      samples,
    });
  }
  const state = snapshot.tracker;
  if (state) {
    families.push({
      name: 'lacrimosa_tracker_missed_events_total',
      type: 'counter',
      help: 'Events evicted from the journal before the hub could read their slots for per-stream numbers',
      samples: [{ value: state.missedEvents }],
    });
  }
  return families;
}
