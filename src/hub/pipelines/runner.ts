/**
 * One running pipeline: a `JournalTail` on its own consumer cursor (`pipe-<id>`, so eviction waits for it)
 * feeds each published range through the engine; the sinks' records are delivered, and only then are the next
 * position and the engine's state saved together. On a hub restart the run resumes from that position with
 * that state, so no event is processed twice or skipped (sinks are at least once across a crash between
 * delivering and saving). When delivery fails transiently the engine goes back to the saved state and the
 * tail offers the same range again.
 *
 * Windows close on the journal clock; when the journal is quiet the wall clock (minus a grace period) moves
 * event time on, so a window's result does not wait for the next event.
 *
 * @module
 */
import type { IncidentOpener } from '../alerts/external.ts';
import { JournalTail } from '../journal-tail.ts';
import type { JournalSource } from '../journal-source.ts';
import type { SequencerLink } from '../sequencer-link.ts';
import { type EngineSnapshot, PipelineEngine } from './engine.ts';
import { replayRange } from './replay.ts';
import type { NodeCounters, SinkConfig } from './schema.ts';
import { SinkDelivery } from './sinks.ts';
import type { PipelineStore } from './store.ts';
import type { CompiledPipeline } from './validate.ts';

/** How far behind the wall clock event time is moved on a quiet journal. */
export const IDLE_GRACE_MS = 1000;
const IDLE_TICK_MS = 500;

export interface RunnerDeps {
  journal: JournalSource;
  sequencer: SequencerLink;
  store: PipelineStore;
  now: () => number;
  fetch?: typeof fetch;
  /** The pipeline's name, shown in the incidents its `incident` sinks open. */
  name?: string;
  incidents?: () => IncidentOpener | null;
}

export class PipelineRunner {
  readonly id: string;
  readonly #compiled: CompiledPipeline;
  readonly #deps: RunnerDeps;
  readonly #sinks: Map<string, SinkConfig>;
  readonly #delivery: SinkDelivery;
  #engine: PipelineEngine;
  #committed: EngineSnapshot;
  #position: number | null;
  #lost: number;
  #tail: JournalTail | null = null;
  #idle: NodeJS.Timeout | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  lastError: string | null = null;

  constructor(
    id: string,
    compiled: CompiledPipeline,
    saved: { position: number | null; state: EngineSnapshot | null; lost: number },
    deps: RunnerDeps,
  ) {
    this.id = id;
    this.#compiled = compiled;
    this.#deps = deps;
    this.#sinks = new Map(
      compiled.nodes.flatMap((n) => (n.kind === 'sink' ? [[n.id, n.config] as const] : [])),
    );
    this.#delivery = new SinkDelivery(deps.sequencer, id, {
      ...(deps.name === undefined ? {} : { pipelineName: deps.name }),
      ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
      ...(deps.incidents === undefined ? {} : { incidents: deps.incidents }),
    });
    this.#engine = new PipelineEngine(compiled);
    if (saved.state) this.#engine.restore(saved.state);
    this.#committed = this.#engine.snapshot();
    this.#position = saved.position;
    this.#lost = saved.lost;
  }

  get position(): number | null {
    return this.#position;
  }

  get lost(): number {
    return this.#lost;
  }

  get lag(): number {
    return this.#tail?.lag ?? 0;
  }

  /** The engine's counters, with the journal lag on the sources and the records in delivery on the sinks. */
  counters(): Record<string, NodeCounters> {
    const counters = this.#engine.counters();
    const journalLag = this.lag;
    for (const node of this.#compiled.nodes) {
      const c = counters[node.id];
      if (c === undefined) continue;
      if (node.kind === 'source') c.lag = journalLag;
      else if (node.kind === 'sink') c.lag = this.#delivery.inFlight(node.id);
    }
    return counters;
  }

  start(): void {
    if (this.#position === null) {
      // A first run starts at the head; remember it now, so events published while the hub is down are not skipped.
      const head = this.#deps.journal.reader()?.loadHead();
      if (head !== undefined) {
        this.#position = head;
        this.#save();
      }
    }
    this.#tail = new JournalTail({
      journal: this.#deps.journal,
      sequencer: this.#deps.sequencer,
      name: `pipe-${this.id}`,
      ...(this.#position === null ? {} : { from: this.#position }),
      onEvents: (reader, from, to) =>
        this.#exclusive(async () => {
          replayRange(reader, this.#engine, from, to);
          await this.#deliver();
          this.#position = to;
          this.#save();
        }),
      onGap: (lost, _from, to) => {
        this.#lost += lost;
        this.lastError = `${lost} events were evicted before the pipeline could read them`;
        this.#position = to;
      },
      onError: (error) => {
        this.lastError = error.message;
        this.#deps.store.setLastError(this.id, error.message);
      },
    });
    this.#tail.start();
    this.#idle = setInterval(() => void this.#flushIdle(), IDLE_TICK_MS);
    this.#idle.unref();
  }

  async stop(): Promise<void> {
    if (this.#idle) clearInterval(this.#idle);
    this.#idle = null;
    await this.#tail?.stop();
    this.#tail = null;
    await this.#queue.catch(() => undefined);
    this.#delivery.close();
  }

  /** Resolves once everything published so far went through (tests). */
  async drained(): Promise<void> {
    await this.#tail?.drained();
    await this.#queue.catch(() => undefined);
  }

  #exclusive(work: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #deliver(): Promise<void> {
    try {
      await this.#delivery.deliver(this.#engine, this.#engine.takeDelivered(), this.#sinks);
    } catch (error) {
      // Undo the batch: it will be offered again and must not be counted twice.
      this.#engine = new PipelineEngine(this.#compiled);
      this.#engine.restore(this.#committed);
      throw error;
    }
    this.lastError = null;
  }

  #save(): void {
    this.#committed = this.#engine.snapshot();
    if (this.#position !== null)
      this.#deps.store.saveProgress(this.id, this.#position, this.#committed, this.#lost);
  }

  async #flushIdle(): Promise<void> {
    if (this.#tail === null || this.lag > 0) return;
    const watermark = this.#deps.now() - IDLE_GRACE_MS;
    if (watermark <= this.#engine.watermark || !this.#engine.hasPending()) return;
    await this.#exclusive(async () => {
      this.#engine.advance(watermark);
      await this.#deliver();
      this.#save();
    }).catch((error: unknown) => {
      this.lastError = (error as Error).message;
    });
  }
}
