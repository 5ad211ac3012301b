/**
 * `/api/auth/*`: API keys and the audit log (admin scope).
 *
 * @module
 */
import { z } from 'zod';
import { defineRoute, limitParam, queryInteger, type AnyRoute } from '../routes.ts';
import {
  type ApiKey,
  type AuditPage,
  AUDIT_OUTCOMES,
  type CreatedKey,
  createKeyBodySchema,
  KEY_ID_PATTERN,
  type KeyList,
} from './schema.ts';
import type { AuthService } from './service.ts';
import type { ApiKeyRecord } from './store.ts';

const timeQuery = (what: string) =>
  z
    .string()
    .refine(
      (s) => /^\d+$/.test(s) || !Number.isNaN(Date.parse(s)),
      `${what} must be epoch milliseconds or an RFC 3339 time`,
    )
    .transform((s) => (/^\d+$/.test(s) ? Number(s) : Date.parse(s)));

export const keyView = (r: ApiKeyRecord): ApiKey => ({
  id: r.id,
  name: r.name,
  prefix: `${r.prefix}…`,
  scopes: r.scopes,
  root: r.root,
  createdAt: r.createdAt,
  createdBy: r.createdBy,
  lastUsedAt: r.lastUsedAt,
  expiresAt: r.expiresAt,
  revokedAt: r.revokedAt,
});

export function authRoutes(auth: AuthService, now: () => number = Date.now): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/auth/keys',
      summary: 'List API keys (never the keys themselves)',
      query: z.strictObject({ includeRevoked: z.enum(['true', 'false']).optional() }),
      handler: (c, { query }) => {
        const body: KeyList = { keys: auth.keys.list(query.includeRevoked === 'true').map(keyView) };
        return c.json(body);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/auth/keys',
      summary: 'Create an API key; the key is in this response only',
      body: createKeyBodySchema,
      audit: { action: 'key.create' },
      handler: (c, { body, principal }) => {
        const expiresAt = body.expiresAt ?? null;
        if (expiresAt !== null && expiresAt <= now()) {
          return c.json(
            { error: { code: 'INVALID_REQUEST', message: 'body.expiresAt: must be in the future' } },
            400,
          );
        }
        const { key, record } = auth.createKey(
          { name: body.name, scopes: body.scopes, expiresAt },
          principal!,
        );
        c.set('auditTarget', record.id);
        c.set('auditDetail', { name: record.name, scopes: record.scopes, expiresAt });
        const created: CreatedKey = { key, ...keyView(record) };
        return c.json(created, 201);
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/api/auth/keys/:id',
      summary: 'Revoke an API key (effective on the next request)',
      params: z.strictObject({
        id: z.string().regex(KEY_ID_PATTERN, 'id must look like key_0123456789ab'),
      }),
      audit: { action: 'key.revoke', target: ({ params }) => params.id },
      handler: (c, { params }) => c.json(keyView(auth.revokeKey(params.id))),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/auth/audit',
      summary: 'The audit log, newest first, filtered and paginated',
      query: z.strictObject({
        key: z.string().optional(),
        action: z.string().optional(),
        outcome: z.enum(AUDIT_OUTCOMES).optional(),
        since: timeQuery('since').optional(),
        until: timeQuery('until').optional(),
        cursor: queryInteger('cursor').optional(),
        limit: limitParam(500, 100),
      }),
      handler: (c, { query }) => {
        const entries = auth.audit.query({
          ...(query.key === undefined ? {} : { keyId: query.key }),
          ...(query.action === undefined ? {} : { action: query.action }),
          ...(query.outcome === undefined ? {} : { outcome: query.outcome }),
          ...(query.since === undefined ? {} : { since: query.since }),
          ...(query.until === undefined ? {} : { until: query.until }),
          ...(query.cursor === undefined ? {} : { before: query.cursor }),
          limit: query.limit,
        });
        const last = entries.at(-1);
        const body: AuditPage = {
          entries,
          nextCursor: entries.length === query.limit && last ? last.id : null,
        };
        return c.json(body);
      },
    }),
  ];
}
