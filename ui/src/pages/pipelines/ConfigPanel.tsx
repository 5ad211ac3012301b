/**
 * The selected node's settings: one small form per kind, editing the node's config in place (the hub checks
 * it on save and the issues come back onto the node). Numbers typed into number fields are stored as numbers.
 *
 * @module
 */
import type { ReactElement } from 'react';
import { Button } from '../../components/Button.tsx';
import { Field } from '../../components/Field.tsx';
import {
  AGGREGATE_FUNCTIONS,
  INCIDENT_SEVERITIES,
  SINK_KINDS,
} from '../../../../src/hub/pipelines/schema.ts';
import { type Config, KIND_HINTS, KIND_TITLES, type PipeNode } from './graph.ts';

interface Props {
  node: PipeNode;
  streams: readonly string[];
  issues: readonly string[];
  disabled: boolean;
  onChange(config: Config, label?: string): void;
  onDelete(): void;
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const num = (v: string): number | string => (v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v);

/** Comma-separated field paths ↔ a list (empty entries stay while typing, so a comma can be typed). */
const listText = (v: unknown): string => (Array.isArray(v) ? v.map(str).join(', ') : '');
const listOf = (text: string): string[] => (text.trim() === '' ? [] : text.split(',').map((p) => p.trim()));

function IncidentForm({
  config,
  disabled,
  set,
  onChange,
}: {
  config: Config;
  disabled: boolean;
  set(patch: Config): void;
  onChange(config: Config): void;
}) {
  /** Sets an optional key, or removes it when the input is emptied. */
  const optional = (name: string, value: unknown) => {
    const { [name]: _dropped, ...rest } = config;
    onChange(value === undefined ? rest : { ...rest, [name]: value });
  };
  return (
    <>
      <Field label="Title" hint="{{field}} is the record's field, e.g. {{user}} spent {{total}}">
        <input
          value={str(config.title)}
          disabled={disabled}
          data-testid="config-title"
          onChange={(e) => set({ title: e.target.value })}
          placeholder="{{user}} spent {{total}}"
          autoComplete="off"
        />
      </Field>
      <Field label="Description">
        <textarea
          value={str(config.description)}
          rows={2}
          disabled={disabled}
          data-testid="config-description"
          onChange={(e) => set({ description: e.target.value })}
        />
      </Field>
      <Field label="Severity">
        <select
          value={str(config.severity)}
          disabled={disabled}
          data-testid="config-severity"
          onChange={(e) => set({ severity: e.target.value })}
        >
          {INCIDENT_SEVERITIES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </Field>
      <Field label="Labels" hint="Record fields copied into the incident's labels, comma-separated.">
        <input
          value={listText(config.labels)}
          disabled={disabled}
          data-testid="config-labels"
          onChange={(e) => set({ labels: listOf(e.target.value) })}
          placeholder="user, region"
          autoComplete="off"
        />
      </Field>
      <Field
        label="Group by"
        hint="Records with the same values join the same open incident; empty: the labels."
      >
        <input
          value={listText(config.groupBy)}
          disabled={disabled}
          data-testid="config-groupBy"
          onChange={(e) => {
            const list = listOf(e.target.value);
            optional('groupBy', list.length === 0 ? undefined : list);
          }}
          placeholder="user"
          autoComplete="off"
        />
      </Field>
      <Field label="Value field" hint="A numeric field shown as the incident's value (optional).">
        <input
          value={str(config.valueField)}
          disabled={disabled}
          data-testid="config-valueField"
          onChange={(e) => optional('valueField', e.target.value === '' ? undefined : e.target.value)}
          placeholder="total"
          autoComplete="off"
        />
      </Field>
    </>
  );
}

export function ConfigPanel({ node, streams, issues, disabled, onChange, onDelete }: Props) {
  const { kind, config } = node.data;
  const set = (patch: Config) => onChange({ ...config, ...patch });
  const input = (name: string, placeholder = '', numeric = false): ReactElement<Record<string, unknown>> => (
    <input
      value={str(config[name])}
      placeholder={placeholder}
      disabled={disabled}
      data-testid={`config-${name}`}
      inputMode={numeric ? 'numeric' : undefined}
      onChange={(e) => set({ [name]: numeric ? num(e.target.value) : e.target.value })}
      autoComplete="off"
    />
  );
  return (
    <div className="pipe-config" data-testid="config-panel">
      <div className="pipe-config-title">
        <strong>{KIND_TITLES[kind]}</strong> <code>{node.id}</code>
      </div>
      <p className="muted pipe-config-hint">{KIND_HINTS[kind]}</p>
      <Field label="Label">
        <input
          value={node.data.label}
          disabled={disabled}
          onChange={(e) => onChange(config, e.target.value)}
          placeholder={node.id}
          autoComplete="off"
        />
      </Field>
      {kind === 'source' && (
        <Field label="Stream" hint="Connectors journal into their own stream: pick it here.">
          <input
            value={str(config.stream)}
            list="pipe-streams"
            disabled={disabled}
            data-testid="config-stream"
            onChange={(e) => set({ stream: e.target.value })}
            autoComplete="off"
          />
        </Field>
      )}
      {kind === 'filter' && (
        <Field label="Condition" hint='Query language, e.g. amount > 10 AND status = "ok"'>
          <textarea
            value={str(config.condition)}
            rows={3}
            disabled={disabled}
            data-testid="config-condition"
            onChange={(e) => set({ condition: e.target.value })}
          />
        </Field>
      )}
      {kind === 'transform' && <TransformOps config={config} disabled={disabled} set={set} />}
      {kind === 'join' && (
        <>
          <Field label="Left key">{input('leftKey', 'order.id')}</Field>
          <Field label="Right key">{input('rightKey', 'ref')}</Field>
          <Field label="Window (ms)">{input('windowMs', '1000', true)}</Field>
        </>
      )}
      {kind === 'aggregate' && <AggregateForm config={config} disabled={disabled} set={set} />}
      {kind === 'sink' && (
        <>
          <Field label="Sink">
            <select
              value={str(config.kind)}
              disabled={disabled}
              data-testid="config-sink-kind"
              onChange={(e) => {
                const k = e.target.value;
                onChange(
                  k === 'webhook'
                    ? { kind: k, url: '', timeoutMs: 5000, retries: 3 }
                    : k === 'incident'
                      ? { kind: k, title: '', description: '', severity: 'warning', labels: [] }
                      : k === 'alert'
                        ? { kind: k, stream: str(config.stream), name: '', severity: 'warning' }
                        : k === 'dashboard'
                          ? { kind: k, stream: str(config.stream), series: '', valueField: '' }
                          : { kind: k, stream: str(config.stream) },
                );
              }}
            >
              {SINK_KINDS.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </Field>
          {config.kind === 'webhook' ? (
            <>
              <Field label="URL">{input('url', 'http://127.0.0.1:8080/hook')}</Field>
              <Field label="Timeout (ms)">{input('timeoutMs', '5000', true)}</Field>
              <Field label="Retries">{input('retries', '3', true)}</Field>
            </>
          ) : config.kind === 'incident' ? (
            <IncidentForm config={config} disabled={disabled} set={set} onChange={onChange} />
          ) : (
            <Field label="Derived stream" hint="Events are journaled into this stream through the sequencer.">
              {input('stream', 'order-stats')}
            </Field>
          )}
          {config.kind === 'alert' && (
            <>
              <Field label="Alert name">{input('name', 'big orders')}</Field>
              <Field label="Severity">
                <select
                  value={str(config.severity)}
                  disabled={disabled}
                  onChange={(e) => set({ severity: e.target.value })}
                >
                  {['info', 'warning', 'critical'].map((s) => (
                    <option key={s}>{s}</option>
                  ))}
                </select>
              </Field>
            </>
          )}
          {config.kind === 'dashboard' && (
            <>
              <Field
                label="Series"
                hint="{{field}} names a record field: {{user}} gives one line per user in a widget with GROUP BY series."
              >
                {input('series', 'spend {{user}}')}
              </Field>
              <Field label="Value field">{input('valueField', 'n')}</Field>
            </>
          )}
        </>
      )}
      {issues.length > 0 && (
        <ul className="pipe-config-issues" role="alert">
          {issues.map((i) => (
            <li key={i}>{i}</li>
          ))}
        </ul>
      )}
      <datalist id="pipe-streams">
        {streams.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
      <Button variant="danger" size="sm" onClick={onDelete} disabled={disabled}>
        Delete node
      </Button>
    </div>
  );
}

function TransformOps({
  config,
  disabled,
  set,
}: {
  config: Config;
  disabled: boolean;
  set: (c: Config) => void;
}) {
  const ops = Array.isArray(config.ops) ? (config.ops as Config[]) : [];
  const update = (i: number, patch: Config | null) =>
    set({
      ops:
        patch === null
          ? ops.filter((_, j) => j !== i)
          : ops.map((o, j) => (j === i ? { ...o, ...patch } : o)),
    });
  return (
    <div className="pipe-config-list">
      <div className="field-label">Operations</div>
      {ops.map((op, i) => (
        <div className="pipe-config-row" key={i}>
          <select
            value={str(op.op)}
            disabled={disabled}
            aria-label={`operation ${i + 1}`}
            onChange={(e) => {
              const kind = e.target.value;
              const next: Config =
                kind === 'rename'
                  ? { op: kind, from: '', to: '' }
                  : kind === 'set'
                    ? { op: kind, field: '', expr: '' }
                    : { op: kind, field: '' };
              set({ ops: ops.map((o, j) => (j === i ? next : o)) });
            }}
          >
            <option value="set">set</option>
            <option value="rename">rename</option>
            <option value="drop">drop</option>
          </select>
          {op.op === 'rename' ? (
            <>
              <input
                aria-label="from"
                placeholder="from"
                value={str(op.from)}
                disabled={disabled}
                onChange={(e) => update(i, { from: e.target.value })}
              />
              <input
                aria-label="to"
                placeholder="to"
                value={str(op.to)}
                disabled={disabled}
                onChange={(e) => update(i, { to: e.target.value })}
              />
            </>
          ) : (
            <input
              aria-label="field"
              placeholder="field"
              value={str(op.field)}
              disabled={disabled}
              data-testid={`op-${i}-field`}
              onChange={(e) => update(i, { field: e.target.value })}
            />
          )}
          {op.op === 'set' && (
            <input
              aria-label="expression"
              placeholder='upper(user) + "!"'
              value={str(op.expr)}
              disabled={disabled}
              data-testid={`op-${i}-expr`}
              onChange={(e) => update(i, { expr: e.target.value })}
            />
          )}
          <Button
            size="sm"
            variant="ghost"
            disabled={disabled}
            onClick={() => update(i, null)}
            aria-label={`remove operation ${i + 1}`}
          >
            ×
          </Button>
        </div>
      ))}
      <Button
        size="sm"
        disabled={disabled}
        onClick={() => set({ ops: [...ops, { op: 'set', field: '', expr: '' }] })}
      >
        Add operation
      </Button>
      <p className="muted pipe-config-hint">
        Expressions: fields, $seq $time $stream $node, + - * / %, == != &lt; &gt;, &amp;&amp; || !, lower
        upper len round floor ceil abs now str num concat coalesce if min max contains.
      </p>
    </div>
  );
}

function AggregateForm({
  config,
  disabled,
  set,
}: {
  config: Config;
  disabled: boolean;
  set: (c: Config) => void;
}) {
  const window = (config.window ?? { kind: 'tumbling', sizeMs: 10_000 }) as Config;
  const measures = Array.isArray(config.measures) ? (config.measures as Config[]) : [];
  const groupBy = Array.isArray(config.groupBy) ? (config.groupBy as string[]) : [];
  const setMeasure = (i: number, patch: Config | null) =>
    set({
      measures:
        patch === null
          ? measures.filter((_, j) => j !== i)
          : measures.map((m, j) => (j === i ? { ...m, ...patch } : m)),
    });
  return (
    <>
      <Field label="Window">
        <select
          value={str(window.kind)}
          disabled={disabled}
          data-testid="config-window-kind"
          onChange={(e) =>
            set({
              window:
                e.target.value === 'sliding'
                  ? {
                      kind: 'sliding',
                      sizeMs: window.sizeMs,
                      slideMs: Math.max(1, Math.floor(Number(window.sizeMs) / 2)),
                    }
                  : { kind: 'tumbling', sizeMs: window.sizeMs },
            })
          }
        >
          <option value="tumbling">tumbling</option>
          <option value="sliding">sliding</option>
        </select>
      </Field>
      <Field label="Size (ms)">
        <input
          value={str(window.sizeMs)}
          disabled={disabled}
          inputMode="numeric"
          data-testid="config-window-size"
          onChange={(e) => set({ window: { ...window, sizeMs: num(e.target.value) } })}
        />
      </Field>
      {window.kind === 'sliding' && (
        <Field label="Slide (ms)">
          <input
            value={str(window.slideMs)}
            disabled={disabled}
            inputMode="numeric"
            onChange={(e) => set({ window: { ...window, slideMs: num(e.target.value) } })}
          />
        </Field>
      )}
      <Field label="Group by" hint="Field paths, separated by commas">
        <input
          value={groupBy.join(', ')}
          disabled={disabled}
          data-testid="config-group-by"
          onChange={(e) =>
            set({
              groupBy: e.target.value
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
            })
          }
        />
      </Field>
      <div className="pipe-config-list">
        <div className="field-label">Measures</div>
        {measures.map((m, i) => (
          <div className="pipe-config-row" key={i}>
            <select
              value={str(m.fn)}
              disabled={disabled}
              aria-label={`measure ${i + 1}`}
              onChange={(e) => {
                const fn = e.target.value;
                const next: Config = { fn, as: m.as };
                if (fn !== 'count') next.field = m.field ?? '';
                if (fn === 'percentile') next.p = m.p ?? 99;
                set({ measures: measures.map((x, j) => (j === i ? next : x)) });
              }}
            >
              {AGGREGATE_FUNCTIONS.map((f) => (
                <option key={f}>{f}</option>
              ))}
            </select>
            {m.fn !== 'count' && (
              <input
                aria-label="field"
                placeholder="field"
                value={str(m.field)}
                disabled={disabled}
                onChange={(e) => setMeasure(i, { field: e.target.value })}
              />
            )}
            {m.fn === 'percentile' && (
              <input
                aria-label="p"
                placeholder="p"
                value={str(m.p)}
                disabled={disabled}
                className="pipe-config-narrow"
                onChange={(e) => setMeasure(i, { p: num(e.target.value) })}
              />
            )}
            <input
              aria-label="output name"
              placeholder="as"
              value={str(m.as)}
              disabled={disabled}
              onChange={(e) => setMeasure(i, { as: e.target.value })}
            />
            <Button
              size="sm"
              variant="ghost"
              disabled={disabled}
              onClick={() => setMeasure(i, null)}
              aria-label={`remove measure ${i + 1}`}
            >
              ×
            </Button>
          </div>
        ))}
        <Button
          size="sm"
          disabled={disabled}
          onClick={() => set({ measures: [...measures, { fn: 'count', as: `m${measures.length + 1}` }] })}
        >
          Add measure
        </Button>
      </div>
    </>
  );
}
