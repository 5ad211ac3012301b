/**
 * The connectors at run time: the registry (store.ts) plus, per connector, its counters, state and — for kinds
 * that fetch events themselves (http-poll, nats) — a runner. Every event goes through `submit`, which journals
 * it through the sequencer and counts the outcome; nothing is acknowledged before the sequencer has answered.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { IpcSubmitResult, IpcSubmitStatus } from '../../ipc/protocol.ts';
import { HubError, notFound } from '../errors.ts';
import type { SequencerLink } from '../sequencer-link.ts';
import type { ConnectorView, CreateConnectorBody } from './schema.ts';
import { type ConnectorRecord, type ConnectorStore, zeroCounters } from './store.ts';

/** One submit carries at most this many events and bytes (IPC frames are capped at 16 MiB). */
const BATCH_EVENTS = 10_000;
const BATCH_BYTES = 4 << 20;

export type RunnerState = 'active' | 'waiting' | 'backoff' | 'error';

/** What a runner (poller, subscriber) may do with its connector. */
export interface ConnectorHandle {
  readonly record: ConnectorRecord;
  /**
   * `retry`: the same events were refused before for the sequencer's absence; do not count that again.
   * `offeredBefore`: per payload, whether the sequencer answered it before (dropped, shutting down) and it was
   * counted as received then; it is not counted again.
   */
  submit(
    payloads: readonly Uint8Array[],
    retry?: boolean,
    offeredBefore?: readonly boolean[],
  ): Promise<SubmitOutcome>;
  fail(code: string, message: string): void;
  save(): void;
  /** Dedupe keys journaled before (persisted), oldest first. */
  seenKeys(): string[];
  /** Persists journaled dedupe keys, keeping the newest `cap`. */
  remember(keys: readonly string[], cap: number): void;
}

export interface Runner {
  readonly state: RunnerState;
  /** Starts (or resumes) taking events; keeps what it held when it was stopped. */
  start(): void;
  /** Stops taking events; resolves once its loop has ended. */
  stop(): Promise<void>;
}

export type RunnerFactory = (handle: ConnectorHandle) => Runner;

export interface SubmitOutcome {
  sequences: (number | null)[];
  /** The sequencer's answer per event, in the order given: a runner acknowledges only `journaled` ones. */
  statuses: IpcSubmitStatus[];
  journaled: number;
  dropped: number;
  rejected: number;
}

interface Live {
  record: ConnectorRecord;
  handle: ConnectorHandle;
  runner: Runner | null;
}

/** Header values and user:password in server URLs may be credentials: the API never shows them. */
export function redacted(config: Record<string, unknown>): Record<string, unknown> {
  const out = { ...config };
  const { headers, servers } = config;
  if (headers !== null && typeof headers === 'object')
    out.headers = Object.fromEntries(Object.keys(headers).map((name) => [name, REDACTED]));
  if (Array.isArray(servers))
    out.servers = servers.map((s) => String(s).replace(/\/\/[^@/]*@/, `//${REDACTED}@`));
  return out;
}

export const REDACTED = '(redacted)';

export const isUnavailable = (error: unknown): boolean => error instanceof HubError && error.status === 503;

/**
 * An event the sequencer did not journal but would later: `dropped` (the ring is full and a live consumer
 * cursor holds it) or `shutting_down`. Only `journaled` is done; `too_large` never will be.
 */
export const isRetryable = (status: IpcSubmitStatus): boolean =>
  status === 'dropped' || status === 'shutting_down';

/** "3 dropped by the journal's drop rule, 1 refused by a sequencer shutting down". */
export function describeRefusals(statuses: readonly IpcSubmitStatus[]): string {
  const dropped = statuses.filter((s) => s === 'dropped').length;
  const shuttingDown = statuses.filter((s) => s === 'shutting_down').length;
  const parts: string[] = [];
  if (dropped > 0)
    parts.push(
      `${dropped} dropped by the journal's drop rule: the ring is full and a consumer cursor still needs it`,
    );
  if (shuttingDown > 0) parts.push(`${shuttingDown} refused by a sequencer shutting down`);
  return parts.join('; ');
}

/** Indexes for a message, the first 20: "0, 3, 4 … (and 12 more)". */
function formatIndexes(indexes: readonly number[]): string {
  const shown = indexes.slice(0, 20).join(', ');
  return indexes.length > 20 ? `${shown} … (and ${indexes.length - 20} more, details.notJournaled)` : shown;
}

export class ConnectorService {
  readonly #store: ConnectorStore;
  readonly #sequencer: SequencerLink;
  readonly #now: () => number;
  readonly #runners: Partial<Record<CreateConnectorBody['kind'], RunnerFactory>>;
  readonly #live = new Map<string, Live>();
  readonly #streamIds = new Map<string, number>();
  #unsubscribe: (() => void) | null = null;

  constructor(
    store: ConnectorStore,
    sequencer: SequencerLink,
    options: { now: () => number; runners: Partial<Record<CreateConnectorBody['kind'], RunnerFactory>> },
  ) {
    this.#store = store;
    this.#sequencer = sequencer;
    this.#now = options.now;
    this.#runners = options.runners;
    for (const record of store.all()) this.#add(record);
  }

  /** Starts the runners of connectors that are not paused. */
  start(): void {
    // Stream ids are the sequencer's; ask again after it comes back rather than trust a cache.
    this.#unsubscribe = this.#sequencer.onState(() => this.#streamIds.clear());
    for (const live of this.#live.values()) if (!live.record.paused) live.runner?.start();
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    await Promise.all([...this.#live.values()].map((l) => l.runner?.stop()));
    for (const live of this.#live.values()) this.#store.saveRuntime(live.record);
  }

  #add(record: ConnectorRecord): Live {
    const handle: ConnectorHandle = {
      record,
      submit: (payloads, retry = false, offeredBefore = []) =>
        this.#submit(record, payloads, retry, offeredBefore),
      fail: (code, message) => {
        record.counters.errors++;
        record.lastError = { at: this.#now(), code, message };
        this.#store.saveRuntime(record);
      },
      save: () => this.#store.saveRuntime(record),
      seenKeys: () => this.#store.seenKeys(record.id),
      remember: (keys, cap) => this.#store.remember(record.id, keys, cap),
    };
    const factory = this.#runners[record.kind];
    const live: Live = { record, handle, runner: factory ? factory(handle) : null };
    this.#live.set(record.id, live);
    return live;
  }

  /** Every stored connector, then the sequencer's UDP listeners (when it is connected). */
  list(): ConnectorView[] {
    return [...[...this.#live.values()].map((l) => this.#view(l)), ...this.#udp()];
  }

  /** @throws HubError 404 */
  view(id: string): ConnectorView {
    const live = this.#live.get(id);
    if (live) return this.#view(live);
    const udp = this.#udp().find((c) => c.id === id);
    if (udp) return udp;
    throw notFound(`connector ${id}`);
  }

  /** @throws HubError 409 NAME_TAKEN */
  create(body: CreateConnectorBody): ConnectorView {
    if (body.kind !== 'webhook' && !this.#runners[body.kind])
      throw new HubError(400, 'KIND_NOT_AVAILABLE', `${body.kind} connectors are not available in this hub`);
    if (this.#store.byName(body.name) !== null)
      throw new HubError(409, 'NAME_TAKEN', `a connector named "${body.name}" exists already`);
    const record: ConnectorRecord = {
      id: `con_${randomBytes(6).toString('hex')}`,
      name: body.name,
      kind: body.kind,
      stream: body.stream ?? body.name.slice(0, 31),
      nodeId: body.nodeId ?? 0,
      config: body.config,
      paused: body.paused ?? false,
      createdAt: this.#now(),
      counters: zeroCounters(),
      lastEventAt: null,
      lastError: null,
    };
    this.#store.insert(record);
    const live = this.#add(record);
    if (!record.paused) live.runner?.start();
    return this.#view(live);
  }

  /** @throws HubError 404, 409 READ_ONLY for a udp listener */
  async delete(id: string): Promise<ConnectorView> {
    const live = this.#require(id);
    await live.runner?.stop();
    this.#live.delete(id);
    this.#store.delete(id);
    return this.#view(live);
  }

  async setPaused(id: string, paused: boolean): Promise<ConnectorView> {
    const live = this.#require(id);
    if (live.record.paused !== paused) {
      live.record.paused = paused;
      this.#store.saveRuntime(live.record);
      if (paused) await live.runner?.stop();
      else live.runner?.start();
    }
    return this.#view(live);
  }

  /** A webhook push. @throws HubError 404, 409 (not a webhook, paused), 413 (event too large), 503 */
  async ingest(id: string, payloads: readonly Uint8Array[]): Promise<SubmitOutcome & { stream: string }> {
    const live = this.#require(id);
    const { record } = live;
    if (record.kind !== 'webhook')
      throw new HubError(
        409,
        'NOT_A_WEBHOOK',
        `connector ${id} is a ${record.kind} connector; only webhooks take pushes`,
      );
    if (record.paused)
      throw new HubError(
        409,
        'CONNECTOR_PAUSED',
        `connector ${id} is paused; resume it (POST /api/connectors/${id}/resume) first`,
      );
    const max = this.#sequencer.hello?.journal.maxPayload;
    if (max !== undefined) {
      const index = payloads.findIndex((p) => p.length > max);
      if (index >= 0)
        throw new HubError(
          413,
          'EVENT_TOO_LARGE',
          `event ${index} is ${payloads[index]!.length} bytes; the journal takes at most ${max} per event`,
        );
    }
    const outcome = await this.#submit(record, payloads);
    const notJournaled = outcome.statuses.flatMap((status, i) => (isRetryable(status) ? [i] : []));
    if (notJournaled.length > 0) {
      // A 200 would read as "all taken" to most senders; these events are not in the journal and must be sent again.
      const error = new HubError(
        503,
        'EVENTS_NOT_JOURNALED',
        `${notJournaled.length} of ${payloads.length} events were not journaled (${describeRefusals(outcome.statuses)}); send events ${formatIndexes(notJournaled)} again — the other ${outcome.journaled} are journaled (details.sequences)`,
        {
          journaled: outcome.journaled,
          notJournaled,
          sequences: outcome.sequences,
          statuses: outcome.statuses,
        },
        { 'Retry-After': '1' },
      );
      record.counters.errors++;
      record.lastError = { at: this.#now(), code: error.code, message: error.message };
      this.#store.saveRuntime(record);
      throw error;
    }
    return { ...outcome, stream: record.stream };
  }

  #require(id: string): Live {
    const live = this.#live.get(id);
    if (live) return live;
    if (this.#udp().some((c) => c.id === id))
      throw new HubError(
        409,
        'READ_ONLY',
        `${id} is one of the sequencer's UDP listeners; change them with cz start --listen`,
      );
    throw notFound(`connector ${id}`);
  }

  async #streamId(name: string): Promise<number> {
    const known = this.#streamIds.get(name);
    if (known !== undefined) return known;
    const id = await this.#sequencer.registerStream(name);
    this.#streamIds.set(name, id);
    return id;
  }

  /**
   * Journals payloads in order, in batches. A full submit queue is retried for about 2.5 s. If the sequencer
   * goes away between batches, the 503 carries the answers so far (`details`: `journaled`, `sequences`, `statuses`).
   */
  async #submit(
    record: ConnectorRecord,
    payloads: readonly Uint8Array[],
    retry = false,
    offeredBefore: readonly boolean[] = [],
  ): Promise<SubmitOutcome> {
    const outcome: SubmitOutcome = { sequences: [], statuses: [], journaled: 0, dropped: 0, rejected: 0 };
    try {
      const streamId = await this.#streamId(record.stream);
      for (let start = 0; start < payloads.length;) {
        let end = start;
        let bytes = 0;
        while (
          end < payloads.length &&
          end - start < BATCH_EVENTS &&
          (end === start || bytes + payloads[end]!.length <= BATCH_BYTES)
        )
          bytes += payloads[end++]!.length;
        const batch = payloads.slice(start, end);
        const result = await this.#submitBatch(
          batch.map((payload) => ({ streamId, nodeId: record.nodeId, payload })),
        );
        result.statuses.forEach((status, i) => {
          // An event counts as received once the sequencer has answered it, and only the first time.
          if (offeredBefore[start + i] !== true) record.counters.received++;
          const seq = result.sequences[i] ?? null;
          outcome.sequences.push(status === 'journaled' ? seq : null);
          outcome.statuses.push(status);
          if (status === 'journaled') {
            outcome.journaled++;
            record.counters.bytes += batch[i]!.length;
          } else if (status === 'dropped') outcome.dropped++;
          else outcome.rejected++;
        });
        start = end;
      }
    } catch (error) {
      this.#count(record, outcome);
      const hubError =
        error instanceof HubError ? error : new HubError(502, 'SUBMIT_FAILED', (error as Error).message);
      if (!(retry && hubError.status === 503)) {
        record.counters.errors++;
        record.lastError = { at: this.#now(), code: hubError.code, message: hubError.message };
      }
      this.#store.saveRuntime(record);
      if (outcome.sequences.length === 0) throw hubError;
      throw new HubError(
        hubError.status,
        hubError.code,
        `${hubError.message} (${outcome.journaled} of ${payloads.length} events were journaled before that)`,
        { journaled: outcome.journaled, sequences: outcome.sequences, statuses: outcome.statuses },
        hubError.headers,
      );
    }
    this.#count(record, outcome);
    if (outcome.journaled > 0) record.lastEventAt = this.#now();
    this.#store.saveRuntime(record);
    return outcome;
  }

  #count(record: ConnectorRecord, outcome: SubmitOutcome): void {
    record.counters.journaled += outcome.journaled;
    record.counters.dropped += outcome.dropped;
    record.counters.rejected += outcome.rejected;
  }

  async #submitBatch(events: Parameters<SequencerLink['submit']>[0]): Promise<IpcSubmitResult> {
    for (let pause = 10; ; pause *= 2) {
      try {
        return await this.#sequencer.submit(events);
      } catch (error) {
        if (!(error instanceof HubError && error.code === 'SUBMIT_QUEUE_FULL') || pause > 1280) throw error;
        await delay(pause);
      }
    }
  }

  #view(live: Live): ConnectorView {
    const { record, runner } = live;
    const state = record.paused
      ? 'paused'
      : runner
        ? runner.state
        : this.#sequencer.state === 'connected'
          ? 'active'
          : 'waiting';
    return {
      id: record.id,
      name: record.name,
      kind: record.kind,
      readOnly: false,
      stream: record.stream,
      nodeId: record.nodeId,
      config: redacted(record.config),
      state,
      createdAt: record.createdAt,
      lastEventAt: record.lastEventAt,
      lastError: record.lastError,
      counters: { ...record.counters },
    };
  }

  #udp(): ConnectorView[] {
    const hello = this.#sequencer.hello;
    if (!hello) return [];
    const seen = new Set<number>();
    const out: ConnectorView[] = [];
    for (const l of hello.listeners) {
      if (seen.has(l.port)) continue;
      seen.add(l.port);
      out.push({
        id: `udp-${l.port}`,
        name: `udp:${l.port}`,
        kind: 'udp',
        readOnly: true,
        stream: l.stream,
        nodeId: null,
        config: { host: l.host, port: l.port, streamId: l.streamId },
        state: 'active',
        createdAt: null,
        lastEventAt: null,
        lastError: null,
        counters: null,
      });
    }
    return out;
  }
}
