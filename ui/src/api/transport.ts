/**
 * The request core under every endpoint function: adds the API key, applies a timeout, turns every failure into
 * an `ApiError`, reports 401s (so the key modal can open), and parses every answer with the hub's own zod
 * schema. A request body is also checked against the hub's schema before it is sent, so a bad field is
 * reported at once, in the hub's words (`body.name: …`).
 *
 * The transport is configured once (`configureApi`, done by the auth session); endpoint functions use it.
 *
 * @module
 */
import type { z } from 'zod';
import { ApiError, CLIENT_CODES } from './errors.ts';
import { errorResponseSchema } from '../../../src/hub/runtime/schema.ts';

export interface ApiConfig {
  /** Prefix of every path: '' when the hub serves the UI (or Vite proxies it). */
  baseUrl: string;
  /** The key to send, or null to send none. */
  getKey: () => string | null;
  /**
   * Called for every 401 answer, with the key that was sent, and for a request not sent for want of a key
   * (`NO_KEY`, keySent null). The promise is rejected with the error too.
   */
  onUnauthorized: (error: ApiError, keySent: string | null) => void;
  /** Default per-request timeout, ms. */
  timeoutMs: number;
  fetch: typeof fetch;
}

const config: ApiConfig = {
  baseUrl: '',
  getKey: () => null,
  onUnauthorized: () => {},
  timeoutMs: 15_000,
  fetch: (input, init) => globalThis.fetch(input, init),
};

/** Changes the transport's settings; returns the previous ones (tests restore them). */
export function configureApi(patch: Partial<ApiConfig>): ApiConfig {
  const previous = { ...config };
  Object.assign(config, patch);
  return previous;
}

export type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[];
export type Query = Record<string, QueryValue>;

export interface RequestOptions {
  signal?: AbortSignal;
  /** Overrides the default timeout (ms). */
  timeoutMs?: number;
  /** Sends this key instead of the stored one (null: none) — used to try a key before keeping it. */
  key?: string | null;
}

interface Init extends RequestOptions {
  query?: Query | undefined;
  body?: unknown;
  /** The hub's schema of the body: checked before sending. */
  bodySchema?: z.ZodType | undefined;
}

/** `?a=1&stream=orders,ticks`: undefined and null are left out, arrays joined with commas. */
export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    params.set(name, Array.isArray(value) ? value.join(',') : String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** Field paths as the hub writes them: `sequencer.state`, `keys.0.scopes.1`. */
function issuesOf(error: z.ZodError, prefix: string): { field: string; message: string }[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.') || '(the whole value)',
    message: issue.message,
  }));
}

function summary(issues: { field: string; message: string }[]): string {
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `${first.field}: ${first.message}${more}`;
}

/**
 * Sends a request and returns the raw Response of a 2xx answer; anything else is thrown as an ApiError.
 * For endpoints whose answer is not JSON (exports, Prometheus text); JSON endpoints use `request`.
 */
export async function send(method: string, path: string, init: Init = {}): Promise<Response> {
  const what = `${method} ${path}`;
  if (init.bodySchema && init.body !== undefined) {
    const checked = init.bodySchema.safeParse(init.body);
    if (!checked.success) {
      const issues = issuesOf(checked.error, 'body');
      throw new ApiError({
        status: 0,
        code: CLIENT_CODES.INVALID_REQUEST,
        message: summary(issues),
        details: { issues },
        request: what,
      });
    }
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  const key = init.key === undefined ? config.getKey() : init.key;
  if (key) headers.authorization = `Bearer ${key}`;
  // Every route but the public ones (whose functions pass `key: null`) would answer 401: do not ask. The
  // browser would log each refused request as an error, e.g. behind the key modal on a first visit.
  if (init.key === undefined && !key) {
    const error = new ApiError({
      status: 0,
      code: CLIENT_CODES.NO_KEY,
      message: `${what}: no API key in this browser`,
      request: what,
    });
    config.onUnauthorized(error, null);
    throw error;
  }
  let body: string | undefined;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] = 'application/json';
  }

  const controller = new AbortController();
  const timeoutMs = init.timeoutMs ?? config.timeoutMs;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const forwardAbort = () => controller.abort();
  if (init.signal?.aborted) controller.abort();
  init.signal?.addEventListener('abort', forwardAbort, { once: true });

  let response: Response;
  try {
    response = await config.fetch(`${config.baseUrl}${path}${queryString(init.query)}`, {
      method,
      headers,
      body,
      signal: controller.signal,
    });
  } catch (error) {
    if (timedOut) {
      throw new ApiError({
        status: 0,
        code: CLIENT_CODES.TIMEOUT,
        message: `${what}: the hub did not answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`,
        request: what,
      });
    }
    if (controller.signal.aborted) {
      throw new ApiError({
        status: 0,
        code: CLIENT_CODES.ABORTED,
        message: `${what} was cancelled`,
        request: what,
      });
    }
    throw new ApiError({
      status: 0,
      code: CLIENT_CODES.NETWORK,
      message: `${what}: could not reach the hub (${error instanceof Error ? error.message : String(error)})`,
      request: what,
    });
  } finally {
    clearTimeout(timer);
    init.signal?.removeEventListener('abort', forwardAbort);
  }

  if (response.ok) return response;
  const error = await errorFrom(response, what);
  if (error.status === 401) config.onUnauthorized(error, key ?? null);
  throw error;
}

async function errorFrom(response: Response, what: string): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: a proxy's page, or a hub older than the error convention
  }
  const shaped = errorResponseSchema.safeParse(parsed);
  if (shaped.success) {
    const { code, message, details } = shaped.data.error;
    return new ApiError({ status: response.status, code, message, details, request: what });
  }
  return new ApiError({
    status: response.status,
    code: `HTTP_${response.status}`,
    message: `${what} failed with HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
    details: text === '' ? undefined : { body: text.slice(0, 500) },
    request: what,
  });
}

/** Sends a request and parses the JSON answer with the hub's schema for it. */
export async function request<S extends z.ZodType>(
  method: string,
  path: string,
  schema: S,
  init: Init = {},
): Promise<z.output<S>> {
  const response = await send(method, path, init);
  const what = `${method} ${path}`;
  let json: unknown;
  try {
    json = await response.json();
  } catch (error) {
    throw new ApiError({
      status: response.status,
      code: CLIENT_CODES.INVALID_RESPONSE,
      message: `${what}: the answer is not JSON (${error instanceof Error ? error.message : String(error)})`,
      request: what,
    });
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issues = issuesOf(result.error, '');
    throw new ApiError({
      status: response.status,
      code: CLIENT_CODES.INVALID_RESPONSE,
      message: `${what}: the answer does not match the hub's schema at ${summary(issues)}`,
      details: { issues },
      request: what,
    });
  }
  return result.data;
}

/** Path segments are encoded, so an id can never change the path it is put in. */
export const segment = (value: string | number): string => encodeURIComponent(String(value));
