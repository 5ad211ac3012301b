/**
 * The verification worker: runs the property suites (and, when given a journal path, the live-journal checks)
 * off the hub's event loop, posting each result as it comes so the UI can show progress.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { coreSuites, runSuites } from '../../../proofs/index.ts';
import { checkJournal } from '../../../proofs/journal-checks.ts';
import { JournalReader } from '../../journal/reader.ts';

export interface VerifyJob {
  suites: string[] | null;
  numRuns: number;
  seed: number | null;
  journalPath: string | null;
}

export type WorkerMessage =
  | { type: 'planned'; total: number }
  | { type: 'result'; result: import('../../../proofs/runner.ts').PropertyResult }
  | {
      type: 'journal';
      checks: import('../../../proofs/journal-checks.ts').JournalCheckResult[] | null;
      error: string | null;
    }
  | { type: 'done' };

const job = workerData as VerifyJob;
const port = parentPort!;
const post = (message: WorkerMessage): void => port.postMessage(message);

const suites = coreSuites().filter((s) => job.suites === null || job.suites.includes(s.name));
post({ type: 'planned', total: suites.reduce((n, s) => n + s.properties.length, 0) });
await runSuites(suites, {
  numRuns: job.numRuns,
  ...(job.seed === null ? {} : { seed: job.seed }),
  onResult: (result) => post({ type: 'result', result }),
});
if (job.journalPath !== null) {
  try {
    const reader = JournalReader.open(job.journalPath);
    try {
      post({ type: 'journal', checks: checkJournal(reader), error: null });
    } finally {
      reader.close();
    }
  } catch (error) {
    post({ type: 'journal', checks: null, error: (error as Error).message });
  }
}
post({ type: 'done' });
