/**
 * The pipeline manager: CRUD over the store, validation on every save (a graph with issues is kept as a
 * draft and cannot run), run/stop with at most MAX_RUNNING_PIPELINES runners (each holds one of the
 * journal's 16 consumer cursors), runs resumed when the hub starts, and dry runs.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { IncidentOpener } from '../alerts/external.ts';
import { HubError, notFound } from '../errors.ts';
import type { JournalSource } from '../journal-source.ts';
import type { SequencerLink } from '../sequencer-link.ts';
import { dryRun, resolveRange } from './dry-run.ts';
import { PipelineRunner } from './runner.ts';
import {
  DRY_RUN_TIME_BUDGET_MS,
  type DryRunResult,
  MAX_RUNNING_PIPELINES,
  type NodeCounters,
  type PipelineView,
  type pipelineParams,
} from './schema.ts';
import type { PipelineRecord, PipelineStore } from './store.ts';
import { type CompiledPipeline, validatePipeline } from './validate.ts';
import type { z } from 'zod';
import type { createPipelineBodySchema, dryRunBodySchema } from './schema.ts';

type Body = z.output<typeof createPipelineBodySchema>;
export type PipelineId = z.output<typeof pipelineParams>['id'];

export interface PipelineServiceDeps {
  journal: JournalSource;
  sequencer: SequencerLink;
  now: () => number;
  fetch?: typeof fetch;
  incidents?: () => IncidentOpener | null;
}

const zeroCounters = (): NodeCounters => ({
  in: 0,
  out: 0,
  errors: 0,
  pending: 0,
  lag: 0,
  lastError: null,
});

export class PipelineService {
  readonly #store: PipelineStore;
  readonly #deps: PipelineServiceDeps;
  readonly #runners = new Map<string, PipelineRunner>();

  constructor(store: PipelineStore, deps: PipelineServiceDeps) {
    this.#store = store;
    this.#deps = deps;
  }

  /** Resumes every pipeline that was running when the hub stopped. */
  start(): void {
    for (const record of this.#store.all()) {
      if (!record.running) continue;
      const validation = validatePipeline(record);
      if (!validation.ok) {
        this.#store.setRunning(record.id, false, null);
        this.#store.setLastError(record.id, 'the stored graph is not valid; it was stopped');
        continue;
      }
      if (this.#runners.size >= MAX_RUNNING_PIPELINES) {
        this.#store.setLastError(
          record.id,
          `not resumed: at most ${MAX_RUNNING_PIPELINES} pipelines run at once`,
        );
        continue;
      }
      this.#startRunner(record, validation.compiled);
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#runners.values()].map((r) => r.stop()));
    this.#runners.clear();
  }

  list(): PipelineView[] {
    return this.#store.all().map((r) => this.#view(r));
  }

  view(id: string): PipelineView {
    return this.#view(this.#require(id));
  }

  create(body: Body): PipelineView {
    const now = this.#deps.now();
    const record: PipelineRecord = {
      id: `pl_${randomBytes(6).toString('hex')}`,
      name: body.name,
      description: body.description,
      nodes: body.nodes,
      edges: body.edges,
      running: false,
      position: null,
      engineState: null,
      lost: 0,
      startedAt: null,
      lastError: null,
      createdAt: now,
      updatedAt: now,
    };
    this.#store.insert(record);
    return this.#view(record);
  }

  update(id: string, body: Body): PipelineView {
    const record = this.#require(id);
    if (this.#runners.has(id))
      throw new HubError(
        409,
        'PIPELINE_RUNNING',
        `pipeline ${id} is running; stop it before changing its graph`,
      );
    const updated = { ...record, ...body, updatedAt: this.#deps.now() };
    this.#store.updateGraph(updated);
    return this.view(id);
  }

  async delete(id: string): Promise<PipelineView> {
    const view = this.view(id);
    await this.#runners.get(id)?.stop();
    this.#runners.delete(id);
    this.#store.delete(id);
    return { ...view, status: { ...view.status, state: 'stopped' } };
  }

  run(id: string): PipelineView {
    const record = this.#require(id);
    if (this.#runners.has(id)) return this.view(id);
    const compiled = this.#compile(record);
    if (this.#runners.size >= MAX_RUNNING_PIPELINES)
      throw new HubError(
        409,
        'TOO_MANY_PIPELINES',
        `at most ${MAX_RUNNING_PIPELINES} pipelines run at once (each holds one of the journal's consumer cursors); stop one first`,
        { running: [...this.#runners.keys()] },
      );
    this.#refuseLoop(record.id, compiled);
    const startedAt = this.#deps.now();
    this.#store.setRunning(id, true, startedAt);
    this.#store.setLastError(id, null);
    this.#startRunner({ ...record, startedAt }, compiled);
    return this.view(id);
  }

  async stopRun(id: string): Promise<PipelineView> {
    this.#require(id);
    const runner = this.#runners.get(id);
    this.#runners.delete(id);
    await runner?.stop();
    this.#store.setRunning(id, false, null);
    return this.view(id);
  }

  /** Replays cooperatively (the hub keeps answering); `signal` is the request's, to stop when the client goes. */
  async dryRun(
    id: string,
    body: z.output<typeof dryRunBodySchema>,
    signal?: AbortSignal,
  ): Promise<DryRunResult> {
    const compiled = this.#compile(this.#require(id));
    const reader = this.#deps.journal.require();
    const range = resolveRange(reader, body, this.#deps.now());
    return dryRun(reader, compiled, range, body.sample, {
      signal,
      timeBudgetMs: Math.min(DRY_RUN_TIME_BUDGET_MS, body.timeoutMs ?? DRY_RUN_TIME_BUDGET_MS),
    });
  }

  /** For tests: resolves once a running pipeline has processed everything published so far. */
  async drained(id: string): Promise<void> {
    await this.#runners.get(id)?.drained();
  }

  /**
   * Refuses a run whose output would come back to it through running pipelines (A writes what B reads and B
   * writes what A reads): such a loop journals events without end.
   */
  #refuseLoop(id: string, compiled: CompiledPipeline): void {
    const flows = new Map<string, { reads: string[]; writes: string[] }>();
    const flowOf = (c: CompiledPipeline) => ({
      reads: c.nodes.flatMap((n) => (n.kind === 'source' ? [n.config.stream] : [])),
      writes: c.nodes.flatMap((n) => (n.kind === 'sink' && 'stream' in n.config ? [n.config.stream] : [])),
    });
    for (const runnerId of this.#runners.keys()) {
      const other = this.#store.get(runnerId);
      const v = other ? validatePipeline(other) : null;
      if (v?.ok) flows.set(runnerId, flowOf(v.compiled));
    }
    const mine = flowOf(compiled);
    flows.set(id, mine);
    // Streams reachable from what this pipeline writes, through every running pipeline.
    const reached = new Set<string>(mine.writes);
    const path = new Map<string, string>();
    for (let grew = true; grew;) {
      grew = false;
      for (const [pid, flow] of flows)
        if (flow.reads.some((s) => reached.has(s)))
          for (const w of flow.writes)
            if (!reached.has(w)) {
              reached.add(w);
              path.set(w, pid);
              grew = true;
            }
    }
    const looped = mine.reads.find((s) => reached.has(s));
    if (looped !== undefined)
      throw new HubError(
        409,
        'PIPELINE_LOOP',
        `running pipeline ${id} would feed its own source stream ${looped} through ${path.has(looped) ? `pipeline ${path.get(looped)!}` : 'itself'}: its output would be journaled without end`,
        { stream: looped },
      );
  }

  #startRunner(record: PipelineRecord, compiled: CompiledPipeline): void {
    const runner = new PipelineRunner(
      record.id,
      compiled,
      { position: record.position, state: record.engineState, lost: record.lost },
      { ...this.#deps, store: this.#store, name: record.name },
    );
    this.#runners.set(record.id, runner);
    runner.start();
  }

  #compile(record: PipelineRecord): CompiledPipeline {
    const validation = validatePipeline(record);
    if (!validation.ok) {
      const first = validation.issues[0]!;
      throw new HubError(
        400,
        'PIPELINE_INVALID',
        `pipeline ${record.id} is not valid: ${first.path}: ${first.message}${validation.issues.length > 1 ? ` (and ${validation.issues.length - 1} more)` : ''}`,
        { issues: validation.issues },
      );
    }
    return validation.compiled;
  }

  #require(id: string): PipelineRecord {
    const record = this.#store.get(id);
    if (record === null) throw notFound(`pipeline ${id}`);
    return record;
  }

  #view(record: PipelineRecord): PipelineView {
    const validation = validatePipeline(record);
    const runner = this.#runners.get(record.id);
    const saved = record.engineState?.nodes ?? {};
    const counters = runner?.counters();
    const head = this.#deps.journal.reader()?.loadHead() ?? null;
    const position = runner?.position ?? record.position;
    const journalLag = runner
      ? runner.lag
      : head !== null && position !== null
        ? Math.max(0, head - position)
        : 0;
    const nodes = Object.fromEntries(
      record.nodes.map((n) => {
        const live = counters?.[n.id];
        if (live) return [n.id, live];
        // Stopped: the sources are as far behind as the saved position, the rest holds what the state holds
        // (counters saved before `lag` existed lack it).
        const stored = saved[n.id]?.counters ?? zeroCounters();
        return [n.id, { ...stored, lag: n.kind === 'source' ? journalLag : stored.pending }];
      }),
    );
    return {
      id: record.id,
      name: record.name,
      description: record.description,
      nodes: record.nodes,
      edges: record.edges,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      validation: { ok: validation.ok, issues: validation.issues },
      status: {
        state: runner ? 'running' : record.running ? 'failed' : 'stopped',
        position,
        lag: journalLag,
        lost: runner?.lost ?? record.lost,
        startedAt: runner ? record.startedAt : null,
        lastError: runner ? runner.lastError : record.lastError,
        nodes,
      },
    };
  }
}
