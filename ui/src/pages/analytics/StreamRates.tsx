import { Area, AreaChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import type { HistoryResponse } from '../../api/index.ts';
import { formatCompact, formatRate, formatTime } from '../../lib/format.ts';
import {
  axisTick,
  OTHER_COLOR,
  SERIES_COLORS,
  tooltipItemStyle,
  tooltipLabelStyle,
  tooltipStyle,
} from './chart-style.ts';
import { bucketPoints, splitStreams, tickLabel, timeTicks, type WindowSpec } from './series.ts';

/** Streams drawn as their own band; the rest are "other". */
const SHOWN_STREAMS = 5;

/** Events per second over the window, stacked by stream (the five busiest, then "other"). */
export function StreamRates({ history, span }: { history: HistoryResponse; span: WindowSpec }) {
  const split = splitStreams(history, SHOWN_STREAMS);
  const points = bucketPoints(split.points, span.bucketMs);
  const series = [
    ...split.series.map((s, i) => ({ ...s, color: SERIES_COLORS[i % SERIES_COLORS.length]! })),
    ...(split.hasOther ? [{ key: 'other', label: 'other streams', color: OTHER_COLOR }] : []),
  ];
  const domain: [number, number] = [history.until - span.ms, history.until];
  return (
    <div className="chart-block">
      <AreaChart
        responsive
        data={points}
        margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
        style={{ width: '100%', height: 250 }}
        title="Events per second by stream"
      >
        <CartesianGrid stroke="var(--chart-grid)" vertical={false} />
        <XAxis
          dataKey="t"
          type="number"
          scale="time"
          domain={domain}
          allowDataOverflow
          ticks={timeTicks(domain[0], domain[1])}
          tickFormatter={(t: number) => tickLabel(t, span.ms)}
          tick={axisTick}
          tickLine={false}
          axisLine={{ stroke: 'var(--chart-grid)' }}
        />
        <YAxis
          tickFormatter={(v: number) => formatCompact(v)}
          tick={axisTick}
          tickLine={false}
          axisLine={false}
          width={48}
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
        {series.map((s) => (
          <Area
            key={s.key}
            type="monotone"
            dataKey={s.key}
            name={s.label}
            stackId="streams"
            stroke={s.color}
            strokeWidth={1.4}
            fill={s.color}
            fillOpacity={0.22}
            isAnimationActive={false}
            dot={false}
            activeDot={{ r: 2.5, strokeWidth: 0, fill: s.color }}
            connectNulls={false}
          />
        ))}
      </AreaChart>
      <ul className="chart-legend" aria-label="Streams">
        {series.map((s) => (
          <li key={s.key}>
            <span className="chart-swatch" style={{ background: s.color }} aria-hidden="true" />
            {s.label}
          </li>
        ))}
      </ul>
    </div>
  );
}
