/**
 * A widget's data drawn by its type: a time series as lines (an area for a single series), a big number, a
 * table, or a scrolling log, newest first. Everything drawn comes from the hub's answer; nothing is invented
 * for an empty range.
 *
 * @module
 */
import { Area, AreaChart, CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { WidgetData } from '../../../../src/hub/dashboards/schema.ts';
import { formatCompact, formatNumber, formatPercent, formatRate, formatTime } from '../../lib/format.ts';
import {
  axisTick,
  SERIES_COLORS,
  tooltipItemStyle,
  tooltipLabelStyle,
  tooltipStyle,
} from '../analytics/chart-style.ts';

/** A metric or count as people read it: utilizations as percentages, rates per second. */
export function formatValue(value: number | null, label: string): string {
  if (value === null) return '—';
  if (/Utilization$/.test(label)) return formatPercent(value);
  if (/PerSec$/.test(label)) return formatRate(value, /Bytes/.test(label) ? 'B' : 'ev');
  return Number.isInteger(value) ? formatNumber(value) : formatCompact(value);
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function tickLabel(t: number, spanMs: number): string {
  const d = new Date(t);
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  return spanMs > 36 * 3_600_000 ? `${d.getMonth() + 1}/${d.getDate()} ${hm}` : hm;
}

/**
 * Series keys with a point that has no neighbour: a value series leaves empty buckets out, and a line through one
 * point draws nothing, so those series get dots.
 */
function withLonePoints(data: Extract<WidgetData, { type: 'timeseries' }>): Set<string> {
  const out = new Set<string>();
  const { points } = data;
  for (const { key } of data.series)
    for (let i = 0; i < points.length && !out.has(key); i++)
      if (key in points[i]! && !(key in (points[i - 1] ?? {})) && !(key in (points[i + 1] ?? {})))
        out.add(key);
  return out;
}

function TimeseriesView({ data }: { data: Extract<WidgetData, { type: 'timeseries' }> }) {
  const lone = withLonePoints(data);
  const domain: [number, number] = [data.range.since, data.range.until];
  const span = data.range.until - data.range.since;
  const single = data.series.length === 1;
  const axes = (
    <>
      <CartesianGrid stroke="var(--chart-grid)" vertical={false} />
      <XAxis
        dataKey="t"
        type="number"
        scale="time"
        domain={domain}
        allowDataOverflow
        tickFormatter={(t: number) => tickLabel(t, span)}
        tick={axisTick}
        tickLine={false}
        axisLine={{ stroke: 'var(--chart-grid)' }}
        minTickGap={24}
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
        labelFormatter={(t) => formatTime(Number(t))}
        formatter={(value, name) => [formatValue(Number(value), String(name)), String(name)]}
        contentStyle={tooltipStyle}
        labelStyle={tooltipLabelStyle}
        itemStyle={tooltipItemStyle}
      />
    </>
  );
  const margin = { top: 6, right: 10, bottom: 0, left: 0 };
  const style = { width: '100%', height: '100%' };
  return (
    <div className="dash-series">
      <div className="dash-chart">
        {single ? (
          <AreaChart responsive data={data.points} margin={margin} style={style}>
            {axes}
            <Area
              type="monotone"
              dataKey={data.series[0]!.key}
              name={data.series[0]!.label}
              stroke={SERIES_COLORS[0]}
              fill={SERIES_COLORS[0]}
              fillOpacity={0.2}
              strokeWidth={1.4}
              isAnimationActive={false}
              dot={lone.has(data.series[0]!.key) ? { r: 2.5 } : false}
            />
          </AreaChart>
        ) : (
          <LineChart responsive data={data.points} margin={margin} style={style}>
            {axes}
            {data.series.map((s, i) => (
              <Line
                key={s.key}
                type="monotone"
                dataKey={s.key}
                name={s.label}
                stroke={SERIES_COLORS[i % SERIES_COLORS.length]}
                strokeWidth={1.4}
                isAnimationActive={false}
                dot={lone.has(s.key) ? { r: 2.5 } : false}
              />
            ))}
          </LineChart>
        )}
      </div>
      {!single && data.series.length > 0 && (
        <ul className="dash-legend" aria-label="Series">
          {data.series.map((s, i) => (
            <li key={s.key}>
              <span
                className="dash-swatch"
                style={{ background: SERIES_COLORS[i % SERIES_COLORS.length] }}
                aria-hidden="true"
              />
              {s.label}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function RowsTable({ columns, rows }: { columns: string[]; rows: unknown[][] }) {
  return (
    <div className="dash-table-wrap">
      <table className="dash-table">
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              {row.map((cell, j) => (
                <td key={j}>{cellText(cell)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function LogView({ data }: { data: Extract<WidgetData, { type: 'log' }> }) {
  const at = (name: string) => data.columns.indexOf(name);
  const [time, stream, payload] = [at('time'), at('stream'), at('payload')];
  const rest = data.columns.map((_, i) => i).filter((i) => i !== time && i !== stream && i !== payload);
  return (
    <ol className="dash-log" aria-label="Events, newest first">
      {data.rows.map((row, i) => (
        <li key={i}>
          {time >= 0 && <time className="dash-log-time">{formatTime(Number(row[time]))}</time>}
          {stream >= 0 && <span className="dash-log-stream">{cellText(row[stream])}</span>}
          <span className="dash-log-text">
            {[
              ...rest.map((j) => `${data.columns[j]}=${cellText(row[j])}`),
              ...(payload >= 0 ? [cellText(row[payload])] : []),
            ].join(' ')}
          </span>
        </li>
      ))}
    </ol>
  );
}

export function WidgetView({ data }: { data: WidgetData }) {
  switch (data.type) {
    case 'timeseries':
      if (data.points.length === 0 || data.series.length === 0)
        return <p className="dash-empty">No data in this range.</p>;
      return <TimeseriesView data={data} />;
    case 'value':
      return (
        <div
          className="dash-value"
          title={data.value === null ? 'No data in this range' : String(data.value)}
        >
          <span className="dash-value-number">{formatValue(data.value, data.label)}</span>
          <span className="dash-value-label">{data.label}</span>
        </div>
      );
    case 'table':
      if (data.rows.length === 0) return <p className="dash-empty">No rows in this range.</p>;
      return (
        <>
          <RowsTable columns={data.columns} rows={data.rows} />
          {data.truncated && <p className="dash-note">More rows matched than are shown.</p>}
        </>
      );
    case 'log':
      if (data.rows.length === 0) return <p className="dash-empty">No events in this range.</p>;
      return <LogView data={data} />;
  }
}
