/**
 * How CLI commands reach a hub: the URL from `--hub`, `CZ_HUB_URL` or http://127.0.0.1:3000, the key from
 * `--key`, `CZ_API_KEY` or `<data-dir>/root.key`; errors become one-line `UserError`s carrying the hub's own
 * error message.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { KEY_PATTERN } from '../hub/auth/key-format.ts';
import { UserError } from './errors.ts';

export const DEFAULT_HUB_URL = 'http://127.0.0.1:3000';

export interface HubTarget {
  url: string;
  key: string | null;
}

export interface HubClientArgs {
  hub?: string;
  key?: string;
  'data-dir': string;
}

/** The root key in `<dataDir>/root.key`, or null when the file is missing or holds no well-formed key. */
export function readRootKey(dataDir: string): string | null {
  const path = join(dataDir, 'root.key');
  if (!existsSync(path)) return null;
  const key = readFileSync(path, 'utf8').trim();
  return KEY_PATTERN.test(key) ? key : null;
}

export function hubTarget(args: HubClientArgs): HubTarget {
  const url = (args.hub ?? process.env.CZ_HUB_URL ?? DEFAULT_HUB_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+$/.test(url))
    throw new UserError(`--hub must look like http://127.0.0.1:3000, got "${url}"`);
  const key = args.key ?? process.env.CZ_API_KEY ?? readRootKey(args['data-dir']);
  return { url, key };
}

/** Options every hub-talking command shares. */
export const hubOptions = {
  hub: { type: 'string', describe: `Hub URL (env CZ_HUB_URL; default ${DEFAULT_HUB_URL})` },
  key: { type: 'string', describe: 'API key (env CZ_API_KEY; default the root key in --data-dir)' },
  'data-dir': {
    type: 'string',
    default: '.lacrimosa',
    describe: "The hub's data directory, for its root.key",
  },
} as const;

export async function hubRequest<T>(
  target: HubTarget,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = {};
  if (target.key) headers.authorization = `Bearer ${target.key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${target.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new UserError(
      `cannot reach the hub at ${target.url} (${cause}); start it with \`cz hub\` or set --hub / CZ_HUB_URL`,
    );
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? null : (JSON.parse(text) as unknown);
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
    const hint =
      response.status === 401 && !target.key
        ? " (no key: pass --key, set CZ_API_KEY, or point --data-dir at the hub's data directory)"
        : '';
    throw new UserError(
      `the hub answered ${response.status} ${error?.code ?? ''}: ${error?.message ?? text.slice(0, 200)}${hint}`,
    );
  }
  return parsed as T;
}

/**
 * `hubRequest`, with the answer checked against the schema the hub answers with, so a hub of another version
 * is named as the likely cause instead of failing later on a missing field. The caller passes the schema
 * (loaded in its handler), so this module never loads zod itself.
 */
export async function hubRequestChecked<S extends z.ZodType>(
  target: HubTarget,
  schema: S,
  method: string,
  path: string,
  body?: unknown,
): Promise<z.output<S>> {
  const answer = await hubRequest<unknown>(target, method, path, body);
  const parsed = schema.safeParse(answer);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(
      `the hub's answer to ${method} ${path} is not what this cz expects (${issue ? `${issue.path.join('.') || 'the answer'}: ${issue.message}` : 'malformed'}); are the hub and cz the same version?`,
    );
  }
  return parsed.data;
}
