import { parseArgs } from 'node:util';
import type { DataSource } from 'typeorm';
import { UserErrors } from '../common/errors';
import { toGlobalId, decodeIdOf } from '../common/ids';
import type { Actor } from '../core/actor';
import { apiKeyChanged } from '../core/credentials';
import { AccessRole, Scope } from '../core/roles';
import { User } from '../user/user.entity';
import { ApiKey } from './api-key.entity';
import { insertApiKey, revokeApiKey } from './api-key.service';

export const APIKEY_USAGE = `Usage: npm run apikey -- create --name NAME --role ROLE [--scopes a,b] [--user EMAIL] [--expires 90d] [--bucket-size N] [--restore-rate N]
       npm run apikey -- list
       npm run apikey -- revoke ID

  create   prints a new API key once (only its hash is stored). ROLE is one of ${Object.values(AccessRole).join(', ')}.
           --scopes   for PARTNER keys: ${Object.values(Scope).join(', ')}
           --user     the staff user the key acts as (required for SALES_REP keys)
           --expires  a lifetime (30d, 12h, 2w) or a date (2027-06-30)
           --bucket-size, --restore-rate  the key's own cost bucket (points, points a second) instead of its role's
  list     every key: id, name, role, scopes, status, last use
  revoke   refuses the key from the next request on
`;

const COMMAND_LINE: Actor = { kind: 'system', label: 'command line' };

export class CommandError extends Error {}

/** `90d`, `12h`, `2w` from now, or an ISO date. */
export function parseExpiry(value: string, now = new Date()): Date {
  const lifetime = /^(\d{1,5})([hdw])$/.exec(value);
  if (lifetime) {
    const hours = Number(lifetime[1]) * { h: 1, d: 24, w: 24 * 7 }[lifetime[2] as 'h' | 'd' | 'w'];
    return new Date(now.getTime() + hours * 3_600_000);
  }
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) throw new CommandError(`--expires must be a lifetime such as 90d, 12h or 2w, or a date such as 2027-06-30; got "${value}"`);
  return date;
}

/** The apikey command line: returns what to print on stdout; throws CommandError with a message for the user. */
export async function apiKeyCommand(db: DataSource, argv: string[]): Promise<string> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') return APIKEY_USAGE;
  const who = { actor: COMMAND_LINE };
  if (command === 'create') {
    const { values } = parseArgs({
      args: rest,
      options: {
        name: { type: 'string' },
        role: { type: 'string' },
        scopes: { type: 'string' },
        user: { type: 'string' },
        expires: { type: 'string' },
        'bucket-size': { type: 'string' },
        'restore-rate': { type: 'string' },
      },
      strict: true,
    });
    if (!values.name || !values.role) throw new CommandError(`create needs --name and --role.\n\n${APIKEY_USAGE}`);
    const role = values.role.toUpperCase();
    if (!(Object.values(AccessRole) as string[]).includes(role)) throw new CommandError(`--role must be one of ${Object.values(AccessRole).join(', ')}; got "${values.role}"`);
    const scopes = (values.scopes ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = scopes.filter((s) => !(Object.values(Scope) as string[]).includes(s));
    if (unknown.length) throw new CommandError(`Unknown scope ${unknown.join(', ')}; scopes are ${Object.values(Scope).join(', ')}`);
    let userId: string | null = null;
    if (values.user) {
      const user = await db.getRepository(User).createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email: values.user }).getOne();
      if (!user) throw new CommandError(`No user with email ${values.user}`);
      userId = user.id;
    }
    const expiresAt = values.expires ? parseExpiry(values.expires) : null;
    const number = (flag: 'bucket-size' | 'restore-rate') => {
      const raw = values[flag];
      if (raw === undefined) return null;
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new CommandError(`--${flag} must be a number, got "${raw}"`);
      return n;
    };
    const throttle = { bucketSize: number('bucket-size'), restoreRate: number('restore-rate') };
    const errors = new UserErrors();
    const created = await db.transaction((m) =>
      insertApiKey(m, errors, who, { name: values.name!, role: role as AccessRole, scopes: scopes as Scope[], userId, expiresAt, throttle, createdBy: COMMAND_LINE.label }, (f) => [`--${f === 'userId' ? 'user' : f === 'expiresAt' ? 'expires' : f}`]),
    );
    if (!created) throw new CommandError(errors.list.map((e) => `${e.field.join('.')}: ${e.message}`).join('\n'));
    return `Created API key ${created.apiKey.globalId} (${created.apiKey.name}, ${created.apiKey.role}). It is shown this once:\n${created.key}\n`;
  }
  if (command === 'list') {
    const keys = await db.getRepository(ApiKey).find({ order: { createdAt: 'DESC' } });
    if (!keys.length) return 'No API keys.\n';
    const rows = keys.map((k) => [k.globalId, k.name, k.role, k.scopes.join(',') || '-', k.status, k.keyPrefix + '…', k.lastUsedAt?.toISOString() ?? 'never']);
    const header = ['ID', 'NAME', 'ROLE', 'SCOPES', 'STATUS', 'KEY', 'LAST USED'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n';
  }
  if (command === 'revoke') {
    const [globalId] = rest;
    const id = globalId ? decodeIdOf('ApiKey', globalId) : null;
    if (!id) throw new CommandError(`revoke needs the key's ID as \`npm run apikey -- list\` shows it.`);
    const errors = new UserErrors();
    const revoked = await db.transaction((m) => revokeApiKey(m, errors, who, id));
    if (!revoked) throw new CommandError(errors.list.map((e) => e.message).join('\n'));
    apiKeyChanged(id);
    return `Revoked API key ${toGlobalId('ApiKey', id)} (${revoked.name}).\n`;
  }
  throw new CommandError(`Unknown command "${command}".\n\n${APIKEY_USAGE}`);
}
