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
 * sequencer has journaled it, JetStream stops delivering at `bufferMessages` unacknowledged ones
 * (`max_ack_pending`), a message that does not fit `bufferBytes` is nak'ed for later, held messages are kept
 * alive with `working()`, and what the hub held when it paused or stopped is redelivered — at least once.
 *
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import { AckPolicy, connect, type JsMsg, type NatsConnection, nanos } from 'nats';
import { HubError } from '../errors.ts';
import type { NatsConfig } from './schema.ts';
import { type ConnectorHandle, isUnavailable, type Runner, type RunnerState } from './service.ts';

const BATCH = 1000;
const WAIT_MS = 500;
const MAX_RECONNECT_PAUSE_MS = 30_000;

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
  #buffer: { data: Uint8Array; js: JsMsg | null }[] = [];
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
    if (js !== null && this.#bytes + data.length > bufferBytes && this.#buffer.length > 0) {
      js.nak(1000);
      return;
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
    // The client reuses its read buffer: keep a copy.
    this.#buffer.push({ data: Uint8Array.from(data), js });
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
      const batch = this.#buffer.slice(0, BATCH).map((e) => e.data);
      let done = batch.length;
      try {
        await this.#handle.submit(batch, this.#waiting);
        this.#waiting = false;
      } catch (error) {
        const details =
          error instanceof HubError ? (error.details as { sequences?: unknown[] } | undefined) : undefined;
        done = details?.sequences?.length ?? 0;
        this.#waiting = isUnavailable(error);
      }
      for (const e of this.#buffer.splice(0, done)) {
        this.#bytes -= e.data.length;
        e.js?.ack();
      }
      this.#handle.record.counters.pending = this.#buffer.length;
      if (done < batch.length) await sleep(WAIT_MS, signal);
    }
  }
}
