/**
 * Verification: starts runs of the property suites and the live-journal checks (`POST /api/verify`, one at a
 * time, in the hub's worker), follows the running one, and shows every result with its counterexample and the
 * `cz verify` line that replays it; below, the history of runs. The selected run is in the URL (`?run=`).
 *
 * @module
 */
import { useEffect, useState } from 'react';
import { getStatus, getVerifyRun, listVerifyRuns, useApi, type VerifyRunSummary } from '../../api/index.ts';
import { useSearchParam } from '../../app/router.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Card } from '../../components/Card.tsx';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { Empty, ErrorState, Loading } from '../../components/States.tsx';
import { formatAgo, formatDuration, formatNumber } from '../../lib/format.ts';
import { JournalChecks, ResultsTable, RunSummary } from './RunDetail.tsx';
import { RunForm } from './RunForm.tsx';
import { StateBadge } from './StateBadge.tsx';
import './verification.css';

/** How often a running run is re-read. */
const RUNNING_POLL_MS = 500;

export default function VerificationPage() {
  const [selected, setSelected] = useSearchParam('run');
  /** The run shown because another start found it in progress. */
  const [busyRun, setBusyRun] = useState<string | null>(null);
  const [started, setStarted] = useState<string | null>(null);

  const history = useApi((signal) => listVerifyRuns({ limit: 50 }, { signal }), [started], {
    refresh: 'auto',
  });
  const runningId = history.data?.runs.find((r) => r.state === 'running')?.id ?? null;
  const shownId = selected ?? history.data?.runs[0]?.id ?? null;

  const detail = useApi((signal) => getVerifyRun(shownId!, { signal }), [shownId], {
    enabled: shownId !== null,
  });
  const shown = detail.data?.id === shownId ? detail.data : undefined;
  const isRunning = shown?.state === 'running';

  // While the shown run runs: re-read it often; when it ends, refresh the history once.
  const { reload: reloadDetail } = detail;
  const { reload: reloadHistory } = history;
  useEffect(() => {
    if (!isRunning) return;
    const timer = setInterval(reloadDetail, RUNNING_POLL_MS);
    return () => {
      clearInterval(timer);
      reloadHistory();
    };
  }, [isRunning, reloadDetail, reloadHistory]);

  const status = useApi((signal) => getStatus({ signal }), []);
  const journalPath = status.data?.journal.path ?? null;

  const now = useNow(isRunning);

  const onRun = (run: VerifyRunSummary, busy: boolean) => {
    setBusyRun(busy ? run.id : null);
    setStarted(run.id);
    setSelected(run.id, { push: true });
  };

  return (
    <>
      <PageHeader
        title="Verification"
        description="Property suites stand in for formal proofs of ordering, codec, clock, checksum and wire format; the journal checks test the live journal's invariants. Runs execute in the hub, one at a time."
      />
      <div className="verify-top">
        <Card title="New run">
          <RunForm running={runningId !== null} onRun={onRun} />
        </Card>
        <div className="stack verify-right">
          <Card
            title={shown ? 'Run' : 'Latest run'}
            actions={
              runningId !== null && runningId !== shownId ? (
                <button type="button" className="link-button" onClick={() => setSelected(runningId)}>
                  Show the running one
                </button>
              ) : undefined
            }
          >
            {busyRun !== null && busyRun === shownId && (
              <div className="verify-note" role="status">
                {isRunning || !shown
                  ? 'A run was already in progress, so yours did not start: here is that one. Start again when it has finished.'
                  : 'The run that was in progress has finished: you can start yours now.'}
              </div>
            )}
            {shownId === null ? (
              history.error ? (
                <ErrorState what="Loading the runs" error={history.error} onRetry={history.reload} />
              ) : history.data ? (
                <Empty
                  title="No verification runs yet"
                  hint={
                    <>
                      Start one with the form: the defaults check every suite with 1,000 runs per property and
                      the live journal. From a terminal, <code>cz verify</code> runs the same suites locally.
                    </>
                  }
                />
              ) : (
                <Loading label="Loading the runs…" />
              )
            ) : shown ? (
              <>
                {detail.error && (
                  <ErrorState
                    what="Refreshing the run"
                    error={detail.error}
                    onRetry={detail.reload}
                    compact
                  />
                )}
                <RunSummary run={shown} journalPath={journalPath} now={now} />
              </>
            ) : detail.error ? (
              <ErrorState what={`Loading run ${shownId}`} error={detail.error} onRetry={detail.reload} />
            ) : (
              <Loading label={`Loading run ${shownId}…`} />
            )}
          </Card>
          {shown && <JournalChecks run={shown} />}
        </div>
      </div>
      {shown && (
        <div className="verify-results">
          <ResultsTable run={shown} />
        </div>
      )}
      <History
        runs={history.data?.runs}
        error={history.error}
        onRetry={history.reload}
        selected={shownId}
        onSelect={(id) => {
          setBusyRun(null);
          setSelected(id, { push: true });
        }}
        now={now}
      />
    </>
  );
}

/** The current time: every second while `fast` (a running run's elapsed time), else every 15 s ("2 m ago"). */
function useNow(fast: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const tick = () => setNow(Date.now());
    const timer = setInterval(tick, fast ? 1000 : 15_000);
    return () => clearInterval(timer);
  }, [fast]);
  return now;
}

function History({
  runs,
  error,
  onRetry,
  selected,
  onSelect,
  now,
}: {
  runs: VerifyRunSummary[] | undefined;
  error: unknown;
  onRetry: () => void;
  selected: string | null;
  onSelect: (id: string) => void;
  now: number;
}) {
  const columns: Column<VerifyRunSummary>[] = [
    { id: 'state', header: 'State', width: '104px', cell: (r) => <StateBadge state={r.state} /> },
    {
      id: 'started',
      header: 'Started',
      width: '120px',
      cell: (r) => <span title={new Date(r.createdAt).toISOString()}>{formatAgo(r.createdAt, now)}</span>,
    },
    { id: 'id', header: 'Run', width: '150px', mono: true, cell: (r) => r.id },
    {
      id: 'suites',
      header: 'Suites',
      cell: (r) =>
        r.options.suites === null ? (
          <span className="muted">all</span>
        ) : (
          <span className="verify-badges">
            {r.options.suites.map((s) => (
              <Badge key={s}>{s}</Badge>
            ))}
          </span>
        ),
    },
    { id: 'journal', header: 'Journal', width: '76px', cell: (r) => (r.options.journal ? 'yes' : 'no') },
    { id: 'runs', header: 'Runs', width: '80px', align: 'right', cell: (r) => formatNumber(r.options.runs) },
    {
      id: 'seed',
      header: 'Seed',
      width: '110px',
      mono: true,
      cell: (r) => (r.options.seed === null ? <span className="faint">random</span> : r.options.seed),
    },
    {
      id: 'progress',
      header: 'Properties',
      width: '96px',
      align: 'right',
      cell: (r) => `${r.progress.done}/${r.progress.total || '…'}`,
    },
    {
      id: 'failed',
      header: 'Failed',
      width: '70px',
      align: 'right',
      cell: (r) => (r.failed > 0 ? <span className="verify-failed-count">{r.failed}</span> : '0'),
    },
    {
      id: 'duration',
      header: 'Duration',
      width: '90px',
      align: 'right',
      cell: (r) => formatDuration((r.finishedAt ?? now) - r.createdAt),
    },
  ];
  return (
    <Card
      flush
      title="History"
      subtitle="The newest 50 runs; select one to see its results."
      className="verify-history"
    >
      {runs === undefined ? (
        error ? (
          <div className="verify-pad">
            <ErrorState what="Loading the runs" error={error} onRetry={onRetry} />
          </div>
        ) : (
          <div className="verify-pad">
            <Loading label="Loading the runs…" />
          </div>
        )
      ) : (
        <DataTable
          caption="Verification runs"
          columns={columns}
          rows={runs}
          rowKey={(r) => r.id}
          onRowClick={(r) => onSelect(r.id)}
          selectedKey={selected}
          empty="No runs yet."
        />
      )}
    </Card>
  );
}
