/**
 * `/api/auth/*`: API keys and the audit log (admin scope).
 *
 * @module
 */
import { z } from 'zod';
import { defineRoute, limitParam, queryInteger, type AnyRoute } from '../routes.ts';
import { SCOPES } from './keys.ts';
import type { AuthService } from './service.ts';
import type { ApiKeyRecord } from './store.ts';

/** A time as epoch milliseconds or an RFC 3339 string. */
export const timeValue = z.union([
  z.number().int().nonnegative(),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

const timeQuery = (what: string) =>
  z
    .string()
    .refine(
      (s) => /^\d+$/.test(s) || !Number.isNaN(Date.parse(s)),
      `${what} must be epoch milliseconds or an RFC 3339 time`,
    )
    .transform((s) => (/^\d+$/.test(s) ? Number(s) : Date.parse(s)));

export const keyView = (r: ApiKeyRecord) => ({
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

export const createKeyBody = z.strictObject({
  name: z.string().trim().min(1, 'name must not be empty').max(64, 'name is at most 64 characters'),
  scopes: z.array(z.enum(SCOPES)).min(1, 'give at least one scope (read, write or admin)'),
  expiresAt: timeValue.optional(),
});

export function authRoutes(auth: AuthService, now: () => number = Date.now): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/auth/keys',
      summary: 'List API keys (never the keys themselves)',
      query: z.strictObject({ includeRevoked: z.enum(['true', 'false']).optional() }),
      handler: (c, { query }) =>
        c.json({ keys: auth.keys.list(query.includeRevoked === 'true').map(keyView) }),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/auth/keys',
      summary: 'Create an API key; the key is in this response only',
      body: createKeyBody,
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
        return c.json({ key, ...keyView(record) }, 201);
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/api/auth/keys/:id',
      summary: 'Revoke an API key (effective on the next request)',
      params: z.strictObject({
        id: z.string().regex(/^key_[0-9a-f]{12}$/, 'id must look like key_0123456789ab'),
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
        outcome: z.enum(['success', 'failure']).optional(),
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
        return c.json({ entries, nextCursor: entries.length === query.limit && last ? last.id : null });
      },
    }),
  ];
}
