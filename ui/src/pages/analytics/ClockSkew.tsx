import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { Stat } from '../../components/Stat.tsx';
import { Empty } from '../../components/States.tsx';
import { formatDuration, formatNumber } from '../../lib/format.ts';
import { axisTick, tooltipItemStyle, tooltipLabelStyle, tooltipStyle } from './chart-style.ts';
import type { NodeStats, Snapshot } from './useNodeRates.ts';

const ms = (value: number | null) =>
  value === null ? '—' : `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;

/**
 * How far ahead of the sequencer's clock each sender's clock hints ran (only hints that raised the clock can be
 * measured: a sender behind the sequencer never does), and the spread between senders.
 */
export function ClockSkew({ snapshot }: { snapshot: Snapshot }) {
  const nodes = snapshot.nodes ?? [];
  const hinted = nodes.filter((n) => n.clockHints.applied > 0 || n.source === 'framed');
  const measured = nodes.filter((n) => n.clockHints.measured > 0);
  const means = measured.map((n) => n.clockHints.meanAheadMs ?? 0);
  const spread = means.length >= 2 ? Math.max(...means) - Math.min(...means) : null;
  const rejected = snapshot.counters?.CLOCK_HINTS_REJECTED ?? 0;
  const applied =
    snapshot.counters?.CLOCK_HINTS_APPLIED ?? measured.reduce((a, n) => a + n.clockHints.applied, 0);
  const data = measured
    .map((n) => ({ label: n.label, mean: n.clockHints.meanAheadMs ?? 0, max: n.clockHints.maxAheadMs ?? 0 }))
    .sort((a, b) => b.max - a.max);
  const columns: Column<NodeStats>[] = [
    { id: 'node', header: 'Sender', cell: (n) => <span className="mono">{n.label}</span> },
    {
      id: 'applied',
      header: 'Hints applied',
      width: '104px',
      align: 'right',
      cell: (n) => formatNumber(n.clockHints.applied),
    },
    {
      id: 'mean',
      header: 'Mean lead',
      width: '90px',
      align: 'right',
      cell: (n) => ms(n.clockHints.meanAheadMs),
    },
    {
      id: 'max',
      header: 'Max lead',
      width: '84px',
      align: 'right',
      cell: (n) => ms(n.clockHints.maxAheadMs),
    },
    { id: 'last', header: 'Last', width: '72px', align: 'right', cell: (n) => ms(n.clockHints.lastAheadMs) },
  ];
  return (
    <div className="stack">
      <div className="sizes-stats">
        <Stat label="Hints applied" value={formatNumber(applied)} />
        <Stat
          label="Rejected"
          value={formatNumber(rejected)}
          tone={rejected > 0 ? 'warn' : 'neutral'}
          hint="beyond the drift bound"
        />
        <Stat
          label="Spread"
          value={spread === null ? '—' : formatDuration(spread)}
          hint={spread === null ? 'needs two measured senders' : 'between mean leads'}
        />
      </div>
      {data.length > 0 && (
        <BarChart
          responsive
          layout="vertical"
          data={data}
          margin={{ top: 4, right: 16, bottom: 0, left: 0 }}
          style={{ width: '100%', height: Math.max(90, 34 * data.length + 30) }}
          title="Clock lead by sender"
        >
          <CartesianGrid stroke="var(--chart-grid)" horizontal={false} />
          <XAxis
            type="number"
            tick={axisTick}
            tickLine={false}
            axisLine={false}
            tickFormatter={(v: number) => `${v} ms`}
          />
          <YAxis
            type="category"
            dataKey="label"
            tick={axisTick}
            tickLine={false}
            axisLine={false}
            width={92}
          />
          <Tooltip
            isAnimationActive={false}
            cursor={{ fill: 'var(--surface-2)' }}
            formatter={(value, name) => [ms(Number(value)), String(name)]}
            contentStyle={tooltipStyle}
            labelStyle={tooltipLabelStyle}
            itemStyle={tooltipItemStyle}
          />
          <Bar dataKey="mean" name="mean lead" fill="var(--chart-1)" barSize={10} isAnimationActive={false} />
          <Bar dataKey="max" name="max lead" fill="var(--chart-2)" barSize={10} isAnimationActive={false} />
        </BarChart>
      )}
      {hinted.length === 0 ? (
        <Empty
          title="No sender has sent a clock hint"
          hint={
            <>
              Framed datagrams can carry the sender&apos;s clock, e.g.{' '}
              <code>cz send --framed --node 7 --hint now --to 127.0.0.1:9000 hello</code>
            </>
          }
        />
      ) : (
        <DataTable caption="Clock hints by sender" columns={columns} rows={hinted} rowKey={(n) => n.id} />
      )}
      <p className="faint chart-note">
        A lead is how far a hint ran ahead of the hub&apos;s sample time: a lower bound of the sender&apos;s
        clock offset. Hints that do not raise the sequencer&apos;s clock (a sender that is behind) cannot be
        measured.
      </p>
    </div>
  );
}
