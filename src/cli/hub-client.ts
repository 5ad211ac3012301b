/**
 * How CLI commands reach a hub: the URL from `--hub`, `CZ_HUB_URL` or http://127.0.0.1:3000, the key from
 * `--key`, `CZ_API_KEY` or `<data-dir>/root.key`; errors become one-line `UserError`s carrying the hub's own
 * error message.
 *
 * @module
 */
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

/** Async because the root-key reader (and zod behind it) loads only when neither --key nor CZ_API_KEY is set. */
export async function hubTarget(args: HubClientArgs): Promise<HubTarget> {
  const url = (args.hub ?? process.env.CZ_HUB_URL ?? DEFAULT_HUB_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+$/.test(url))
    throw new UserError(`--hub must look like http://127.0.0.1:3000, got "${url}"`);
  const key =
    args.key ??
    process.env.CZ_API_KEY ??
    (await import('../hub/auth/service.ts')).AuthService.readRootKey(args['data-dir']);
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
