/**
 * Page cursors of `GET /api/events`: opaque to clients (base64url JSON), they carry the position, the range
 * resolved on the first page (so relative times and an open end do not shift while paging, and events arriving
 * meanwhile cannot duplicate or skip entries), and a fingerprint of the query they belong to, so a cursor
 * replayed with other filters is refused rather than silently answering a different question.
 *
 * @module
 */
import { HubError } from '../errors.ts';

export interface PageCursor {
  order: 'asc' | 'desc';
  /** asc: the next sequence to examine; desc: one past it (the exclusive upper bound of what is left). */
  position: number;
  lo: number;
  hi: number;
  fingerprint: string;
}

const VERSION = 1;

/** FNV-1a of the canonical query text: short, stable, and only meant to catch mismatched reuse. */
export function fingerprint(query: unknown): string {
  const text = JSON.stringify(query);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

export function encodeCursor(cursor: PageCursor): string {
  const { order, position, lo, hi, fingerprint: f } = cursor;
  return Buffer.from(JSON.stringify([VERSION, order === 'asc' ? 'a' : 'd', position, lo, hi, f])).toString(
    'base64url',
  );
}

function invalid(reason: string): HubError {
  const message = `query.cursor: ${reason}`;
  return new HubError(400, 'INVALID_CURSOR', message, { issues: [{ field: 'query.cursor', message }] });
}

/** @throws HubError 400 INVALID_CURSOR when the text is not a cursor, or belongs to another query. */
export function decodeCursor(
  text: string,
  expected: { order: 'asc' | 'desc'; fingerprint: string },
): PageCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not a cursor from this API; pass nextCursor from the previous page unchanged');
  }
  const ok = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 6 ||
    parsed[0] !== VERSION ||
    (parsed[1] !== 'a' && parsed[1] !== 'd') ||
    !ok(parsed[2]) ||
    !ok(parsed[3]) ||
    !ok(parsed[4]) ||
    typeof parsed[5] !== 'string' ||
    parsed[3] > parsed[4] ||
    parsed[2] < parsed[3] ||
    parsed[2] > parsed[4]
  ) {
    throw invalid('not a cursor from this API; pass nextCursor from the previous page unchanged');
  }
  const cursor: PageCursor = {
    order: parsed[1] === 'a' ? 'asc' : 'desc',
    position: parsed[2],
    lo: parsed[3],
    hi: parsed[4],
    fingerprint: parsed[5],
  };
  if (cursor.order !== expected.order || cursor.fingerprint !== expected.fingerprint) {
    throw invalid(
      'this cursor belongs to a different query; repeat the query that returned it (same stream, node, from, to, since, until and order)',
    );
  }
  return cursor;
}
