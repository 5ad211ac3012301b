import { useId } from 'react';
import { Area, AreaChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { formatTime } from '../../lib/format.ts';
import type { ThroughputPoint } from './useThroughput.ts';

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
const TIME_STEPS = [5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 180_000, 300_000, 600_000, 900_000];

/** Round wall-clock times inside [start, end], about `count` of them. */
export function timeTicks([start, end]: [number, number], count = 5): number[] {
  const step = TIME_STEPS.find((s) => (end - start) / s <= count) ?? TIME_STEPS[TIME_STEPS.length - 1]!;
  const ticks: number[] = [];
  // A label right at the left edge would run into the value axis.
  const first = start + (end - start) * 0.06;
  for (let t = Math.ceil(first / step) * step; t <= end; t += step) ticks.push(t);
  return ticks;
}

/** 0 and round values up to `max` or just above (at least 4, or 1 KiB): steps of 1, 2, 2.5 or 5 × a power of `base` (10, or 1024 for bytes). */
export function valueTicks(max: number, base: 10 | 1024 = 10, count = 4): number[] {
  const top = Math.max(max, base === 1024 ? 1024 : 4);
  const rough = top / count;
  let unit = 1;
  if (base === 1024) {
    while (unit * 1024 <= rough) unit *= 1024;
  }
  const decade = 10 ** Math.floor(Math.log10(rough / unit));
  const step = unit * decade * ([1, 2, 2.5, 5, 10].find((m) => unit * decade * m >= rough) ?? 10);
  const ticks: number[] = [];
  for (let v = 0; v < top + step; v += step) ticks.push(v);
  return ticks;
}

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
