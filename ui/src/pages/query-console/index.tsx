/**
 * Query Console: write a query (highlighted, completed, checked by the hub as you type with the error
 * underlined), run it with Ctrl/Cmd+Enter, page through the rows and open one as JSON, see the scan's cost or
 * the EXPLAIN plan, download every row as CSV or NDJSON, and keep queries (saved, with names) and the history
 * of runs, both stored by the hub. The last run query is kept in the URL (`?q=`), so a view can be shared.
 *
 * @module
 */
import { type FormEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import {
  ApiError,
  checkQuery,
  deleteSavedQuery,
  downloadQuery,
  getQueryHistory,
  getStreams,
  listEvents,
  listSavedQueries,
  runQuery,
  saveQuery,
  toApiError,
  useApi,
} from '../../api/index.ts';
import { useSearchParam } from '../../app/router.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { Card } from '../../components/Card.tsx';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { Field } from '../../components/Field.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { Async, Empty, ErrorState } from '../../components/States.tsx';
import { formatAgo, formatNumber } from '../../lib/format.ts';
import {
  QUERY_BUILTIN_FIELDS,
  type QueryResult,
  type QuerySyntaxDetails,
  querySyntaxDetailsSchema,
} from '../../../../src/hub/query/schema.ts';
import { fieldPaths, toCsv } from './csv.ts';
import { QueryEditor, type QueryEditorHandle } from './QueryEditor.tsx';
import './query-console.css';

const PAGE_SIZE = 50;
const CHECK_DELAY_MS = 250;
const HISTORY_SHOWN = 25;
const DEFAULT_QUERY = 'SELECT * FROM * SINCE 1h LIMIT 100';

type SyntaxError = QuerySyntaxDetails & { message: string };

interface IndexedRow {
  index: number;
  cells: unknown[];
}

/** A cell as one line of text: strings as they are, everything else as JSON, cut to a readable width. */
function cellText(value: unknown): string {
  const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

function saveFile(content: string, type: string, name: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export default function QueryConsolePage() {
  const [shared, setShared] = useSearchParam('q');
  const [text, setText] = useState(shared ?? DEFAULT_QUERY);
  const editor = useRef<QueryEditorHandle>(null);
  const errorId = useId();

  // ── live syntax check: the hub's parser, a moment after typing stops ────────────────────────────
  const [syntax, setSyntax] = useState<{ text: string; error: SyntaxError | null } | null>(null);
  useEffect(() => {
    if (text.trim() === '') return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      checkQuery(text, { signal: controller.signal }).then(
        (checked) => setSyntax({ text, error: checked.ok ? null : checked.error }),
        () => {
          // A failed check (hub away, aborted) leaves the last known state; running reports real failures.
        },
      );
    }, CHECK_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [text]);
  const syntaxError = text.trim() !== '' && syntax !== null && syntax.text === text ? syntax.error : null;

  // ── running ──────────────────────────────────────────────────────────────────────────────────────
  const [run, setRun] = useState<{ text: string; result: QueryResult } | null>(null);
  const [runError, setRunError] = useState<ApiError | null>(null);
  const [running, setRunning] = useState(false);
  const [page, setPage] = useState(0);
  const [selected, setSelected] = useState<number | null>(null);
  const history = useApi((signal) => getQueryHistory(HISTORY_SHOWN, { signal }), []);

  const execute = async (queryText = text) => {
    if (queryText.trim() === '' || running) return;
    setRunning(true);
    setRunError(null);
    try {
      const result = await runQuery(queryText);
      setRun({ text: queryText, result });
      setPage(0);
      setSelected(null);
      setShared(queryText);
    } catch (error) {
      const e = toApiError(error);
      const details = querySyntaxDetailsSchema.safeParse(e.details);
      if (e.code === 'QUERY_SYNTAX' && details.success)
        setSyntax({ text: queryText, error: { ...details.data, message: e.message } });
      else setRunError(e);
    } finally {
      setRunning(false);
      history.reload();
    }
  };

  // ── completion words: streams, and JSON fields of sample events and of the rows shown ──────────
  const streams = useApi((signal) => getStreams({ signal }), []);
  const sample = useApi((signal) => listEvents({ limit: 100, payload: 'auto' }, { signal }), []);
  const words = useMemo(() => {
    const payloads: unknown[] = (sample.data?.events ?? []).map((e) => e.payload?.json);
    if (run) {
      const payloadColumn = run.result.columns.indexOf('payload');
      for (const row of run.result.rows) if (payloadColumn >= 0) payloads.push(row[payloadColumn]);
      payloads.push(
        Object.fromEntries(
          run.result.columns
            .filter((c) => !(QUERY_BUILTIN_FIELDS as readonly string[]).includes(c) && !c.includes('('))
            .map((c) => [c, null]),
        ),
      );
    }
    return {
      streams: (streams.data?.streams ?? []).filter((s) => s.named).map((s) => s.name),
      fields: fieldPaths(payloads),
    };
  }, [streams.data, sample.data, run]);

  // ── downloads: every row, through the hub's NDJSON answer ───────────────────────────────────────
  const [downloading, setDownloading] = useState<'csv' | 'ndjson' | null>(null);
  const [downloadError, setDownloadError] = useState<ApiError | null>(null);
  const download = async (format: 'csv' | 'ndjson') => {
    if (!run) return;
    setDownloading(format);
    setDownloadError(null);
    try {
      const answer = await downloadQuery(run.text);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      if (format === 'csv') saveFile(toCsv(answer.columns, answer.rows), 'text/csv', `query-${stamp}.csv`);
      else saveFile(answer.ndjson, 'application/x-ndjson', `query-${stamp}.ndjson`);
    } catch (error) {
      setDownloadError(toApiError(error));
    } finally {
      setDownloading(null);
    }
  };

  const load = (queryText: string) => {
    editor.current?.setText(queryText);
    editor.current?.focus();
  };

  const result = run?.result;
  const rows: IndexedRow[] = (result?.rows ?? []).map((cells, index) => ({ index, cells }));
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const shown = rows.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  const columns: Column<IndexedRow>[] = (result?.columns ?? []).map((name, c) => ({
    id: `${c}-${name}`,
    header: name,
    mono: true,
    cell: (row) => {
      const value = row.cells[c];
      return value === null ? <span className="qc-null">null</span> : cellText(value);
    },
    align: typeof result?.rows[0]?.[c] === 'number' ? 'right' : 'left',
  }));
  const selectedRow = selected === null ? undefined : rows[selected];

  return (
    <div className="qc-layout">
      <PageHeader
        title="Query Console"
        description="Ask the journal questions in lacrimosa’s query language (docs/query.md)."
      />
      <div className="qc-columns">
        <div className="qc-main">
          <Card
            title="Query"
            subtitle="Ctrl+Enter (⌘+Enter) runs · Ctrl+Space completes streams, fields and keywords"
            actions={
              <>
                <Button
                  onClick={() => void execute(`EXPLAIN ${text.replace(/^\s*EXPLAIN\s+/i, '')}`)}
                  disabled={running || text.trim() === ''}
                >
                  Explain
                </Button>
                <Button variant="primary" onClick={() => void execute()} disabled={running}>
                  {running ? 'Running…' : 'Run'}
                </Button>
              </>
            }
          >
            <QueryEditor
              ref={editor}
              label="Query"
              initialText={text}
              onChange={setText}
              onRun={() => void execute()}
              error={syntaxError}
              errorId={errorId}
              words={words}
            />
            <div id={errorId} className="qc-syntax" role="status" aria-live="polite">
              {syntaxError && (
                <>
                  <strong>Syntax error</strong> {syntaxError.message}
                </>
              )}
            </div>
            {runError && <ErrorState compact what="Running the query" error={runError} />}
          </Card>

          {result && (
            <Card
              title="Results"
              subtitle={<Stats result={result} />}
              actions={
                <>
                  <Button size="sm" onClick={() => void download('csv')} disabled={downloading !== null}>
                    {downloading === 'csv' ? 'Preparing…' : 'Download CSV'}
                  </Button>
                  <Button size="sm" onClick={() => void download('ndjson')} disabled={downloading !== null}>
                    {downloading === 'ndjson' ? 'Preparing…' : 'Download NDJSON'}
                  </Button>
                </>
              }
              flush
            >
              {downloadError && <ErrorState compact what="Downloading the rows" error={downloadError} />}
              {result.plan ? (
                <div className="qc-plan">
                  <p>
                    The plan: {result.plan.range.slots} slots to scan (sequences {result.plan.range.from}–
                    {result.plan.range.to}),{' '}
                    {result.plan.readsPayload ? 'reading payloads' : 'without reading payloads'}.
                  </p>
                  <pre aria-label="Query plan">{JSON.stringify(result.plan, null, 2)}</pre>
                </div>
              ) : (
                <>
                  <DataTable
                    caption="Query results"
                    columns={columns}
                    rows={shown}
                    rowKey={(row) => row.index}
                    onRowClick={(row) => setSelected(row.index === selected ? null : row.index)}
                    selectedKey={selected}
                    empty="No event matched."
                    stickyHeader
                  />
                  <nav className="qc-pager" aria-label="Result pages">
                    <Button size="sm" onClick={() => setPage((p) => p - 1)} disabled={page === 0}>
                      Previous
                    </Button>
                    <span>
                      {rows.length === 0
                        ? 'no rows'
                        : `rows ${formatNumber(page * PAGE_SIZE + 1)}–${formatNumber(Math.min(rows.length, (page + 1) * PAGE_SIZE))} of ${formatNumber(rows.length)}`}
                    </span>
                    <Button size="sm" onClick={() => setPage((p) => p + 1)} disabled={page >= pages - 1}>
                      Next
                    </Button>
                  </nav>
                </>
              )}
            </Card>
          )}

          {result && selectedRow && (
            <Card
              title={`Row ${selectedRow.index + 1}`}
              actions={
                <Button size="sm" variant="ghost" onClick={() => setSelected(null)}>
                  Close
                </Button>
              }
            >
              <pre className="qc-json" aria-label={`Row ${selectedRow.index + 1} as JSON`}>
                {JSON.stringify(
                  Object.fromEntries(result.columns.map((c, i) => [c, selectedRow.cells[i]])),
                  null,
                  2,
                )}
              </pre>
            </Card>
          )}
        </div>

        <aside className="qc-side">
          <SavedQueries text={text} onLoad={load} />
          <Card title="History" subtitle="Runs of every client, newest first">
            <Async
              state={history}
              what="Loading the history"
              isEmpty={(h) => h.entries.length === 0}
              empty={<Empty title="No query has run yet" />}
            >
              {(h) => (
                <ul className="qc-list" aria-label="Query history">
                  {h.entries.map((entry) => (
                    <li key={entry.id}>
                      <button type="button" className="qc-item" onClick={() => load(entry.query)}>
                        <code className="qc-item-query">{entry.query}</code>
                        <span className="qc-item-meta">
                          {formatAgo(entry.at)} · {entry.keyName ?? 'unknown key'} ·{' '}
                          {entry.ok ? (
                            `${formatNumber(entry.rows)} rows`
                          ) : (
                            <Badge tone="bad">{entry.errorCode ?? 'error'}</Badge>
                          )}
                        </span>
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </Async>
          </Card>
        </aside>
      </div>
    </div>
  );
}

function Stats({ result }: { result: QueryResult }) {
  const { scanned, matched, elapsedMs, payloadsDecoded } = result.stats;
  return (
    <span className="qc-stats">
      {formatNumber(result.rows.length)} rows · {formatNumber(matched)} matched · scanned{' '}
      {formatNumber(scanned.count)} slots (sequences {scanned.from}–{scanned.to}) ·{' '}
      {formatNumber(payloadsDecoded)} payloads decoded · {elapsedMs} ms
    </span>
  );
}

function SavedQueries({ text, onLoad }: { text: string; onLoad: (text: string) => void }) {
  const saved = useApi((signal) => listSavedQueries({ signal }), []);
  const [name, setName] = useState('');
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  const [deleteError, setDeleteError] = useState<ApiError | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaveError(null);
    try {
      await saveQuery({ name, query: text });
      setName('');
      saved.reload();
    } catch (error) {
      setSaveError(toApiError(error));
    }
  };
  const remove = async (id: number) => {
    setDeleteError(null);
    try {
      await deleteSavedQuery(id);
    } catch (error) {
      setDeleteError(toApiError(error));
    }
    saved.reload();
  };

  return (
    <Card title="Saved queries">
      <form className="qc-save" onSubmit={(e) => void submit(e)}>
        <Field
          label="Save the query as"
          error={saveError ? `${saveError.code}: ${saveError.message}` : undefined}
        >
          <input
            type="text"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="big orders"
            maxLength={100}
          />
        </Field>
        <Button type="submit" disabled={name.trim() === '' || text.trim() === ''}>
          Save
        </Button>
      </form>
      {deleteError && <ErrorState compact what="Deleting the saved query" error={deleteError} />}
      <Async
        state={saved}
        what="Loading saved queries"
        isEmpty={(s) => s.queries.length === 0}
        empty={<Empty title="No saved queries" hint="Name the query above and save it." />}
      >
        {(s) => (
          <ul className="qc-list" aria-label="Saved queries">
            {s.queries.map((q) => (
              <li key={q.id} className="qc-saved">
                <button type="button" className="qc-item" onClick={() => onLoad(q.query)}>
                  <span className="qc-item-name">{q.name}</span>
                  <code className="qc-item-query">{q.query}</code>
                </button>
                <Button
                  size="sm"
                  variant="ghost"
                  aria-label={`Delete saved query ${q.name}`}
                  onClick={() => void remove(q.id)}
                >
                  Delete
                </Button>
              </li>
            ))}
          </ul>
        )}
      </Async>
    </Card>
  );
}
