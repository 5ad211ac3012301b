/**
 * Verification from the hub (`/api/verify`): runs the property suites and the live-journal checks in a worker
 * thread, one run at a time, storing every run with its per-property results (counterexamples and seeds
 * included) so the Verification page can show progress and history.
 *
 * @module
 */
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { HubError, notFound } from '../errors.ts';
import type { FeatureModule, HubServices } from '../hub.ts';
import { defineRoute, limitParam, queryInteger } from '../routes.ts';
import { VERIFY_LIMITS } from './defaults.ts';
import {
  startVerifyBodySchema,
  type VerifyRunList,
  type VerifyRunSummary,
  type VerifyRunView,
} from './schema.ts';
import { type VerifyRun, VerifyStore, verifyMigrations } from './store.ts';
import type { VerifyJob, WorkerMessage } from './worker.ts';

/** The request body; suite names are checked against VERIFY_SUITES (schema.ts), which a test keeps equal to coreSuites(). */
export const startVerifyBody = startVerifyBodySchema;

function summary(run: VerifyRun): VerifyRunSummary {
  const failed =
    run.results.filter((r) => !r.passed).length + (run.journalChecks ?? []).filter((c) => !c.passed).length;
  return {
    id: run.id,
    state: run.state,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    options: run.options,
    progress: { done: run.results.length, total: run.total },
    failed,
    createdBy: run.createdBy,
  };
}

class VerifyRunner {
  readonly #store: VerifyStore;
  readonly #services: HubServices;
  #worker: Worker | null = null;

  constructor(store: VerifyStore, services: HubServices) {
    this.#store = store;
    this.#services = services;
  }

  get busy(): boolean {
    return this.#worker !== null;
  }

  start(options: VerifyRun['options'], createdBy: string | null): VerifyRun {
    if (this.#worker)
      throw new HubError(
        409,
        'VERIFY_RUNNING',
        'a verification run is already in progress; wait for it to finish',
      );
    const run = this.#store.create(options, createdBy, this.#services.now());
    const job: VerifyJob = {
      suites: options.suites,
      numRuns: options.runs,
      seed: options.seed,
      journalPath: options.journal ? this.#services.journal.path : null,
    };
    const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: job });
    this.#worker = worker;
    const finish = (state: VerifyRun['state'], error: string | null): void => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      run.finishedAt = this.#services.now();
      run.error = error;
      const failed = run.results.some((r) => !r.passed) || (run.journalChecks ?? []).some((c) => !c.passed);
      run.state = state === 'passed' && failed ? 'failed' : state;
      this.#store.update(run);
    };
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'planned') run.total = message.total;
      else if (message.type === 'result') run.results.push(message.result);
      else if (message.type === 'journal') {
        run.journalChecks = message.checks;
        if (message.error !== null) run.error = `journal checks skipped: ${message.error}`;
      } else if (message.type === 'done') return finish('passed', run.error);
      this.#store.update(run);
    });
    worker.on('error', (error) => finish('error', error.message));
    worker.on('exit', (code) =>
      finish(code === 0 ? 'passed' : 'error', code === 0 ? run.error : `worker exited with code ${code}`),
    );
    return run;
  }

  async stop(): Promise<void> {
    const worker = this.#worker;
    if (worker) await worker.terminate();
  }
}

export const verifyFeature: FeatureModule = {
  name: 'verify',
  migrations: verifyMigrations,
  create(services) {
    const store = new VerifyStore(services.db);
    store.markInterrupted(services.now());
    const runner = new VerifyRunner(store, services);
    return {
      name: 'verify',
      stop: () => runner.stop(),
      routes: [
        defineRoute({
          method: 'POST',
          path: '/api/verify',
          summary:
            'Start a verification run (property suites, and the journal checks unless journal is false)',
          body: startVerifyBody,
          audit: { action: 'verify.start' },
          handler: (c, { body, principal }) => {
            const run = runner.start(
              {
                suites: body?.suites ?? null,
                runs: body?.runs ?? VERIFY_LIMITS.runs.default,
                seed: body?.seed ?? null,
                journal: body?.journal ?? true,
              },
              principal?.keyId ?? null,
            );
            c.set('auditTarget', run.id);
            return c.json(summary(run), 202);
          },
        }),
        defineRoute({
          method: 'GET',
          path: '/api/verify',
          summary: 'Past and current verification runs, newest first',
          query: z.strictObject({ limit: limitParam(200, 50), before: queryInteger('before').optional() }),
          handler: (c, { query }) => {
            const body: VerifyRunList = {
              runs: store.list(query.limit, query.before ?? null).map(summary),
              running: runner.busy,
            };
            return c.json(body);
          },
        }),
        defineRoute({
          method: 'GET',
          path: '/api/verify/:id',
          summary:
            'One verification run with every result (counterexamples and seeds) and the journal checks',
          params: z.strictObject({
            id: z.string().regex(/^vr_[0-9a-f]{12}$/, 'id must look like vr_0123456789ab'),
          }),
          handler: (c, { params }) => {
            const run = store.get(params.id);
            if (!run) throw notFound(`verification run ${params.id}`);
            const body: VerifyRunView = {
              ...summary(run),
              results: run.results,
              journalChecks: run.journalChecks,
              error: run.error,
            };
            return c.json(body);
          },
        }),
      ],
    };
  },
};
