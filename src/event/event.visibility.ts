import { AccessPolicy, areaOfTable } from '../core/access';
import { EVENT_OBJECT_TABLES } from '../core/events';

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
