/**
 * Analytics: event rates over a chosen window (5 min … 7 days) from the hub's metrics history, stacked by
 * stream; per-sender rates live from `/ws`; top streams; the payload-size distribution; and the clock skew
 * between senders measured from their clock hints. The window is in the URL (`?window=1h`).
 *
 * @module
 */
import { getMetricsHistory, getStreams, getSystem, useApi } from '../../api/index.ts';
import { useSearchParam } from '../../app/router.tsx';
import { Card } from '../../components/Card.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { Segmented } from '../../components/Segmented.tsx';
import { Stat } from '../../components/Stat.tsx';
import { Empty, ErrorState, Loading } from '../../components/States.tsx';
import { TrafficHint } from '../../components/TrafficHint.tsx';
import { formatBytes, formatCompact, formatNumber, formatRate } from '../../lib/format.ts';
import { ClockSkew } from './ClockSkew.tsx';
import { PayloadSizes } from './PayloadSizes.tsx';
import { Senders } from './Senders.tsx';
import { StreamRates } from './StreamRates.tsx';
import { TopStreams } from './TopStreams.tsx';
import { averageOf, peakOf, totalOf, type WindowId, WINDOWS, windowOf } from './series.ts';
import { useNodeRates } from './useNodeRates.ts';
import './analytics.css';

/** Streams whose rates the history is asked for (the hub's own limit). */
const MAX_HISTORY_STREAMS = 32;

export default function AnalyticsPage() {
  const [windowParam, setWindow] = useSearchParam('window');
  const [nodeParam, setNode] = useSearchParam('sizes');
  const span = windowOf(windowParam);

  const streams = useApi((signal) => getStreams({ signal }), [], { refresh: 5000 });
  const system = useApi((signal) => getSystem({ signal }), []);
  const streamIds = (streams.data?.streams ?? [])
    .slice()
    .sort((a, b) => b.events - a.events)
    .slice(0, MAX_HISTORY_STREAMS)
    .map((s) => String(s.id))
    .sort();
  const streamKey = streamIds.join(',');
  const history = useApi(
    (signal) =>
      getMetricsHistory(
        {
          since: `${span.ms / 1000}s`,
          resolution: span.resolution,
          series: ['eventsPerSec', 'payloadBytesPerSec'],
          ...(streamKey === '' ? {} : { stream: streamKey.split(',') }),
        },
        { signal },
      ),
    [span.id, streamKey],
    { refresh: span.refreshMs, enabled: streams.data !== undefined || streams.error !== null },
  );
  const rates = useNodeRates();

  const h = history.data;
  const events = h ? totalOf(h, 'eventsPerSec') : 0;
  const bytes = h ? totalOf(h, 'payloadBytesPerSec') : 0;
  const noTraffic =
    h !== undefined && events < 0.5 && (streams.data?.streams ?? []).every((s) => s.events === 0);
  const listeners = system.data?.sequencer.listeners ?? [];
  const snapshot = rates.snapshot;
  const liveRates = snapshot?.streams ? new Map(snapshot.streams.map((s) => [s.id, s.eventsPerSec])) : null;
  const sizesNode = nodeParam !== null && /^\d+$/.test(nodeParam) ? Number(nodeParam) : null;

  return (
    <>
      <PageHeader
        title="Analytics"
        description="Where the traffic comes from and what it looks like: rates by stream and sender, payload sizes, and how far senders' clocks run ahead."
        actions={
          <Segmented<WindowId>
            label="Window"
            value={span.id}
            onChange={(id) => setWindow(id === '5m' ? null : id)}
            options={WINDOWS.map((w) => ({ value: w.id, label: w.id, title: `The last ${w.label}` }))}
          />
        }
      />
      {streams.error?.code === 'JOURNAL_UNAVAILABLE' && (
        <ErrorState what="Reading the journal" error={streams.error} onRetry={streams.reload} compact />
      )}
      <div className="analytics-stats">
        <Stat
          label={`Events, last ${span.label}`}
          value={h ? `${events >= 0.5 ? '≈' : ''}${formatCompact(Math.round(events))}` : '…'}
          hint={h ? `${formatRate(averageOf(h, 'eventsPerSec'))} average` : undefined}
        />
        <Stat
          label="Peak rate"
          value={h ? formatCompact(peakOf(h, 'eventsPerSec')) : '…'}
          unit="ev/s"
          hint={span.resolution === '1s' ? 'per second' : `of ${span.resolution} means`}
        />
        <Stat
          label={`Payload, last ${span.label}`}
          value={h ? formatBytes(Math.round(bytes)) : '…'}
          hint={h && events > 0 ? `${formatBytes(Math.round(bytes / events))} per event` : undefined}
        />
        <Stat
          label="Now"
          value={snapshot ? formatCompact(snapshot.rates.eventsPerSec) : '…'}
          unit="ev/s"
          hint={snapshot ? `${formatBytes(Math.round(snapshot.rates.payloadBytesPerSec))}/s` : undefined}
        />
        <Stat
          label="Streams · senders"
          value={`${formatNumber(streams.data?.streams.length ?? 0)} · ${formatNumber(rates.nodes?.length ?? 0)}`}
        />
      </div>

      <Card
        title="Events per second by stream"
        subtitle={
          h
            ? `The last ${span.label}, ${span.bucketMs >= 60_000 ? `${span.bucketMs / 60_000}-minute` : `${span.bucketMs / 1000}-second`} means from the hub's ${h.resolution} history`
            : undefined
        }
        className="analytics-wide"
      >
        {h ? (
          <>
            {history.error && (
              <ErrorState
                what="Refreshing the history"
                error={history.error}
                onRetry={history.reload}
                compact
              />
            )}
            {noTraffic ? (
              <TrafficHint title={`No events in the last ${span.label}`} listeners={listeners} />
            ) : (
              <StreamRates history={h} span={span} />
            )}
          </>
        ) : history.error ? (
          <ErrorState what="Loading the metrics history" error={history.error} onRetry={history.reload} />
        ) : (
          <Loading label="Loading the metrics history…" />
        )}
      </Card>

      <div className="analytics-pair">
        <div className="stack analytics-column">
          <Card title="Top streams" subtitle={`Ranked by events in the last ${span.label}`} flush>
            {streams.data ? (
              <>
                {streams.error && (
                  <ErrorState
                    what="Refreshing streams"
                    error={streams.error}
                    onRetry={streams.reload}
                    compact
                  />
                )}
                <TopStreams streams={streams.data} history={h} live={liveRates} />
              </>
            ) : streams.error ? (
              <div className="analytics-pad">
                {streams.error.code === 'JOURNAL_UNAVAILABLE' ? (
                  <Empty title="No streams to rank" hint="The journal cannot be read (see above)." />
                ) : (
                  <ErrorState what="Loading streams" error={streams.error} onRetry={streams.reload} />
                )}
              </div>
            ) : (
              <div className="analytics-pad">
                <Loading label="Loading streams…" />
              </div>
            )}
          </Card>
          <Card title="Senders" subtitle="Events per second, live since this page opened" flush>
            {rates.nodes === null ? (
              <div className="analytics-pad">
                <Loading label="Waiting for the first metrics snapshot…" />
              </div>
            ) : (
              <Senders rates={rates} />
            )}
          </Card>
        </div>
        <div className="stack analytics-column">
          <Card
            title="Payload sizes"
            subtitle="Every event the hub has counted: the retained journal plus everything since"
          >
            {snapshot?.payloadSizes ? (
              snapshot.payloadSizes.count === 0 ? (
                <TrafficHint title="No payloads yet" listeners={listeners} />
              ) : (
                <PayloadSizes
                  snapshot={snapshot}
                  node={sizesNode}
                  onNode={(node) => setNode(node === null ? null : String(node))}
                />
              )
            ) : (
              <Loading label="Waiting for the first metrics snapshot…" />
            )}
          </Card>
          <Card
            title="Clock skew between senders"
            subtitle="How far senders' clock hints ran ahead of the sequencer"
          >
            {snapshot ? (
              <ClockSkew snapshot={snapshot} />
            ) : (
              <Loading label="Waiting for the first metrics snapshot…" />
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
