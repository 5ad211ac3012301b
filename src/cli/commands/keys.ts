/**
 * `cz keys list|create|revoke`: API key management against a running hub (admin key needed).
 *
 * @module
 */
import type { Argv, CommandModule } from 'yargs';
import type { CommandContext } from '../context.ts';
import { UserError } from '../errors.ts';
import { type HubClientArgs, hubOptions, hubRequest, hubTarget } from '../hub-client.ts';
import { formatTable } from '../output.ts';

interface KeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  root: boolean;
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
}

interface KeysArgs extends HubClientArgs {
  action: 'list' | 'create' | 'revoke';
  target?: string;
  scope?: string[];
  expires?: string;
  all: boolean;
  json: boolean;
}

const when = (ms: number | null): string =>
  ms === null ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z');

/** "30d", "12h", "90m" or an RFC 3339 time → epoch ms. */
export function parseExpiry(text: string, now = Date.now()): number {
  const relative = /^(\d+)([mhd])$/.exec(text);
  if (relative)
    return (
      now + Number(relative[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 'm' | 'h' | 'd']
    );
  const absolute = Date.parse(text);
  if (Number.isNaN(absolute))
    throw new UserError(`--expires must be like 30d, 12h, 90m or an RFC 3339 time, got "${text}"`);
  return absolute;
}

export const keysCommand = (context: CommandContext): CommandModule<object, KeysArgs> => ({
  command: 'keys <action> [target]',
  describe: 'Manage API keys: list, create NAME --scope read|write|admin, revoke KEY_ID',
  builder: (yargs: Argv) =>
    yargs
      .positional('action', { choices: ['list', 'create', 'revoke'] as const, describe: 'What to do' })
      .positional('target', { type: 'string', describe: 'The new key name (create) or the key id (revoke)' })
      .option('scope', {
        type: 'string',
        array: true,
        describe: 'Scopes of a new key (repeatable): read, write, admin',
      })
      .option('expires', {
        type: 'string',
        describe: 'Expiry of a new key: 30d, 12h, 90m or an RFC 3339 time',
      })
      .option('all', { type: 'boolean', default: false, describe: 'list: include revoked keys' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON' })
      .options(hubOptions) as unknown as Argv<KeysArgs>,
  handler: async (args) => {
    const target = hubTarget(args);
    const out = context.output;
    if (args.action === 'list') {
      const { keys } = await hubRequest<{ keys: KeyView[] }>(
        target,
        'GET',
        `/api/auth/keys${args.all ? '?includeRevoked=true' : ''}`,
      );
      if (args.json) return out.out(JSON.stringify(keys, null, 2));
      out.out(
        formatTable(
          ['ID', 'NAME', 'KEY', 'SCOPES', 'CREATED', 'LAST USED', 'EXPIRES', 'REVOKED'],
          keys.map((k) => [
            k.id,
            k.name + (k.root ? ' (root)' : ''),
            k.prefix,
            k.scopes.join(','),
            when(k.createdAt),
            when(k.lastUsedAt),
            when(k.expiresAt),
            when(k.revokedAt),
          ]),
        ),
      );
      return;
    }
    if (!args.target)
      throw new UserError(`cz keys ${args.action} needs ${args.action === 'create' ? 'a NAME' : 'a KEY_ID'}`);
    if (args.action === 'create') {
      if (!args.scope || args.scope.length === 0)
        throw new UserError('cz keys create needs at least one --scope (read, write or admin)');
      const created = await hubRequest<KeyView & { key: string }>(target, 'POST', '/api/auth/keys', {
        name: args.target,
        scopes: args.scope,
        ...(args.expires === undefined ? {} : { expiresAt: parseExpiry(args.expires) }),
      });
      if (args.json) return out.out(JSON.stringify(created, null, 2));
      out.out(
        `created ${created.id} "${created.name}" (${created.scopes.join(', ')})\n${created.key}\nThe key is shown only now; store it safely.`,
      );
      return;
    }
    const revoked = await hubRequest<KeyView>(
      target,
      'DELETE',
      `/api/auth/keys/${encodeURIComponent(args.target)}`,
    );
    if (args.json) return out.out(JSON.stringify(revoked, null, 2));
    out.out(`revoked ${revoked.id} "${revoked.name}"`);
  },
});
