/**
 * `POST /api/replay`: re-emits a journal range as a background job, paced like simulate. Payloads are copied
 * out of the mapping and kept only if still retained after the copy (the tail re-check), then sent:
 *
 * - to a UDP target, one datagram per event: the payload as it is, or framed (wire-format.md) with the
 *   original node id, stream id, application flags and the original clock value as the clock hint;
 * - into a stream of the sequencer, through the submit path, payloads unchanged (node id and application
 *   flags kept; the sequencer adds SUBMITTED).
 *
 * The range is fixed when the job starts; if the writer evicts part of it before the replay gets there, those
 * events are counted as `evicted` and skipped.
 *
 * @module
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import { hlcFromWords } from '../../core/hlc.ts';
import { encodeFrame, FRAME_MAX_PAYLOAD_LENGTH } from '../../core/frame.ts';
import { u64ToBigInt } from '../../core/u64.ts';
import type { IpcSubmitEventInput } from '../../ipc/protocol.ts';
import type { JournalSource } from '../journal-source.ts';
import type { SequencerLink } from '../sequencer-link.ts';
import { batchSize, Pacer, RunningJob, sleep, submitWithBackoff, type SubmitTally } from './jobs.ts';
import { scanForward } from './page.ts';
import type { EventFilter } from './range.ts';
import type { ReplayJob } from './schema.ts';

/** The largest UDP payload over IPv4. */
const MAX_DATAGRAM = 65_507;
const SCAN_BUDGET = 65_536;
const MAX_BATCH_EVENTS = 10_000;
const MAX_BATCH_BYTES = 4 << 20;

export type ReplayTarget =
  | { kind: 'udp'; host: string; port: number; framed: boolean }
  | { kind: 'stream'; stream: string; streamId: number };

export interface ReplayConfig {
  lo: number;
  hi: number;
  filter: EventFilter;
  streams: { id: number; name: string | null }[] | null;
  target: ReplayTarget;
  rate: number;
}

interface Item {
  nodeId: number;
  streamId: number;
  flags: number;
  lamportHi: number;
  lamportLo: number;
  payload: Uint8Array;
}

export class ReplayRun extends RunningJob<ReplayJob> {
  readonly #config: ReplayConfig;
  readonly #journal: JournalSource;
  readonly #sequencer: SequencerLink;
  readonly #tally: SubmitTally = {
    submitted: 0,
    journaled: 0,
    dropped: 0,
    rejected: 0,
    backoffs: 0,
    firstSeq: null,
    lastSeq: null,
  };
  #position: number;
  #scanned = 0;
  #matched = 0;
  #sent = 0;
  #failed = 0;
  #evicted = 0;

  constructor(
    id: string,
    config: ReplayConfig,
    services: { journal: JournalSource; sequencer: SequencerLink; now: () => number },
  ) {
    super(id, services.now);
    this.#config = config;
    this.#journal = services.journal;
    this.#sequencer = services.sequencer;
    this.#position = config.lo;
  }

  protected async work(signal: AbortSignal): Promise<void> {
    const { hi, filter, rate, target } = this.#config;
    const socket = target.kind === 'udp' ? dgram.createSocket(isIPv6(target.host) ? 'udp6' : 'udp4') : null;
    // Asynchronous socket errors (e.g. ICMP unreachable reported later) must not crash the hub.
    socket?.on('error', () => this.#failed++);
    const started = performance.now();
    const pacer = new Pacer(rate, started);
    const tick = batchSize(rate);
    try {
      while (!signal.aborted && this.#position < hi) {
        const now = performance.now();
        const due = pacer.due(now, this.#matched);
        if (due < tick) {
          await sleep(pacer.wait(now, this.#matched + tick), signal);
          continue;
        }
        const items = this.#collect(Math.min(due, MAX_BATCH_EVENTS), filter, hi);
        if (items.length === 0) {
          // A sparse stretch: keep scanning, but let other work run between steps.
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
        this.#matched += items.length;
        if (socket !== null && target.kind === 'udp') await this.#sendUdp(socket, target, items);
        else if (target.kind === 'stream' && !(await this.#submit(target.streamId, items, signal))) break;
      }
    } finally {
      socket?.close();
    }
  }

  /** Up to `max` matching events from the current position, payloads copied and checked still retained. */
  #collect(max: number, filter: EventFilter, hi: number): Item[] {
    const reader = this.#journal.require();
    let bytes = 0;
    const step = scanForward(
      reader,
      this.#position,
      hi,
      filter,
      max,
      SCAN_BUDGET,
      (event) => (bytes += event.payloadLength) >= MAX_BATCH_BYTES,
    );
    const copies = step.matched.map(({ seq, event }) => ({
      seq,
      item: {
        nodeId: event.nodeId,
        streamId: event.streamId,
        flags: event.flags,
        lamportHi: event.lamportHi,
        lamportLo: event.lamportLo,
        payload: Uint8Array.from(reader.payloadView(event)),
      },
    }));
    const tail = reader.loadTail();
    const items = copies.filter((c) => c.seq >= tail).map((c) => c.item);
    this.#evicted += step.evicted + copies.length - items.length;
    this.#scanned += step.examined;
    this.#position = step.next;
    return items;
  }

  async #sendUdp(
    socket: dgram.Socket,
    target: { host: string; port: number; framed: boolean },
    items: Item[],
  ): Promise<void> {
    const sends: Promise<void>[] = [];
    for (const item of items) {
      const tooLarge = target.framed
        ? item.payload.length > FRAME_MAX_PAYLOAD_LENGTH
        : item.payload.length > MAX_DATAGRAM;
      if (tooLarge) {
        this.#failed++;
        continue;
      }
      const datagram = target.framed
        ? encodeFrame({
            nodeId: item.nodeId,
            streamId: item.streamId,
            flags: item.flags & 0xff,
            clockHint: hlcFromWords(item.lamportHi, item.lamportLo),
            payload: item.payload,
          })
        : item.payload;
      sends.push(
        new Promise<void>((resolve) =>
          socket.send(datagram, target.port, target.host, (error) => {
            if (error) this.#failed++;
            else this.#sent++;
            resolve();
          }),
        ),
      );
    }
    await Promise.all(sends);
  }

  async #submit(streamId: number, items: Item[], signal: AbortSignal): Promise<boolean> {
    const events: IpcSubmitEventInput[] = items.map((item) => ({
      streamId,
      nodeId: item.nodeId,
      flags: item.flags & 0xff,
      clockHint: u64ToBigInt(item.lamportHi, item.lamportLo),
      payload: item.payload,
    }));
    const before = this.#tally.submitted;
    const ok = await submitWithBackoff(this.#sequencer, events, this.#tally, signal);
    this.#sent += this.#tally.submitted - before;
    return ok;
  }

  view(): ReplayJob {
    const { lo, hi, filter, streams, target, rate } = this.#config;
    return {
      ...this.lifecycle(),
      kind: 'replay',
      config: { range: { from: lo, to: hi }, streams, node: filter.node, target, rate },
      progress: {
        total: hi - lo,
        position: this.#position,
        scanned: this.#scanned,
        matched: this.#matched,
        sent: this.#sent,
        journaled: this.#tally.journaled,
        dropped: this.#tally.dropped,
        rejected: this.#tally.rejected,
        failed: this.#failed,
        evicted: this.#evicted,
        backoffs: this.#tally.backoffs,
      },
    };
  }
}
