import type { UserRole } from './roles';

/**
 * Who is making the request. Every service receives it, so access rules can be enforced
 * in one place (src/core/access.ts) without touching resolvers.
 */
export type Actor =
  | { kind: 'anonymous'; label: string }
  | { kind: 'user'; userId: string; role: UserRole; label: string }
  | { kind: 'system'; label: string };

export const ANONYMOUS: Actor = { kind: 'anonymous', label: 'api' };
export const SYSTEM: Actor = { kind: 'system', label: 'system' };

export function actorUserId(actor: Actor): string | null {
  return actor.kind === 'user' ? actor.userId : null;
}
