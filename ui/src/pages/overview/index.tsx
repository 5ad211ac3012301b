/**
 * Overview: the first page. Sequencer health, live throughput charts (seeded from the metrics history, then fed
 * by `/ws` snapshots), ring and blob utilization, the sequencer's trouble counters and per-stream rates.
 *
 * @module
 */
import { useMemo } from 'react';
import { metricsSnapshotSchema, type MetricsSnapshotView } from '../../../../src/hub/metrics/schema.ts';
import { getSystem, type SystemResponse, useApi } from '../../api/index.ts';
import { useSearchParam } from '../../app/router.tsx';
import { Badge, StatusDot } from '../../components/Badge.tsx';
import { Card } from '../../components/Card.tsx';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { Stat } from '../../components/Stat.tsx';
import { ErrorState, Loading } from '../../components/States.tsx';
import { TrafficHint } from '../../components/TrafficHint.tsx';
import {
  formatAgo,
  formatByteRate,
  formatBytes,
  formatCompact,
  formatNumber,
  formatPercent,
} from '../../lib/format.ts';
import { useHubSocket } from '../../ws/hooks.tsx';
import { RateChart } from './RateChart.tsx';
import { chartStart } from './series.ts';
import { useThroughput } from './useThroughput.ts';
import './overview.css';

const WINDOWS = [
  { id: '1m', label: '1 min', ms: 60_000 },
  { id: '5m', label: '5 min', ms: 300_000 },
  { id: '15m', label: '15 min', ms: 900_000 },
] as const;

type Listener = SystemResponse['sequencer']['listeners'][number];

export default function OverviewPage() {
  const [windowId, setWindowId] = useSearchParam('window');
  const range = WINDOWS.find((w) => w.id === windowId) ?? WINDOWS[1];
  const { history, latest, points, end } = useThroughput(range.ms);
  const system = useApi((signal) => getSystem({ signal }), [], { refresh: 5000 });
  const { state: socketState } = useHubSocket();

  const snapshot = useMemo<MetricsSnapshotView | null>(() => {
    if (!latest) return null;
    const parsed = metricsSnapshotSchema.safeParse(latest.snapshot);
    return parsed.success ? parsed.data : null;
  }, [latest]);
  const listeners = system.data?.sequencer.listeners ?? [];

  const windowPicker = (
    <div className="segmented" role="group" aria-label="Chart window">
      {WINDOWS.map((w) => (
        <button
          key={w.id}
          type="button"
          className="segmented-item"
          aria-pressed={w.id === range.id}
          onClick={() => setWindowId(w.id === '5m' ? null : w.id)}
        >
          {w.label}
        </button>
      ))}
    </div>
  );

  return (
    <>
      <PageHeader
        title="Overview"
        description="Live throughput, ring and blob use, trouble counters and per-stream rates, updated every second."
        actions={windowPicker}
      />
      {snapshot === null ? (
        socketState === 'closed' ? (
          <ErrorState
            what="Receiving live metrics"
            error={{ code: 'NETWORK_ERROR', message: 'the connection to the hub is closed' }}
            advice="The control center reconnects by itself. Check that the hub (cz hub or ./lacrimosa) is still running."
          />
        ) : (
          <Loading label="Waiting for the first metrics snapshot…" />
        )
      ) : (
        <OverviewBody
          snapshot={snapshot}
          hub={latest!.hub}
          system={system.data}
          systemError={system.error}
          listeners={listeners}
          points={points}
          domain={[chartStart(points, end, range.ms), end]}
          historyError={history.error}
          reloadHistory={history.reload}
        />
      )}
    </>
  );
}

interface BodyProps {
  snapshot: MetricsSnapshotView;
  hub: { clients: number; eventLoopDelayMs: { p99: number } };
  system: SystemResponse | undefined;
  systemError: unknown;
  listeners: Listener[];
  points: ReturnType<typeof useThroughput>['points'];
  domain: [number, number];
  historyError: unknown;
  reloadHistory: () => void;
}

function OverviewBody({
  snapshot,
  hub,
  system,
  systemError,
  listeners,
  points,
  domain,
  historyError,
  reloadHistory,
}: BodyProps) {
  const counters = snapshot.counters ?? {};
  const noTraffic =
    snapshot.journal.available && snapshot.head === 0 && (counters.DATAGRAMS_RECEIVED ?? 0) === 0;
  return (
    <div className="overview">
      <HealthStrip snapshot={snapshot} hub={hub} system={system} listeners={listeners} />
      {systemError !== null && system === undefined && (
        <ErrorState what="Loading the sequencer's listeners" error={systemError} compact />
      )}
      {!snapshot.journal.available && (
        <div className="state state-error" role="alert">
          <div className="state-title">The journal is not readable</div>
          <div className="state-message">
            The hub cannot map <code>{snapshot.journal.path}</code> yet.
          </div>
          <div className="state-hint">
            Start the sequencer on it (<code>cz start --journal {snapshot.journal.path}</code>, or{' '}
            <code>./lacrimosa</code>); this page fills in within a second.
          </div>
        </div>
      )}
      {noTraffic && <TrafficHint title="No events journaled yet" listeners={listeners} />}

      {snapshot.journal.available && (
        <div className="overview-kpis">
          <Stat
            label="Events / s"
            value={formatCompact(snapshot.rates.eventsPerSec)}
            unit="ev/s"
            hint={`${formatNumber(counters.EVENTS_JOURNALED)} journaled in total`}
          />
          <Stat
            label="Payload bytes / s"
            value={formatByteRate(snapshot.rates.payloadBytesPerSec)}
            hint={`${formatBytes(counters.PAYLOAD_BYTES_JOURNALED)} journaled in total`}
          />
          <Meter
            label="Ring"
            fraction={snapshot.ring.utilization}
            detail={`${formatNumber(snapshot.ring.used)} of ${formatNumber(snapshot.ring.slotCount)} slots`}
          />
          <Meter
            label="Blob"
            fraction={snapshot.blob.utilization}
            detail={`${formatBytes(snapshot.blob.used)} of ${formatBytes(snapshot.blob.size)}`}
          />
        </div>
      )}

      {historyError !== null && (
        <ErrorState what="Loading the metrics history" error={historyError} onRetry={reloadHistory} compact />
      )}
      <div className="overview-charts">
        <Card title="Events per second" subtitle="journaled, one point a second">
          <RateChart
            points={points}
            dataKey="events"
            color="var(--chart-1)"
            domain={domain}
            formatTick={formatCompact}
            formatValue={(v) => `${formatCompact(v)} ev/s`}
            label="events/s"
          />
        </Card>
        <Card title="Bytes per second" subtitle="payload bytes journaled">
          <RateChart
            points={points}
            dataKey="bytes"
            color="var(--chart-3)"
            domain={domain}
            formatTick={(v) => formatBytes(v).replace(' ', '')}
            formatValue={formatByteRate}
            label="bytes/s"
            base={1024}
          />
        </Card>
      </div>

      {snapshot.journal.available && (
        <div className="overview-lower">
          <CountersCard snapshot={snapshot} />
          <StreamsCard snapshot={snapshot} listeners={listeners} />
        </div>
      )}
    </div>
  );
}

function HealthStrip({
  snapshot,
  hub,
  system,
  listeners,
}: {
  snapshot: MetricsSnapshotView;
  hub: BodyProps['hub'];
  system: SystemResponse | undefined;
  listeners: Listener[];
}) {
  const { sequencer } = snapshot;
  const connected = sequencer.state === 'connected';
  const shown = listeners.filter((l) => !l.host.includes(':'));
  return (
    <section className="health card" aria-label="Sequencer health">
      <div className="health-item health-main">
        <StatusDot
          tone={connected ? 'ok' : 'bad'}
          label={<strong>{connected ? 'Sequencer connected' : 'Sequencer disconnected'}</strong>}
        />
        {connected ? (
          <span className="health-sub">
            {sequencer.backend && <Badge tone="info">{sequencer.backend}</Badge>}
            {sequencer.pid !== null && <span className="mono">pid {sequencer.pid}</span>}
          </span>
        ) : (
          <span className="health-sub">
            UDP ingest is down; submissions answer 503. Start <code>cz start</code> or{' '}
            <code>./lacrimosa</code>.
          </span>
        )}
      </div>
      <div className="health-item">
        <span className="health-label">Listening</span>
        <span className="health-listeners">
          {shown.length === 0 ? (
            <span className="faint">{connected ? '—' : 'no listeners'}</span>
          ) : (
            shown.map((l) => (
              <span
                key={`${l.host}:${l.port}`}
                className="listener"
                title={`${l.host}:${l.port} → ${l.stream}`}
              >
                <span className="mono">:{l.port}</span> {l.stream}
              </span>
            ))
          )}
        </span>
      </div>
      <div className="health-item">
        <span className="health-label">Journal</span>
        <span className="mono health-path" title={snapshot.journal.path}>
          <span dir="ltr">{snapshot.journal.path}</span>
        </span>
        <span className="health-sub num">
          head {formatNumber(snapshot.head)} · tail {formatNumber(snapshot.tail)}
        </span>
      </div>
      <div className="health-item">
        <span className="health-label">Hub</span>
        <span className="health-sub num">
          {hub.clients} {hub.clients === 1 ? 'client' : 'clients'} · loop p99{' '}
          {hub.eventLoopDelayMs.p99.toFixed(1)} ms
          {system && <> · {formatBytes(system.hub.memory.rssBytes)} RSS</>}
        </span>
      </div>
    </section>
  );
}

function Meter({ label, fraction, detail }: { label: string; fraction: number; detail: string }) {
  const tone = fraction >= 0.95 ? 'bad' : fraction >= 0.8 ? 'warn' : 'ok';
  return (
    <div className="stat meter-stat">
      <div className="stat-label">{label} utilization</div>
      <div className="stat-value num">{formatPercent(fraction)}</div>
      <div
        className={`meter meter-${tone}`}
        role="meter"
        aria-label={`${label} utilization`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(fraction * 1000) / 10}
      >
        <span style={{ width: `${Math.min(100, Math.max(fraction > 0 ? 0.6 : 0, fraction * 100))}%` }} />
      </div>
      <div className="stat-hint num">{detail}</div>
    </div>
  );
}

interface CounterSpec {
  name: string;
  label: string;
  /** Rate field of the snapshot to show as a hint, if any. */
  rate?: 'droppedPerSec' | 'evictedPerSec' | 'kernelDropsPerSec';
  /** Tone when the counter is not zero. */
  tone: 'bad' | 'warn' | 'neutral';
  help: string;
}

const COUNTER_SPECS: CounterSpec[] = [
  {
    name: 'EVENTS_DROPPED',
    label: 'Dropped',
    rate: 'droppedPerSec',
    tone: 'bad',
    help: 'New events dropped because evicting would overtake a live consumer cursor',
  },
  {
    name: 'EVENTS_EVICTED',
    label: 'Evicted',
    rate: 'evictedPerSec',
    tone: 'neutral',
    help: 'Oldest events evicted to make room: the ring keeps the newest',
  },
  {
    name: 'CHECKSUMS_FAILED',
    label: 'Bad checksums',
    tone: 'bad',
    help: 'Framed datagrams rejected for a CRC32C mismatch',
  },
  {
    name: 'FRAMES_MALFORMED',
    label: 'Malformed',
    tone: 'bad',
    help: 'Framed datagrams rejected as structurally malformed',
  },
  {
    name: 'KERNEL_DROPS_REPORTED',
    label: 'Kernel drops',
    rate: 'kernelDropsPerSec',
    tone: 'warn',
    help: 'Datagrams the kernel dropped on a full socket queue before the sequencer read them',
  },
  {
    name: 'DATAGRAMS_OVERSIZED',
    label: 'Oversized',
    tone: 'warn',
    help: 'Datagrams larger than the journal accepts',
  },
];

function CountersCard({ snapshot }: { snapshot: MetricsSnapshotView }) {
  const counters = snapshot.counters ?? {};
  const received = counters.DATAGRAMS_RECEIVED ?? 0;
  const submitted = counters.SUBMITS_ACCEPTED ?? 0;
  return (
    <Card
      title="Counters"
      subtitle={
        <span className="num">
          {formatNumber(received)} datagrams received · {formatNumber(submitted)} submitted
        </span>
      }
    >
      <div className="counter-grid">
        {COUNTER_SPECS.map((spec) => {
          const value = counters[spec.name] ?? 0;
          const rate = spec.rate ? snapshot.rates[spec.rate] : undefined;
          return (
            <div key={spec.name} title={spec.help} data-counter={spec.name}>
              <Stat
                label={spec.label}
                value={formatNumber(value)}
                tone={value > 0 ? spec.tone : 'neutral'}
                hint={
                  rate !== undefined && rate > 0
                    ? `+${formatCompact(rate)}/s`
                    : value > 0
                      ? 'since start'
                      : 'none'
                }
              />
            </div>
          );
        })}
      </div>
    </Card>
  );
}

type StreamRow = MetricsSnapshotView['streams'][number] & { ports: number[] };

function StreamsCard({ snapshot, listeners }: { snapshot: MetricsSnapshotView; listeners: Listener[] }) {
  const rows = useMemo<StreamRow[]>(() => {
    const byId = new Map<number, StreamRow>();
    for (const s of snapshot.streams) byId.set(s.id, { ...s, ports: [] });
    for (const l of listeners) {
      let row = byId.get(l.streamId);
      if (!row) {
        row = {
          id: l.streamId,
          name: l.stream,
          named: true,
          events: 0,
          payloadBytes: 0,
          liveEvents: 0,
          livePayloadBytes: 0,
          eventsPerSec: 0,
          payloadBytesPerSec: 0,
          lastSeenMs: null,
          ports: [],
        };
        byId.set(l.streamId, row);
      }
      if (!row.ports.includes(l.port)) row.ports.push(l.port);
    }
    return [...byId.values()].sort((a, b) => b.eventsPerSec - a.eventsPerSec || b.events - a.events);
  }, [snapshot.streams, listeners]);
  const max = Math.max(1, ...rows.map((r) => r.eventsPerSec));
  const columns: Column<StreamRow>[] = [
    {
      id: 'stream',
      header: 'Stream',
      cell: (r) => (
        <span className="stream-name">
          {r.name}
          {r.ports.length > 0 && <span className="faint mono"> :{r.ports.join(', :')}</span>}
        </span>
      ),
    },
    {
      id: 'rate',
      header: 'Events / s',
      width: '38%',
      cell: (r) => (
        <span className="rate-bar">
          <span className="rate-bar-track" aria-hidden="true">
            <span style={{ width: `${(r.eventsPerSec / max) * 100}%` }} />
          </span>
          <span className="num rate-bar-value">{formatCompact(r.eventsPerSec)}</span>
        </span>
      ),
    },
    { id: 'bytes', header: 'Bytes / s', align: 'right', cell: (r) => formatByteRate(r.payloadBytesPerSec) },
    { id: 'events', header: 'Events', align: 'right', cell: (r) => formatNumber(r.events) },
    {
      id: 'seen',
      header: 'Last event',
      align: 'right',
      cell: (r) => <span className="faint">{formatAgo(r.lastSeenMs, snapshot.at)}</span>,
    },
  ];
  return (
    <Card title="Streams" subtitle="rates over the last second" flush>
      <DataTable
        columns={columns}
        rows={rows}
        rowKey={(r) => r.id}
        caption="Per-stream event rates"
        empty="No streams yet: they appear with their first event or listener."
      />
    </Card>
  );
}
