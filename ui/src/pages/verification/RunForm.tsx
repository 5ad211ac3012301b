import { type FormEvent, useId, useState } from 'react';
import {
  type ApiError,
  listVerifyRuns,
  startVerifyRun,
  toApiError,
  type VerifyRunSummary,
} from '../../api/index.ts';
import { Button } from '../../components/Button.tsx';
import { ErrorState } from '../../components/States.tsx';
import { formatNumber } from '../../lib/format.ts';
import { VERIFY_LIMITS, VERIFY_SUITES, type VerifySuite } from '../../../../src/hub/verify/schema.ts';

/** What each suite checks, in a few words. */
export const SUITE_LABELS: Record<VerifySuite, string> = {
  order: 'total order of events',
  sort: 'sorting is monotone and stable',
  codec: '32-byte slot codec round-trips',
  clock: 'clock monotonicity, Lamport condition',
  crc32c: 'CRC32C against a reference',
  frame: 'framed datagram encode/decode',
};

const RUN_PRESETS = [100, 1000, 10_000] as const;

async function runningRun(): Promise<VerifyRunSummary | null> {
  const list = await listVerifyRuns({ limit: 10 });
  return list.running ? (list.runs.find((r) => r.state === 'running') ?? null) : null;
}

export interface RunFormProps {
  /** A run is in progress (the form stays usable: starting shows that run instead). */
  running: boolean;
  /** A run started (`busy` false), or one already in progress was found instead (`busy` true). */
  onRun: (run: VerifyRunSummary, busy: boolean) => void;
}

/** Options of a new run: suites, runs per property, an optional seed, and whether to check the journal. */
export function RunForm({ running, onRun }: RunFormProps) {
  const id = useId();
  const [suites, setSuites] = useState<ReadonlySet<VerifySuite>>(new Set(VERIFY_SUITES));
  const [runs, setRuns] = useState('1000');
  const [seed, setSeed] = useState('');
  const [journal, setJournal] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [problems, setProblems] = useState<{ suites?: string; runs?: string; seed?: string }>({});

  const toggle = (suite: VerifySuite) => {
    const next = new Set(suites);
    if (next.has(suite)) next.delete(suite);
    else next.add(suite);
    setSuites(next);
    setProblems((p) => ({ ...p, suites: undefined }));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: typeof problems = {};
    const runCount = Number(runs);
    if (suites.size === 0) found.suites = 'Pick at least one suite.';
    if (!Number.isInteger(runCount) || runCount < VERIFY_LIMITS.runs.min || runCount > VERIFY_LIMITS.runs.max)
      found.runs = `A whole number from ${VERIFY_LIMITS.runs.min} to ${formatNumber(VERIFY_LIMITS.runs.max)}.`;
    const seedText = seed.trim();
    if (seedText !== '' && !/^-?\d+$/.test(seedText))
      found.seed = 'A whole number (negative ones too), or empty.';
    setProblems(found);
    if (Object.values(found).some(Boolean)) return;

    setBusy(true);
    setError(null);
    const body = {
      ...(suites.size === VERIFY_SUITES.length ? {} : { suites: VERIFY_SUITES.filter((s) => suites.has(s)) }),
      runs: runCount,
      ...(seedText === '' ? {} : { seed: Number(seedText) }),
      journal,
    };
    try {
      // One run at a time: look first, so that a run in progress is shown rather than refused (a start that
      // races another one still gets 409 VERIFY_RUNNING, handled the same way).
      const current = await runningRun();
      if (current) {
        onRun(current, true);
        return;
      }
      onRun(await startVerifyRun(body), false);
    } catch (caught) {
      const failure = toApiError(caught);
      if (failure.code !== 'VERIFY_RUNNING') {
        setError(failure);
        return;
      }
      try {
        const current = await runningRun();
        if (current) onRun(current, true);
        else setError(failure);
      } catch (again) {
        setError(toApiError(again));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="verify-form" onSubmit={(e) => void submit(e)} aria-label="New verification run">
      <fieldset className="verify-suites" aria-describedby={problems.suites ? `${id}-suites` : undefined}>
        <legend>Property suites</legend>
        {VERIFY_SUITES.map((suite) => (
          <label key={suite} className="verify-check">
            <input type="checkbox" checked={suites.has(suite)} onChange={() => toggle(suite)} />
            <span className="verify-suite-name">{suite}</span>
            <span className="faint">{SUITE_LABELS[suite]}</span>
          </label>
        ))}
        <div className="verify-suite-bulk">
          <button type="button" className="link-button" onClick={() => setSuites(new Set(VERIFY_SUITES))}>
            all
          </button>
          <span className="faint">·</span>
          <button type="button" className="link-button" onClick={() => setSuites(new Set())}>
            none
          </button>
        </div>
        {problems.suites && (
          <div className="field-error" id={`${id}-suites`}>
            {problems.suites}
          </div>
        )}
      </fieldset>

      <div className={problems.runs ? 'field field-invalid' : 'field'}>
        <label className="field-label" htmlFor={`${id}-runs`}>
          Runs per property
        </label>
        <div className="row">
          <input
            id={`${id}-runs`}
            type="number"
            min={VERIFY_LIMITS.runs.min}
            max={VERIFY_LIMITS.runs.max}
            step={1}
            value={runs}
            onChange={(e) => {
              setRuns(e.target.value);
              setProblems((p) => ({ ...p, runs: undefined }));
            }}
            aria-invalid={problems.runs ? true : undefined}
            aria-describedby={`${id}-runs-hint`}
            className="verify-runs"
          />
          {RUN_PRESETS.map((n) => (
            <Button
              key={n}
              size="sm"
              variant={Number(runs) === n ? 'primary' : 'ghost'}
              aria-pressed={Number(runs) === n}
              onClick={() => setRuns(String(n))}
            >
              {formatNumber(n)}
            </Button>
          ))}
        </div>
        <div className="field-hint" id={`${id}-runs-hint`}>
          {problems.runs ?? 'Expensive properties scale this down. 1,000 takes a few seconds.'}
        </div>
      </div>

      <div className={problems.seed ? 'field field-invalid' : 'field'}>
        <label className="field-label" htmlFor={`${id}-seed`}>
          Seed
        </label>
        <input
          id={`${id}-seed`}
          type="text"
          inputMode="numeric"
          placeholder="random"
          value={seed}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => {
            setSeed(e.target.value);
            setProblems((p) => ({ ...p, seed: undefined }));
          }}
          aria-invalid={problems.seed ? true : undefined}
          aria-describedby={`${id}-seed-hint`}
        />
        <div className="field-hint" id={`${id}-seed-hint`}>
          {problems.seed ?? 'Give a reported seed to replay exactly the same inputs.'}
        </div>
      </div>

      <label className="verify-check verify-journal">
        <input type="checkbox" checked={journal} onChange={(e) => setJournal(e.target.checked)} />
        <span>Also check the live journal&apos;s invariants</span>
      </label>

      {error && <ErrorState what="Starting the run" error={error} compact />}
      <div className="row">
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? 'Starting…' : 'Run verification'}
        </Button>
        {running && <span className="muted">A run is in progress.</span>}
      </div>
    </form>
  );
}
