import type { HistoryResponse, StreamsResponse } from '../../api/index.ts';
import { Link } from '../../app/router.tsx';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import {
  formatAgo,
  formatBytes,
  formatCompact,
  formatPercent,
  formatRate,
  formatNumber,
} from '../../lib/format.ts';
import { totalOf } from './series.ts';

type Stream = StreamsResponse['streams'][number];
interface Row extends Stream {
  /** Events in the window, from the history (null when the history does not list the stream). */
  inWindow: number | null;
  share: number;
}

/** Streams ranked by events in the window, with their share, current rate and totals. */
export function TopStreams({
  streams,
  history,
  live,
}: {
  streams: StreamsResponse;
  history: HistoryResponse | undefined;
  /** Current rates by stream id from the newest `/ws` snapshot (fresher than `streams`). */
  live: ReadonlyMap<number, number> | null;
}) {
  const now = streams.at;
  const keyOf = new Map(history?.streams.map((s) => [s.id, s.key]) ?? []);
  const rows: Row[] = streams.streams.map((s) => {
    const key = keyOf.get(s.id);
    return { ...s, inWindow: history && key ? totalOf(history, key) : null, share: 0 };
  });
  const total = rows.reduce((sum, r) => sum + (r.inWindow ?? 0), 0);
  for (const r of rows) r.share = total > 0 && r.inWindow !== null ? r.inWindow / total : 0;
  rows.sort((a, b) => (b.inWindow ?? -1) - (a.inWindow ?? -1) || b.events - a.events);

  const columns: Column<Row>[] = [
    {
      id: 'name',
      header: 'Stream',
      cell: (r) => (
        <Link
          to={`/explorer?stream=${encodeURIComponent(r.named ? r.name : String(r.id))}`}
          title={`${formatNumber(r.events)} events counted, last seen ${formatAgo(r.lastSeenMs, now)} — open in the Event Explorer`}
        >
          {r.name}
        </Link>
      ),
    },
    {
      id: 'window',
      header: 'In window',
      width: '150px',
      cell: (r) => (
        <div className="share" title={r.inWindow === null ? 'not in the history' : formatPercent(r.share)}>
          <span className="share-value num">
            {r.inWindow === null
              ? '—'
              : `${r.inWindow >= 0.5 ? '≈' : ''}${formatCompact(Math.round(r.inWindow))}`}
          </span>
          <span className="share-bar" aria-hidden="true">
            <span style={{ width: `${Math.round(r.share * 100)}%` }} />
          </span>
        </div>
      ),
    },
    {
      id: 'rate',
      header: 'Now',
      width: '88px',
      align: 'right',
      cell: (r) => formatRate(live?.get(r.id) ?? r.eventsPerSec),
    },
    {
      id: 'avg',
      header: 'Avg size',
      width: '78px',
      align: 'right',
      cell: (r) => (r.events > 0 ? formatBytes(Math.round(r.payloadBytes / r.events)) : '—'),
    },
    { id: 'nodes', header: 'Senders', width: '66px', align: 'right', cell: (r) => r.nodes },
  ];
  return (
    <DataTable
      caption="Top streams"
      columns={columns}
      rows={rows}
      rowKey={(r) => r.id}
      empty="No streams yet."
    />
  );
}
