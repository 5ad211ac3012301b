/**
 * The rules view: the rules as a table, and an editor for a new or an existing rule in either form, with a live
 * preview (debounced) of what the rule would have matched over the recent journal — values per window and
 * group against the threshold, and sample slots that open in the Event Explorer.
 *
 * @module
 */
import { type FormEvent, useEffect, useState } from 'react';
import { deleteAlertRule, listAlertRules, previewAlertRule, saveAlertRule } from '../../api/alerts.ts';
import { type ApiError, toApiError, useApi } from '../../api/index.ts';
import { Link } from '../../app/router.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { Card } from '../../components/Card.tsx';
import { DataTable } from '../../components/DataTable.tsx';
import { Field } from '../../components/Field.tsx';
import { Async, Empty, ErrorState } from '../../components/States.tsx';
import { formatTime } from '../../lib/format.ts';
import {
  AGGREGATE_FNS,
  formatDuration,
  type Preview,
  SEVERITIES,
  THRESHOLD_OPS,
} from '../../../../src/hub/alerts/schema.ts';
import { bodyOf, type Draft, draftOf, EMPTY } from './draft.ts';
import { explorerAt, SEVERITY_TONE } from './shared.ts';

export function RulesView() {
  const rules = useApi((signal) => listAlertRules({ signal }), [], { refresh: 'auto' });
  const [editing, setEditing] = useState<{ id: string | null; draft: Draft } | null>(null);
  return (
    <div className="incidents-layout">
      <Card
        title="Rules"
        actions={
          <Button size="sm" variant="primary" onClick={() => setEditing({ id: null, draft: EMPTY })}>
            New rule
          </Button>
        }
        flush
      >
        <Async
          state={rules}
          what="Loading rules"
          isEmpty={(d) => d.rules.length === 0}
          empty={
            <Empty
              title="No alert rules yet."
              hint="A rule counts matching events over a window and fires past a threshold."
            />
          }
        >
          {(d) => (
            <DataTable
              caption="Alert rules; choose one to edit it"
              rows={d.rules}
              rowKey={(r) => r.id}
              selectedKey={editing?.id ?? null}
              onRowClick={(r) => setEditing({ id: r.id, draft: draftOf(r) })}
              columns={[
                { id: 'name', header: 'Name', cell: (r) => <strong>{r.name}</strong> },
                { id: 'query', header: 'Query', mono: true, cell: (r) => r.query },
                {
                  id: 'threshold',
                  header: 'Fires when',
                  cell: (r) => `${r.threshold.op} ${r.threshold.value} over ${formatDuration(r.windowMs)}`,
                },
                { id: 'for', header: 'For', cell: (r) => formatDuration(r.forMs) },
                {
                  id: 'severity',
                  header: 'Severity',
                  cell: (r) => <Badge tone={SEVERITY_TONE[r.severity]}>{r.severity}</Badge>,
                },
                { id: 'enabled', header: 'Enabled', cell: (r) => (r.enabled ? 'yes' : 'no') },
              ]}
            />
          )}
        </Async>
      </Card>
      {editing && (
        <RuleEditor
          key={editing.id ?? 'new'}
          id={editing.id}
          initial={editing.draft}
          onDone={() => {
            setEditing(null);
            rules.reload();
          }}
        />
      )}
    </div>
  );
}

function RuleEditor({ id, initial, onDone }: { id: string | null; initial: Draft; onDone: () => void }) {
  const [d, setD] = useState<Draft>(initial);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<{ data: Preview | null; error: ApiError | null; loading: boolean }>({
    data: null,
    error: null,
    loading: false,
  });
  const set = (name: keyof Draft) => (e: { target: { value: string } }) =>
    setD((x) => ({ ...x, [name]: e.target.value }));

  const previewKey = JSON.stringify(bodyOf(d, true)) + d.form;
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setPreview((p) => ({ ...p, loading: true }));
      previewAlertRule({ form: d.form, rule: bodyOf(d, true) }, { signal: controller.signal })
        .then((data) => setPreview({ data, error: null, loading: false }))
        .catch((e: unknown) => {
          if (!controller.signal.aborted) setPreview({ data: null, error: toApiError(e), loading: false });
        });
    }, 400);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- previewKey stands for the draft's rule fields
  }, [previewKey]);

  const issue = (field: string): string | undefined =>
    error?.issues.find((i) => i.field === `body.${field}` || i.field.startsWith(`body.${field}.`))?.message;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await saveAlertRule(d.form, bodyOf(d), id);
      onDone();
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    if (id === null) return;
    setBusy(true);
    try {
      await deleteAlertRule(id);
      onDone();
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={id === null ? 'New rule' : `Edit rule ${initial.name}`}>
      <form className="rule-form" onSubmit={(e) => void save(e)} aria-label="Rule">
        <Field label="Form" hint="v2: several conditions, aggregates, grouping">
          <select
            value={d.form}
            onChange={(e) => setD((x) => ({ ...x, form: e.target.value as 'v1' | 'v2' }))}
          >
            <option value="v1">simple (one query)</option>
            <option value="v2">v2 (conditions, group by)</option>
          </select>
        </Field>
        <Field label="Name" error={issue('name')}>
          <input value={d.name} onChange={set('name')} placeholder="checkout errors" autoComplete="off" />
        </Field>
        {d.form === 'v1' ? (
          <div className="rule-wide">
            <Field
              label="Query"
              hint="A condition, or SELECT COUNT(*) FROM stream WHERE … GROUP BY field"
              error={issue('query')}
            >
              <input
                value={d.query}
                onChange={set('query')}
                className="mono"
                autoComplete="off"
                spellCheck={false}
              />
            </Field>
          </div>
        ) : (
          <>
            <Field label="Streams" hint="comma-separated; empty: all" error={issue('from')}>
              <input value={d.from} onChange={set('from')} autoComplete="off" />
            </Field>
            <div className="rule-wide">
              <Field label="Conditions" hint="one per line" error={issue('conditions')}>
                <textarea
                  value={d.conditions}
                  onChange={set('conditions')}
                  rows={3}
                  className="mono"
                  spellCheck={false}
                />
              </Field>
            </div>
            <Field label="Match">
              <select
                value={d.match}
                onChange={(e) => setD((x) => ({ ...x, match: e.target.value as 'all' | 'any' }))}
              >
                <option value="all">all conditions</option>
                <option value="any">any condition</option>
              </select>
            </Field>
            <Field label="Aggregate">
              <select value={d.fn} onChange={set('fn')}>
                {AGGREGATE_FNS.map((f) => (
                  <option key={f} value={f}>
                    {f}
                  </option>
                ))}
              </select>
            </Field>
            {d.fn !== 'count' && (
              <Field label="Of field" error={issue('aggregate')}>
                <input value={d.field} onChange={set('field')} placeholder="latency" autoComplete="off" />
              </Field>
            )}
            <Field label="Group by" hint="one alert per value" error={issue('group_by')}>
              <input value={d.groupBy} onChange={set('groupBy')} placeholder="service" autoComplete="off" />
            </Field>
            <Field label="Keep firing for" error={issue('keep_firing_for')}>
              <input value={d.keepFiringFor} onChange={set('keepFiringFor')} autoComplete="off" />
            </Field>
          </>
        )}
        <Field label="Threshold">
          <select value={d.op} onChange={set('op')} aria-label="Threshold operator">
            {THRESHOLD_OPS.map((op) => (
              <option key={op} value={op}>
                {op}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Value" error={issue('threshold')}>
          <input type="number" step="any" value={d.threshold} onChange={set('threshold')} />
        </Field>
        <Field label="Window" hint="30s, 5m, 1h" error={issue('window')}>
          <input value={d.window} onChange={set('window')} autoComplete="off" />
        </Field>
        <Field label="For" hint="hold this long before firing" error={issue('for')}>
          <input value={d.for} onChange={set('for')} autoComplete="off" />
        </Field>
        <Field label="Severity">
          <select value={d.severity} onChange={set('severity')}>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <div className="rule-wide">
          <Field
            label="Description"
            hint="{{value}}, {{threshold}}, {{group}}, {{labels.x}}"
            error={issue('description')}
          >
            <input value={d.description} onChange={set('description')} autoComplete="off" />
          </Field>
        </div>
        <Field label="Labels" hint="team=db, env=prod" error={issue('labels')}>
          <input value={d.labels} onChange={set('labels')} autoComplete="off" />
        </Field>
        <label className="rule-check">
          <input
            type="checkbox"
            checked={d.enabled}
            onChange={(e) => setD((x) => ({ ...x, enabled: e.target.checked }))}
          />{' '}
          Enabled
        </label>
        <div className="rule-actions">
          <Button type="submit" variant="primary" disabled={busy}>
            {id === null ? 'Create rule' : 'Save rule'}
          </Button>
          <Button onClick={onDone}>Cancel</Button>
          {id !== null && (
            <Button variant="danger" disabled={busy} onClick={() => void remove()}>
              Delete
            </Button>
          )}
        </div>
      </form>
      {error && <ErrorState compact what="Saving the rule" error={error} />}
      <section className="rule-preview" aria-label="Preview" aria-busy={preview.loading}>
        <h3>Preview {preview.loading && <span className="incidents-muted">(updating…)</span>}</h3>
        {preview.error && <p className="incidents-error">{preview.error.message}</p>}
        {preview.data && <PreviewView preview={preview.data} />}
      </section>
    </Card>
  );
}

function PreviewView({ preview: p }: { preview: Preview }) {
  const values = p.windows.flatMap((w) => w.groups.map((g) => g.value ?? 0));
  const top = Math.max(1, ...values);
  const latest = [...p.windows].reverse().find((w) => w.groups.some((g) => g.count > 0));
  return (
    <div>
      <p>
        <code>{p.query}</code> — {p.matched} matching events in {p.scanned} slots since{' '}
        {formatTime(p.range.sinceMs)}
        {p.truncated && ' (the most recent 2 000 000 slots)'}.{' '}
        {p.wouldFire ? (
          <Badge tone="bad">would have fired</Badge>
        ) : (
          <Badge tone="ok">would not have fired</Badge>
        )}
      </p>
      <ol className="preview-windows" aria-label="Value per window">
        {p.windows.map((w) => {
          const worst = w.groups[0];
          const v = worst?.value ?? 0;
          return (
            <li
              key={w.start}
              title={`${formatTime(w.start)}: ${w.groups.map((g) => `${g.group ?? 'value'} ${g.value ?? '–'}`).join(', ') || 'nothing'}`}
              className={w.groups.some((g) => g.breaches) ? 'preview-bar preview-breach' : 'preview-bar'}
              style={{ height: `${Math.max(2, (v / top) * 100)}%` }}
            />
          );
        })}
      </ol>
      {latest !== undefined && (
        <DataTable
          caption={`Values in the latest window with matches, from ${formatTime(latest.start)}`}
          rows={latest.groups}
          rowKey={(g) => g.group ?? ''}
          columns={[
            { id: 'group', header: 'Group', cell: (g) => g.group ?? '(the rule has no group_by)' },
            { id: 'count', header: 'Matches', align: 'right', cell: (g) => g.count },
            { id: 'value', header: 'Value', align: 'right', cell: (g) => g.value ?? '–' },
            {
              id: 'breach',
              header: 'Threshold',
              cell: (g) => (g.breaches ? <Badge tone="bad">breached</Badge> : <Badge tone="ok">ok</Badge>),
            },
          ]}
        />
      )}
      {p.samples.length > 0 && (
        <p className="incident-evidence">
          Sample slots:{' '}
          {p.samples.map((s) => (
            <Link key={s} to={explorerAt(s)} className="incident-slot">
              {s}
            </Link>
          ))}
        </p>
      )}
    </div>
  );
}
