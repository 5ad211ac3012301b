/**
 * What `/api/system` reports about the machine and the files the hub works with: the journal's size on disk
 * (allocated blocks) against its apparent size — the journal is a sparse file, so the two differ until the
 * ring and blob have been written through once — and the size of the data directory.
 *
 * @module
 */
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type FileSizes = {
  /** The file's length (`ls -l`). */
  apparentBytes: number;
  /** Blocks allocated on disk (`du`). */
  allocatedBytes: number;
};

/** Sizes of a file, or null when it does not exist or cannot be read. */
export function fileSizes(path: string): FileSizes | null {
  try {
    const s = statSync(path);
    return { apparentBytes: s.size, allocatedBytes: s.blocks * 512 };
  } catch {
    return null;
  }
}

/** At most this many entries are visited: the data directory is small, but a stray link must not run away. */
const MAX_ENTRIES = 10_000;

/** Apparent and allocated bytes of every file under `dir` (symbolic links not followed). */
export function directorySizes(dir: string): FileSizes & { files: number; truncated: boolean } {
  const total = { apparentBytes: 0, allocatedBytes: 0, files: 0, truncated: false };
  const pending = [dir];
  let visited = 0;
  while (pending.length > 0) {
    const current = pending.pop()!;
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (++visited > MAX_ENTRIES) {
        total.truncated = true;
        return total;
      }
      const path = join(current, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile()) {
        try {
          const s = lstatSync(path);
          total.apparentBytes += s.size;
          total.allocatedBytes += s.blocks * 512;
          total.files++;
        } catch {
          // Removed while we looked (SQLite's WAL files come and go).
        }
      }
    }
  }
  return total;
}
