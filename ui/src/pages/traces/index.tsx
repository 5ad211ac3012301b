/**
 * Traces: a search form (service, operation, duration bounds, time, errors only) whose values live in the URL,
 * the matching traces with duration bars relative to the slowest, the selected trace as a Gantt timeline with
 * span details, and the calls between services.
 *
 * @module
 */
import { type FormEvent, useState } from 'react';
import { getServiceGraph, getTrace, listTraces, type TracesQuery, useApi } from '../../api/index.ts';
import { navigate, useLocation } from '../../app/router.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { Card } from '../../components/Card.tsx';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { Field } from '../../components/Field.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { Async, Empty } from '../../components/States.tsx';
import { formatTime } from '../../lib/format.ts';
import type { ServiceGraph, TraceSummary } from '../../../../src/hub/traces/schema.ts';
import { formatSpanMs } from './format.ts';
import { ServiceGraphView } from './ServiceGraphView.tsx';
import { Timeline } from './Timeline.tsx';
import './traces.css';

const FILTERS = [
  'service',
  'operation',
  'minDurationMs',
  'maxDurationMs',
  'since',
  'errorOnly',
  'limit',
] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

function filtersOf(search: URLSearchParams): Filters {
  return Object.fromEntries(FILTERS.map((f) => [f, search.get(f) ?? ''])) as Filters;
}

function queryOf(f: Filters): TracesQuery {
  const num = (s: string): number | undefined => (s.trim() === '' ? undefined : Number(s));
  return {
    service: f.service.trim() || undefined,
    operation: f.operation.trim() || undefined,
    minDurationMs: num(f.minDurationMs),
    maxDurationMs: num(f.maxDurationMs),
    since: f.since.trim() || undefined,
    errorOnly: f.errorOnly === 'true',
    limit: num(f.limit),
  };
}

export default function TracesPage() {
  const { path, search } = useLocation();
  const applied = filtersOf(search);
  const selected = search.get('trace');
  const [form, setForm] = useState<Filters>(applied);
  const key = FILTERS.map((f) => applied[f]).join('\u0000');
  const traces = useApi((signal) => listTraces(queryOf(applied), { signal }), [key], { refresh: 'auto' });
  const graph = useApi((signal) => getServiceGraph(applied.since || undefined, { signal }), [applied.since], {
    refresh: 'auto',
  });
  const detail = useApi(
    (signal) => (selected ? getTrace(selected, { signal }) : Promise.resolve(null)),
    [selected],
  );

  const go = (filters: Filters, trace: string | null, push = false) => {
    const params = new URLSearchParams();
    for (const f of FILTERS) if (filters[f] !== '' && filters[f] !== 'false') params.set(f, filters[f]);
    if (trace) params.set('trace', trace);
    const q = params.toString();
    navigate(`${path}${q ? `?${q}` : ''}`, { replace: !push });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    go(form, null, true);
  };
  const set = (name: keyof Filters) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [name]: e.target.value }));

  return (
    <>
      <PageHeader
        title="Traces"
        description={
          <>
            Spans sent by OpenTelemetry exporters to <code>/v1/traces</code> (OTLP/HTTP JSON) or to{' '}
            <code>/api/traces/ingest</code>, grouped into traces.
          </>
        }
      />
      <div className="traces-layout">
        <Card title="Search">
          <form className="traces-form" onSubmit={submit} aria-label="Search traces">
            <Field label="Service">
              <input
                value={form.service}
                onChange={set('service')}
                placeholder="checkout"
                autoComplete="off"
              />
            </Field>
            <Field label="Operation">
              <input
                value={form.operation}
                onChange={set('operation')}
                placeholder="GET /cart"
                autoComplete="off"
              />
            </Field>
            <Field label="Min duration (ms)">
              <input
                type="number"
                min={0}
                step="any"
                value={form.minDurationMs}
                onChange={set('minDurationMs')}
              />
            </Field>
            <Field label="Max duration (ms)">
              <input
                type="number"
                min={0}
                step="any"
                value={form.maxDurationMs}
                onChange={set('maxDurationMs')}
              />
            </Field>
            <Field label="Since" hint="5m, 2h, 1d or a time">
              <input value={form.since} onChange={set('since')} placeholder="1h" autoComplete="off" />
            </Field>
            <Field label="Limit">
              <input
                type="number"
                min={1}
                max={1000}
                value={form.limit}
                onChange={set('limit')}
                placeholder="20"
              />
            </Field>
            <label className="traces-check">
              <input
                type="checkbox"
                checked={form.errorOnly === 'true'}
                onChange={(e) => setForm((f) => ({ ...f, errorOnly: e.target.checked ? 'true' : '' }))}
              />{' '}
              Errors only
            </label>
            <div className="traces-form-actions">
              <Button type="submit" variant="primary">
                Search
              </Button>
              <Button
                onClick={() => {
                  const empty = filtersOf(new URLSearchParams());
                  setForm(empty);
                  go(empty, null, true);
                }}
              >
                Clear
              </Button>
            </div>
          </form>
        </Card>
        <Card title="Traces" flush>
          <Async
            state={traces}
            what="Loading traces"
            isEmpty={(d) => d.traces.length === 0}
            empty={
              <Empty
                title="No traces match."
                hint="Point an OpenTelemetry exporter at /v1/traces with a write key, or loosen the filters."
              />
            }
          >
            {(data) => (
              <TraceTable traces={data.traces} selected={selected} onSelect={(id) => go(applied, id, true)} />
            )}
          </Async>
        </Card>
        {selected && (
          <Card title="Timeline" subtitle={<code>{selected}</code>}>
            <Async state={detail} what="Loading the trace">
              {(d) => (d ? <Timeline detail={d} /> : null)}
            </Async>
          </Card>
        )}
        <Card
          title="Service graph"
          subtitle="Calls from a span of one service to a child span of another"
          flush
        >
          <Async
            state={graph}
            what="Loading the service graph"
            isEmpty={(g) => g.edges.length === 0}
            empty={<Empty title="No calls between services yet." />}
          >
            {(g) => (
              <>
                <ServiceGraphView graph={g} />
                <EdgeTable graph={g} />
              </>
            )}
          </Async>
        </Card>
      </div>
    </>
  );
}

function TraceTable({
  traces,
  selected,
  onSelect,
}: {
  traces: TraceSummary[];
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  const slowest = Math.max(...traces.map((t) => t.durationMs), 0.001);
  const columns: Column<TraceSummary>[] = [
    {
      id: 'root',
      header: 'Root span',
      cell: (t) => (
        <div className="traces-root">
          <strong>{t.root.name}</strong>
          <span>
            {t.root.service} · <code>{t.traceId.slice(0, 12)}…</code>
          </span>
        </div>
      ),
    },
    { id: 'start', header: 'Started', cell: (t) => formatTime(t.startTimeUnixMs) },
    {
      id: 'duration',
      header: 'Duration',
      width: '28%',
      cell: (t) => (
        <div className="traces-duration">
          <span
            className={t.error ? 'traces-duration-bar traces-duration-error' : 'traces-duration-bar'}
            style={{ width: `${Math.max(1, (t.durationMs / slowest) * 100)}%` }}
            aria-hidden="true"
          />
          <span>{formatSpanMs(t.durationMs)}</span>
        </div>
      ),
    },
    { id: 'spans', header: 'Spans', align: 'right', cell: (t) => t.spanCount },
    {
      id: 'errors',
      header: 'Errors',
      align: 'right',
      cell: (t) => (t.errorCount > 0 ? <Badge tone="bad">{t.errorCount}</Badge> : '0'),
    },
    { id: 'services', header: 'Services', cell: (t) => t.services.join(', ') },
  ];
  return (
    <DataTable
      caption="Traces, newest first; choose one to see its timeline"
      columns={columns}
      rows={traces}
      rowKey={(t) => t.traceId}
      onRowClick={(t) => onSelect(t.traceId)}
      selectedKey={selected}
    />
  );
}

function EdgeTable({ graph }: { graph: ServiceGraph }) {
  type Edge = ServiceGraph['edges'][number];
  const columns: Column<Edge>[] = [
    { id: 'parent', header: 'Caller', cell: (e) => e.parent },
    { id: 'child', header: 'Callee', cell: (e) => e.child },
    { id: 'calls', header: 'Calls', align: 'right', cell: (e) => e.calls },
    {
      id: 'errors',
      header: 'Errors',
      align: 'right',
      cell: (e) => (e.errors > 0 ? <Badge tone="bad">{e.errors}</Badge> : '0'),
    },
  ];
  return (
    <DataTable
      caption="Calls between services"
      columns={columns}
      rows={graph.edges}
      rowKey={(e) => `${e.parent}→${e.child}`}
    />
  );
}
