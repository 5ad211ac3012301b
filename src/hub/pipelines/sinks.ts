/**
 * Delivering what reached a running pipeline's sinks.
 *
 * - `stream`, `alert`, `dashboard`: JSON events submitted to the sequencer into a derived stream (registered
 *   on first use). An alert sink writes `{alert, severity, pipeline, time, …fields}`, a dashboard sink
 *   `{series, time, value}` points, so an alert rule or a dashboard widget reads them with an ordinary query.
 *   A sequencer that is away is transient trouble: the batch is offered again. Events the sequencer drops
 *   (its ring is full of events live cursors still need) are counted as the sink's errors.
 * - `webhook`: one POST per batch, `{pipeline, node, records}`, with a timeout and retries with backoff;
 *   when every attempt failed the batch is counted as the sink's errors and the run goes on, so one dead
 *   receiver cannot hold back the journal (it is at most once past its retries).
 *
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import { HubError } from '../errors.ts';
import type { SequencerLink } from '../sequencer-link.ts';
import type { PipelineEngine } from './engine.ts';
import { getPath, type PipeRecord } from './record.ts';
import type { SinkConfig } from './schema.ts';
import { splitPath } from './validate.ts';

const BATCH_EVENTS = 1000;
const BATCH_BYTES = 4 * 1024 * 1024;

/** The event a stream-like sink journals for one record. */
export function sinkPayload(config: SinkConfig, record: PipeRecord, pipelineId: string): unknown {
  switch (config.kind) {
    case 'alert':
      return {
        alert: config.name,
        severity: config.severity,
        pipeline: pipelineId,
        time: record.time,
        ...record.fields,
      };
    case 'dashboard':
      return {
        series: config.series,
        time: record.time,
        value: getPath(record.fields, splitPath(config.valueField)) ?? null,
      };
    default:
      return record.fields;
  }
}

export class SinkDelivery {
  readonly #sequencer: SequencerLink;
  readonly #pipelineId: string;
  readonly #streamIds = new Map<string, number>();
  readonly #fetch: typeof fetch;
  readonly #off: () => void;

  constructor(sequencer: SequencerLink, pipelineId: string, fetchImpl: typeof fetch = fetch) {
    this.#sequencer = sequencer;
    this.#pipelineId = pipelineId;
    this.#fetch = fetchImpl;
    // Stream ids belong to one sequencer process; a reconnect may be a new one.
    this.#off = sequencer.onState(() => this.#streamIds.clear());
  }

  close(): void {
    this.#off();
  }

  /** Delivers each sink's records. @throws HubError when the sequencer is away (the batch is retried). */
  async deliver(
    engine: PipelineEngine,
    delivered: Map<string, PipeRecord[]>,
    configs: Map<string, SinkConfig>,
  ): Promise<void> {
    for (const [nodeId, records] of delivered) {
      const config = configs.get(nodeId)!;
      if (config.kind === 'webhook') await this.#post(engine, nodeId, config, records);
      else await this.#journal(engine, nodeId, config, records);
    }
  }

  async #journal(
    engine: PipelineEngine,
    nodeId: string,
    config: SinkConfig & { stream: string },
    records: PipeRecord[],
  ) {
    let streamId = this.#streamIds.get(config.stream);
    if (streamId === undefined) {
      streamId = await this.#sequencer.registerStream(config.stream);
      this.#streamIds.set(config.stream, streamId);
    }
    const payloads = records.map((r) =>
      Buffer.from(JSON.stringify(sinkPayload(config, r, this.#pipelineId))),
    );
    for (let start = 0; start < payloads.length;) {
      let end = start;
      let bytes = 0;
      while (
        end < payloads.length &&
        end - start < BATCH_EVENTS &&
        (end === start || bytes + payloads[end]!.length <= BATCH_BYTES)
      )
        bytes += payloads[end++]!.length;
      const events = payloads
        .slice(start, end)
        .map((payload) => ({ streamId: streamId, nodeId: 0, payload }));
      const result = await this.#submit(events);
      const refused = result.statuses.filter((s) => s !== 'journaled').length;
      if (refused > 0)
        engine.countError(
          nodeId,
          `${refused} events were not journaled (the sequencer dropped or rejected them)`,
          refused,
        );
      start = end;
    }
  }

  async #submit(events: Parameters<SequencerLink['submit']>[0]) {
    for (let pause = 10; ; pause *= 2) {
      try {
        return await this.#sequencer.submit(events);
      } catch (error) {
        if (!(error instanceof HubError && error.code === 'SUBMIT_QUEUE_FULL') || pause > 1280) throw error;
        await delay(pause);
      }
    }
  }

  async #post(
    engine: PipelineEngine,
    nodeId: string,
    config: Extract<SinkConfig, { kind: 'webhook' }>,
    records: PipeRecord[],
  ): Promise<void> {
    const body = JSON.stringify({
      pipeline: this.#pipelineId,
      node: nodeId,
      records: records.map((r) => r.view()),
    });
    let problem = '';
    for (let attempt = 0; attempt <= config.retries; attempt++) {
      if (attempt > 0) await delay(Math.min(5000, 200 * 2 ** (attempt - 1)));
      try {
        const response = await this.#fetch(config.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(config.timeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return;
        problem = `HTTP ${response.status}`;
      } catch (error) {
        problem =
          (error as Error).name === 'TimeoutError'
            ? `no answer within ${config.timeoutMs} ms`
            : (error as Error).message;
      }
    }
    engine.countError(
      nodeId,
      `POST ${config.url} failed after ${config.retries + 1} attempts (${problem}); ${records.length} records were not delivered`,
      records.length,
    );
  }
}
