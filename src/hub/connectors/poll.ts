/**
 * The `http-poll` connector: GETs a URL every `intervalMs`, takes the list at `path` in the JSON answer, skips
 * items whose `dedupeKey` it has journaled before, and submits the rest. A page is held until the sequencer has
 * journaled every item of it (or rejected one as too large, for good): while the sequencer is away the poller
 * stops fetching and retries the held page every 500 ms; items the sequencer dropped (its ring is full and a
 * consumer cursor lags) or refused while shutting down stay held and are submitted again, from 500 ms apart
 * doubling up to `maxBackoffMs`. So nothing it took is lost and nothing journaled is fetched twice. Failed polls back off exponentially from
 * `intervalMs` up to `maxBackoffMs`. Journaled dedupe keys (the newest 100 000) are kept in SQLite, so a restarted
 * hub does not journal an item again.
 *
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { IpcSubmitStatus } from '../../ipc/protocol.ts';
import { HubError } from '../errors.ts';
import type { HttpPollConfig } from './schema.ts';
import {
  type ConnectorHandle,
  describeRefusals,
  isRetryable,
  isUnavailable,
  type Runner,
  type RunnerState,
} from './service.ts';

/** Responses larger than this are refused (RESPONSE_TOO_LARGE). */
const MAX_RESPONSE_BYTES = 16 << 20;
/** Dedupe keys remembered (oldest forgotten first). */
export const SEEN_KEYS = 100_000;
const WAIT_MS = 500;

/** The value at a dotted path (`data.items`, `$.data.items`); the root for an empty path. */
export function atPath(value: unknown, path: string): unknown {
  const clean = path.replace(/^\$\.?/, '');
  if (clean === '') return value;
  let at = value;
  for (const part of clean.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch {
    // aborted: the loop checks the signal
  }
}

interface Held {
  key: string | null;
  payload: Uint8Array;
  /** The sequencer answered it before (dropped, shutting down), so it was counted as received then. */
  offered: boolean;
}

export class HttpPoller implements Runner {
  readonly #handle: ConnectorHandle;
  readonly #config: HttpPollConfig;
  #state: RunnerState = 'active';
  #held: Held[] = [];
  readonly #seen: Set<string>;
  #failures = 0;
  /** Submits of the held page in a row that the sequencer answered with some events dropped or refused. */
  #refusals = 0;
  #abort: AbortController | null = null;
  #loop: Promise<void> | null = null;

  constructor(handle: ConnectorHandle, config: HttpPollConfig) {
    this.#handle = handle;
    this.#config = config;
    this.#seen = new Set(handle.seenKeys());
  }

  get state(): RunnerState {
    return this.#state;
  }

  start(): void {
    if (this.#loop) return;
    const abort = new AbortController();
    this.#abort = abort;
    this.#loop = this.#run(abort.signal).finally(() => {
      this.#loop = null;
    });
  }

  async stop(): Promise<void> {
    this.#abort?.abort();
    await this.#loop;
  }

  async #run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (this.#held.length === 0) {
        try {
          this.#take(await this.#fetch(signal));
          this.#failures = 0;
          this.#state = 'active';
        } catch (error) {
          if (signal.aborted) break;
          this.#failures++;
          const e =
            error instanceof HubError ? error : new HubError(502, 'POLL_FAILED', (error as Error).message);
          this.#handle.fail(e.code, e.message);
          this.#state = 'backoff';
          const backoff = this.#config.intervalMs * 2 ** Math.min(this.#failures, 20);
          await sleep(Math.min(this.#config.maxBackoffMs, backoff), signal);
          continue;
        }
      }
      if (this.#held.length > 0) {
        const flushed = await this.#flush();
        if (flushed === 'failed') {
          await sleep(WAIT_MS, signal);
          continue;
        }
        if (flushed === 'refused') {
          // The journal sheds load while a consumer lags: ask again later, less often the longer it lasts.
          const backoff = WAIT_MS * 2 ** Math.min(this.#refusals++, 20);
          await sleep(Math.min(this.#config.maxBackoffMs, backoff), signal);
          continue;
        }
        this.#refusals = 0;
      }
      await sleep(this.#config.intervalMs, signal);
    }
  }

  /** One poll's items, journaling nothing (the test-connection probe). @throws HubError */
  fetchOnce(signal: AbortSignal): Promise<unknown[]> {
    return this.#fetch(signal);
  }

  async #fetch(signal: AbortSignal): Promise<unknown[]> {
    const { url, headers, timeoutMs, path } = this.#config;
    const response = await fetch(url, {
      headers: { accept: 'application/json', ...headers },
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
    const text = await response.text();
    if (!response.ok)
      throw new HubError(
        502,
        'POLL_HTTP_ERROR',
        `GET ${url} answered ${response.status}: ${text.slice(0, 200)}`,
      );
    if (text.length > MAX_RESPONSE_BYTES)
      throw new HubError(
        502,
        'RESPONSE_TOO_LARGE',
        `GET ${url} answered more than ${MAX_RESPONSE_BYTES} bytes`,
      );
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new HubError(
        502,
        'POLL_INVALID_JSON',
        `GET ${url} did not answer JSON: ${(error as Error).message}`,
      );
    }
    const list = atPath(body, path);
    if (Array.isArray(list)) return list;
    if (list !== null && typeof list === 'object') return [list];
    throw new HubError(
      502,
      'POLL_PATH_NOT_FOUND',
      `the answer of GET ${url} has no list or object at "${path || '(root)'}"`,
    );
  }

  #take(items: unknown[]): void {
    const { dedupeKey } = this.#config;
    const page = new Set<string>();
    for (const item of items) {
      let key: string | null = null;
      if (dedupeKey !== undefined) {
        const value = atPath(item, dedupeKey);
        if (value !== undefined) key = typeof value === 'string' ? value : JSON.stringify(value);
      }
      if (key !== null && (this.#seen.has(key) || page.has(key))) {
        this.#handle.record.counters.duplicates++;
        continue;
      }
      if (key !== null) page.add(key);
      this.#held.push({ key, payload: Buffer.from(JSON.stringify(item), 'utf8'), offered: false });
    }
    this.#handle.record.counters.pending = this.#held.length;
  }

  /**
   * Submits what is held of the page. Journaled items leave it (their dedupe keys are saved), and so do items
   * too large for the journal (rejected for good: counted, reported, their keys saved so they are not fetched
   * again); items the sequencer dropped or refused while shutting down, or did not answer, stay held.
   */
  async #flush(): Promise<'done' | 'refused' | 'failed'> {
    const held = this.#held;
    let statuses: readonly IpcSubmitStatus[];
    let failure: unknown = null;
    try {
      statuses = (
        await this.#handle.submit(
          held.map((h) => h.payload),
          this.#state === 'waiting',
          held.map((h) => h.offered),
        )
      ).statuses;
    } catch (error) {
      failure = error;
      const details =
        error instanceof HubError
          ? (error.details as { statuses?: IpcSubmitStatus[] } | undefined)
          : undefined;
      statuses = details?.statuses ?? [];
    }
    const keys: string[] = [];
    const kept: Held[] = [];
    const tooLarge: Held[] = [];
    held.forEach((h, i) => {
      const status = statuses[i];
      if (status === undefined || isRetryable(status)) {
        if (status !== undefined) h.offered = true;
        kept.push(h);
        return;
      }
      if (status === 'too_large') tooLarge.push(h);
      if (h.key === null) return;
      keys.push(h.key);
      this.#seen.add(h.key);
      if (this.#seen.size > SEEN_KEYS) this.#seen.delete(this.#seen.values().next().value!);
    });
    this.#handle.remember(keys, SEEN_KEYS);
    this.#held = kept;
    this.#handle.record.counters.pending = kept.length;
    if (tooLarge.length > 0) {
      const named = tooLarge.some((h) => h.key !== null)
        ? ` (dedupe keys ${tooLarge
            .slice(0, 10)
            .map((h) => JSON.stringify(h.key))
            .join(', ')}${tooLarge.length > 10 ? ', …' : ''})`
        : '';
      this.#handle.fail(
        'EVENT_TOO_LARGE',
        `${tooLarge.length} item(s) polled from ${this.#config.url}${named} are larger than the journal takes per event; they were rejected and are not fetched again`,
      );
    }
    if (failure !== null) {
      this.#state = isUnavailable(failure) ? 'waiting' : 'error';
      return 'failed';
    }
    if (kept.length > 0) {
      const answered = statuses.filter(isRetryable);
      // Once per streak of refusals: the count of errors says how often it happened, not how often we retried.
      if (this.#refusals === 0)
        this.#handle.fail(
          'EVENTS_NOT_JOURNALED',
          `${answered.length} of ${held.length} held items polled from ${this.#config.url} were not journaled (${describeRefusals(answered)}); the page is held and submitted again`,
        );
      this.#state = 'backoff';
      return 'refused';
    }
    this.#state = 'active';
    return 'done';
  }
}
