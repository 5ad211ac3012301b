import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { Badge } from '../../components/Badge.tsx';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import {
  formatAgo,
  formatBytes,
  formatCompact,
  formatNumber,
  formatRate,
  formatTime,
} from '../../lib/format.ts';
import { axisTick, SERIES_COLORS, tooltipItemStyle, tooltipLabelStyle, tooltipStyle } from './chart-style.ts';
import { tickLabel, timeTicks } from './series.ts';
import { NODE_SERIES_SECONDS, type NodeRates, type NodeStats } from './useNodeRates.ts';

const SHOWN_NODES = 6;

/** Per-sender rates: a live chart of the busiest senders since the page opened, and a table of all of them. */
export function Senders({ rates }: { rates: NodeRates }) {
  // Ages are measured against the snapshot's own time, so they do not drift between snapshots.
  const now = rates.snapshot?.at ?? 0;
  const nodes = [...(rates.nodes ?? [])].sort(
    (a, b) => b.eventsPerSec - a.eventsPerSec || b.events - a.events,
  );
  const shown = nodes.slice(0, SHOWN_NODES);
  const last = rates.points[rates.points.length - 1]?.t ?? now;
  // The chart grows from a minute to NODE_SERIES_SECONDS as the page collects points.
  const first = rates.since ?? last;
  const span = Math.min(NODE_SERIES_SECONDS * 1000, Math.max(60_000, last - first));
  const domain: [number, number] = [last - span, last];
  const columns: Column<NodeStats>[] = [
    {
      id: 'node',
      header: 'Sender',
      cell: (n) => {
        const index = shown.indexOf(n);
        return (
          <span className="sender">
            <span
              className="chart-swatch"
              style={{ background: index >= 0 ? SERIES_COLORS[index % SERIES_COLORS.length] : 'transparent' }}
              aria-hidden="true"
            />
            <span className="mono">{n.label}</span>
          </span>
        );
      },
    },
    { id: 'source', header: 'Id from', width: '80px', cell: (n) => <Badge>{n.source}</Badge> },
    { id: 'rate', header: 'Now', width: '82px', align: 'right', cell: (n) => formatRate(n.eventsPerSec) },
    { id: 'events', header: 'Events', width: '80px', align: 'right', cell: (n) => formatCompact(n.events) },
    {
      id: 'avg',
      header: 'Avg size',
      width: '80px',
      align: 'right',
      cell: (n) => (n.events > 0 ? formatBytes(Math.round(n.payloadBytes / n.events)) : '—'),
    },
    {
      id: 'seen',
      header: 'Last seen',
      width: '92px',
      align: 'right',
      cell: (n) => <span title={formatTime(n.lastSeenMs)}>{formatAgo(n.lastSeenMs, now)}</span>,
    },
  ];
  return (
    <div className="stack senders">
      {nodes.length > 0 && (
        <div className="chart-block">
          <LineChart
            responsive
            data={rates.points}
            margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
            style={{ width: '100%', height: 170 }}
            title="Events per second by sender, live"
          >
            <CartesianGrid stroke="var(--chart-grid)" vertical={false} />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={domain}
              allowDataOverflow
              ticks={timeTicks(domain[0], domain[1], 5)}
              tickFormatter={(t: number) => tickLabel(t, span)}
              tick={axisTick}
              tickLine={false}
              axisLine={{ stroke: 'var(--chart-grid)' }}
            />
            <YAxis
              tickFormatter={(v: number) => formatCompact(v)}
              tick={axisTick}
              tickLine={false}
              axisLine={false}
              width={44}
            />
            <Tooltip
              isAnimationActive={false}
              cursor={{ stroke: 'var(--border-strong)' }}
              labelFormatter={(t) => formatTime(Number(t))}
              formatter={(value, name) => [formatRate(Number(value)), String(name)]}
              contentStyle={tooltipStyle}
              labelStyle={tooltipLabelStyle}
              itemStyle={tooltipItemStyle}
            />
            {shown.map((n, i) => (
              <Line
                key={n.id}
                type="monotone"
                dataKey={`node_${n.id}`}
                name={n.label}
                stroke={SERIES_COLORS[i % SERIES_COLORS.length]}
                strokeWidth={1.6}
                dot={false}
                isAnimationActive={false}
                connectNulls={false}
              />
            ))}
          </LineChart>
        </div>
      )}
      <DataTable
        caption="Senders"
        columns={columns}
        rows={nodes}
        rowKey={(n) => n.id}
        empty="No sender has been seen yet."
      />
      {nodes.length > 0 && (
        <p className="faint chart-note">
          {formatNumber(nodes.length)} {nodes.length === 1 ? 'sender' : 'senders'}. The hub keeps no
          per-sender history, so the chart starts when this page opened.
        </p>
      )}
    </div>
  );
}
