import DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import { badInput } from '../common/errors';
import type { ListArgs, SortField } from '../common/list-query';
import type { ServiceDeps } from '../core/request-scope';
import { CustomFieldDefinition, CustomFieldEntity, CustomFieldType } from './custom-field.entity';
import { CUSTOM_FIELD_KEY } from './custom-field.filter';

/** The sort field name lists declare for "by a custom field" (each entity's sort enum has it). */
export const CUSTOM_FIELD_SORT = 'CUSTOM_FIELD';

/**
 * The live definitions of an entity, loaded once per request for all three entities (one statement however many
 * records or lists ask).
 */
export function liveDefinitions(deps: Pick<ServiceDeps, 'db' | 'loaders'>, entity: CustomFieldEntity): Promise<CustomFieldDefinition[]> {
  const loader = deps.loaders.memo('customFieldDefinitions', () =>
    new DataLoader<string, CustomFieldDefinition[]>(async (entities) => {
      const rows = await deps.db.getRepository(CustomFieldDefinition).find({ order: { position: 'ASC', key: 'ASC' } });
      return entities.map((e) => rows.filter((r) => r.entity === e));
    }),
  );
  return loader.load(entity);
}

/**
 * The sort on one custom field: its value cast by the definition's type (numbers numerically, dates chronologically,
 * text and choices as text), null for a record without a value of that type, so such records come last. The key is
 * inlined as a literal because a sort's SQL takes no parameters; it is safe only because it matched CUSTOM_FIELD_KEY
 * (lowercase letters, digits, underscores) and named a live definition.
 */
export function customFieldSort(def: CustomFieldDefinition): SortField {
  if (!CUSTOM_FIELD_KEY.test(def.key)) throw new Error(`custom field key ${JSON.stringify(def.key)} cannot be sorted on`);
  const value = `{a}.custom_fields -> '${def.key}'`;
  const text = `{a}.custom_fields ->> '${def.key}'`;
  switch (def.type) {
    // float8: the values were JS numbers, so nothing is lost, and its text form round-trips through a cursor.
    case CustomFieldType.NUMBER:
      return { sql: `(CASE WHEN jsonb_typeof(${value}) = 'number' THEN (${text})::float8 END)`, pgType: 'float8', nullsLast: true };
    case CustomFieldType.DATE:
      return { sql: `(CASE WHEN jsonb_typeof(${value}) = 'string' AND (${text}) ~ '^\\d{4}-\\d{2}-\\d{2}$' THEN (${text})::date END)`, pgType: 'date', nullsLast: true };
    case CustomFieldType.TEXT:
    case CustomFieldType.CHOICE:
      return { sql: `(CASE WHEN jsonb_typeof(${value}) = 'string' THEN ${text} END)`, pgType: 'text', nullsLast: true };
  }
}

/** The keys of every `customField` condition in a filter, inside `and`, `or` and `not` too. */
function filterKeys(filter: Record<string, unknown> | null | undefined, out: Array<{ key: string; path: string }> = [], path = 'filter'): Array<{ key: string; path: string }> {
  if (!filter) return out;
  for (const [name, raw] of Object.entries(filter)) {
    if (raw === undefined || raw === null) continue;
    if (name === 'and' || name === 'or') (raw as Array<Record<string, unknown>>).forEach((f, i) => filterKeys(f, out, `${path}.${name}.${i}`));
    else if (name === 'not') filterKeys(raw as Record<string, unknown>, out, `${path}.not`);
    else if (name === 'customField') out.push({ key: String((raw as { key?: unknown }).key), path: `${path}.customField` });
  }
  return out;
}

/**
 * A list's arguments with its custom-field sort resolved (the definition says how values compare), and refused where
 * they would reveal personal values the caller sees withheld: a filter or sort on a personal field answers "which
 * records have this value" a guess at a time. Lists of records with custom fields call this before the engine.
 */
export async function customFieldListArgs(deps: ServiceDeps, entity: CustomFieldEntity, args: ListArgs): Promise<ListArgs> {
  const key = args.orderBy?.customField;
  const bySort = args.orderBy?.field === CUSTOM_FIELD_SORT;
  if (key != null && !bySort) throw badInput('`orderBy.customField` goes with `field: CUSTOM_FIELD`.', { field: 'orderBy.customField' });
  const filtered = filterKeys(args.filter);
  if (!bySort && !(filtered.length && deps.access.masksPii)) return args;
  const defs = await liveDefinitions(deps, entity);
  const byKey = new Map(defs.map((d) => [d.key, d]));
  if (deps.access.masksPii) {
    for (const f of filtered) {
      if (byKey.get(f.key)?.personal) throw badInput(`${f.path}: "${f.key}" is a personal custom field, which your credential sees withheld, so it cannot be filtered on.`, { field: f.path });
    }
  }
  if (!bySort) return args;
  if (key == null) throw badInput('`field: CUSTOM_FIELD` needs `orderBy.customField`, the key of the field to sort by.', { field: 'orderBy.customField' });
  const def = byKey.get(key);
  if (!def) throw badInput(`\`orderBy.customField\`: no live ${entity.toLowerCase()} field has the key "${key}".`, { field: 'orderBy.customField' });
  if (def.personal && deps.access.masksPii) throw badInput(`\`orderBy.customField\`: "${key}" is a personal custom field, which your credential sees withheld, so it cannot be sorted on.`, { field: 'orderBy.customField' });
  return { ...args, customSort: { name: `customField:${key}:${def.type}`, sort: customFieldSort(def) } };
}

/** The keys of the live, non-personal fields of each entity: what a caller who sees personal data masked may read. */
export async function readableCustomFieldKeys(m: EntityManager): Promise<Map<CustomFieldEntity, Set<string>>> {
  const rows: Array<{ entity: CustomFieldEntity; key: string }> = await m.query(`SELECT entity, key FROM custom_field_definitions WHERE deleted_at IS NULL AND NOT personal`);
  const out = new Map<CustomFieldEntity, Set<string>>();
  for (const r of rows) out.set(r.entity, (out.get(r.entity) ?? new Set()).add(r.key));
  return out;
}

/** Stored values less those the caller may not read (personal fields', and those left by deleted fields, whose kind is unknown). */
export function withholdCustomValues(values: Record<string, unknown>, readable: Set<string> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => readable?.has(key)));
}
