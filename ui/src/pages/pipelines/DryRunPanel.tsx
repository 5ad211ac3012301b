/**
 * The dry run: replays a recorded journal range (a time range, or sequences) through the saved pipeline and
 * shows each node's counters and the first records it produced. Nothing is delivered anywhere, and the same
 * range always gives the same answer.
 *
 * @module
 */
import { useState } from 'react';
import { type ApiError, dryRunPipeline, toApiError } from '../../api/index.ts';
import { Button } from '../../components/Button.tsx';
import { Card } from '../../components/Card.tsx';
import { Field } from '../../components/Field.tsx';
import { ErrorState } from '../../components/States.tsx';
import { formatNumber } from '../../lib/format.ts';
import type { DryRunResult, NodeKind } from '../../../../src/hub/pipelines/schema.ts';

interface Props {
  pipelineId: string | null;
  /** Node kinds by id, to pick the sinks first. */
  kinds: Map<string, NodeKind>;
  /** Unsaved changes are not what the hub would run. */
  dirty: boolean;
}

export function DryRunPanel({ pipelineId, kinds, dirty }: Props) {
  const [since, setSince] = useState('15m');
  const [until, setUntil] = useState('');
  const [result, setResult] = useState<DryRunResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useState<string | null>(null);

  const run = async () => {
    if (pipelineId === null) return;
    setBusy(true);
    setError(null);
    try {
      const r = await dryRunPipeline(pipelineId, {
        ...(since.trim() ? { since: /^\d+$/.test(since.trim()) ? Number(since) : since.trim() } : {}),
        ...(until.trim() ? { until: /^\d+$/.test(until.trim()) ? Number(until) : until.trim() } : {}),
        sample: 20,
      });
      setResult(r);
      setShown((prev) =>
        prev && prev in r.nodes ? prev : ([...kinds].find(([, k]) => k === 'sink')?.[0] ?? null),
      );
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  const sample = result && shown ? (result.nodes[shown]?.sample ?? []) : [];
  return (
    <Card
      title="Dry run"
      subtitle="Replay recorded events through the saved pipeline; nothing is delivered. The same range always gives the same output."
    >
      <form
        className="pipe-dry-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <Field label="Since" hint="5m, 1h, epoch ms or RFC 3339">
          <input value={since} onChange={(e) => setSince(e.target.value)} data-testid="dry-since" />
        </Field>
        <Field label="Until" hint="empty: now">
          <input value={until} onChange={(e) => setUntil(e.target.value)} data-testid="dry-until" />
        </Field>
        <Button type="submit" variant="primary" disabled={pipelineId === null || busy} data-testid="dry-run">
          {busy ? 'Running…' : 'Dry run'}
        </Button>
        {pipelineId === null && <span className="muted">Save the pipeline first.</span>}
        {pipelineId !== null && dirty && (
          <span className="muted">Unsaved changes are not included: save first.</span>
        )}
      </form>
      {error && <ErrorState what="Dry run" error={error} compact />}
      {result && (
        <div className="pipe-dry-result" data-testid="dry-result">
          <p className="muted">
            Slots {formatNumber(result.range.from)}–{formatNumber(result.range.to)}:{' '}
            {formatNumber(result.scanned)} events replayed
            {result.overwritten > 0 ? `, ${formatNumber(result.overwritten)} already overwritten` : ''}.
          </p>
          <table className="pipe-dry-table">
            <thead>
              <tr>
                <th>Node</th>
                <th className="num">In</th>
                <th className="num">Out</th>
                <th className="num">Errors</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {Object.entries(result.nodes).map(([id, c]) => (
                <tr
                  key={id}
                  className={id === shown ? 'pipe-dry-selected' : undefined}
                  data-testid={`dry-row-${id}`}
                >
                  <td>
                    <code>{id}</code> <span className="muted">{kinds.get(id)}</span>
                  </td>
                  <td className="num">{formatNumber(c.in)}</td>
                  <td className="num" data-testid={`dry-out-${id}`}>
                    {formatNumber(c.out)}
                  </td>
                  <td className="num" title={c.lastError ?? undefined}>
                    {formatNumber(c.errors)}
                  </td>
                  <td>
                    <Button size="sm" variant="ghost" onClick={() => setShown(id)}>
                      Records
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {shown && (
            <div className="pipe-dry-sample">
              <div className="field-label">
                First records out of <code>{shown}</code>
              </div>
              {sample.length === 0 ? (
                <p className="muted">No records.</p>
              ) : (
                <pre data-testid="dry-sample">
                  {sample
                    .map((r) => JSON.stringify({ seq: r.seq, time: r.time, fields: r.fields }))
                    .join('\n')}
                </pre>
              )}
            </div>
          )}
        </div>
      )}
    </Card>
  );
}
