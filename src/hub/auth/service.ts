/**
 * Authentication and key management: resolves a bearer key to a principal (or a 401), rate-limits repeated
 * failures per remote address (429 with Retry-After), creates the root key on first start, and creates and
 * revokes keys — each key action written to the audit log.
 *
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HubError } from '../errors.ts';
import { generateKey, grants, hashKey, lookupPrefix, looksLikeKey, sameHash, type Scope } from './keys.ts';
import type { ApiKeyRecord, AuditLog, KeyStore } from './store.ts';

export interface Principal {
  keyId: string;
  keyName: string;
  scopes: Scope[];
}

export interface AuthOptions {
  /** Failed attempts from one address within `failureWindowMs` before it gets 429s. Default 20. */
  failureLimit?: number;
  failureWindowMs?: number;
  now?: () => number;
}

const TOUCH_INTERVAL_MS = 10_000;

export class AuthService {
  readonly keys: KeyStore;
  readonly audit: AuditLog;
  readonly #failureLimit: number;
  readonly #failureWindowMs: number;
  readonly #now: () => number;
  readonly #failures = new Map<string, { count: number; windowStart: number }>();
  readonly #touched = new Map<string, number>();

  constructor(keys: KeyStore, audit: AuditLog, options: AuthOptions = {}) {
    this.keys = keys;
    this.audit = audit;
    this.#failureLimit = options.failureLimit ?? 20;
    this.#failureWindowMs = options.failureWindowMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Creates the root key when there is no live one, writes it to `<dataDir>/root.key` (mode 0600) and returns
   * it so the caller can print it once. Returns null when a root key already exists.
   */
  ensureRootKey(dataDir: string): { key: string; path: string } | null {
    if (this.keys.hasRoot()) return null;
    const key = generateKey();
    const record = this.keys.insert({
      key,
      name: 'root',
      scopes: ['admin'],
      expiresAt: null,
      createdBy: null,
      root: true,
      now: this.#now(),
    });
    const path = join(dataDir, 'root.key');
    writeFileSync(path, `${key}\n`, { mode: 0o600 });
    this.audit.record({
      at: this.#now(),
      keyId: record.id,
      keyName: record.name,
      action: 'key.create',
      target: record.id,
      method: null,
      path: null,
      remote: null,
      status: 201,
      outcome: 'success',
      detail: { scopes: record.scopes, root: true },
    });
    return { key, path };
  }

  /** The root key from its file, if it is there (for local CLI use). */
  static readRootKey(dataDir: string): string | null {
    const path = join(dataDir, 'root.key');
    if (!existsSync(path)) return null;
    const key = readFileSync(path, 'utf8').trim();
    return looksLikeKey(key) ? key : null;
  }

  #checkRateLimit(remote: string): void {
    const entry = this.#failures.get(remote);
    if (!entry) return;
    const now = this.#now();
    if (now - entry.windowStart >= this.#failureWindowMs) {
      this.#failures.delete(remote);
      return;
    }
    if (entry.count >= this.#failureLimit) {
      const retryAfter = Math.max(1, Math.ceil((entry.windowStart + this.#failureWindowMs - now) / 1000));
      throw new HubError(
        429,
        'TOO_MANY_AUTH_FAILURES',
        `too many failed authentications from ${remote}; retry in ${retryAfter} s`,
        undefined,
        { 'Retry-After': String(retryAfter) },
      );
    }
  }

  #fail(remote: string, message: string): never {
    const now = this.#now();
    const entry = this.#failures.get(remote);
    if (!entry || now - entry.windowStart >= this.#failureWindowMs)
      this.#failures.set(remote, { count: 1, windowStart: now });
    else entry.count++;
    throw new HubError(401, 'UNAUTHORIZED', message);
  }

  /** Resolves a presented key (the `Authorization` header value, or a bare key). @throws HubError 401 or 429. */
  authenticate(presented: string | undefined | null, remote: string): Principal {
    this.#checkRateLimit(remote);
    if (!presented) this.#fail(remote, 'an API key is required: send `Authorization: Bearer cz_…`');
    const key = presented.startsWith('Bearer ') ? presented.slice(7).trim() : presented.trim();
    if (!looksLikeKey(key))
      this.#fail(remote, 'the API key is malformed (expected cz_ followed by 43 characters)');
    const hash = hashKey(key);
    const match = this.keys.candidates(lookupPrefix(key)).find((c) => sameHash(c.hash, hash));
    if (!match) this.#fail(remote, 'the API key is not known');
    const record = match.record;
    const now = this.#now();
    if (record.revokedAt !== null) this.#fail(remote, 'the API key has been revoked');
    if (record.expiresAt !== null && record.expiresAt <= now) this.#fail(remote, 'the API key has expired');
    if ((this.#touched.get(record.id) ?? 0) + TOUCH_INTERVAL_MS <= now) {
      this.#touched.set(record.id, now);
      this.keys.touch(record.id, now);
    }
    return { keyId: record.id, keyName: record.name, scopes: record.scopes };
  }

  /** @throws HubError 403 naming the scope needed. */
  require(principal: Principal, scope: Scope): void {
    if (!grants(principal.scopes, scope)) {
      throw new HubError(
        403,
        'FORBIDDEN',
        `this needs the ${scope} scope; key "${principal.keyName}" has ${principal.scopes.join(', ')}`,
      );
    }
  }

  createKey(
    input: { name: string; scopes: Scope[]; expiresAt: number | null },
    by: Principal,
  ): { key: string; record: ApiKeyRecord } {
    const key = generateKey();
    const record = this.keys.insert({ key, ...input, createdBy: by.keyId, now: this.#now() });
    return { key, record };
  }

  revokeKey(id: string): ApiKeyRecord {
    const record = this.keys.get(id);
    if (!record) throw new HubError(404, 'NOT_FOUND', `key ${id} not found`);
    if (record.revokedAt !== null)
      throw new HubError(409, 'ALREADY_REVOKED', `key ${id} was already revoked`);
    this.keys.revoke(id, this.#now());
    return this.keys.get(id)!;
  }
}
