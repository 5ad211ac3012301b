/**
 * A durable follower of the journal for hub features that must see every event once (alert rules, running
 * pipelines): it holds a live consumer cursor in the journal header, so the sequencer drops new events rather
 * than evict ones this tail has not delivered yet (docs/journal-format.md, "Consumer cursors"), and it calls
 * `onEvents` with each newly published slot range, advancing the cursor only after the handler resolved.
 *
 * The position lives in the journal header only while the hub runs (the lease expires when it stops). A caller
 * that must resume after a restart stores `position` once its outputs are durable and passes it back as `from`;
 * events evicted in between are reported through `onGap`, never delivered twice and never silently skipped.
 *
 * A tail for which missing an event under a burst is better than slowing ingest (alert rules: a gap is
 * reported, the sequencer keeps every new event) passes `holdEviction: false` and follows without a cursor.
 *
 * Wake-ups come from the sequencer's publications, with head polling as the fallback while it is away.
 *
 * Because a live cursor holds back eviction, a handler must not fail forever on one bad event: count it and
 * go on. Throwing is for transient trouble (the sequencer is down for a submit); the same range is offered
 * again after `RETRY_MS`.
 *
 * @module
 */
import { statSync } from 'node:fs';
import { type ConsumerCursor, JournalReader } from '../journal/reader.ts';
import { CURSOR_NAME_CAPACITY } from '../journal/layout.ts';

/** Head polling interval; publications usually arrive first. */
const POLL_MS = 250;
/** Delay before a range whose handler threw is offered again, and between attempts to open the journal. */
const RETRY_MS = 1000;
/** How long the cursor stays live without a heartbeat: long enough for a slow batch, short after a crash. */
const LEASE_MS = 15_000;
/** How often the journal file is checked for having been replaced by a new one. */
const IDENTITY_CHECK_MS = 1000;

export interface TailOptions {
  /** The journal to follow (a `JournalSource` will do). */
  journal: { readonly path: string };
  /** Publications of the sequencer (a `SequencerLink` will do); without it the tail only polls. */
  sequencer?: { onPublication(listener: () => void): () => void };
  /** The consumer cursor's name in the journal header, at most 31 bytes of UTF-8. */
  name: string;
  /** The first sequence to deliver; by default the head when the journal is first opened. */
  from?: number;
  /**
   * Whether to hold a consumer cursor (default true): the writer then drops new events rather than evict
   * undelivered ones. Without it, events evicted before delivery are reported through `onGap`.
   */
  holdEviction?: boolean;
  /** The most slots offered in one `onEvents` call. */
  batchSize?: number;
  /**
   * Delivers the published slots [from, to): read them with `reader.scan(from, to, …)`. The cursor moves to
   * `to` once the returned promise resolves; when it rejects, the same range is offered again later.
   */
  onEvents(reader: JournalReader, from: number, to: number): void | Promise<void>;
  /** `lost` events in [from, to) were evicted before they could be delivered (the hub was down too long). */
  onGap?(lost: number, from: number, to: number): void;
  /** The handler threw, or the journal could not be opened; the tail retries on its own. */
  onError?(error: Error): void;
}

export class JournalTail {
  readonly name: string;
  readonly #options: TailOptions;
  readonly #batchSize: number;
  #reader: JournalReader | null = null;
  #inode = 0;
  #identityCheckedAt = 0;
  #cursor: ConsumerCursor | null = null;
  #position: number | null;
  #running = false;
  #pass: Promise<void> | null = null;
  #wakeAgain = false;
  #retryAt = 0;
  #poll: NodeJS.Timeout | null = null;
  #offPublication: (() => void) | null = null;
  #lastError: Error | null = null;
  /** Events delivered and lost since start. */
  readonly stats = { delivered: 0, lost: 0, batches: 0 };

  constructor(options: TailOptions) {
    if (Buffer.byteLength(options.name) >= CURSOR_NAME_CAPACITY || options.name.length === 0) {
      throw new RangeError(`tail name must be 1 to ${CURSOR_NAME_CAPACITY - 1} bytes: ${options.name}`);
    }
    if (options.from !== undefined && !(Number.isSafeInteger(options.from) && options.from >= 0)) {
      throw new RangeError(`tail from must be a non-negative integer: ${options.from}`);
    }
    this.name = options.name;
    this.#options = options;
    this.#batchSize = options.batchSize ?? 4096;
    this.#position = options.from ?? null;
  }

  /** The next sequence to deliver (null until the journal was first opened when no `from` was given). */
  get position(): number | null {
    return this.#position;
  }

  /** Published events not delivered yet. */
  get lag(): number {
    if (this.#reader === null || this.#position === null) return 0;
    return Math.max(0, this.#reader.loadHead() - this.#position);
  }

  get lastError(): Error | null {
    return this.#lastError;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#offPublication = this.#options.sequencer?.onPublication(() => this.#wake()) ?? null;
    this.#poll = setInterval(() => this.#wake(), POLL_MS);
    this.#poll.unref();
    this.#wake();
  }

  /** Stops after the batch in flight, then releases the cursor and the mapping. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#offPublication?.();
    this.#offPublication = null;
    if (this.#poll !== null) clearInterval(this.#poll);
    this.#poll = null;
    await this.#pass;
    this.#closeJournal();
  }

  /** Resolves once everything published when called has been delivered (for tests and dry shutdowns). */
  async drained(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.#pass;
      const reader = this.#reader;
      if (reader !== null && this.#position !== null && this.#position >= reader.loadHead()) return;
      if (Date.now() > deadline) throw new Error(`tail ${this.name} did not drain within ${timeoutMs} ms`);
      this.#wake();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  #wake(): void {
    if (!this.#running) return;
    if (this.#pass !== null) {
      this.#wakeAgain = true;
      return;
    }
    this.#pass = this.#deliver().finally(() => {
      this.#pass = null;
      if (this.#wakeAgain) {
        this.#wakeAgain = false;
        this.#wake();
      }
    });
  }

  async #deliver(): Promise<void> {
    if (Date.now() < this.#retryAt) return;
    try {
      while (this.#running) {
        const reader = this.#openJournal();
        if (reader === null) return;
        const { head, tail } = reader.publication();
        let position = this.#position!;
        if (position > head) {
          // A shorter journal than the one the position belongs to: a new file. Follow it from its head.
          position = head;
          this.#reclaim(reader, position);
        }
        if (position < tail) {
          this.stats.lost += tail - position;
          this.#options.onGap?.(tail - position, position, tail);
          position = tail;
        }
        if (position !== this.#position) {
          this.#position = position;
          this.#cursor?.advance(position);
        }
        if (position === head) {
          this.#cursor?.heartbeat();
          return;
        }
        const to = Math.min(head, position + this.#batchSize);
        await this.#options.onEvents(reader, position, to);
        this.#position = to;
        this.#cursor?.advance(to);
        this.stats.delivered += to - position;
        this.stats.batches++;
        // Let timers and I/O run between batches of a long backlog.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      this.#lastError = error as Error;
      this.#retryAt = Date.now() + RETRY_MS;
      setTimeout(() => this.#wake(), RETRY_MS).unref();
      this.#options.onError?.(error as Error);
    }
  }

  /** The cursor-capable reader, (re)opened when missing or when the file was replaced; null while unreadable. */
  #openJournal(): JournalReader | null {
    const now = Date.now();
    if (this.#reader !== null && now - this.#identityCheckedAt >= IDENTITY_CHECK_MS) {
      this.#identityCheckedAt = now;
      let inode = this.#inode;
      try {
        inode = statSync(this.#options.journal.path).ino;
      } catch {
        // Deleted: keep reading the mapping we have until a new file appears.
      }
      if (inode !== this.#inode) this.#closeJournal();
    }
    if (this.#reader !== null) return this.#reader;
    try {
      const hold = this.#options.holdEviction ?? true;
      const reader = JournalReader.open(this.#options.journal.path, { cursors: hold });
      this.#inode = statSync(this.#options.journal.path).ino;
      this.#identityCheckedAt = now;
      this.#reader = reader;
      const head = reader.loadHead();
      if (this.#position === null || this.#position > head) this.#position = head;
      if (hold)
        this.#cursor = reader.registerCursor(this.name, { position: this.#position, leaseMs: LEASE_MS });
      return reader;
    } catch (error) {
      this.#closeJournal();
      this.#lastError = error as Error;
      this.#retryAt = now + RETRY_MS;
      setTimeout(() => this.#wake(), RETRY_MS).unref();
      this.#options.onError?.(error as Error);
      return null;
    }
  }

  /** Cursor positions only move forward, so moving back means a new claim. */
  #reclaim(reader: JournalReader, position: number): void {
    if (this.#cursor === null) return;
    this.#cursor.release();
    this.#cursor = reader.registerCursor(this.name, { position, leaseMs: LEASE_MS });
  }

  #closeJournal(): void {
    this.#cursor?.release();
    this.#cursor = null;
    this.#reader?.close();
    this.#reader = null;
  }
}
