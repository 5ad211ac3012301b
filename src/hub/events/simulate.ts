/**
 * `POST /api/simulate`: synthetic traffic through the sequencer's submit path (never UDP), as a background
 * job. Events go round-robin over the job's streams at a steady rate, one submit per ~10 ms tick carrying
 * rate/100 events; a full submit queue pauses the job and retries the batch (counted, never lost).
 *
 * @module
 */
import { performance } from 'node:perf_hooks';
import type { IpcSubmitEventInput } from '../../ipc/protocol.ts';
import { HubError } from '../errors.ts';
import type { SequencerLink } from '../sequencer-link.ts';
import { batchSize, Pacer, RunningJob, sleep, submitWithBackoff, type SubmitTally } from './jobs.ts';
import { utf8Prefix } from './payload.ts';
import type { SimulateBody, SimulateJob } from './schema.ts';

/** Bytes of payload per submit at most, keeping IPC frames far below their 16 MiB cap. */
const MAX_BATCH_BYTES = 4 << 20;
const MAX_BATCH_EVENTS = 10_000;

export interface PayloadContext {
  i: number;
  stream: string;
  time: number;
}

const PLACEHOLDER = /\{\{(i|stream|time|rand|job)\}\}/g;

/**
 * The payload generator of a job. json without a template is a small object naming the job, the index, the
 * stream and the time; `size` pads json with trailing spaces (still valid JSON) and pads or cuts text to
 * exactly that many bytes; bytes are pseudo-random (xorshift: cheap at 100 000 events/s, no entropy needed).
 */
export function payloadMaker(
  spec: SimulateBody['payload'],
  jobId: string,
): (context: PayloadContext) => Uint8Array {
  let state = 0x9e37_79b9 ^ Number.parseInt(jobId.slice(-8), 16);
  const random = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  if (spec.kind === 'bytes') {
    const size = spec.size ?? 64;
    return () => {
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i += 4) {
        const r = random();
        bytes[i] = r & 0xff;
        if (i + 1 < size) bytes[i + 1] = (r >>> 8) & 0xff;
        if (i + 2 < size) bytes[i + 2] = (r >>> 16) & 0xff;
        if (i + 3 < size) bytes[i + 3] = r >>> 24;
      }
      return bytes;
    };
  }
  const template =
    spec.template ??
    (spec.kind === 'json'
      ? `{"sim":"${jobId}","i":{{i}},"stream":"{{stream}}","t":{{time}}}`
      : `event {{i}} of ${jobId} on {{stream}}`);
  const size = spec.size;
  return ({ i, stream, time }) => {
    const text = template.replace(PLACEHOLDER, (_, name: string) =>
      name === 'i'
        ? String(i)
        : name === 'stream'
          ? stream
          : name === 'time'
            ? String(time)
            : name === 'rand'
              ? String(random())
              : jobId,
    );
    const bytes = Buffer.from(text, 'utf8');
    if (size === undefined || bytes.length === size) return bytes;
    if (bytes.length < size) return Buffer.concat([bytes, Buffer.alloc(size - bytes.length, 0x20)]);
    return spec.kind === 'text' ? utf8Prefix(bytes.subarray(0, size)) : bytes;
  };
}

/** @throws HubError 400 naming body.payload.template when a json template does not render to JSON. */
export function checkTemplate(
  spec: SimulateBody['payload'],
  streams: readonly string[],
  jobId: string,
): void {
  if (spec.kind !== 'json') return;
  const make = payloadMaker(spec, jobId);
  for (const stream of streams) {
    const text = Buffer.from(make({ i: 0, stream, time: 0 })).toString('utf8');
    try {
      JSON.parse(text);
    } catch (error) {
      const message = `body.payload.template: does not render to valid JSON (${(error as Error).message}); rendered: ${text.slice(0, 200)}`;
      throw new HubError(400, 'INVALID_REQUEST', message, {
        issues: [{ field: 'body.payload.template', message }],
      });
    }
  }
}

export interface SimulateConfig {
  streams: { id: number; name: string }[];
  rate: number;
  durationMs: number | null;
  count: number | null;
  nodeId: number;
  payload: SimulateBody['payload'];
}

export class SimulateRun extends RunningJob<SimulateJob> {
  readonly #config: SimulateConfig;
  readonly #sequencer: SequencerLink;
  readonly #target: number;
  readonly #tally: SubmitTally = {
    submitted: 0,
    journaled: 0,
    dropped: 0,
    rejected: 0,
    backoffs: 0,
    firstSeq: null,
    lastSeq: null,
  };

  constructor(id: string, config: SimulateConfig, services: { sequencer: SequencerLink; now: () => number }) {
    super(id, services.now);
    this.#config = config;
    this.#sequencer = services.sequencer;
    const byDuration =
      config.durationMs === null
        ? Number.POSITIVE_INFINITY
        : Math.ceil((config.rate * config.durationMs) / 1000);
    this.#target = Math.min(config.count ?? Number.POSITIVE_INFINITY, byDuration);
  }

  protected async work(signal: AbortSignal): Promise<void> {
    const { streams, rate, durationMs, nodeId } = this.#config;
    const make = payloadMaker(this.#config.payload, this.id);
    const started = performance.now();
    const deadline = durationMs === null ? Number.POSITIVE_INFINITY : started + durationMs;
    const pacer = new Pacer(rate, started);
    const tick = batchSize(rate);
    let next = 0;
    while (!signal.aborted && next < this.#target) {
      const now = performance.now();
      if (now >= deadline) break;
      const want = Math.min(tick, this.#target - next);
      const due = pacer.due(now, next);
      if (due < want) {
        await sleep(pacer.wait(now, next + want), signal);
        continue;
      }
      const events: IpcSubmitEventInput[] = [];
      const time = this.now();
      let bytes = 0;
      for (
        let n = Math.min(due, this.#target - next, MAX_BATCH_EVENTS);
        n > 0 && bytes < MAX_BATCH_BYTES;
        n--
      ) {
        const stream = streams[next % streams.length]!;
        const payload = make({ i: next, stream: stream.name, time });
        bytes += payload.length;
        events.push({ streamId: stream.id, nodeId, payload });
        next++;
      }
      if (!(await submitWithBackoff(this.#sequencer, events, this.#tally, signal))) break;
    }
  }

  view(): SimulateJob {
    const { streams, rate, durationMs, count, nodeId, payload } = this.#config;
    return {
      ...this.lifecycle(),
      kind: 'simulate',
      config: {
        streams,
        rate,
        durationMs,
        count,
        nodeId,
        payload: { kind: payload.kind, size: payload.size ?? null, template: payload.template ?? null },
      },
      progress: { target: this.#target, ...this.#tally },
    };
  }
}
