/**
 * The API client over real HTTP: against a real hub (answers parsed with its schemas, its error shape turned
 * into ApiErrors, 401s reported with the key that was sent) and against a small local server that answers
 * what a hub never should (wrong shapes, not JSON, HTML errors, silence).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeHubs, startHub, type TestHub } from '../../../test/helpers/hub.ts';
import { killAll, tempDir } from '../../../test/helpers/processes.ts';
import { createKey, getAuditLog, listKeys, revokeKey } from './auth.ts';
import { ApiError, adviceFor, CLIENT_CODES } from './errors.ts';
import { getStatus, getSystem, getStreams } from './runtime.ts';
import { type ApiConfig, configureApi, queryString } from './transport.ts';

let hub: TestHub;
let original: ApiConfig;
let key: string | null = null;
const unauthorized: { code: string; keySent: string | null }[] = [];

beforeAll(async () => {
  const dir = tempDir('cz-ui-api-');
  hub = await startHub({ journalPath: join(dir, 'journal.db'), ipcPath: join(dir, 'none.sock') });
  original = configureApi({
    baseUrl: hub.url,
    getKey: () => key,
    onUnauthorized: (error, keySent) => unauthorized.push({ code: error.code, keySent }),
  });
});

afterAll(async () => {
  configureApi(original);
  await closeHubs();
  await killAll();
});

afterEach(() => {
  key = null;
  unauthorized.length = 0;
  configureApi({ baseUrl: hub.url });
});

/** Rejects with the ApiError `promise` fails with (and fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('API client against a real hub', () => {
  it('parses answers with the hub’s schemas and sends the stored key', async () => {
    const status = await getStatus();
    expect(status.status).toBe('ok');
    expect(status.sequencer.state).toBe('disconnected');

    key = hub.rootKey;
    const system = await getSystem();
    expect(system).toBeTypeOf('object');
    const { keys } = await listKeys();
    expect(keys.map((k) => k.name)).toEqual(['root']);
    expect(keys[0]!.lastUsedAt).toBeTypeOf('number');
    expect(unauthorized).toEqual([]);
  });

  it('turns the hub’s error shape into an ApiError with its status, code, message and details', async () => {
    key = hub.rootKey;
    const missing = await failure(revokeKey('key_000000000000'));
    expect(missing).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      request: 'DELETE /api/auth/keys/key_000000000000',
    });
    expect(missing.message).toMatch(/key_000000000000/);
    expect(adviceFor(missing)).toMatch(/does not exist/);

    const invalid = await failure(getAuditLog({ limit: 1000 }));
    expect(invalid).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
    expect(invalid.message).toMatch(/^query\.limit/);
    expect(invalid.issues.map((i) => i.field)).toEqual(['query.limit']);

    const journal = await failure(getStreams());
    expect(journal).toMatchObject({ status: 503, code: 'JOURNAL_UNAVAILABLE' });
    expect(adviceFor(journal)).toMatch(/start the sequencer/);
  });

  it('reports a 401 with the key that was sent (the key modal opens on it); a 403 is not a 401', async () => {
    // No key in the browser: nothing is sent (the hub would refuse it), and the key modal is asked for.
    const none = await failure(getSystem());
    expect(none).toMatchObject({ status: 0, code: CLIENT_CODES.NO_KEY, request: 'GET /api/system' });
    expect(adviceFor(none)).toMatch(/Enter a valid API key/);
    expect(unauthorized).toEqual([{ code: CLIENT_CODES.NO_KEY, keySent: null }]);
    // A public route asks without a key on purpose.
    await expect(getStatus()).resolves.toMatchObject({ status: 'ok' });

    key = `cz_${'Q'.repeat(43)}`;
    await failure(getSystem());
    expect(unauthorized[1]).toEqual({ code: 'UNAUTHORIZED', keySent: key });

    // A key tried before it is kept (the modal's check) is reported as the one sent.
    const tried = `cz_${'R'.repeat(43)}`;
    await failure(getSystem({ key: tried }));
    expect(unauthorized[2]).toEqual({ code: 'UNAUTHORIZED', keySent: tried });

    key = hub.rootKey;
    const reader = await createKey({ name: 'reader', scopes: ['read'] });
    key = reader.key;
    const forbidden = await failure(listKeys());
    expect(forbidden).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(forbidden.message).toMatch(/admin/);
    expect(unauthorized).toHaveLength(3);
  });

  it('checks a request body against the hub’s schema before sending it', async () => {
    key = hub.rootKey;
    const before = (await getAuditLog({ action: 'key.create' })).entries.length;
    const invalid = await failure(createKey({ name: '   ', scopes: [] }));
    expect(invalid).toMatchObject({ status: 0, code: CLIENT_CODES.INVALID_REQUEST });
    expect(invalid.message).toMatch(/^body\.name: name must not be empty \(and 1 more\)$/);
    expect(invalid.issues.map((i) => i.field)).toEqual(['body.name', 'body.scopes']);
    // Nothing reached the hub: no new (refused) key.create in its audit log.
    expect((await getAuditLog({ action: 'key.create' })).entries.length).toBe(before);
  });
});

describe('API client against a server that misbehaves', () => {
  let server: Server;
  let base: string;
  let handler: (request: IncomingMessage, response: ServerResponse) => void = () => {};
  const seen: { url: string; authorization: string | undefined }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push({ url: request.url ?? '', authorization: request.headers.authorization });
      handler(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  afterEach(() => {
    seen.length = 0;
  });

  const json = (status: number, body: unknown) => (_: IncomingMessage, response: ServerResponse) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  const goodStatus = {
    status: 'ok',
    version: '0.1.0',
    uptimeMs: 5,
    sequencer: { state: 'connected', pid: 1, backend: 'io_uring' },
    journal: { path: '/tmp/j.db', available: true, head: 0, tail: 0 },
  };

  it('an answer that does not match the schema is INVALID_RESPONSE naming the field', async () => {
    configureApi({ baseUrl: base });
    handler = json(200, goodStatus);
    expect((await getStatus()).sequencer.backend).toBe('io_uring');

    handler = json(200, { ...goodStatus, sequencer: { ...goodStatus.sequencer, state: 'asleep' } });
    const wrong = await failure(getStatus());
    expect(wrong).toMatchObject({
      status: 200,
      code: CLIENT_CODES.INVALID_RESPONSE,
      request: 'GET /api/status',
    });
    expect(wrong.message).toMatch(/does not match the hub's schema at sequencer\.state: /);
    expect(wrong.issues.map((i) => i.field)).toEqual(['sequencer.state']);
    expect(adviceFor(wrong)).toMatch(/rebuild the UI/);

    key = `cz_${'T'.repeat(43)}`;
    handler = json(200, { keys: [{ id: 'key_0123456789ab', name: 'x' }] });
    const partial = await failure(listKeys());
    expect(partial.issues.map((i) => i.field)).toContain('keys.0.prefix');
    expect(partial.message).toMatch(/\(and \d+ more\)$/);
  });

  it('an answer that is not JSON is INVALID_RESPONSE too', async () => {
    configureApi({ baseUrl: base });
    handler = (_, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><title>proxy</title>');
    };
    const error = await failure(getStatus());
    expect(error).toMatchObject({ code: CLIENT_CODES.INVALID_RESPONSE });
    expect(error.message).toMatch(/the answer is not JSON/);
  });

  it('an error answer without the hub’s shape becomes HTTP_<status> with the body kept', async () => {
    configureApi({ baseUrl: base });
    handler = (_, response) => {
      response.writeHead(502, 'Bad Gateway', { 'content-type': 'text/html' });
      response.end('<h1>502 Bad Gateway</h1>');
    };
    const error = await failure(getStatus());
    expect(error).toMatchObject({
      status: 502,
      code: 'HTTP_502',
      details: { body: '<h1>502 Bad Gateway</h1>' },
    });
    expect(error.message).toBe('GET /api/status failed with HTTP 502 Bad Gateway');
    expect(adviceFor(error)).toMatch(/hub failed/);
  });

  it('a 401 without the hub’s shape still reports unauthorized', async () => {
    configureApi({ baseUrl: base });
    key = `cz_${'S'.repeat(43)}`;
    handler = (_, response) => {
      response.writeHead(401);
      response.end();
    };
    const error = await failure(getSystem());
    expect(error).toMatchObject({ status: 401, code: 'HTTP_401' });
    expect(unauthorized).toEqual([{ code: 'HTTP_401', keySent: key }]);
    expect(seen[0]!.authorization).toBe(`Bearer ${key}`);
  });

  it('silence is TIMEOUT, a caller’s abort is ABORTED, no server is NETWORK_ERROR', async () => {
    configureApi({ baseUrl: base });
    handler = () => {}; // never answers
    const timeout = await failure(getStatus({ timeoutMs: 100 }));
    expect(timeout).toMatchObject({ status: 0, code: CLIENT_CODES.TIMEOUT });
    expect(timeout.message).toMatch(/did not answer within \d+ ms/);

    const controller = new AbortController();
    const pending = getStatus({ signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect(await failure(pending)).toMatchObject({ code: CLIENT_CODES.ABORTED });

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    configureApi({ baseUrl: `http://127.0.0.1:${port}` });
    const network = await failure(getStatus());
    expect(network).toMatchObject({ status: 0, code: CLIENT_CODES.NETWORK });
    expect(adviceFor(network)).toMatch(/Is it running/);
  });

  it('sends nothing without a key, except to public routes', async () => {
    configureApi({ baseUrl: base });
    handler = json(200, goodStatus);
    await expect(getSystem()).rejects.toMatchObject({ code: CLIENT_CODES.NO_KEY });
    await getStatus();
    expect(seen).toEqual([{ url: '/api/status', authorization: undefined }]);
  });

  it('builds query strings: undefined and null left out, lists joined with commas', async () => {
    expect(queryString({ a: 1, b: undefined, c: null, d: ['x', 'y'], e: true, f: 'a b' })).toBe(
      '?a=1&d=x%2Cy&e=true&f=a+b',
    );
    expect(queryString({})).toBe('');
    configureApi({ baseUrl: base });
    key = `cz_${'T'.repeat(43)}`;
    handler = json(200, { entries: [], nextCursor: null });
    await getAuditLog({ outcome: 'failure', since: 5, key: undefined });
    expect(seen[0]!.url).toBe('/api/auth/audit?outcome=failure&since=5');
  });
});
