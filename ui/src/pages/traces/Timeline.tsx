/**
 * A trace as a Gantt chart: one row per span (depth-first, indented by depth), its bar placed by offset and
 * duration on the trace's time axis, coloured by service; a click opens the span's details.
 *
 * @module
 */
import { useState } from 'react';
import { Badge } from '../../components/Badge.tsx';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import type { TraceDetail, TraceSpan } from '../../../../src/hub/traces/schema.ts';
import { formatSpanMs } from './format.ts';

const colorOf = (services: readonly string[], service: string): string =>
  `var(--chart-${(services.indexOf(service) % 6) + 1})`;

export function Timeline({ detail }: { detail: TraceDetail }) {
  const [selected, setSelected] = useState<string | null>(null);
  const total = Math.max(detail.trace.durationMs, 0.001);
  const services = detail.trace.services;
  const span = detail.spans.find((s) => s.spanId === selected) ?? null;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <div className="traces-timeline">
      <div className="traces-legend" aria-label="Services">
        {services.map((s) => (
          <span key={s} className="traces-legend-item">
            <span className="traces-swatch" style={{ background: colorOf(services, s) }} aria-hidden="true" />
            {s}
          </span>
        ))}
      </div>
      <div className="traces-gantt" role="list" aria-label="Spans on the trace's time axis">
        <div className="traces-gantt-axis" aria-hidden="true">
          <span />
          <div className="traces-gantt-ticks">
            {ticks.map((t) => (
              <span key={t} style={{ left: `${t * 100}%` }}>
                {formatSpanMs(total * t)}
              </span>
            ))}
          </div>
          <span />
        </div>
        {detail.spans.map((s) => (
          <button
            type="button"
            role="listitem"
            key={s.spanId}
            className={s.spanId === selected ? 'traces-gantt-row traces-gantt-selected' : 'traces-gantt-row'}
            onClick={() => setSelected(s.spanId === selected ? null : s.spanId)}
            aria-label={`${s.service} ${s.name}: starts at ${formatSpanMs(s.offsetMs)}, lasts ${formatSpanMs(s.durationMs)}${s.error ? ', error' : ''}`}
          >
            <span className="traces-gantt-label" style={{ paddingLeft: `${s.depth * 14}px` }}>
              <span className="traces-gantt-name">{s.name}</span>
              <span className="traces-gantt-service">{s.service}</span>
            </span>
            <span className="traces-gantt-track">
              <span
                className={s.error ? 'traces-gantt-bar traces-gantt-error' : 'traces-gantt-bar'}
                style={{
                  left: `${(s.offsetMs / total) * 100}%`,
                  width: `max(2px, ${(s.durationMs / total) * 100}%)`,
                  background: colorOf(services, s.service),
                }}
              />
            </span>
            <span className="traces-gantt-duration">{formatSpanMs(s.durationMs)}</span>
          </button>
        ))}
      </div>
      {span && <SpanDetails span={span} />}
    </div>
  );
}

interface Row {
  key: string;
  value: string;
}
const rowsOf = (record: Record<string, unknown>): Row[] =>
  Object.entries(record).map(([key, value]) => ({
    key,
    value: typeof value === 'string' ? value : JSON.stringify(value),
  }));
const kvColumns: Column<Row>[] = [
  { id: 'key', header: 'Key', cell: (r) => r.key, mono: true, width: '40%' },
  { id: 'value', header: 'Value', cell: (r) => r.value, mono: true },
];

function SpanDetails({ span }: { span: TraceSpan }) {
  return (
    <section className="traces-span" aria-label={`Span ${span.name}`}>
      <h3>
        {span.name} <Badge tone="info">{span.kind}</Badge>{' '}
        <Badge tone={span.error ? 'bad' : span.status === 'ok' ? 'ok' : 'neutral'}>{span.status}</Badge>
      </h3>
      <dl className="traces-span-facts">
        <dt>Service</dt>
        <dd>{span.service}</dd>
        <dt>Span id</dt>
        <dd>
          <code>{span.spanId}</code>
        </dd>
        <dt>Parent</dt>
        <dd>
          {span.parentSpanId ? <code>{span.parentSpanId}</code> : '—'}
          {span.orphan ? ' (not stored)' : ''}
        </dd>
        <dt>Starts</dt>
        <dd>+{formatSpanMs(span.offsetMs)}</dd>
        <dt>Duration</dt>
        <dd>{formatSpanMs(span.durationMs)}</dd>
        {span.statusMessage && (
          <>
            <dt>Status message</dt>
            <dd>{span.statusMessage}</dd>
          </>
        )}
      </dl>
      <DataTable
        caption="Span attributes"
        columns={kvColumns}
        rows={rowsOf(span.attributes)}
        rowKey={(r) => r.key}
        empty="No attributes."
      />
      {span.events.length > 0 && (
        <DataTable
          caption="Span events"
          columns={[
            {
              id: 'at',
              header: 'At',
              cell: (e) => `+${formatSpanMs(e.offsetMs)}`,
              align: 'right',
              width: '120px',
            },
            { id: 'name', header: 'Event', cell: (e) => e.name },
            { id: 'attrs', header: 'Attributes', cell: (e) => JSON.stringify(e.attributes), mono: true },
          ]}
          rows={span.events}
          rowKey={(e) => `${e.name}-${e.offsetMs}`}
        />
      )}
    </section>
  );
}
