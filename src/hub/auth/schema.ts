/**
 * The wire shapes of `/api/auth/*` (API keys and the audit log), shared by the hub, which builds them, and the
 * UI, which validates what it receives with them and sends `createKeyBodySchema`-shaped bodies. Only zod is
 * imported here, so the browser can load this module. Prose: docs/api/core.md.
 *
 * Response objects are not strict: fields a newer hub adds are dropped when parsing, not refused, so a UI built
 * against this version keeps working.
 *
 * @module
 */
import { z } from 'zod';
import { KEY_PATTERN } from './key-format.ts';

/** What a key may do: `admin` ⊇ `write` ⊇ `read`. */
export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

// KEY_PATTERN lives in key-format.ts so that `cz` can check a key without loading zod.
export { KEY_PATTERN };
/** A key's id (not secret): `key_` and 12 hex digits. */
export const KEY_ID_PATTERN = /^key_[0-9a-f]{12}$/;

export const AUDIT_OUTCOMES = ['success', 'failure'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** A time in a JSON body: epoch milliseconds or an RFC 3339 string (parsed to epoch ms). */
export const timeValue = z.union([
  z.number().int().nonnegative(),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

/** `POST /api/auth/keys`. The route also refuses an `expiresAt` that is not in the future. */
export const createKeyBodySchema = z.strictObject({
  name: z.string().trim().min(1, 'name must not be empty').max(64, 'name is at most 64 characters'),
  scopes: z.array(z.enum(SCOPES)).min(1, 'give at least one scope (read, write or admin)'),
  expiresAt: timeValue.optional(),
});
export type CreateKeyBody = z.input<typeof createKeyBodySchema>;

const epochMs = z.number().int().nonnegative();

/** A key as listed: never the key itself; `prefix` (`cz_Ab12Cd34…`) identifies it. */
export const apiKeySchema = z.object({
  id: z.string().regex(KEY_ID_PATTERN),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.enum(SCOPES)),
  /** The key made on the hub's first start (kept in `<data-dir>/root.key`). */
  root: z.boolean(),
  createdAt: epochMs,
  /** Id of the key that created it; null for the root key. */
  createdBy: z.string().nullable(),
  lastUsedAt: epochMs.nullable(),
  expiresAt: epochMs.nullable(),
  revokedAt: epochMs.nullable(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

/** `GET /api/auth/keys`. */
export const keyListSchema = z.object({ keys: z.array(apiKeySchema) });
export type KeyList = z.infer<typeof keyListSchema>;

/** `POST /api/auth/keys` (201): the record plus the key itself, which no other response ever carries. */
export const createdKeySchema = apiKeySchema.extend({ key: z.string().regex(KEY_PATTERN) });
export type CreatedKey = z.infer<typeof createdKeySchema>;

/** One audit log entry: a key action, or any mutation (allowed or refused). */
export const auditEntrySchema = z.object({
  id: z.number().int().positive(),
  at: epochMs,
  keyId: z.string().nullable(),
  keyName: z.string().nullable(),
  /** `key.create`, `key.revoke`, `verify.start`, … or `METHOD /path` for routes without a name. */
  action: z.string(),
  target: z.string().nullable(),
  method: z.string().nullable(),
  path: z.string().nullable(),
  remote: z.string().nullable(),
  status: z.number().int(),
  outcome: z.enum(AUDIT_OUTCOMES),
  detail: z.unknown(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** `GET /api/auth/audit`, newest first; pass `nextCursor` as `cursor` for the next page (null: the last one). */
export const auditPageSchema = z.object({
  entries: z.array(auditEntrySchema),
  nextCursor: z.number().int().nullable(),
});
export type AuditPage = z.infer<typeof auditPageSchema>;
