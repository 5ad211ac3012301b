/** Page cursors: they round-trip, and refuse to be forged or reused with another query. */
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, fingerprint } from './cursor.ts';

describe('cursors', () => {
  const key = fingerprint([[1, 2], null, 0, null, { ago: 300_000 }, null]);

  it('round-trip', () => {
    const cursor = { order: 'desc' as const, position: 1234, lo: 5, hi: 9000, fingerprint: key };
    const text = encodeCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text, { order: 'desc', fingerprint: key })).toEqual(cursor);
  });

  it('refuse garbage, forged positions, and another query', () => {
    const expectInvalid = (text: string, order: 'asc' | 'desc' = 'asc', f = key) =>
      expect(() => decodeCursor(text, { order, fingerprint: f })).toThrow(
        expect.objectContaining({ status: 400, code: 'INVALID_CURSOR' }),
      );
    expectInvalid('not a cursor!');
    expectInvalid(Buffer.from('[1,"a",5,10,2,"x"]').toString('base64url'));
    expectInvalid(Buffer.from(JSON.stringify([1, 'a', -1, 0, 10, key])).toString('base64url'));
    const good = encodeCursor({ order: 'asc', position: 3, lo: 0, hi: 10, fingerprint: key });
    expectInvalid(good, 'desc');
    expectInvalid(good, 'asc', fingerprint([[1], null, 0, null, null, null]));
    expect(decodeCursor(good, { order: 'asc', fingerprint: key }).position).toBe(3);
  });
});
