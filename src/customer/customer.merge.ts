// mergeCustomers: one record per customer. The survivor takes over everything the merged records own — every row of
// every table with a foreign key to customers, found in the catalog so that a domain added later is moved too — and
// the merged records stay as tombstones that point at it.

import type { EntityManager } from 'typeorm';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { UserError, UserErrorCode, UserErrors, pgCode, pgConstraint, PG_UNIQUE_VIOLATION } from '../common/errors';
import { decodeIdOf } from '../common/ids';
import { recordAudit } from '../core/audit';
import type { ServiceDeps } from '../core/request-scope';
import { mergeCampaignMembers } from '../campaign/campaign.merge';
import { mergeLoyaltyAccounts } from '../loyalty/ledger';
import { Customer } from './customer.entity';

/** The fields a merge may take from one of the merged records instead of the survivor. */
export enum CustomerMergeField {
  NAME = 'NAME',
  EMAIL = 'EMAIL',
  PHONE = 'PHONE',
  BIRTHDAY = 'BIRTHDAY',
  ADDRESS = 'ADDRESS',
  EXTERNAL_REF = 'EXTERNAL_REF',
  REGION = 'REGION',
  OWNER = 'OWNER',
  NOTES = 'NOTES',
  GENDER = 'GENDER',
  PERSONALITY = 'PERSONALITY',
  CUSTOM_FIELD = 'CUSTOM_FIELD',
}
registerEnumType(CustomerMergeField, {
  name: 'CustomerMergeField',
  description: 'A field of the customer a merge can take from a merged record.',
  valuesConfig: {
    NAME: { description: 'The name.' },
    EMAIL: { description: 'The email address.' },
    PHONE: { description: 'The phone number.' },
    BIRTHDAY: { description: 'The birthday.' },
    ADDRESS: { description: 'The whole postal address.' },
    EXTERNAL_REF: { description: 'The ID in your source system (moved from the merged record, which gives it up).' },
    REGION: { description: 'The sales region.' },
    OWNER: { description: 'The owning staff user.' },
    NOTES: { description: 'The notes.' },
    GENDER: { description: 'The gender.' },
    PERSONALITY: { description: 'The personality.' },
    CUSTOM_FIELD: { description: 'The value of the custom field named by `customField` (none, if the record has none).' },
  },
});

/** The columns behind each field (the address moves as a whole). */
const COLUMNS: Record<Exclude<CustomerMergeField, CustomerMergeField.CUSTOM_FIELD>, string[]> = {
  NAME: ['name'],
  EMAIL: ['email'],
  PHONE: ['phone'],
  BIRTHDAY: ['birthday'],
  ADDRESS: ['address_line1', 'address_line2', 'address_postal_code', 'address_city', 'address_region', 'address_country'],
  EXTERNAL_REF: ['external_ref'],
  REGION: ['region'],
  OWNER: ['owner_id'],
  NOTES: ['notes'],
  GENDER: ['gender'],
  PERSONALITY: ['personality'],
};
const CONSENTS = ['email', 'sms', 'phone', 'mail'] as const;
const MAX_MERGED = 20;

@InputType({ description: 'Take one field from one of the merged records.' })
export class MergeFieldChoice {
  @Field(() => CustomerMergeField, { description: 'The field.' })
  field: CustomerMergeField;
  @Field(() => ID, { description: 'The merged record (one of mergedIds) to take it from.' })
  fromId: string;
  @Field(() => String, { nullable: true, description: 'With `field: CUSTOM_FIELD`: the key of the live customer field to take.' })
  customField?: string | null;
}

@InputType({ description: 'Merge duplicate records into one.' })
export class MergeCustomersInput {
  @Field(() => ID, { description: 'The customer that stays.' })
  survivorId: string;
  @Field(() => [ID], { description: `The duplicates merged into it (1–${MAX_MERGED}); they stay as tombstones whose IDs find the survivor.` })
  mergedIds: string[];
  @Field(() => [MergeFieldChoice], {
    defaultValue: [],
    description:
      'Fields to take from a merged record. Otherwise the survivor keeps its values, and an empty one is filled from the first merged record (in mergedIds order) that has it; custom fields the survivor has no value for are filled from the merged records, the most recently updated first.',
  })
  fieldChoices: MergeFieldChoice[];
  @Field(() => Int, { nullable: true, description: 'The survivor’s version you read; CONFLICT when it changed since.' })
  expectedVersion?: number | null;
}

@ObjectType({ description: 'Rows one merge moved from the merged records to the survivor, per table.' })
export class MergedRows {
  @Field({ description: 'The table, e.g. orders.' })
  table: string;
  @Field(() => Int, { description: 'Rows moved.' })
  rows: number;
}

@ObjectType({ description: 'Result of mergeCustomers.' })
export class MergeCustomersPayload {
  @Field(() => Customer, { nullable: true, description: 'The survivor after the merge; null when nothing was written.' })
  customer: Customer | null;
  @Field(() => [MergedRows], { description: 'What moved, per table (tables with nothing to move are left out).' })
  moved: MergedRows[];
  @Field(() => [UserError], { description: 'Problems with the input; empty on success. Nothing is written when there are any.' })
  userErrors: UserError[];
}

const at = (...f: Array<string | number>) => ['input', ...f];
const quoted = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

/**
 * Merges in one transaction: every child row moves to the survivor, referrals that pointed at a merged record point
 * at the survivor, each consent is kept only if every record had it (the most restrictive), tags and interests are
 * united, the chosen fields are taken, and the merged records become tombstones. The rows a customer may have only one
 * of are brought together first: loyalty accounts (one ledger), campaign members (one per campaign) and primary
 * contacts (one stays primary). Any other unique constraint the records would break together (one added later) makes
 * the merge a CONFLICT, and nothing is written.
 */
export async function mergeCustomers(deps: ServiceDeps, input: MergeCustomersInput): Promise<MergeCustomersPayload> {
  deps.access.require('customers:write');
  const errors = new UserErrors();
  const refuse = (): MergeCustomersPayload => ({ customer: null, moved: [], userErrors: errors.list });
  const survivorId = decodeIdOf('Customer', input.survivorId);
  if (!survivorId) errors.add(at('survivorId'), UserErrorCode.INVALID_ID, 'Not a valid Customer ID.');
  if (input.mergedIds.length === 0) errors.add(at('mergedIds'), UserErrorCode.REQUIRED, 'Name at least one record to merge.');
  if (input.mergedIds.length > MAX_MERGED) errors.add(at('mergedIds'), UserErrorCode.TOO_MANY, `At most ${MAX_MERGED} records per merge.`);
  const merged: string[] = [];
  input.mergedIds.forEach((g, i) => {
    const id = decodeIdOf('Customer', g);
    if (!id) errors.add(at('mergedIds', i), UserErrorCode.INVALID_ID, 'Not a valid Customer ID.');
    else if (id === survivorId) errors.add(at('mergedIds', i), UserErrorCode.INVALID, 'The survivor cannot be merged into itself.');
    else if (merged.includes(id)) errors.add(at('mergedIds', i), UserErrorCode.INVALID, 'Named twice.');
    else merged.push(id);
  });
  const choices = new Map<CustomerMergeField, string>();
  const customChoices = new Map<string, { id: string; index: number }>();
  input.fieldChoices.forEach((c, i) => {
    const id = decodeIdOf('Customer', c.fromId);
    const custom = c.field === CustomerMergeField.CUSTOM_FIELD;
    if (!id || !merged.includes(id)) errors.add(at('fieldChoices', i, 'fromId'), UserErrorCode.INVALID, 'Take fields only from one of mergedIds.');
    else if (custom !== (c.customField != null)) errors.add(at('fieldChoices', i, 'customField'), UserErrorCode.INVALID, '`customField` goes with `field: CUSTOM_FIELD`, and only with it.');
    else if (custom && customChoices.has(c.customField!)) errors.add(at('fieldChoices', i, 'customField'), UserErrorCode.INVALID, `"${c.customField}" is chosen twice.`);
    else if (!custom && choices.has(c.field)) errors.add(at('fieldChoices', i, 'field'), UserErrorCode.INVALID, `${c.field} is chosen twice.`);
    else if (custom) customChoices.set(c.customField!, { id, index: i });
    else choices.set(c.field, id);
  });
  if (errors.any || !survivorId) return refuse();
  try {
    return await deps.db.transaction(async (m) => {
      const scope = deps.access.rowCondition('customers', 'c');
      const ids = [survivorId, ...merged].sort();
      const rows: Array<Record<string, any>> = await m.query(
        `SELECT c.* FROM customers c WHERE c.id = ANY($1::uuid[]) AND c.deleted_at IS NULL${scope ? ` AND ${scope}` : ''} ORDER BY c.id FOR UPDATE OF c`,
        [ids],
      );
      const byId = new Map(rows.map((r) => [r.id as string, r]));
      const survivor = byId.get(survivorId);
      if (!survivor) errors.add(at('survivorId'), UserErrorCode.NOT_FOUND, 'No customer with this ID.');
      merged.forEach((id) => {
        if (!byId.has(id)) errors.add(at('mergedIds', input.mergedIds.findIndex((g) => decodeIdOf('Customer', g) === id)), UserErrorCode.NOT_FOUND, 'No customer with this ID.');
      });
      if (survivor && input.expectedVersion != null && input.expectedVersion !== survivor.version) {
        errors.add(at('expectedVersion'), UserErrorCode.CONFLICT, `The survivor changed since you read it (version ${survivor.version} now).`);
      }
      if (errors.any || !survivor) return refuse();
      const others = merged.map((id) => byId.get(id)!);
      const before = await m.getRepository(Customer).findOneByOrFail({ id: survivorId });

      // The survivor's fields: chosen ones from their record, empty ones from the first merged record that has them.
      const set: Record<string, unknown> = {};
      for (const field of Object.keys(COLUMNS) as Array<keyof typeof COLUMNS>) {
        const columns = COLUMNS[field];
        const chosen = choices.get(field);
        const source = chosen ? byId.get(chosen)! : columns.every((c) => survivor[c] == null) ? others.find((o) => columns.some((c) => o[c] != null)) : undefined;
        if (source) for (const c of columns) set[c] = source[c];
      }
      const custom = await mergedCustomValues(m, errors, survivor, others, byId, customChoices);
      if (errors.any) return refuse();
      if (custom) set.custom_fields = JSON.stringify(custom);
      for (const list of ['tags', 'interests']) set[list] = [...new Set([survivor, ...others].flatMap((r) => (r[list] as string[]) ?? []))];
      // Direct marketing only with consent: a channel stays open only if every record had it.
      for (const ch of CONSENTS) {
        const granted = [survivor, ...others].every((r) => r[`consent_${ch}_granted`]);
        if (granted !== survivor[`consent_${ch}_granted`]) Object.assign(set, { [`consent_${ch}_granted`]: granted, [`consent_${ch}_at`]: new Date() });
      }
      // An external reference is unique: a merged record gives its own up before the survivor takes it.
      if ('external_ref' in set && set.external_ref != null) await m.query(`UPDATE customers SET external_ref = NULL WHERE id = ANY($1::uuid[])`, [merged]);

      // One loyalty account per customer: the ledgers come together first (see mergeLoyaltyAccounts).
      await mergeLoyaltyAccounts(m, survivorId, merged);
      // One member row per campaign: members of the same campaign come together first (see mergeCampaignMembers).
      await mergeCampaignMembers(m, deps, survivorId, merged);
      // One primary contact per customer: the survivor's stays, else the first merged record's (in mergedIds order).
      const demoted: Array<{ id: string }> = await m.query(
        `WITH keep AS (SELECT id FROM contacts WHERE customer_id = ANY($1::uuid[]) AND is_primary AND deleted_at IS NULL
                        ORDER BY array_position($1::uuid[], customer_id), created_at, id LIMIT 1),
              d AS (UPDATE contacts SET is_primary = false, version = version + 1, updated_at = now()
                     WHERE customer_id = ANY($1::uuid[]) AND is_primary AND deleted_at IS NULL AND id NOT IN (SELECT id FROM keep) RETURNING id)
         SELECT id FROM d`,
        [[survivorId, ...merged]],
      );
      await recordAudit(m, deps, demoted.map((c) => ({ action: 'contact.update', objectType: 'Contact', objectId: c.id, before: { isPrimary: true }, after: { isPrimary: false } })));
      // Every table that points at customers (but customers itself), as the catalog has it.
      const references: Array<{ table: string; column: string }> = await m.query(
        `SELECT c.conrelid::regclass::text AS table, a.attname AS column
           FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
          WHERE c.contype = 'f' AND c.confrelid = 'customers'::regclass AND c.conrelid <> 'customers'::regclass
          ORDER BY 1, 2`,
      );
      const moved: MergedRows[] = [];
      for (const ref of references) {
        const [{ n }]: Array<{ n: number }> = await m.query(
          `WITH moved AS (UPDATE ${quoted(ref.table)} SET ${quoted(ref.column)} = $1 WHERE ${quoted(ref.column)} = ANY($2::uuid[]) RETURNING 1) SELECT count(*)::int AS n FROM moved`,
          [survivorId, merged],
        );
        if (n > 0) moved.push(Object.assign(new MergedRows(), { table: ref.table, rows: n }));
      }
      // Referrals: those the merged records brought are the survivor's; the survivor is no longer referred by itself.
      const [{ n: referrals }]: Array<{ n: number }> = await m.query(
        `WITH r AS (UPDATE customers SET referred_by_id = CASE WHEN id = $1 THEN NULL ELSE $1 END
                     WHERE referred_by_id = ANY($2::uuid[]) AND NOT (id = ANY($2::uuid[])) RETURNING 1) SELECT count(*)::int AS n FROM r`,
        [survivorId, merged],
      );
      if (referrals > 0) moved.push(Object.assign(new MergedRows(), { table: 'customers (referrals)', rows: referrals }));
      await m.query(`UPDATE customers SET merged_into_id = $1 WHERE merged_into_id = ANY($2::uuid[])`, [survivorId, merged]);

      const columns = Object.keys(set);
      if (columns.length) {
        await m.query(`UPDATE customers SET ${columns.map((c, i) => `${quoted(c)} = $${i + 2}`).join(', ')}, version = version + 1, updated_at = now() WHERE id = $1`, [
          survivorId,
          ...columns.map((c) => set[c]),
        ]);
      }
      await m.query(
        `UPDATE customers SET deleted_at = now(), merged_into_id = $1, version = version + 1, updated_at = now() WHERE id = ANY($2::uuid[])`,
        [survivorId, merged],
      );
      const after = await m.getRepository(Customer).findOneByOrFail({ id: survivorId });
      await recordAudit(m, deps, [
        { action: 'customer.merge', objectType: 'Customer', objectId: survivorId, before: { ...before, mergedIds: [] }, after: { ...after, mergedIds: merged } },
        ...merged.map((id) => ({ action: 'customer.mergedInto', objectType: 'Customer', objectId: id, before: { mergedIntoId: null }, after: { mergedIntoId: survivorId } })),
      ]);
      return { customer: after, moved, userErrors: [] };
    });
  } catch (e) {
    if (pgCode(e) !== PG_UNIQUE_VIOLATION) throw e;
    errors.add(at('mergedIds'), UserErrorCode.CONFLICT, `Both records have something only one customer may have (${pgConstraint(e) ?? 'a unique constraint'}); resolve that first. Nothing was merged.`);
    return refuse();
  }
}

/**
 * The survivor's custom values after a merge, or null when they stay as they are: its own, the keys it lacks filled
 * from the merged records (the most recently updated first, as the freshest word on the person), then the values
 * chosen in fieldChoices. Only live fields count: values a deleted field left behind do not travel.
 */
async function mergedCustomValues(
  m: EntityManager,
  errors: UserErrors,
  survivor: Record<string, any>,
  others: Array<Record<string, any>>,
  byId: Map<string, Record<string, any>>,
  choices: Map<string, { id: string; index: number }>,
): Promise<Record<string, unknown> | null> {
  const live = new Set(
    ((await m.query(`SELECT key FROM custom_field_definitions WHERE entity = 'CUSTOMER' AND deleted_at IS NULL`)) as Array<{ key: string }>).map((r) => r.key),
  );
  const values: Record<string, unknown> = { ...(survivor.custom_fields ?? {}) };
  const newestFirst = [...others].sort((a, b) => new Date(b.updated_at).getTime() - new Date(a.updated_at).getTime() || (a.id < b.id ? -1 : 1));
  for (const other of newestFirst) {
    for (const [key, value] of Object.entries((other.custom_fields ?? {}) as Record<string, unknown>)) if (live.has(key) && !(key in values)) values[key] = value;
  }
  for (const [key, choice] of choices) {
    if (!live.has(key)) {
      errors.add(at('fieldChoices', choice.index, 'customField'), UserErrorCode.NOT_FOUND, `No live customer field has the key "${key}".`);
      continue;
    }
    const from = (byId.get(choice.id)!.custom_fields ?? {}) as Record<string, unknown>;
    if (key in from) values[key] = from[key];
    else delete values[key];
  }
  return JSON.stringify(values) === JSON.stringify(survivor.custom_fields ?? {}) ? null : values;
}
