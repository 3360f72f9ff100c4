import { AccessPolicy, areaOfTable } from '../core/access';
import type { Actor } from '../core/actor';
import { EVENT_OBJECT_TABLES } from '../core/events';
import { AccessRole, Scope } from '../core/roles';

/**
 * The events a caller may see, as a condition on a domain_events alias: an event is visible when its object is, by
 * the same area permissions and row scope as reading the object itself (a sales rep: events of their own book). The
 * object is judged as it is now, so an event of a customer moved out of a rep's book leaves the rep's feed with it.
 */
export function visibleEventsCondition(access: AccessPolicy, alias: string): string {
  const whole: string[] = [];
  const scoped: string[] = [];
  for (const [objectType, table] of Object.entries(EVENT_OBJECT_TABLES)) {
    if (!access.can(`${areaOfTable(table)}:read`)) continue;
    const row = access.rowCondition(table, 'o');
    if (row) scoped.push(`(${alias}.object_type = '${objectType}' AND EXISTS (SELECT 1 FROM ${table} o WHERE o.id = ${alias}.object_id AND ${row}))`);
    else whole.push(`'${objectType}'`);
  }
  const parts = [...(whole.length ? [`${alias}.object_type IN (${whole.join(', ')})`] : []), ...scoped];
  return parts.length ? `(${parts.join(' OR ')})` : 'FALSE';
}

export interface KeyRow {
  id: string;
  name: string;
  role: AccessRole;
  scopes: Scope[];
  user_id: string | null;
}

/** The actor an API key acts as, for deciding what its subscriptions receive (as authenticate.ts builds it). */
export function keyActor(key: KeyRow): Actor {
  return {
    kind: 'principal',
    role: key.role,
    userId: key.user_id,
    scopes: key.role === AccessRole.PARTNER ? key.scopes : null,
    credential: { kind: 'api_key', id: key.id, label: `key ${key.name}` },
    label: `key ${key.name}`,
  };
}
