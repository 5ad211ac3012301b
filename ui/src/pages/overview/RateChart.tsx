import { useId } from 'react';
import { Area, AreaChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { formatTime } from '../../lib/format.ts';
import { timeTicks, type ThroughputPoint, valueTicks } from './series.ts';

export interface RateChartProps {
  points: ThroughputPoint[];
  /** Which series to draw. */
  dataKey: 'events' | 'bytes';
  /** The series' color, a CSS variable: `var(--chart-1)`. */
  color: string;
  /** The visible time range [start, end] (epoch ms). */
  domain: [number, number];
  /** Formats axis ticks (short) and tooltip values (with the unit). */
  formatTick: (value: number) => string;
  formatValue: (value: number) => string;
  /** 1024 for byte rates, so that ticks land on round binary units. Default 10. */
  base?: 10 | 1024;
  /** What the series is, for the tooltip and screen readers. */
  label: string;
  height?: number;
}

const clock = (t: number) => formatTime(t).slice(11, 19);
const axisTick = { fontSize: 11, fill: 'var(--chart-axis)' };
/** A live area chart of one rate over time, in the theme's chart colors. */
export function RateChart({
  points,
  dataKey,
  color,
  domain,
  formatTick,
  formatValue,
  label,
  base = 10,
  height = 170,
}: RateChartProps) {
  const max = points.reduce((m, p) => Math.max(m, p[dataKey] ?? 0), 0);
  const yTicks = valueTicks(max, base);
  const gradient = `fill-${useId().replace(/[^a-zA-Z0-9_-]/g, '')}`;
  return (
    <AreaChart
      responsive
      data={points}
      margin={{ top: 6, right: 12, bottom: 0, left: 0 }}
      style={{ width: '100%', height }}
      title={label}
    >
      <defs>
        <linearGradient id={gradient} x1="0" y1="0" x2="0" y2="1">
          <stop offset="0%" stopColor={color} stopOpacity={0.32} />
          <stop offset="100%" stopColor={color} stopOpacity={0.02} />
        </linearGradient>
      </defs>
      <CartesianGrid stroke="var(--chart-grid)" vertical={false} />
      <XAxis
        dataKey="t"
        type="number"
        scale="time"
        domain={domain}
        allowDataOverflow
        ticks={timeTicks(domain)}
        tickFormatter={clock}
        tick={axisTick}
        tickLine={false}
        axisLine={{ stroke: 'var(--chart-grid)' }}
        minTickGap={48}
      />
      <YAxis
        tickFormatter={formatTick}
        tick={axisTick}
        tickLine={false}
        axisLine={false}
        width={52}
        ticks={yTicks}
        domain={[0, yTicks[yTicks.length - 1]!]}
      />
      <Tooltip
        isAnimationActive={false}
        cursor={{ stroke: 'var(--border-strong)' }}
        labelFormatter={(t) => formatTime(Number(t))}
        formatter={(value) => [formatValue(Number(value)), label]}
        contentStyle={{
          background: 'var(--surface)',
          border: '1px solid var(--border)',
          borderRadius: 6,
          boxShadow: 'var(--shadow)',
          fontSize: 12,
        }}
        labelStyle={{ color: 'var(--text-muted)' }}
        itemStyle={{ color: 'var(--text)' }}
      />
      <Area
        type="monotone"
        dataKey={dataKey}
        name={label}
        stroke={color}
        strokeWidth={1.6}
        fill={`url(#${gradient})`}
        isAnimationActive={false}
        dot={false}
        activeDot={{ r: 3, strokeWidth: 0, fill: color }}
        connectNulls={false}
      />
    </AreaChart>
  );
}
