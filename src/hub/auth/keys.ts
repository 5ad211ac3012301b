/**
 * API keys: `cz_` followed by 32 random bytes in base64url (43 characters, 256 bits of entropy). Only the
 * SHA-256 of a key is stored; a key is found by its first characters (the prefix, not secret enough to
 * matter) and then compared by hash in constant time.
 *
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { KEY_PATTERN, type Scope } from './schema.ts';

export { SCOPES, type Scope } from './schema.ts';

export const KEY_PREFIX = 'cz_';
export const KEY_ENTROPY_BYTES = 32;
/** Characters of a key kept in clear to find it (`cz_` + 8). */
export const LOOKUP_PREFIX_LENGTH = KEY_PREFIX.length + 8;

const RANK: Record<Scope, number> = { read: 1, write: 2, admin: 3 };

/** admin ⊇ write ⊇ read: true when any granted scope reaches `required`. */
export function grants(granted: readonly Scope[], required: Scope): boolean {
  return granted.some((s) => RANK[s] >= RANK[required]);
}

export function generateKey(): string {
  return KEY_PREFIX + randomBytes(KEY_ENTROPY_BYTES).toString('base64url');
}

export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export function lookupPrefix(key: string): string {
  return key.slice(0, LOOKUP_PREFIX_LENGTH);
}

/** Well-formed keys only; anything else is rejected before touching the store. */
export function looksLikeKey(value: string): boolean {
  return KEY_PATTERN.test(value);
}

export function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
