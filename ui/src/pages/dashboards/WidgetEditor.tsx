/**
 * The widget dialog: type, title, source (a query of the query language, or one of the hub's metrics for time
 * series and single values), for a query time series what it plots (the count of events, or a field's values
 * folded per bucket by avg/sum/min/max/last — how a pipeline's dashboard sink is drawn), a preview of the data the widget would show over the dashboard's range, and the
 * hub's own error — with its line and column — when the query does not parse or does not suit the type.
 *
 * @module
 */
import { useState } from 'react';
import { type ApiError, previewWidget, toApiError } from '../../api/index.ts';
import { Button } from '../../components/Button.tsx';
import { Field } from '../../components/Field.tsx';
import { Modal } from '../../components/Modal.tsx';
import {
  type DashboardWidget,
  METRIC_WIDGET_TYPES,
  type TimeRange,
  VALUE_AGGREGATIONS,
  type ValueAggregation,
  type WidgetData,
  WIDGET_TYPES,
  WIDGET_VALUE_MAX_LENGTH,
  type WidgetType,
} from '../../../../src/hub/dashboards/schema.ts';
import { SERIES } from '../../../../src/hub/metrics/schema.ts';
import { WidgetView } from './WidgetView.tsx';

/** What the dialog edits: everything but the widget's id and place. */
export type WidgetDraft = Pick<DashboardWidget, 'type' | 'title' | 'query' | 'metric' | 'value' | 'agg'>;

const AGG_LABELS: Record<ValueAggregation, string> = {
  avg: 'average',
  sum: 'sum',
  min: 'minimum',
  max: 'maximum',
  last: 'last value',
};

const TYPE_LABELS: Record<WidgetType, string> = {
  timeseries: 'Time series',
  value: 'Single value',
  table: 'Table',
  log: 'Log stream',
};

const EXAMPLES: Record<WidgetType, string> = {
  timeseries: 'SELECT COUNT(*) FROM * GROUP BY stream BY 1m',
  value: 'SELECT COUNT(*) FROM *',
  table: 'SELECT COUNT(*) FROM * GROUP BY stream',
  log: 'SELECT * FROM *',
};

const HINTS: Record<WidgetType, string> = {
  timeseries: 'SELECT COUNT(*) …, optionally GROUP BY a field (a line per value) and BY a bucket such as 1m.',
  value: 'SELECT COUNT(*) … without GROUP BY: the number of matching events in the range.',
  table: 'Any query: rows or counts. At most 500 rows are shown.',
  log: 'SELECT * or fields: the newest events first (LIMIT says how many, at most 200).',
};

export function WidgetEditor({
  initial,
  range,
  onSave,
  onClose,
}: {
  initial: WidgetDraft | null;
  range: TimeRange;
  /** Saves the widget; rejects with the hub's error, which the dialog shows. */
  onSave: (draft: WidgetDraft) => Promise<void>;
  onClose: () => void;
}) {
  const [type, setType] = useState<WidgetType>(initial?.type ?? 'timeseries');
  const [title, setTitle] = useState(initial?.title ?? '');
  const [source, setSource] = useState<'query' | 'metric'>(initial?.metric ? 'metric' : 'query');
  const [query, setQuery] = useState(initial?.query ?? EXAMPLES[initial?.type ?? 'timeseries']);
  const [metric, setMetric] = useState<string>(initial?.metric ?? 'eventsPerSec');
  const [plot, setPlot] = useState<'count' | 'value'>(initial?.value === undefined ? 'count' : 'value');
  const [valueField, setValueField] = useState(initial?.value ?? 'value');
  const [agg, setAgg] = useState<ValueAggregation>(initial?.agg ?? 'avg');
  const [preview, setPreview] = useState<WidgetData | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const metricAllowed = METRIC_WIDGET_TYPES.includes(type);
  const useMetric = source === 'metric' && metricAllowed;
  const plotsValue = type === 'timeseries' && !useMetric && plot === 'value';
  const draft = (): WidgetDraft => ({
    type,
    title: title.trim(),
    ...(useMetric ? { metric: metric as WidgetDraft['metric'] } : { query }),
    ...(plotsValue ? { value: valueField.trim(), agg } : {}),
  });

  const run = async (what: 'preview' | 'save') => {
    setBusy(true);
    setError(null);
    try {
      if (what === 'preview') {
        setPreview(
          await previewWidget({
            widget: { ...draft(), layout: { x: 0, y: 0, w: 6, h: 4 } },
            since: range.since,
            until: range.until,
          }),
        );
      } else {
        await onSave(draft());
      }
    } catch (e) {
      setError(toApiError(e));
      setPreview(null);
    } finally {
      setBusy(false);
    }
  };

  const queryError =
    error && /query/.test(JSON.stringify(error.details ?? '') + error.message) ? error : null;
  const valueError =
    !queryError && error && /\.value\b|\bagg\b/.test(JSON.stringify(error.details ?? '') + error.message)
      ? error
      : null;

  return (
    <Modal
      title={initial ? 'Edit widget' : 'Add a widget'}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button onClick={() => void run('preview')} disabled={busy}>
            Preview
          </Button>
          <Button variant="primary" onClick={() => void run('save')} disabled={busy}>
            {initial ? 'Save widget' : 'Add widget'}
          </Button>
        </>
      }
    >
      <div className="dash-editor">
        <Field label="Type">
          <select
            value={type}
            data-autofocus
            onChange={(e) => {
              const next = e.target.value as WidgetType;
              if (query === EXAMPLES[type]) setQuery(EXAMPLES[next]);
              setType(next);
              setPreview(null);
            }}
          >
            {WIDGET_TYPES.map((t) => (
              <option key={t} value={t}>
                {TYPE_LABELS[t]}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Title">
          <input value={title} maxLength={100} onChange={(e) => setTitle(e.target.value)} />
        </Field>
        {metricAllowed && (
          <Field label="Source">
            <select value={source} onChange={(e) => setSource(e.target.value as 'query' | 'metric')}>
              <option value="query">A query over the journal</option>
              <option value="metric">A metric of the hub</option>
            </select>
          </Field>
        )}
        {useMetric ? (
          <Field
            label="Metric"
            hint="From the hub’s metrics history (one point per second for the last hour)."
          >
            <select value={metric} onChange={(e) => setMetric(e.target.value)}>
              {SERIES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </Field>
        ) : (
          <Field
            label="Query"
            hint={
              plotsValue
                ? 'The events whose value is plotted: SELECT * FROM …, or SELECT COUNT(*) FROM … GROUP BY a field (a line per value) BY a bucket.'
                : HINTS[type]
            }
            error={queryError ? <span className="dash-query-error">{queryError.message}</span> : undefined}
          >
            <textarea
              className="dash-query"
              rows={4}
              spellCheck={false}
              value={query}
              onChange={(e) => setQuery(e.target.value)}
            />
          </Field>
        )}
        {type === 'timeseries' && !useMetric && (
          <Field label="Plot">
            <select
              value={plot}
              data-testid="widget-plot"
              onChange={(e) => setPlot(e.target.value as 'count' | 'value')}
            >
              <option value="count">The number of matching events</option>
              <option value="value">A field’s values</option>
            </select>
          </Field>
        )}
        {plotsValue && (
          <div className="dash-editor-value">
            <Field
              label="Value field"
              hint="A numeric field of the events, like latency.ms (a pipeline’s dashboard sink writes value)."
              error={valueError ? <span className="dash-query-error">{valueError.message}</span> : undefined}
            >
              <input
                value={valueField}
                maxLength={WIDGET_VALUE_MAX_LENGTH}
                data-testid="widget-value"
                spellCheck={false}
                onChange={(e) => setValueField(e.target.value)}
              />
            </Field>
            <Field label="Per bucket" hint="How the values of one bucket (and line) become a point.">
              <select
                value={agg}
                data-testid="widget-agg"
                onChange={(e) => setAgg(e.target.value as ValueAggregation)}
              >
                {VALUE_AGGREGATIONS.map((a) => (
                  <option key={a} value={a}>
                    {AGG_LABELS[a]}
                  </option>
                ))}
              </select>
            </Field>
          </div>
        )}
        {error && !queryError && !valueError && (
          <p className="dash-error" role="alert">
            {error.message}
          </p>
        )}
        {preview && (
          <div className="dash-preview" aria-label="Preview">
            <WidgetView data={preview} />
          </div>
        )}
      </div>
    </Modal>
  );
}
