/**
 * The route table. Every HTTP route of the hub is a `RouteSpec`: method, path, the scope it needs, zod schemas
 * for its path parameters, query string and body, and a handler that receives them parsed. `mountRoutes` wraps
 * each handler the same way — authenticate, check the scope, validate, run, and audit every mutation — so a
 * feature cannot forget any of it, and tests can walk the whole table.
 *
 * Scopes: `public` (no key), `read` for GET/HEAD, `write` for mutations, `admin` for `/api/auth/*`; a spec may
 * only raise its scope above that default, never lower it. A POST that only reads (a query whose text does not
 * belong in a URL) says so with `readOnly`: it then needs `read` and is not audited as a mutation.
 *
 * @module
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { Scope } from './auth/keys.ts';
import type { AuthService, Principal } from './auth/service.ts';
import { HubError, validationError } from './errors.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HubEnv {
  Variables: {
    principal: Principal | null;
    remote: string;
    /** Set by a handler when what it acted on is only known after it ran (a created id). */
    auditTarget: string | undefined;
    auditDetail: unknown;
  };
}

export type HubContext = Context<HubEnv>;

export interface RouteInput<Q, P, B> {
  query: Q;
  params: P;
  body: B;
  principal: Principal | null;
}

export interface RouteSpec<Q = unknown, P = unknown, B = unknown> {
  method: Method;
  path: string;
  summary: string;
  /** Defaults from the method and path; may only be raised. */
  scope?: Scope | 'public';
  /** A POST that changes nothing (e.g. `POST /api/query`): read scope by default, no audit entry. */
  readOnly?: boolean;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  body?: z.ZodType<B>;
  /** Audit action name for mutations (default `METHOD path`); `target` names what was acted on. */
  audit?: { action: string; target?: (input: RouteInput<Q, P, B>) => string | null };
  handler: (c: HubContext, input: RouteInput<Q, P, B>) => Response | Promise<Response>;
}

/** Keeps the schema types flowing into the handler's input. */
export function defineRoute<Q = undefined, P = undefined, B = undefined>(
  spec: RouteSpec<Q, P, B>,
): RouteSpec<Q, P, B> {
  return spec;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a heterogeneous table of specs
export type AnyRoute = RouteSpec<any, any, any>;

const RANK = { public: 0, read: 1, write: 2, admin: 3 } as const;

export function defaultScope(method: Method, path: string, readOnly = false): Scope | 'public' {
  if (path === '/api/status') return 'public';
  if (path.startsWith('/api/auth/')) return 'admin';
  return method === 'GET' || (readOnly && method === 'POST') ? 'read' : 'write';
}

export function effectiveScope(route: AnyRoute): Scope | 'public' {
  const base = defaultScope(route.method, route.path, route.readOnly ?? false);
  const wanted = route.scope ?? base;
  return RANK[wanted] >= RANK[base] ? wanted : base;
}

export function isMutation(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}

function remoteOf(c: HubContext): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'local';
  }
}

/** The key from `Authorization: Bearer …`. */
export function presentedKey(c: HubContext): string | undefined {
  return c.req.header('authorization') ?? undefined;
}

async function parseBody(c: HubContext): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HubError(
      400,
      'INVALID_JSON',
      `the request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}

function parse<T>(where: 'query' | 'params' | 'body', schema: z.ZodType<T> | undefined, value: unknown): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(where, result.error);
  return result.data;
}

export interface MountOptions {
  auth: AuthService;
  now?: () => number;
}

/** Registers every route on `app` with authentication, validation and auditing around its handler. */
export function mountRoutes(app: Hono<HubEnv>, routes: readonly AnyRoute[], options: MountOptions): void {
  const now = options.now ?? Date.now;
  const seen = new Set<string>();
  for (const route of routes) {
    const id = `${route.method} ${route.path}`;
    if (seen.has(id)) throw new Error(`route ${id} is registered twice`);
    seen.add(id);
    const scope = effectiveScope(route);
    app.on(route.method, route.path, async (c) => {
      const remote = remoteOf(c);
      c.set('remote', remote);
      let principal: Principal | null = null;
      let input: RouteInput<unknown, unknown, unknown> | null = null;
      let status = 500;
      try {
        if (scope !== 'public') {
          principal = options.auth.authenticate(presentedKey(c), remote);
          options.auth.require(principal, scope);
        }
        c.set('principal', principal);
        const params = parse('params', route.params, c.req.param());
        const query = parse('query', route.query, c.req.query());
        const body = route.body ? parse('body', route.body, await parseBody(c)) : undefined;
        input = { params, query, body, principal };
        const response = await route.handler(c, input);
        status = response.status;
        return response;
      } catch (error) {
        status = error instanceof HubError ? error.status : 500;
        throw error;
      } finally {
        if (isMutation(route.method) && !route.readOnly) {
          options.auth.audit.record({
            at: now(),
            keyId: principal?.keyId ?? null,
            keyName: principal?.keyName ?? null,
            action: route.audit?.action ?? id,
            target:
              c.get('auditTarget') ?? (input && route.audit?.target?.(input)) ?? (c.req.param('id') || null),
            method: route.method,
            path: c.req.path,
            remote,
            status,
            outcome: status < 400 ? 'success' : 'failure',
            detail: c.get('auditDetail') ?? null,
          });
        }
      }
    });
  }
}

// ── shared schemas ──────────────────────────────────────────────────────────────────────────────────

/** A non-negative integer in a query string ("42"). */
export const queryInteger = (what: string) =>
  z
    .string()
    .regex(/^\d+$/, `${what} must be a non-negative integer`)
    .transform(Number)
    .refine(Number.isSafeInteger, `${what} is too large`);

export const limitParam = (max: number, fallback: number) =>
  queryInteger('limit')
    .refine((n) => n >= 1 && n <= max, `limit must be between 1 and ${max}`)
    .optional()
    .transform((n) => n ?? fallback);
