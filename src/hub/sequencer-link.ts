/**
 * The hub's connection to the sequencer over IPC: connects when the sequencer is up, reconnects when it comes
 * back, and tells listeners about publications and connection changes. Ingest-type calls go through
 * `submit`/`registerStream`, which answer 503 while the sequencer is away — nothing is queued silently.
 *
 * @module
 */
import { connectIpc, type IpcClient } from '../ipc/client.ts';
import type { Hello, IpcSubmitEventInput, IpcSubmitResult, PublicationState } from '../ipc/protocol.ts';
import { HubError, sequencerUnavailable } from './errors.ts';

export type LinkState = 'connected' | 'disconnected';

const RECONNECT_MS = 1000;

export class SequencerLink {
  readonly ipcPath: string;
  #client: IpcClient | null = null;
  #closed = false;
  #timer: NodeJS.Timeout | null = null;
  #connecting = false;
  #lastPublication: PublicationState | null = null;
  readonly #publicationListeners = new Set<(p: PublicationState) => void>();
  readonly #stateListeners = new Set<(state: LinkState) => void>();

  constructor(ipcPath: string) {
    this.ipcPath = ipcPath;
  }

  /** Starts connecting (and reconnecting) in the background. */
  start(): void {
    void this.#attempt();
  }

  get state(): LinkState {
    return this.#client !== null ? 'connected' : 'disconnected';
  }

  get hello(): Hello | null {
    return this.#client?.hello ?? null;
  }

  get lastPublication(): PublicationState | null {
    return this.#lastPublication;
  }

  onPublication(listener: (p: PublicationState) => void): () => void {
    this.#publicationListeners.add(listener);
    return () => this.#publicationListeners.delete(listener);
  }

  onState(listener: (state: LinkState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  async #attempt(): Promise<void> {
    if (this.#closed || this.#client !== null || this.#connecting) return;
    this.#connecting = true;
    try {
      const client = await connectIpc(this.ipcPath, {
        timeoutMs: 2000,
        onPublication: (p) => {
          this.#lastPublication = p;
          for (const l of this.#publicationListeners) l(p);
        },
        onClose: () => {
          if (this.#client === client) {
            this.#client = null;
            for (const l of this.#stateListeners) l('disconnected');
            this.#schedule();
          }
        },
      });
      if (this.#closed) {
        client.close();
        return;
      }
      this.#client = client;
      for (const l of this.#stateListeners) l('connected');
    } catch {
      this.#schedule();
    } finally {
      this.#connecting = false;
    }
  }

  #schedule(): void {
    if (this.#closed || this.#timer !== null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#attempt();
    }, RECONNECT_MS);
    this.#timer.unref();
  }

  #require(): IpcClient {
    if (this.#client === null) throw sequencerUnavailable(this.ipcPath);
    return this.#client;
  }

  /** Journals events through the sequencer. @throws HubError 503 when it is away or refuses (queue full). */
  async submit(events: IpcSubmitEventInput[]): Promise<IpcSubmitResult> {
    try {
      return await this.#require().submit(events);
    } catch (error) {
      throw toHubError(error, this.ipcPath);
    }
  }

  async registerStream(name: string): Promise<number> {
    try {
      return await this.#require().registerStream(name);
    } catch (error) {
      throw toHubError(error, this.ipcPath);
    }
  }

  async status(): Promise<unknown> {
    try {
      return await this.#require().status();
    } catch (error) {
      throw toHubError(error, this.ipcPath);
    }
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#client?.close();
    this.#client = null;
  }
}

function toHubError(error: unknown, ipcPath: string): HubError {
  if (error instanceof HubError) return error;
  const code = (error as { code?: string }).code ?? 'SEQUENCER_ERROR';
  const message = (error as Error).message;
  if (code === 'IPC_CLOSED' || code === 'IPC_UNAVAILABLE' || code === 'SEQUENCER_STOPPED')
    return sequencerUnavailable(ipcPath);
  if (code === 'SUBMIT_QUEUE_FULL')
    return new HubError(503, code, `${message}`, undefined, { 'Retry-After': '1' });
  if (code === 'INVALID_STREAM_NAME' || code === 'STREAM_TABLE_FULL') return new HubError(400, code, message);
  return new HubError(502, code, `the sequencer refused: ${message}`);
}
