/**
 * The hub's core behaviour over real HTTP: authentication and scopes, key lifecycle, rate limiting, the
 * DNS-rebinding guard, body limits, the error shape, the audit log, and what survives a restart.
 */
import { statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { auditPageSchema, createdKeySchema, keyListSchema } from '../src/hub/auth/schema.ts';
import { Hub } from '../src/hub/hub.ts';
import { closeHubs, startHub, type TestHub } from './helpers/hub.ts';
import { killAll, tempDir } from './helpers/processes.ts';

afterEach(async () => {
  await closeHubs();
  await killAll();
});

function standaloneHub(options: { dataDir?: string } = {}): Promise<TestHub> {
  const dir = tempDir('cz-hubcore-');
  return startHub({ journalPath: join(dir, 'journal.db'), ipcPath: join(dir, 'none.sock'), ...options });
}

async function createKey(
  hub: TestHub,
  scopes: string[],
  extra: Record<string, unknown> = {},
): Promise<{ key: string; id: string }> {
  const response = await hub.api('/api/auth/keys', {
    body: { name: `k-${scopes.join('-')}`, scopes, ...extra },
  });
  expect(response.status).toBe(201);
  return createdKeySchema.parse(await response.json());
}

/** A page of the audit log read with the root key, parsed with the schema the UI uses. */
async function audit(hub: TestHub, query: string) {
  const response = await hub.api(`/api/auth/audit${query}`);
  expect(response.status).toBe(200);
  return auditPageSchema.parse(await response.json());
}

/** A raw HTTP request: sets any Host header, and reads a response the server sends before the body is done. */
function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', (error) => {
      if (
        (error as NodeJS.ErrnoException).code !== 'EPIPE' &&
        (error as NodeJS.ErrnoException).code !== 'ECONNRESET'
      )
        reject(error);
    });
    req.end(options.body);
  });
}

const errorOf = async (response: Response): Promise<{ code: string; message: string }> =>
  ((await response.json()) as { error: { code: string; message: string } }).error;

describe('hub authentication', () => {
  it('creates a root key on first start, 0600 on disk, and not again on the next start', async () => {
    const hub = await standaloneHub();
    const file = join(hub.dataDir, 'root.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(hub.hub.createdRootKey?.key).toBe(hub.rootKey);
    await hub.close();
    const again = await standaloneHub({ dataDir: hub.dataDir });
    expect(again.hub.createdRootKey).toBeNull();
    expect(again.rootKey).toBe(hub.rootKey);
    const listed = await again.api('/api/auth/keys');
    expect(listed.status).toBe(200);
    expect(keyListSchema.parse(await listed.json()).keys).toMatchObject([{ name: 'root', root: true }]);
  });

  it('answers 401 without a key, with a malformed key and with an unknown key; /api/status needs none', async () => {
    const hub = await standaloneHub();
    expect((await hub.api('/api/status', { key: null })).status).toBe(200);
    for (const key of [null, 'nonsense', `cz_${'A'.repeat(43)}`]) {
      const response = await hub.api('/api/auth/keys', { key });
      expect(response.status).toBe(401);
      expect(await errorOf(response)).toMatchObject({ code: 'UNAUTHORIZED' });
    }
  });

  it('enforces read < write < admin', async () => {
    const hub = await standaloneHub();
    const read = await createKey(hub, ['read']);
    const write = await createKey(hub, ['write']);
    expect((await hub.api('/api/verify', { key: read.key })).status).toBe(200);
    const denied = await hub.api('/api/verify', {
      key: read.key,
      body: { runs: 1, suites: ['crc32c'], journal: false },
    });
    expect(denied.status).toBe(403);
    expect((await errorOf(denied)).message).toMatch(/needs the write scope/);
    expect((await hub.api('/api/auth/keys', { key: write.key })).status).toBe(403);
    expect(
      (
        await hub.api('/api/verify', {
          key: write.key,
          body: { runs: 1, suites: ['crc32c'], journal: false },
        })
      ).status,
    ).toBe(202);
  });

  it('makes revocation effective on the very next request, and refuses expired keys', async () => {
    const hub = await standaloneHub();
    const read = await createKey(hub, ['read']);
    expect((await hub.api('/api/verify', { key: read.key })).status).toBe(200);
    expect((await hub.api(`/api/auth/keys/${read.id}`, { method: 'DELETE' })).status).toBe(200);
    const after = await hub.api('/api/verify', { key: read.key });
    expect(after.status).toBe(401);
    expect((await errorOf(after)).message).toMatch(/revoked/);
    expect((await hub.api(`/api/auth/keys/${read.id}`, { method: 'DELETE' })).status).toBe(409);
    const soon = await createKey(hub, ['read'], { expiresAt: Date.now() + 300 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const expired = await hub.api('/api/verify', { key: soon.key });
    expect(expired.status).toBe(401);
    expect((await errorOf(expired)).message).toMatch(/expired/);
    const past = await hub.api('/api/auth/keys', {
      body: { name: 'late', scopes: ['read'], expiresAt: 1000 },
    });
    expect(past.status).toBe(400);
  });

  it('rate-limits repeated failures from one address with 429 and Retry-After', async () => {
    const hub = await standaloneHub();
    let response: Response | null = null;
    for (let i = 0; i < 25; i++) response = await hub.api('/api/verify', { key: `cz_${'B'.repeat(43)}` });
    expect(response!.status).toBe(429);
    expect(Number(response!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await errorOf(response!)).toMatchObject({ code: 'TOO_MANY_AUTH_FAILURES' });
    // Even a good key from that address waits out the window.
    expect((await hub.api('/api/verify')).status).toBe(429);
  });
});

describe('hub boundaries', () => {
  it('rejects a Host header that is not its own (DNS rebinding)', async () => {
    const hub = await standaloneHub();
    const port = new URL(hub.url).port;
    const rebound = await rawRequest(`${hub.url}/api/status`, {
      headers: { host: `attacker.example:${port}` },
    });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ error: { code: 'HOST_NOT_ALLOWED' } });
    expect(
      (await rawRequest(`${hub.url}/api/status`, { headers: { host: `localhost:${port}` } })).status,
    ).toBe(200);
  });

  it('refuses to bind a non-loopback address without allowRemote', () => {
    const dir = tempDir('cz-hubcore-');
    expect(
      () =>
        new Hub({
          host: '0.0.0.0',
          port: 0,
          allowRemote: false,
          journalPath: join(dir, 'j.db'),
          ipcPath: join(dir, 's.sock'),
          dataDir: join(dir, 'data'),
          uiDir: null,
          maxBodyBytes: 1024,
        }),
    ).toThrow(/binds loopback addresses only unless --allow-remote/);
  });

  it('answers oversized bodies with 413, bad JSON with 400, unknown routes with a JSON 404, all in the error shape', async () => {
    const hub = await standaloneHub();
    const big = await rawRequest(`${hub.url}/api/auth/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.rootKey}`, 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ name: 'x'.repeat(2 << 20), scopes: ['read'] })),
    });
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    const broken = await hub.api('/api/auth/keys', { body: '{"name": ' });
    expect(broken.status).toBe(400);
    expect(await errorOf(broken)).toMatchObject({ code: 'INVALID_JSON' });
    const missing = await hub.api('/api/no/such/route');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/application\/json/);
    expect(await errorOf(missing)).toMatchObject({ code: 'NOT_FOUND' });
    const field = await hub.api('/api/auth/keys', { body: { name: 'ok', scopes: ['root'] } });
    expect(field.status).toBe(400);
    expect((await errorOf(field)).message).toMatch(/^body\.scopes\.0: /);
  });
});

describe('audit log', () => {
  it('records every mutation with who, what, target, when, where and outcome; filters and pages', async () => {
    const hub = await standaloneHub();
    const writer = await createKey(hub, ['write']);
    await hub.api('/api/verify', { key: writer.key, body: { runs: 1, suites: ['crc32c'], journal: false } });
    await hub.api('/api/auth/keys', { key: writer.key, body: { name: 'sneaky', scopes: ['admin'] } });
    const { entries } = await audit(hub, '?limit=10');
    expect(entries[0]).toMatchObject({
      action: 'key.create',
      keyName: 'k-write',
      status: 403,
      outcome: 'failure',
      remote: '127.0.0.1',
    });
    expect(entries[1]).toMatchObject({
      action: 'verify.start',
      keyName: 'k-write',
      status: 202,
      outcome: 'success',
    });
    expect(entries[1]!.target).toMatch(/^vr_/);
    expect(entries[2]).toMatchObject({
      action: 'key.create',
      keyName: 'root',
      target: writer.id,
      outcome: 'success',
    });
    const failures = await audit(hub, '?outcome=failure');
    expect(failures.entries).toHaveLength(1);
    const page1 = await audit(hub, '?limit=2');
    const page2 = await audit(hub, `?limit=2&cursor=${page1.nextCursor}`);
    expect(page2.entries[0]!.id).toBeLessThan(page1.entries[1]!.id);
    const byKey = await audit(hub, `?key=${writer.id}`);
    expect(byKey.entries).toHaveLength(2);
  });

  it('keeps keys and audit entries across a restart', async () => {
    const hub = await standaloneHub();
    const reader = await createKey(hub, ['read']);
    await hub.close();
    const again = await standaloneHub({ dataDir: hub.dataDir });
    expect((await again.api('/api/verify', { key: reader.key })).status).toBe(200);
    const { entries } = await audit(again, '?action=key.create');
    expect(entries.map((e) => e.target)).toContain(reader.id);
  });
});
