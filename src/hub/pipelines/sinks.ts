/**
 * Delivering what reached a running pipeline's sinks.
 *
 * - `stream`, `alert`, `dashboard`: JSON events submitted to the sequencer into a derived stream (registered
 *   on first use). An alert sink writes `{alert, severity, pipeline, time, …fields}`, a dashboard sink
 *   `{series, time, value}` points (`series` may name record fields, `{{user}}`, for one line per group), so an alert rule or a dashboard widget reads them with an ordinary query.
 *   A sequencer that is away is transient trouble: the batch is offered again. Events the sequencer drops
 *   (its ring is full of events live cursors still need) are counted as the sink's errors.
 * - `incident`: each record opens an incident through the alerts feature's opener (src/hub/alerts/external.ts),
 *   or joins the one still unresolved for the same pipeline, sink and group, so silences and channels apply as
 *   for a rule. A hub without the alerts feature counts the records as the sink's errors.
 * - `webhook`: one POST per batch, `{pipeline, node, records}`, with a timeout and retries with backoff;
 *   when every attempt failed the batch is counted as the sink's errors and the run goes on, so one dead
 *   receiver cannot hold back the journal (it is at most once past its retries).
 *
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import { HubError } from '../errors.ts';
import type { ExternalIncident, IncidentOpener } from '../alerts/external.ts';
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
        series: renderRecordTemplate(config.series, record.fields, { pipeline: pipelineId }),
        time: record.time,
        value: getPath(record.fields, splitPath(config.valueField)) ?? null,
      };
    default:
      return record.fields;
  }
}

type IncidentSink = Extract<SinkConfig, { kind: 'incident' }>;

/** A field value as label or template text: strings as they are, anything else as JSON. */
function valueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

/** Fills `{{path}}` with the record's field and `{{pipeline}}`, `{{node}}` with the sink's names. */
export function renderRecordTemplate(
  template: string,
  fields: Record<string, unknown>,
  names: { pipeline?: string; node?: string },
): string {
  return template.replace(/\{\{\s*([^{}\s]+)\s*\}\}/g, (whole, path: string) => {
    const value = getPath(fields, splitPath(path));
    if (value !== undefined) return valueText(value);
    if (path === 'pipeline' || path === 'node') return names[path] ?? whole;
    return whole;
  });
}

/** The incident one record of an `incident` sink opens or joins. */
export function incidentOf(
  config: IncidentSink,
  record: PipeRecord,
  sink: { pipelineId: string; pipelineName: string; nodeId: string },
): ExternalIncident {
  const fields = record.fields;
  const labels: Record<string, string> = {};
  for (const path of config.labels) {
    const value = getPath(fields, splitPath(path));
    if (value !== undefined) labels[path] = valueText(value);
  }
  const group = (config.groupBy ?? config.labels)
    .map((path) => `${path}=${valueText(getPath(fields, splitPath(path)))}`)
    .join(',');
  const value = config.valueField === undefined ? undefined : getPath(fields, splitPath(config.valueField));
  const names = { pipeline: sink.pipelineName, node: sink.nodeId };
  return {
    source: `pipeline:${sink.pipelineId}/${sink.nodeId}`,
    sourceName: `pipeline "${sink.pipelineName}" → ${sink.nodeId}`,
    group,
    severity: config.severity,
    title: renderRecordTemplate(config.title, fields, names).slice(0, 200),
    description: renderRecordTemplate(config.description, fields, names),
    labels,
    evidence: {
      firstSeq: record.firstSeq,
      lastSeq: record.seq,
      samples: [...new Set([record.seq, record.firstSeq])],
      value: typeof value === 'number' && Number.isFinite(value) ? value : null,
    },
  };
}

export interface SinkDeliveryOptions {
  /** Shown in the incidents an `incident` sink opens. */
  pipelineName?: string;
  fetch?: typeof fetch;
  /** The alerts feature's incident opener, looked up when needed (null: the hub runs without it). */
  incidents?: () => IncidentOpener | null;
}

export class SinkDelivery {
  readonly #sequencer: SequencerLink;
  readonly #pipelineId: string;
  readonly #streamIds = new Map<string, number>();
  readonly #pipelineName: string;
  readonly #fetch: typeof fetch;
  readonly #incidents: () => IncidentOpener | null;
  readonly #inFlight = new Map<string, number>();
  readonly #off: () => void;

  constructor(sequencer: SequencerLink, pipelineId: string, options: SinkDeliveryOptions = {}) {
    this.#sequencer = sequencer;
    this.#pipelineId = pipelineId;
    this.#pipelineName = options.pipelineName ?? pipelineId;
    this.#fetch = options.fetch ?? fetch;
    this.#incidents = options.incidents ?? (() => null);
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
    for (const [nodeId, records] of delivered) this.#inFlight.set(nodeId, records.length);
    try {
      for (const [nodeId, records] of delivered) {
        const config = configs.get(nodeId)!;
        if (config.kind === 'webhook') await this.#post(engine, nodeId, config, records);
        else if (config.kind === 'incident') this.#open(engine, nodeId, config, records);
        else await this.#journal(engine, nodeId, config, records);
        this.#inFlight.delete(nodeId);
      }
    } finally {
      this.#inFlight.clear();
    }
  }

  /** Records handed to a sink and not delivered yet. */
  inFlight(nodeId: string): number {
    return this.#inFlight.get(nodeId) ?? 0;
  }

  #open(engine: PipelineEngine, nodeId: string, config: IncidentSink, records: PipeRecord[]): void {
    const opener = this.#incidents();
    if (opener === null) {
      engine.countError(
        nodeId,
        `the hub runs without the alerts feature; ${records.length} incidents were not opened`,
        records.length,
      );
      return;
    }
    const sink = { pipelineId: this.#pipelineId, pipelineName: this.#pipelineName, nodeId };
    for (const record of records) {
      try {
        opener.open(incidentOf(config, record, sink));
      } catch (error) {
        engine.countError(nodeId, `an incident could not be opened: ${(error as Error).message}`);
      }
    }
  }

  async #journal(
    engine: PipelineEngine,
    nodeId: string,
    config: Exclude<SinkConfig, { kind: 'webhook' | 'incident' }>,
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
