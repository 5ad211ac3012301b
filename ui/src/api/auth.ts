/**
 * `/api/auth/*` (admin scope): API keys and the audit log. Answers are parsed with src/hub/auth/schema.ts;
 * `createKey` checks its body against the hub's schema before sending it.
 *
 * @module
 */
import {
  type AuditOutcome,
  auditPageSchema,
  apiKeySchema,
  type CreateKeyBody,
  createdKeySchema,
  createKeyBodySchema,
  keyListSchema,
} from '../../../src/hub/auth/schema.ts';
import { request, type RequestOptions, segment } from './transport.ts';

/** `GET /api/auth/keys` — never the keys themselves (`prefix` identifies them). */
export const listKeys = (query: { includeRevoked?: boolean } = {}, options: RequestOptions = {}) =>
  request('GET', '/api/auth/keys', keyListSchema, { ...options, query });

/** `POST /api/auth/keys` — the answer is the only place the new key ever appears: show it once. */
export const createKey = (body: CreateKeyBody, options: RequestOptions = {}) =>
  request('POST', '/api/auth/keys', createdKeySchema, { ...options, body, bodySchema: createKeyBodySchema });

/** `DELETE /api/auth/keys/:id` — revokes at once; the key's next request gets a 401. */
export const revokeKey = (id: string, options: RequestOptions = {}) =>
  request('DELETE', `/api/auth/keys/${segment(id)}`, apiKeySchema, options);

export interface AuditQuery {
  /** A key id. */
  key?: string;
  /** `key.create`, `verify.start`, … or `METHOD /path`. */
  action?: string;
  outcome?: AuditOutcome;
  /** Epoch ms or RFC 3339. */
  since?: number | string;
  until?: number | string;
  /** `nextCursor` of the previous page. */
  cursor?: number;
  /** 1..500, default 100. */
  limit?: number;
}

/** `GET /api/auth/audit` — newest first, filtered and paged. */
export const getAuditLog = (query: AuditQuery = {}, options: RequestOptions = {}) =>
  request('GET', '/api/auth/audit', auditPageSchema, { ...options, query: { ...query } });
