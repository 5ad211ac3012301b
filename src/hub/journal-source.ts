/**
 * The hub's view of the journal file: a read-only `JournalReader`, opened when the file exists (the hub may
 * start before the sequencer has created it) and reopened if the file is replaced.
 *
 * @module
 */
import { statSync } from 'node:fs';
import { JournalReader } from '../journal/reader.ts';
import { HubError } from './errors.ts';

const RETRY_MS = 1000;

export class JournalSource {
  readonly path: string;
  #reader: JournalReader | null = null;
  #inode = 0;
  #lastAttempt = 0;
  #lastError: string | null = null;

  constructor(path: string) {
    this.path = path;
  }

  /** The reader, or null while the journal does not exist or cannot be read (retried at most once a second). */
  reader(): JournalReader | null {
    const now = Date.now();
    if (this.#reader !== null) {
      // A journal deleted and recreated under the same name is a different file: follow it.
      if (now - this.#lastAttempt < RETRY_MS) return this.#reader;
      this.#lastAttempt = now;
      try {
        if (statSync(this.path).ino === this.#inode) return this.#reader;
      } catch {
        return this.#reader;
      }
      this.#reader.close();
      this.#reader = null;
    }
    if (now - this.#lastAttempt < RETRY_MS && this.#lastError !== null) return null;
    this.#lastAttempt = now;
    try {
      this.#reader = JournalReader.open(this.path);
      this.#inode = statSync(this.path).ino;
      this.#lastError = null;
    } catch (error) {
      this.#lastError = (error as Error).message;
    }
    return this.#reader;
  }

  /** The reader, or a 503 saying why there is none. */
  require(): JournalReader {
    const reader = this.reader();
    if (reader === null) {
      throw new HubError(
        503,
        'JOURNAL_UNAVAILABLE',
        `the journal ${this.path} cannot be read (${this.#lastError ?? 'not opened yet'}); start the sequencer with \`cz start --journal ${this.path}\``,
      );
    }
    return reader;
  }

  get lastError(): string | null {
    return this.#lastError;
  }

  close(): void {
    this.#reader?.close();
    this.#reader = null;
  }
}
