import type { AccessRole, Scope } from './roles';

/** How the caller proved who they are. */
export interface Credential {
  kind: 'api_key' | 'jwt';
  /** The API key's id, or the JWT's subject: what limits, idempotency keys and the audit log are kept per. */
  id: string;
  /** A human name for logs and the audit log ("key 'Shop sync'", "jwt ada@example.com"). */
  label: string;
}

/**
 * Who is making the request. Every service receives it through the request scope, and the access
 * policy (src/core/access.ts) decides from it what exists for the caller and what it may change.
 */
export type Actor =
  | { kind: 'anonymous'; label: string }
  | {
      kind: 'principal';
      role: AccessRole;
      /** The staff user acting (a key's owner, a JWT's subject); null for a partner key with no owner. */
      userId: string | null;
      /** A partner key's scopes; null means the role decides alone. */
      scopes: readonly Scope[] | null;
      credential: Credential;
      label: string;
      /** The credential's own cost bucket (an API key's override); null: its role's default. */
      throttle?: { bucketSize: number | null; restoreRate: number | null } | null;
    }
  | { kind: 'system'; label: string };

export const ANONYMOUS: Actor = { kind: 'anonymous', label: 'anonymous' };
/** Background work and command-line tools: not a request, so not subject to a caller's access rules. */
export const SYSTEM: Actor = { kind: 'system', label: 'system' };

export function actorUserId(actor: Actor): string | null {
  return actor.kind === 'principal' ? actor.userId : null;
}

/** The bucket a caller's limits, throttling and idempotency keys live in. */
export function actorKey(actor: Actor): string {
  return actor.kind === 'principal' ? `${actor.credential.kind}:${actor.credential.id}` : actor.kind;
}
