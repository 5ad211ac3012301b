import { describe, expect, it } from 'vitest';
import {
  auditQuery,
  describeDetail,
  expiryFrom,
  highestScope,
  keyStatus,
  localTime,
  loginLink,
} from './model.ts';

const NOW = Date.parse('2026-11-22T08:00:00Z');
const none = { action: '', key: '', outcome: '' as const, range: '', since: '', until: '' };

describe('settings model', () => {
  it('a key is revoked before it is expired, and expired from its expiry on', () => {
    expect(keyStatus({ revokedAt: null, expiresAt: null }, NOW)).toBe('active');
    expect(keyStatus({ revokedAt: null, expiresAt: NOW + 1 }, NOW)).toBe('active');
    expect(keyStatus({ revokedAt: null, expiresAt: NOW }, NOW)).toBe('expired');
    expect(keyStatus({ revokedAt: NOW - 5, expiresAt: NOW - 1 }, NOW)).toBe('revoked');
  });

  it('describes a key by its highest scope', () => {
    expect(highestScope(['read'])).toBe('read');
    expect(highestScope(['read', 'write'])).toBe('write');
    expect(highestScope(['write', 'admin', 'read'])).toBe('admin');
  });

  it('turns an expiry choice into the expiresAt to send, refusing past or missing dates', () => {
    expect(expiryFrom('never', '', NOW)).toEqual({ expiresAt: undefined });
    expect(expiryFrom('7d', '', NOW)).toEqual({ expiresAt: NOW + 7 * 86_400_000 });
    expect(expiryFrom('custom', '', NOW)).toEqual({ error: expect.stringMatching(/Pick the date/) });
    expect(expiryFrom('custom', 'tomorrow', NOW)).toEqual({ error: expect.stringMatching(/not a date/) });
    expect(expiryFrom('custom', '2020-01-01T00:00', NOW)).toEqual({ error: expect.stringMatching(/future/) });
    const future = '2030-05-01T12:30';
    expect(expiryFrom('custom', future, NOW)).toEqual({ expiresAt: new Date(future).getTime() });
    expect(expiryFrom('5y', '', NOW)).toEqual({ error: expect.stringMatching(/Unknown expiry/) });
  });

  it('builds the audit query: empty filters left out, sliding ranges resolved against now', () => {
    expect(auditQuery(none, { limit: 50 }, NOW)).toEqual({ limit: 50 });
    expect(
      auditQuery(
        { ...none, action: ' key.create ', key: 'key_0123456789ab', outcome: 'failure', range: '1h' },
        { cursor: 42, limit: 25 },
        NOW,
      ),
    ).toEqual({
      limit: 25,
      cursor: 42,
      action: 'key.create',
      key: 'key_0123456789ab',
      outcome: 'failure',
      since: NOW - 3_600_000,
    });
  });

  it('uses custom since/until only in the custom range, and ignores invalid dates', () => {
    const since = '2026-11-20T10:00';
    const query = auditQuery({ ...none, range: 'custom', since, until: 'garbage' }, { limit: 10 }, NOW);
    expect(query).toEqual({ limit: 10, since: new Date(since).getTime() });
    expect(auditQuery({ ...none, range: '', since }, { limit: 10 }, NOW)).toEqual({ limit: 10 });
    expect(localTime('')).toBeNull();
  });

  it('makes login links and one-line details', () => {
    expect(loginLink('http://127.0.0.1:3000', 'cz_abc')).toBe('http://127.0.0.1:3000/#key=cz_abc');
    expect(describeDetail(null)).toBe('');
    expect(describeDetail('text')).toBe('text');
    expect(describeDetail({ name: 'a', scopes: ['read'] })).toBe('{"name":"a","scopes":["read"]}');
  });
});
