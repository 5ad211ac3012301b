import { useId } from 'react';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { Stat } from '../../components/Stat.tsx';
import { formatBytes, formatCompact, formatNumber, formatPercent } from '../../lib/format.ts';
import { axisTick, tooltipItemStyle, tooltipLabelStyle, tooltipStyle } from './chart-style.ts';
import { sizeBucketLabels } from './series.ts';
import type { Snapshot } from './useNodeRates.ts';

/**
 * The payload-size histogram of every event the hub has counted, or of one sender's: bars per size bucket,
 * with the count, mean size and the share of small payloads.
 */
export function PayloadSizes({
  snapshot,
  node,
  onNode,
}: {
  snapshot: Snapshot;
  /** A sender's id, or null for all. */
  node: number | null;
  onNode: (node: number | null) => void;
}) {
  const id = useId();
  const all = snapshot.payloadSizes;
  const nodes = snapshot.nodes ?? [];
  const chosen = node === null ? null : (nodes.find((n) => n.id === node) ?? null);
  const bounds = all?.bounds ?? [];
  const counts = chosen ? chosen.payloadSizes : (all?.counts ?? []);
  const count = counts.reduce((a, b) => a + b, 0);
  const sum = chosen ? chosen.payloadBytes : (all?.sum ?? 0);
  const labels = sizeBucketLabels(bounds);
  const data = labels.map(({ short, range }, i) => ({ label: short, range, count: counts[i] ?? 0 }));
  // Trim empty buckets at the large end so that the bars use the width.
  let end = data.length;
  while (end > 4 && data[end - 1]!.count === 0) end--;
  const mode = data.reduce(
    (best, d) => (d.count > best.count ? d : best),
    data[0] ?? { label: '—', range: '—', count: 0 },
  );
  return (
    <div className="stack">
      <div className="row sizes-head">
        <label htmlFor={`${id}-node`} className="muted">
          Events from
        </label>
        <select
          id={`${id}-node`}
          value={node === null ? '' : String(node)}
          onChange={(e) => onNode(e.target.value === '' ? null : Number(e.target.value))}
        >
          <option value="">all senders</option>
          {nodes.map((n) => (
            <option key={n.id} value={n.id}>
              {n.label}
            </option>
          ))}
        </select>
      </div>
      <div className="sizes-stats">
        <Stat label="Events counted" value={formatCompact(count)} />
        <Stat label="Mean size" value={count > 0 ? formatBytes(Math.round(sum / count)) : '—'} />
        <Stat
          label="Most common"
          value={<span className="stat-text">{count > 0 ? mode.range : '—'}</span>}
          hint={count > 0 ? formatPercent(mode.count / count) : undefined}
        />
      </div>
      <BarChart
        responsive
        data={data.slice(0, end)}
        margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
        style={{ width: '100%', height: 190 }}
        title="Payload sizes"
      >
        <CartesianGrid stroke="var(--chart-grid)" vertical={false} />
        <XAxis
          dataKey="label"
          tick={axisTick}
          tickLine={false}
          axisLine={{ stroke: 'var(--chart-grid)' }}
          interval={0}
        />
        <YAxis
          tickFormatter={(v: number) => formatCompact(v)}
          tick={axisTick}
          tickLine={false}
          axisLine={false}
          width={44}
          allowDecimals={false}
        />
        <Tooltip
          isAnimationActive={false}
          cursor={{ fill: 'var(--surface-2)' }}
          labelFormatter={(label) => data.find((d) => d.label === label)?.range ?? String(label)}
          formatter={(value) => [
            `${formatNumber(Number(value))} events (${formatPercent(count > 0 ? Number(value) / count : 0)})`,
            'payloads',
          ]}
          contentStyle={tooltipStyle}
          labelStyle={tooltipLabelStyle}
          itemStyle={tooltipItemStyle}
        />
        <Bar
          dataKey="count"
          name="events"
          fill="var(--chart-3)"
          radius={[3, 3, 0, 0]}
          isAnimationActive={false}
        />
      </BarChart>
    </div>
  );
}
