/**
 * The real native sequencer as a `JournalSystem` for the model-based journal contract: a real journal file,
 * the addon's receive thread on real loopback UDP sockets (io_uring or recvmmsg), its submit path, consumer
 * cursors through a second (reader) mapping, and reopen by closing and reopening the journal.
 *
 * @module
 */
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFrame } from '../../src/core/frame.ts';
import { hlcToBigInt, hlcFromWords } from '../../src/core/hlc.ts';
import { type ConsumerCursor, JournalReader } from '../../src/journal/reader.ts';
import { loadAddon, type NativeSequencer } from '../../src/native/binding.ts';
import type {
  FramedInput,
  JournalSnapshot,
  JournalSystem,
  JournalSystemFactory,
} from '../contracts/journal.ts';
import type { ModelAppend } from '../models/journal-model.ts';

const LISTENERS = ['default', 'orders', 'metrics'];

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

class NativeSequencerSystem implements JournalSystem {
  readonly slotCount: number;
  readonly blobSize: number;
  readonly maxPayload: number;
  readonly listenerStreams: number[] = [];
  readonly sourceNodeId = 0x7f00_0001;
  readonly #dir: string;
  readonly #path: string;
  readonly #backend: 'uring' | 'recvmmsg';
  #sequencer!: NativeSequencer;
  #ports: number[] = [];
  readonly #reader: JournalReader;
  readonly #socket = dgram.createSocket('udp4');
  readonly #cursors = new Map<number, ConsumerCursor>();
  #nextCursor = 0;

  constructor(backend: 'uring' | 'recvmmsg', slotCount: number, blobSize: number) {
    this.#backend = backend;
    this.#dir = mkdtempSync(join(tmpdir(), 'cz-model-'));
    this.#path = join(this.#dir, 'journal.db');
    this.slotCount = slotCount;
    this.blobSize = blobSize;
    this.#openSequencer();
    this.#reader = JournalReader.open(this.#path, { cursors: true });
    this.maxPayload = this.#reader.writer().maxPayload;
  }

  #openSequencer(): void {
    const { Sequencer } = loadAddon();
    this.#sequencer = new Sequencer({
      journal: this.#path,
      slots: this.slotCount,
      blobSize: this.blobSize,
      backend: this.#backend,
      listens: LISTENERS.map((stream) => ({ host: '127.0.0.1', port: 0, stream })),
    });
    this.#sequencer.start(() => {});
    const info = this.#sequencer.info();
    if (info.backend !== (this.#backend === 'uring' ? 'io_uring' : 'recvmmsg')) {
      throw new Error(`asked for ${this.#backend}, running ${info.backend}: ${info.backendFallbackReason}`);
    }
    this.#ports = info.listeners.map((l) => l.port);
    this.listenerStreams.splice(0, this.listenerStreams.length, ...info.listeners.map((l) => l.streamId));
  }

  #taken(): number {
    const c = this.#reader.counters();
    return c.DATAGRAMS_RECEIVED;
  }

  async #send(datagrams: readonly Uint8Array[], port: number): Promise<void> {
    const target = this.#taken() + datagrams.length;
    for (const d of datagrams) {
      await new Promise<void>((resolve, reject) =>
        this.#socket.send(d, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
      );
    }
    await until(() => this.#taken() >= target, `${datagrams.length} datagrams to be taken`);
  }

  receiveRaw(payloads: readonly Uint8Array[], listener: number): Promise<void> {
    return this.#send(payloads, this.#ports[listener]!);
  }

  receiveFramed(input: FramedInput): Promise<void> {
    return this.#send([encodeFrame(input)], this.#ports[0]!);
  }

  receiveCorrupt(input: FramedInput, flipBit: number): Promise<void> {
    const frame = encodeFrame(input);
    frame[flipBit >> 3]! ^= 1 << (flipBit & 7);
    return this.#send([frame], this.#ports[0]!);
  }

  async submit(events: readonly ModelAppend[]): Promise<(number | null)[]> {
    const result = await this.#sequencer.submit(events.map((e) => ({ ...e })));
    return result.sequences;
  }

  async claimCursor(position: number): Promise<number> {
    const cursor = this.#reader.registerCursor(`model-${this.#nextCursor}`, { position, leaseMs: 600_000 });
    this.#cursors.set(this.#nextCursor, cursor);
    return this.#nextCursor++;
  }

  async advanceCursor(cursor: number, position: number): Promise<void> {
    this.#cursors.get(cursor)!.advance(position);
  }

  async releaseCursor(cursor: number): Promise<void> {
    this.#cursors.get(cursor)!.release();
    this.#cursors.delete(cursor);
  }

  async reopen(): Promise<void> {
    this.#sequencer.close();
    this.#openSequencer();
  }

  snapshot(): JournalSnapshot {
    const r = this.#reader;
    const c = r.counters();
    const { head, tail } = r.publication();
    const events: JournalSnapshot['events'] = [];
    r.scan(tail, head, (e, sequence) => {
      const payload = Uint8Array.from(r.payloadView(e));
      events.push({
        sequence,
        streamId: e.streamId,
        nodeId: e.nodeId,
        flags: e.flags,
        payload,
        checksumOk: loadAddon().crc32c(payload) === e.checksum,
        lamport: hlcToBigInt(hlcFromWords(e.lamportHi, e.lamportLo)),
      });
    });
    return {
      head,
      tail,
      journaled: c.EVENTS_JOURNALED,
      evicted: c.EVENTS_EVICTED,
      dropped: c.EVENTS_DROPPED,
      rejected: c.CHECKSUMS_FAILED + c.FRAMES_MALFORMED,
      events,
    };
  }

  async close(): Promise<void> {
    for (const cursor of this.#cursors.values()) cursor.release();
    this.#sequencer.close();
    this.#reader.close();
    this.#socket.close();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

export function nativeSequencerSystem(
  backend: 'uring' | 'recvmmsg',
  slotCount = 1024,
  blobSize = 65_536,
): JournalSystemFactory {
  return {
    name: `native sequencer (${backend})`,
    slotCount,
    blobSize,
    open: async () => new NativeSequencerSystem(backend, slotCount, blobSize),
  };
}
