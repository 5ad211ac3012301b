/**
 * The Settings page's pure parts: a key's status, the expiry and time-range choices of its forms, and the
 * audit filters as they sit in the URL. Kept apart from the components so they can be tested without a DOM.
 *
 * @module
 */
import type { ApiKey, AuditOutcome, Scope } from '../../../../src/hub/auth/schema.ts';
import type { AuditQuery } from '../../api/auth.ts';

export type KeyStatus = 'active' | 'expired' | 'revoked';

export function keyStatus(key: Pick<ApiKey, 'revokedAt' | 'expiresAt'>, now = Date.now()): KeyStatus {
  if (key.revokedAt !== null) return 'revoked';
  if (key.expiresAt !== null && key.expiresAt <= now) return 'expired';
  return 'active';
}

/** Scopes are nested (admin ⊇ write ⊇ read): a key is described by its highest one. */
export function highestScope(scopes: readonly Scope[]): Scope {
  if (scopes.includes('admin')) return 'admin';
  if (scopes.includes('write')) return 'write';
  return 'read';
}

export const SCOPE_CHOICES: { value: Scope; label: string; hint: string }[] = [
  { value: 'read', label: 'Read', hint: 'Sees everything: pages, events, metrics, exports.' },
  {
    value: 'write',
    label: 'Write',
    hint: 'Also changes things: simulations, replays, playback, verification runs, ingest.',
  },
  { value: 'admin', label: 'Admin', hint: 'Also manages keys and reads the audit log.' },
];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Expiry choices of the new-key form, in ms from now; `never` and `custom` are handled by `expiryFrom`. */
export const EXPIRY_CHOICES: { value: string; label: string; ms: number | null }[] = [
  { value: 'never', label: 'Never', ms: null },
  { value: '1d', label: 'In 1 day', ms: DAY },
  { value: '7d', label: 'In 7 days', ms: 7 * DAY },
  { value: '30d', label: 'In 30 days', ms: 30 * DAY },
  { value: '90d', label: 'In 90 days', ms: 90 * DAY },
  { value: '365d', label: 'In 1 year', ms: 365 * DAY },
  { value: 'custom', label: 'On a date…', ms: null },
];

/**
 * The `expiresAt` to send for an expiry choice: undefined for never, epoch ms otherwise. `custom` is a
 * `<input type="datetime-local">` value (local time). Returns an error message for a missing or past date.
 */
export function expiryFrom(
  choice: string,
  custom: string,
  now = Date.now(),
): { expiresAt: number | undefined } | { error: string } {
  if (choice === 'never') return { expiresAt: undefined };
  if (choice === 'custom') {
    if (custom === '') return { error: 'Pick the date and time the key stops working.' };
    const at = new Date(custom).getTime();
    if (Number.isNaN(at)) return { error: 'That is not a date and time.' };
    if (at <= now) return { error: 'The expiry must be in the future.' };
    return { expiresAt: at };
  }
  const preset = EXPIRY_CHOICES.find((c) => c.value === choice);
  if (!preset || preset.ms === null) return { error: `Unknown expiry ${choice}.` };
  return { expiresAt: now + preset.ms };
}

/** Time ranges of the audit filter: a sliding window back from now, or `custom` (since/until). */
export const RANGE_CHOICES: { value: string; label: string; ms: number | null }[] = [
  { value: '', label: 'Any time', ms: null },
  { value: '15m', label: 'Last 15 minutes', ms: 15 * 60_000 },
  { value: '1h', label: 'Last hour', ms: HOUR },
  { value: '24h', label: 'Last 24 hours', ms: DAY },
  { value: '7d', label: 'Last 7 days', ms: 7 * DAY },
  { value: 'custom', label: 'Between…', ms: null },
];

/** The actions the hub records by name; anything else is recorded as `METHOD /path`. */
export const KNOWN_ACTIONS = [
  'key.create',
  'key.revoke',
  'simulate.start',
  'simulate.stop',
  'replay.start',
  'replay.stop',
  'playback.control',
  'verify.start',
];

/** The audit filters as URL parameters (`?action=key.create&outcome=failure&range=1h`). */
export interface AuditFilters {
  action: string;
  key: string;
  outcome: '' | AuditOutcome;
  range: string;
  /** `datetime-local` values, used when `range` is `custom`. */
  since: string;
  until: string;
}

/**
 * The query for one page of the audit log. A sliding range is resolved against `now` at each load, so a
 * refresh moves the window. Empty filters are left out; a bad custom date is left out too (the form says so).
 */
export function auditQuery(
  filters: AuditFilters,
  page: { cursor?: number | undefined; limit: number },
  now = Date.now(),
): AuditQuery {
  const query: AuditQuery = { limit: page.limit };
  if (page.cursor !== undefined) query.cursor = page.cursor;
  if (filters.action.trim() !== '') query.action = filters.action.trim();
  if (filters.key !== '') query.key = filters.key;
  if (filters.outcome !== '') query.outcome = filters.outcome;
  const range = RANGE_CHOICES.find((r) => r.value === filters.range);
  if (range?.ms != null) query.since = now - range.ms;
  if (filters.range === 'custom') {
    const since = localTime(filters.since);
    const until = localTime(filters.until);
    if (since !== null) query.since = since;
    if (until !== null) query.until = until;
  }
  return query;
}

/** A `datetime-local` value as epoch ms, or null when empty or invalid. */
export function localTime(value: string): number | null {
  if (value === '') return null;
  const at = new Date(value).getTime();
  return Number.isNaN(at) ? null : at;
}

/** The one-click login link for a key on this hub (what `./lacrimosa` prints for the root key). */
export function loginLink(origin: string, key: string): string {
  return `${origin}/#key=${key}`;
}

/** An audit entry's `detail` as one short line (JSON), for the table. */
export function describeDetail(detail: unknown): string {
  if (detail === null || detail === undefined) return '';
  if (typeof detail === 'string') return detail;
  try {
    return JSON.stringify(detail);
  } catch {
    return String(detail);
  }
}
