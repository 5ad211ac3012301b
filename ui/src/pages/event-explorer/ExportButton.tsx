import { useState } from 'react';
import { type ApiError, type EventSelection, exportEvents, toApiError } from '../../api/index.ts';
import { Button } from '../../components/Button.tsx';
import { formatBytes, formatNumber } from '../../lib/format.ts';

/** Events one export writes at most: the hub streams them, the browser holds the file until it is saved. */
export const EXPORT_LIMIT = 100_000;

type Outcome = { kind: 'saved'; text: string } | { kind: 'failed'; error: ApiError } | null;

/**
 * Exports the current selection (oldest first, payloads in full) as NDJSON or CSV: the hub streams the file,
 * which is then offered as a download. The key travels in a header, so the file is fetched, not linked.
 */
export function ExportButton({ selection }: { selection: EventSelection }) {
  const [format, setFormat] = useState<'ndjson' | 'csv'>('ndjson');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);

  const run = async () => {
    setBusy(true);
    setOutcome(null);
    try {
      const file = await exportEvents({ ...selection, format, payload: 'auto', limit: EXPORT_LIMIT });
      const url = URL.createObjectURL(file.blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = file.filename;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      const range =
        file.from !== null && file.to !== null
          ? ` (sequences ${formatNumber(file.from)}–${formatNumber(Math.max(file.from, file.to - 1))})`
          : '';
      setOutcome({ kind: 'saved', text: `Saved ${file.filename}, ${formatBytes(file.blob.size)}${range}` });
    } catch (error) {
      setOutcome({ kind: 'failed', error: toApiError(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="export">
      <div className="segmented-inline">
        <label className="visually-hidden" htmlFor="export-format">
          Export format
        </label>
        <select
          id="export-format"
          value={format}
          onChange={(e) => setFormat(e.target.value as 'ndjson' | 'csv')}
          disabled={busy}
        >
          <option value="ndjson">NDJSON</option>
          <option value="csv">CSV</option>
        </select>
        <Button
          onClick={() => void run()}
          disabled={busy}
          title={`The events of the current filters, oldest first, at most ${formatNumber(EXPORT_LIMIT)}`}
        >
          {busy ? 'Exporting…' : 'Export'}
        </Button>
      </div>
      <div className="export-outcome" role="status" aria-live="polite">
        {outcome?.kind === 'saved' && <span className="muted">{outcome.text}</span>}
        {outcome?.kind === 'failed' && (
          <span className="export-failed" title={outcome.error.message}>
            Export failed: {outcome.error.code} {outcome.error.message}
          </span>
        )}
      </div>
    </div>
  );
}
