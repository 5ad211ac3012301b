/**
 * The sequencer process (`cz start`): the native engine (journal writer + receive thread), a read-only view
 * of the same journal for status, and the IPC server that tells observers about publications and accepts
 * their submissions. Nothing here touches a datagram: that all happens on the native thread.
 *
 * @module
 */
import { hlcToBigInt } from '../core/hlc.ts';
import type { Hello, IpcSubmitEvent, IpcSubmitResult } from '../ipc/protocol.ts';
import { type IpcServer, startIpcServer } from '../ipc/server.ts';
import { JournalReader } from '../journal/reader.ts';
import {
  loadAddon,
  type NativeSequencer,
  type SequencerInfo,
  type SequencerOptions,
} from '../native/binding.ts';

export interface SequencerProcessOptions extends SequencerOptions {
  /** Unix socket path for observers, or null for none. */
  ipcPath: string | null;
}

export class RunningSequencer {
  readonly info: SequencerInfo;
  readonly reader: JournalReader;
  readonly #native: NativeSequencer;
  #ipc: IpcServer | null = null;
  #stopped = false;

  private constructor(native: NativeSequencer, reader: JournalReader) {
    this.#native = native;
    this.reader = reader;
    this.info = native.info();
  }

  /**
   * Opens the journal, binds the listeners, starts the receive thread and the IPC server.
   * @throws Error with a `code` from the addon (JOURNAL_LOCKED, GEOMETRY_MISMATCH, INVALID_CONFIG, …) or the
   * IPC server (IPC_IN_USE).
   */
  static async start(options: SequencerProcessOptions): Promise<RunningSequencer> {
    const { Sequencer } = loadAddon();
    const native = new Sequencer(options);
    const reader = JournalReader.open(options.journal);
    const running = new RunningSequencer(native, reader);
    native.start(() => running.#onPublication());
    if (options.ipcPath !== null) {
      try {
        running.#ipc = await startIpcServer({
          path: options.ipcPath,
          handlers: {
            hello: () => running.hello(),
            submit: (events) => running.submit(events),
            registerStream: (name) => native.registerStream(name),
            status: () => running.status(),
          },
        });
      } catch (error) {
        native.close();
        reader.close();
        throw error;
      }
    }
    return running;
  }

  get ipcClientCount(): number {
    return this.#ipc?.clientCount ?? 0;
  }

  #onPublication(): void {
    if (this.#stopped || this.#ipc === null) return;
    const p = this.reader.publication();
    this.#ipc.publish({
      head: p.head,
      tail: p.tail,
      clock: hlcToBigInt(p.clock),
      publishedMs: p.publishedMs,
    });
  }

  /** The listeners with their stream names. */
  listeners(): { host: string; port: number; streamId: number; stream: string; ipv6: boolean }[] {
    return this.info.listeners.map((l) => ({
      ...l,
      stream: this.reader.streamName(l.streamId) ?? `stream-${l.streamId}`,
    }));
  }

  hello(): Hello {
    const p = this.reader.publication();
    return {
      protocol: 1,
      pid: process.pid,
      journal: {
        path: this.info.journal.path,
        slotCount: this.info.journal.slotCount,
        blobSize: this.info.journal.blobSize,
        maxPayload: this.info.journal.maxPayload,
      },
      backend: this.info.backend,
      listeners: this.listeners(),
      streams: this.reader.streams(),
      publication: {
        head: p.head,
        tail: p.tail,
        clock: hlcToBigInt(p.clock).toString(),
        publishedMs: p.publishedMs,
      },
    };
  }

  status(): Record<string, unknown> {
    const p = this.reader.publication();
    return {
      pid: process.pid,
      backend: this.info.backend,
      backendFallbackReason: this.info.backendFallbackReason || null,
      listeners: this.listeners(),
      journal: this.info.journal,
      publication: {
        head: p.head,
        tail: p.tail,
        clock: hlcToBigInt(p.clock).toString(),
        publishedMs: p.publishedMs,
      },
      counters: this.reader.counters(),
      cursors: this.reader.cursors(),
      ipcClients: this.ipcClientCount,
    };
  }

  async submit(events: IpcSubmitEvent[]): Promise<IpcSubmitResult> {
    return this.#native.submit(
      events.map((e) => ({
        streamId: e.streamId,
        nodeId: e.nodeId,
        flags: e.flags,
        clockHint: e.clockHint,
        payload: e.payload,
      })),
    );
  }

  registerStream(name: string): number {
    return this.#native.registerStream(name);
  }

  /** Stops ingest after journaling what the receive thread holds, says BYE to observers, closes the journal. */
  async stop(reason = 'sequencer shutting down'): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#native.stop();
    await this.#ipc?.close(reason);
    this.#native.close();
    this.reader.close();
  }
}
