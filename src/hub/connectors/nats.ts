/**
 * The `nats` connector: a core-NATS subscription (the `nats` npm client) whose messages are journaled with
 * their bytes as received. Core NATS has no acknowledgements or redelivery, so messages wait in a bounded
 * in-memory buffer (`bufferMessages`, `bufferBytes`) until the sequencer has acknowledged them; one flusher
 * submits them in arrival order and, while the sequencer is away, keeps them and retries every 500 ms. A
 * message arriving at a full buffer is counted as rejected and reported (BUFFER_FULL) — loudly, never silently.
 * Pausing unsubscribes and keeps the buffer; messages published while paused are not seen (core NATS keeps no
 * history).
 *
 * With `jetstream` set, a durable consumer replaces the subscription: a message is acknowledged only after the
 * sequencer has answered `journaled` for it (one the sequencer dropped or refused while shutting down is nak'ed,
 * so JetStream brings it back), JetStream stops delivering at `bufferMessages` unacknowledged ones
 * (`max_ack_pending`), a message that does not fit the buffer now is nak'ed for later, held messages are kept
 * alive with `working()`, and what the hub held when it paused or stopped is redelivered — at least once.
 * JetStream may deliver a message again while the hub still holds it or just after journaling it (an ack wait
 * that ran out, a redelivery racing an ack, or nats-server 2.9's duplicate deliveries after a consumer's client
 * went away): copies are recognised by stream sequence and timestamp, so a message held or recently journaled
 * is journaled once. Only a redelivery across a hub restart of a message journaled but not yet acknowledged
 * reaches the journal twice.
 *
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import { AckPolicy, connect, type JsMsg, type NatsConnection, nanos } from 'nats';
import type { IpcSubmitStatus } from '../../ipc/protocol.ts';
import { HubError } from '../errors.ts';
import type { NatsConfig } from './schema.ts';
import { type ConnectorHandle, isUnavailable, type Runner, type RunnerState } from './service.ts';

const BATCH = 1000;
const WAIT_MS = 500;
const MAX_RECONNECT_PAUSE_MS = 30_000;
/** JetStream messages journaled lately, remembered so that a late redelivery of one is not journaled again. */
const JOURNALED_MEMORY = 65_536;

interface Held {
  data: Uint8Array;
  /** The latest delivery of a JetStream message (the one to acknowledge); null for core NATS. */
  js: JsMsg | null;
}

/**
 * Names one JetStream message across its deliveries: the stream sequence, plus the stream's timestamp of the
 * message so that a stream deleted and created again (sequences from 1 anew) is never taken for a copy.
 */
const messageKey = (js: JsMsg): string => `${js.info.streamSequence}@${js.info.timestampNanos}`;

async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch {
    // aborted: callers check the signal
  }
}

export class NatsSubscriber implements Runner {
  readonly #handle: ConnectorHandle;
  readonly #config: NatsConfig;
  #state: RunnerState = 'active';
  #buffer: Held[] = [];
  /** JetStream messages in the buffer by `messageKey`. */
  readonly #heldByKey = new Map<string, Held>();
  /** `messageKey`s journaled lately, oldest first. */
  readonly #journaled = new Set<string>();
  #bytes = 0;
  #overflowing = false;
  #abort: AbortController | null = null;
  #loop: Promise<void> | null = null;
  #flushing: Promise<void> | null = null;
  #waiting = false;

  constructor(handle: ConnectorHandle, config: NatsConfig) {
    this.#handle = handle;
    this.#config = config;
  }

  get state(): RunnerState {
    return this.#waiting ? 'waiting' : this.#state;
  }

  start(): void {
    if (this.#loop) return;
    const abort = new AbortController();
    this.#abort = abort;
    this.#loop = this.#run(abort.signal).finally(() => {
      this.#loop = null;
    });
    this.#kick(abort.signal);
  }

  async stop(): Promise<void> {
    this.#abort?.abort();
    await this.#loop;
    await this.#flushing;
  }

  async #run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      let nc: NatsConnection;
      try {
        nc = await connect({
          servers: this.#config.servers,
          name: `lacrimosa-hub ${this.#handle.record.name}`,
          timeout: 2000,
          reconnect: true,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 1000,
        });
      } catch (error) {
        if (signal.aborted) return;
        failures++;
        this.#state = 'backoff';
        this.#handle.fail(
          'NATS_CONNECT_FAILED',
          `cannot connect to ${this.#config.servers.join(', ')}: ${(error as Error).message}`,
        );
        await sleep(Math.min(MAX_RECONNECT_PAUSE_MS, 500 * 2 ** Math.min(failures, 10)), signal);
        continue;
      }
      failures = 0;
      this.#state = 'active';
      if (this.#config.jetstream) {
        try {
          await this.#consumeJetStream(nc, this.#config.jetstream, signal);
        } catch (error) {
          if (!signal.aborted) {
            failures++;
            this.#state = 'backoff';
            this.#handle.fail('NATS_JETSTREAM_ERROR', (error as Error).message);
          }
        }
        // Acknowledge what the flusher is journaling now; what is still held goes back to JetStream.
        await this.#flushing;
        this.#buffer = this.#buffer.filter((e) => {
          if (e.js === null) return true;
          this.#bytes -= e.data.length;
          return false;
        });
        this.#heldByKey.clear();
        this.#handle.record.counters.pending = this.#buffer.length;
        await nc.flush().catch(() => undefined);
        await nc.close().catch(() => undefined);
        if (signal.aborted) return;
        await sleep(Math.min(MAX_RECONNECT_PAUSE_MS, 500 * 2 ** Math.min(failures, 10)), signal);
        continue;
      }
      const sub = nc.subscribe(this.#config.subject, {
        ...(this.#config.queue === undefined ? {} : { queue: this.#config.queue }),
        callback: (error, message) => {
          if (error) return this.#handle.fail('NATS_SUBSCRIPTION_ERROR', error.message);
          this.#accept(message.data);
          if (this.#abort) this.#kick(this.#abort.signal);
        },
      });
      void (async () => {
        for await (const s of nc.status()) {
          if (s.type === 'disconnect') {
            this.#state = 'backoff';
            this.#handle.fail('NATS_DISCONNECTED', `lost the NATS server ${String(s.data)}; reconnecting`);
          } else if (s.type === 'reconnect') this.#state = 'active';
        }
      })();
      const closed = nc.closed();
      await Promise.race([
        closed,
        new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true })),
      ]);
      if (!signal.aborted) continue;
      sub.unsubscribe();
      await nc.close().catch(() => undefined);
      return;
    }
  }

  async #consumeJetStream(
    nc: NatsConnection,
    config: NonNullable<NatsConfig['jetstream']>,
    signal: AbortSignal,
  ): Promise<void> {
    const jsm = await nc.jetstreamManager();
    try {
      await jsm.consumers.info(config.stream, config.durable);
    } catch {
      await jsm.consumers.add(config.stream, {
        durable_name: config.durable,
        ack_policy: AckPolicy.Explicit,
        filter_subject: this.#config.subject,
        ack_wait: nanos(config.ackWaitMs),
        max_ack_pending: this.#config.bufferMessages,
      });
    }
    const consumer = await nc.jetstream().consumers.get(config.stream, config.durable);
    const messages = await consumer.consume({ max_messages: Math.min(this.#config.bufferMessages, 1000) });
    const stop = () => void messages.stop();
    signal.addEventListener('abort', stop, { once: true });
    const keepAlive = setInterval(
      () => {
        for (const e of this.#buffer) e.js?.working();
      },
      Math.max(500, config.ackWaitMs / 2),
    );
    try {
      for await (const m of messages) {
        this.#accept(m.data, m);
        this.#kick(signal);
      }
    } finally {
      clearInterval(keepAlive);
      signal.removeEventListener('abort', stop);
    }
  }

  #accept(data: Uint8Array, js: JsMsg | null = null): void {
    const { bufferMessages, bufferBytes } = this.#config;
    const counters = this.#handle.record.counters;
    if (js !== null) {
      const key = messageKey(js);
      const held = this.#heldByKey.get(key);
      if (held) {
        // Delivered again while held: keep one copy and answer the newest delivery.
        held.js = js;
        return;
      }
      if (this.#journaled.has(key)) {
        // Journaled already; the earlier ack was lost or crossed this redelivery.
        js.ack();
        return;
      }
      if (data.length > bufferBytes) {
        counters.received++;
        counters.rejected++;
        this.#handle.fail(
          'MESSAGE_TOO_LARGE',
          `JetStream message ${js.info.streamSequence} of stream ${js.info.stream} is ${data.length} bytes, more than bufferBytes (${bufferBytes}); it was terminated`,
        );
        js.term();
        return;
      }
      if (this.#buffer.length >= bufferMessages || this.#bytes + data.length > bufferBytes) {
        // Not now: JetStream brings it back.
        js.nak(1000);
        return;
      }
    }
    if (this.#buffer.length >= bufferMessages || this.#bytes + data.length > bufferBytes) {
      counters.received++;
      counters.rejected++;
      if (!this.#overflowing) {
        this.#overflowing = true;
        this.#handle.fail(
          'BUFFER_FULL',
          `the buffer of unacknowledged messages is full (${bufferMessages} messages or ${bufferBytes} bytes); messages are being lost until the sequencer takes them`,
        );
      }
      return;
    }
    this.#overflowing = false;
    // The bytes are a view into the client's read frame: keep a copy of their own.
    const entry: Held = { data: Uint8Array.from(data), js };
    this.#buffer.push(entry);
    if (js !== null) this.#heldByKey.set(messageKey(js), entry);
    this.#bytes += data.length;
    counters.pending = this.#buffer.length;
  }

  #kick(signal: AbortSignal): void {
    if (this.#flushing || this.#buffer.length === 0) return;
    this.#flushing = this.#flush(signal).finally(() => {
      this.#flushing = null;
      if (!signal.aborted && this.#buffer.length > 0) this.#kick(signal);
    });
  }

  async #flush(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && this.#buffer.length > 0) {
      const batch = this.#buffer.slice(0, BATCH);
      let statuses: readonly IpcSubmitStatus[];
      try {
        statuses = (
          await this.#handle.submit(
            batch.map((e) => e.data),
            this.#waiting,
          )
        ).statuses;
        this.#waiting = false;
      } catch (error) {
        const details =
          error instanceof HubError
            ? (error.details as { statuses?: IpcSubmitStatus[] } | undefined)
            : undefined;
        statuses = details?.statuses ?? [];
        this.#waiting = isUnavailable(error);
      }
      const answered = new Set(batch.slice(0, statuses.length));
      statuses.forEach((status, i) => this.#settle(batch[i]!, status));
      // By identity, not position: the buffer may have been filtered while the sequencer answered.
      this.#buffer = this.#buffer.filter((e) => {
        if (!answered.has(e)) return true;
        this.#bytes -= e.data.length;
        return false;
      });
      this.#handle.record.counters.pending = this.#buffer.length;
      if (statuses.length < batch.length) await sleep(WAIT_MS, signal);
    }
  }

  /** What JetStream hears about a message the sequencer answered: ack only what is journaled. */
  #settle(entry: Held, status: IpcSubmitStatus): void {
    const { js } = entry;
    if (js === null) return;
    const key = messageKey(js);
    if (this.#heldByKey.get(key) === entry) this.#heldByKey.delete(key);
    if (status === 'journaled') {
      js.ack();
      this.#journaled.add(key);
      if (this.#journaled.size > JOURNALED_MEMORY)
        this.#journaled.delete(this.#journaled.values().next().value!);
    } else if (status === 'too_large') js.term();
    // Dropped by the journal's drop rule, or refused by a sequencer shutting down: JetStream brings it back.
    else js.nak(WAIT_MS);
  }
}
