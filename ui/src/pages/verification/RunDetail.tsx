import { useMemo, useState } from 'react';
import type { JournalCheckView, PropertyResultView, VerifyRunView } from '../../api/index.ts';
import { Badge } from '../../components/Badge.tsx';
import { Card } from '../../components/Card.tsx';
import { CopyButton } from '../../components/CopyButton.tsx';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { Segmented } from '../../components/Segmented.tsx';
import { Stat } from '../../components/Stat.tsx';
import { formatDuration, formatNumber, formatTime } from '../../lib/format.ts';
import { propertyCommand, runCommand } from './commands.ts';
import { StateBadge } from './StateBadge.tsx';

/** The selected run: what it checked, how far it is, its verdict, and how to reproduce it. */
export function RunSummary({
  run,
  journalPath,
  now,
}: {
  run: VerifyRunView;
  journalPath: string | null;
  now: number;
}) {
  const { done, total } = run.progress;
  const passed = run.results.filter((r) => r.passed).length;
  const failedProps = run.results.length - passed;
  const checks = run.journalChecks ?? [];
  const failedChecks = checks.filter((c) => !c.passed).length;
  const elapsed = (run.finishedAt ?? now) - run.createdAt;
  const totalRuns = run.results.reduce((sum, r) => sum + r.runs, 0);
  const command = runCommand(run, journalPath);
  const fraction = total > 0 ? done / total : 0;
  return (
    <div className="stack verify-summary">
      <div className="verify-summary-head">
        <StateBadge state={run.state} />
        <span className="muted">
          <code>{run.id}</code> · started {formatTime(run.createdAt)}
          {run.createdBy && <> · by {run.createdBy}</>}
        </span>
      </div>
      <div
        className={`verify-progress verify-progress-${run.state}`}
        role="progressbar"
        aria-label="Properties done"
        aria-valuemin={0}
        aria-valuemax={total || 1}
        aria-valuenow={done}
        aria-valuetext={total > 0 ? `${done} of ${total} properties` : 'planning'}
      >
        <div
          className="verify-progress-bar"
          style={{ width: `${Math.round((run.state === 'running' ? fraction : 1) * 100)}%` }}
        />
      </div>
      <div className="verify-stats">
        <Stat
          label="Properties"
          value={
            total > 0 ? `${done}/${total}` : run.state === 'running' ? '…' : formatNumber(run.results.length)
          }
          hint={run.state === 'running' ? 'running' : `${formatNumber(passed)} passed`}
        />
        <Stat
          label="Failed"
          value={formatNumber(failedProps + failedChecks)}
          tone={failedProps + failedChecks > 0 ? 'bad' : 'ok'}
        />
        <Stat
          label="Runs"
          value={formatNumber(totalRuns)}
          hint={`${formatNumber(run.options.runs)} per property`}
        />
        <Stat
          label="Duration"
          value={formatDuration(elapsed)}
          hint={run.options.seed === null ? 'random seeds' : `seed ${run.options.seed}`}
        />
      </div>
      <dl className="verify-options">
        <dt>Suites</dt>
        <dd>
          {(run.options.suites ?? ['all']).map((s) => (
            <Badge key={s}>{s}</Badge>
          ))}
        </dd>
        <dt>Journal</dt>
        <dd>{run.options.journal ? journalPath ? <code>{journalPath}</code> : 'checked' : 'not checked'}</dd>
      </dl>
      {run.error && (
        <div className="state state-error state-compact" role="alert">
          <div className="state-title">{run.state === 'interrupted' ? 'Interrupted' : 'Problem'}</div>
          <div className="state-message">{run.error}</div>
        </div>
      )}
      <div className="verify-command">
        <div className="verify-command-label">Reproduce from a terminal</div>
        {command ? (
          <div className="verify-command-line">
            <code>{command}</code>
            <CopyButton text={command} />
          </div>
        ) : (
          <p className="muted">
            This run used a random seed per property: each row below has its own <code>cz verify</code> line.
            Give a seed to make the whole run repeatable.
          </p>
        )}
      </div>
    </div>
  );
}

/** One row per property, failures first, with counterexamples and the line that replays each one. */
export function ResultsTable({ run }: { run: VerifyRunView }) {
  const [filter, setFilter] = useState<'all' | 'failed'>('all');
  const failed = run.results.filter((r) => !r.passed).length;
  const rows = useMemo(() => {
    const sorted = [...run.results].sort((a, b) => Number(a.passed) - Number(b.passed));
    return filter === 'failed' ? sorted.filter((r) => !r.passed) : sorted;
  }, [run.results, filter]);
  const columns: Column<PropertyResultView>[] = [
    {
      id: 'result',
      header: 'Result',
      width: '82px',
      cell: (r) => (r.passed ? <Badge tone="ok">✓ pass</Badge> : <Badge tone="bad">✗ fail</Badge>),
    },
    { id: 'suite', header: 'Suite', width: '78px', cell: (r) => <Badge>{r.suite}</Badge> },
    {
      id: 'property',
      header: 'Property',
      cell: (r) => (
        <div className="verify-property">
          <div>{r.property}</div>
          {!r.passed && <Failure result={r} runs={run.options.runs} />}
        </div>
      ),
    },
    { id: 'runs', header: 'Runs', width: '72px', align: 'right', cell: (r) => formatNumber(r.runs) },
    {
      id: 'duration',
      header: 'Time',
      width: '84px',
      align: 'right',
      cell: (r) => <span className="nowrap">{formatDuration(r.durationMs)}</span>,
    },
    {
      id: 'seed',
      header: 'Seed',
      width: '200px',
      cell: (r) => (
        <span className="verify-seed">
          <code>{r.seed}</code>
          <CopyButton
            text={propertyCommand(r, run.options.runs)}
            label="cz verify"
            title={`Copy: ${propertyCommand(r, run.options.runs)}`}
          />
        </span>
      ),
    },
  ];
  return (
    <Card
      flush
      title="Properties"
      subtitle={
        run.results.length === 0
          ? undefined
          : `${formatNumber(run.results.length - failed)} passed, ${formatNumber(failed)} failed`
      }
      actions={
        <Segmented
          size="sm"
          label="Show"
          value={filter}
          onChange={setFilter}
          options={[
            { value: 'all', label: `All ${run.results.length}` },
            { value: 'failed', label: `Failed ${failed}` },
          ]}
        />
      }
    >
      <DataTable
        caption="Property results"
        columns={columns}
        rows={rows}
        rowKey={(r) => `${r.suite}/${r.property}`}
        empty={
          run.state === 'running'
            ? 'Results appear here as each property finishes…'
            : filter === 'failed'
              ? 'No property failed.'
              : 'This run has no property results (it may have checked the journal only).'
        }
      />
    </Card>
  );
}

function Failure({ result, runs }: { result: PropertyResultView; runs: number }) {
  const command = propertyCommand(result, runs);
  return (
    <div className="verify-failure">
      {result.counterexample !== null && (
        <>
          <div className="verify-failure-label">Counterexample (shrunk)</div>
          <pre className="verify-pre">{result.counterexample}</pre>
        </>
      )}
      {result.error !== null && (
        <>
          <div className="verify-failure-label">Error</div>
          <pre className="verify-pre">{result.error}</pre>
        </>
      )}
      {result.path !== null && (
        <div className="faint">
          fast-check path <code>{result.path}</code>
        </div>
      )}
      <div className="verify-command-line">
        <code>{command}</code>
        <CopyButton text={command} />
      </div>
    </div>
  );
}

/** The live journal's invariants as this run found them. */
export function JournalChecks({ run }: { run: VerifyRunView }) {
  const columns: Column<JournalCheckView>[] = [
    {
      id: 'result',
      header: 'Result',
      width: '82px',
      cell: (c) => (c.passed ? <Badge tone="ok">✓ pass</Badge> : <Badge tone="bad">✗ fail</Badge>),
    },
    { id: 'name', header: 'Check', cell: (c) => c.name },
    {
      id: 'examined',
      header: 'Examined',
      width: '96px',
      align: 'right',
      cell: (c) => formatNumber(c.examined),
    },
    {
      id: 'detail',
      header: 'Detail',
      cell: (c) =>
        c.detail ? <span className="verify-detail">{c.detail}</span> : <span className="faint">—</span>,
    },
  ];
  let empty: string;
  if (!run.options.journal) empty = 'This run did not check the journal.';
  else if (run.state === 'running') empty = 'The journal is checked after the property suites…';
  else empty = 'The journal checks did not run (see the problem above).';
  return (
    <Card
      flush
      title="Journal invariants"
      subtitle={run.options.journal ? 'Checked on the live journal, read-only' : undefined}
    >
      <DataTable
        caption="Journal checks"
        columns={columns}
        rows={run.journalChecks ?? []}
        rowKey={(c) => c.name}
        empty={empty}
      />
    </Card>
  );
}
