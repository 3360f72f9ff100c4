import DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import { pgCode, PG_UNIQUE_VIOLATION, UserErrorCode, UserErrors } from '../common/errors';
import { decodeIdOf, fromGlobalId } from '../common/ids';
import { findInScope } from '../common/scoped';
import { hasNul, NUL_MESSAGE, optionalText, requiredText } from '../common/validate';
import type { Permission } from '../core/access';
import { recordAudit } from '../core/audit';
import type { ServiceDeps } from '../core/request-scope';
import { Contact } from '../contact/contact.entity';
import { Customer } from '../customer/customer.entity';
import { Opportunity } from '../opportunity/opportunity.entity';
import { CustomFieldDefinition, CustomFieldEntity, CustomFieldType } from './custom-field.entity';
import { CUSTOM_FIELD_KEY } from './custom-field.filter';
import {
  CustomFieldPayload,
  CustomFieldValue,
  CustomFieldValueInput,
  DefineCustomFieldInput,
  MAX_FIELDS_PER_ENTITY,
  MAX_OPTIONS,
  MAX_TEXT_VALUE,
  MAX_VALUES_PER_CALL,
  SetCustomFieldValuesInput,
  SetCustomFieldValuesPayload,
  UpdateCustomFieldInput,
} from './custom-field.types';

type Path = Array<string | number>;
type Holder = Customer | Contact | Opportunity;
const at = (...f: Array<string | number>): Path => ['input', ...f];
const payload = (field: CustomFieldDefinition | null, errors: UserErrors): CustomFieldPayload => ({ field: errors.any ? null : field, userErrors: errors.list });
const MAX_OPTION_LENGTH = 100;

/** Where each kind of record keeps its values, and who may change them (the owning domain's write, in its row scope). */
const HOLDERS: Record<string, { entity: CustomFieldEntity; cls: { new (): Holder; name: string }; table: string; write: Permission }> = {
  Customer: { entity: CustomFieldEntity.CUSTOMER, cls: Customer, table: 'customers', write: 'customers:write' },
  Contact: { entity: CustomFieldEntity.CONTACT, cls: Contact, table: 'contacts', write: 'customers:write' },
  Opportunity: { entity: CustomFieldEntity.OPPORTUNITY, cls: Opportunity, table: 'opportunities', write: 'opportunities:write' },
};
const TABLE_OF: Record<CustomFieldEntity, string> = { CUSTOMER: 'customers', CONTACT: 'contacts', OPPORTUNITY: 'opportunities' };

/** Definition edits of one entity go one at a time: keys stay unique and the field count bounded. */
const lockEntity = (m: EntityManager, entity: CustomFieldEntity) => m.query(`SELECT pg_advisory_xact_lock(hashtext('custom_field_definitions:' || $1))`, [entity]);

/** A stored value as the API shows it (the member of its type; anything else, from an older definition, is hidden). */
function valueOf(def: CustomFieldDefinition, raw: unknown): CustomFieldValue {
  const v: CustomFieldValue = { key: def.key, label: def.label, type: def.type, text: null, number: null, date: null, choice: null };
  if (def.type === CustomFieldType.NUMBER && typeof raw === 'number') v.number = raw;
  else if (typeof raw === 'string') {
    if (def.type === CustomFieldType.TEXT) v.text = raw;
    else if (def.type === CustomFieldType.CHOICE) v.choice = raw;
    else if (def.type === CustomFieldType.DATE) v.date = raw;
  }
  return v;
}

/**
 * Custom fields: ADMIN-defined typed fields on customers, contacts and opportunities (`customfields:write` to define
 * them), their values kept in each record's `custom_fields` and changed as a write of that record.
 */
export class CustomFieldService {
  constructor(private readonly deps: ServiceDeps) {}

  definitions(entity: CustomFieldEntity | null | undefined, includeDeleted: boolean): Promise<CustomFieldDefinition[]> {
    this.deps.access.require('customfields:read');
    return this.deps.db.getRepository(CustomFieldDefinition).find({
      where: entity ? { entity } : {},
      withDeleted: includeDeleted,
      order: { entity: 'ASC', position: 'ASC', key: 'ASC' },
    });
  }

  /**
   * The live definitions of an entity, loaded once per request for all three entities (one statement however many
   * records ask). Definitions say what the values a caller may already read mean, so reading them needs no more
   * than reading the record.
   */
  private liveDefinitions(entity: CustomFieldEntity): Promise<CustomFieldDefinition[]> {
    const loader = this.deps.loaders.memo('customFieldDefinitions', () =>
      new DataLoader<string, CustomFieldDefinition[]>(async (entities) => {
        const rows = await this.deps.db.getRepository(CustomFieldDefinition).find({ order: { position: 'ASC', key: 'ASC' } });
        return entities.map((e) => rows.filter((r) => r.entity === e));
      }),
    );
    return loader.load(entity);
  }

  /** A record's values, one per live field of its entity (in display order; members null when unset). */
  async valuesOf(entity: CustomFieldEntity, record: { customFields?: Record<string, string | number> | null }): Promise<CustomFieldValue[]> {
    const defs = await this.liveDefinitions(entity);
    const stored = record.customFields ?? {};
    return defs.map((d) => valueOf(d, stored[d.key]));
  }

  async define(input: DefineCustomFieldInput): Promise<CustomFieldPayload> {
    this.deps.access.require('customfields:write');
    const errors = new UserErrors();
    const validKey = !hasNul(input.key) && CUSTOM_FIELD_KEY.test(input.key);
    if (!validKey) {
      errors.add(at('key'), UserErrorCode.INVALID, 'A key is lowercase letters, digits and underscores, starting with a letter, at most 50 characters.');
    }
    const label = requiredText(errors, at('label'), input.label);
    const options = this.validOptions(errors, input.type, input.options ?? [], 'options', []);
    if (input.position != null && !(Number.isInteger(input.position) && input.position >= 0 && input.position <= 100_000)) {
      errors.add(at('position'), UserErrorCode.OUT_OF_RANGE, 'Position must be from 0 to 100000.');
    }
    try {
      return await this.deps.db.transaction(async (m) => {
        await lockEntity(m, input.entity);
        const [{ n, last }]: Array<{ n: number; last: number | null }> = await m.query(
          `SELECT count(*)::int AS n, max(position) AS last FROM custom_field_definitions WHERE entity = $1 AND deleted_at IS NULL`,
          [input.entity],
        );
        if (n >= MAX_FIELDS_PER_ENTITY) errors.add(at('entity'), UserErrorCode.TOO_MANY, `There are already ${MAX_FIELDS_PER_ENTITY} fields on this entity; delete one first.`);
        // A key Postgres cannot hold (NUL) is not looked up: the statement would fail rather than answer.
        const [taken] = validKey ? await m.query(`SELECT 1 FROM custom_field_definitions WHERE entity = $1 AND key = $2 AND deleted_at IS NULL`, [input.entity, input.key]) : [];
        if (taken) errors.add(at('key'), UserErrorCode.TAKEN, `A live ${input.entity.toLowerCase()} field already has the key "${input.key}".`);
        if (errors.any || !label || !options) return payload(null, errors);
        const repo = m.getRepository(CustomFieldDefinition);
        const field = repo.create({ entity: input.entity, key: input.key, label, type: input.type, options, position: input.position ?? (last ?? 0) + 1 });
        await repo.insert(field);
        // Values a deleted field of the same key left behind are not this field's: they go before it can read them.
        await m.query(`UPDATE ${TABLE_OF[input.entity]} SET custom_fields = custom_fields - $1 WHERE custom_fields ? $1`, [input.key]);
        const created = await repo.findOneByOrFail({ id: field.id });
        await recordAudit(m, this.deps, { action: 'customField.define', objectType: 'CustomFieldDefinition', objectId: created.id, after: created });
        return payload(created, errors);
      });
    } catch (e) {
      if (pgCode(e) !== PG_UNIQUE_VIOLATION) throw e;
      errors.add(at('key'), UserErrorCode.TAKEN, `A live ${input.entity.toLowerCase()} field already has the key "${input.key}".`);
      return payload(null, errors);
    }
  }

  async update(input: UpdateCustomFieldInput): Promise<CustomFieldPayload> {
    this.deps.access.require('customfields:write');
    const errors = new UserErrors();
    const id = decodeIdOf('CustomFieldDefinition', input.id);
    if (!id) {
      errors.add(at('id'), UserErrorCode.INVALID_ID, 'Not a valid CustomFieldDefinition ID.');
      return payload(null, errors);
    }
    const label = input.label === undefined ? undefined : requiredText(errors, at('label'), input.label);
    if (input.position === null) errors.add(at('position'), UserErrorCode.REQUIRED, 'Position cannot be cleared.');
    if (input.position != null && !(Number.isInteger(input.position) && input.position >= 0 && input.position <= 100_000)) {
      errors.add(at('position'), UserErrorCode.OUT_OF_RANGE, 'Position must be from 0 to 100000.');
    }
    return this.deps.db.transaction(async (m) => {
      const repo = m.getRepository(CustomFieldDefinition);
      const current = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!current) {
        errors.add(at('id'), UserErrorCode.NOT_FOUND, 'No custom field with this ID.');
        return payload(null, errors);
      }
      if (input.expectedVersion != null && input.expectedVersion !== current.version) {
        errors.add(at('expectedVersion'), UserErrorCode.CONFLICT, `The field changed since you read it (version ${current.version} now); reload and retry.`);
      }
      const added = input.addOptions == null ? [] : this.validOptions(errors, current.type, input.addOptions, 'addOptions', current.options, true);
      if (errors.any || !added) return payload(null, errors);
      const changes: Partial<CustomFieldDefinition> = { version: current.version + 1 };
      if (label !== undefined) changes.label = label;
      if (input.position != null) changes.position = input.position;
      if (added.length) changes.options = [...current.options, ...added];
      await repo.update({ id }, changes);
      const updated = await repo.findOneByOrFail({ id });
      await recordAudit(m, this.deps, { action: 'customField.update', objectType: 'CustomFieldDefinition', objectId: id, before: current, after: updated });
      return payload(updated, errors);
    });
  }

  /** Soft delete: the field disappears from every record and filter; its key can be defined again. */
  async delete(globalId: string): Promise<CustomFieldPayload> {
    this.deps.access.require('customfields:write');
    const errors = new UserErrors();
    const id = decodeIdOf('CustomFieldDefinition', globalId);
    if (!id) {
      errors.add(at('id'), UserErrorCode.INVALID_ID, 'Not a valid CustomFieldDefinition ID.');
      return payload(null, errors);
    }
    return this.deps.db.transaction(async (m) => {
      const repo = m.getRepository(CustomFieldDefinition);
      const current = await repo.findOne({ where: { id }, withDeleted: true, lock: { mode: 'pessimistic_write' } });
      if (!current) errors.add(at('id'), UserErrorCode.NOT_FOUND, 'No custom field with this ID.');
      else if (current.deletedAt) errors.add(at('id'), UserErrorCode.ALREADY_DELETED, 'This field is already deleted.');
      if (errors.any || !current) return payload(null, errors);
      await repo.update({ id }, { deletedAt: new Date(), version: current.version + 1 });
      const deleted = await repo.findOneOrFail({ where: { id }, withDeleted: true });
      await recordAudit(m, this.deps, { action: 'customField.delete', objectType: 'CustomFieldDefinition', objectId: id, before: current, after: deleted });
      return payload(deleted, errors);
    });
  }

  /** Sets and clears values on one record, each checked against its field, in one transaction with the record locked. */
  async setValues(input: SetCustomFieldValuesInput): Promise<SetCustomFieldValuesPayload> {
    const errors = new UserErrors();
    const fail = (): SetCustomFieldValuesPayload => ({ record: null, userErrors: errors.list });
    const decoded = fromGlobalId(input.id);
    const holder = decoded ? HOLDERS[decoded.type] : undefined;
    if (!decoded || !holder) {
      errors.add(at('id'), UserErrorCode.INVALID_ID, 'Not a valid Customer, Contact or Opportunity ID.');
      return fail();
    }
    this.deps.access.require(holder.write);
    if (input.values.length > MAX_VALUES_PER_CALL) {
      errors.add(at('values'), UserErrorCode.TOO_MANY, `At most ${MAX_VALUES_PER_CALL} values per call.`);
      return fail();
    }
    return this.deps.db.transaction(async (m) => {
      const current = await findInScope<Holder>(m, holder.cls, decoded.id, this.deps.access.rowCondition(holder.table), { lock: true });
      if (!current) {
        errors.add(at('id'), UserErrorCode.NOT_FOUND, `No ${decoded.type.toLowerCase()} with this ID.`);
        return fail();
      }
      if (input.expectedVersion != null && input.expectedVersion !== current.version) {
        errors.add(at('expectedVersion'), UserErrorCode.CONFLICT, `The record changed since you read it (version ${current.version} now); reload and retry.`);
        return fail();
      }
      const defs = await m.getRepository(CustomFieldDefinition).find({ where: { entity: holder.entity } });
      const byKey = new Map(defs.map((d) => [d.key, d]));
      const before = current.customFields ?? {};
      const next: Record<string, string | number> = { ...before };
      const seen = new Set<string>();
      input.values.forEach((v, i) => {
        if (seen.has(v.key)) {
          errors.add(at('values', i, 'key'), UserErrorCode.INVALID, `The key "${v.key}" is given twice.`);
          return;
        }
        seen.add(v.key);
        const def = byKey.get(v.key);
        if (!def) {
          errors.add(at('values', i, 'key'), UserErrorCode.NOT_FOUND, `No live ${holder.entity.toLowerCase()} field has the key "${v.key}".`);
          return;
        }
        const value = this.validValue(errors, at('values', i), def, v);
        if (value === undefined) return;
        if (value === null) delete next[def.key];
        else next[def.key] = value;
      });
      if (errors.any) return fail();
      const repo = m.getRepository(holder.cls);
      await repo.update({ id: current.id }, { customFields: next, version: current.version + 1 } as never);
      const updated = await repo.findOneByOrFail({ id: current.id } as never);
      await recordAudit(m, this.deps, {
        action: `${decoded.type.charAt(0).toLowerCase()}${decoded.type.slice(1)}.setCustomFields`,
        objectType: decoded.type,
        objectId: current.id,
        before: { customFields: before, version: current.version },
        after: { customFields: next, version: updated.version },
      });
      return { record: updated as never, userErrors: [] };
    });
  }

  /** The stored form of one input value: a value, null to clear, or undefined after recording an error. */
  private validValue(errors: UserErrors, path: Path, def: CustomFieldDefinition, v: CustomFieldValueInput): string | number | null | undefined {
    const member = { TEXT: 'text', NUMBER: 'number', DATE: 'date', CHOICE: 'choice' }[def.type] as 'text' | 'number' | 'date' | 'choice';
    const others = (['text', 'number', 'date', 'choice'] as const).filter((k) => k !== member && v[k] != null);
    if (others.length) {
      errors.add([...path, others[0]], UserErrorCode.INVALID, `"${def.key}" is a ${def.type} field: set \`${member}\` (or nothing, to clear it).`);
      return undefined;
    }
    const raw = v[member];
    if (raw == null) return null;
    switch (def.type) {
      case CustomFieldType.TEXT:
        return optionalText(errors, [...path, 'text'], raw as string, MAX_TEXT_VALUE);
      case CustomFieldType.NUMBER:
        if (typeof raw !== 'number' || !Number.isFinite(raw)) {
          errors.add([...path, 'number'], UserErrorCode.OUT_OF_RANGE, 'Must be a finite number.');
          return undefined;
        }
        return raw;
      case CustomFieldType.DATE: {
        const t = raw instanceof Date ? raw.getTime() : NaN;
        const iso = Number.isFinite(t) ? new Date(t).toISOString() : '';
        if (!/^\d{4}-\d{2}-\d{2}T/.test(iso)) {
          errors.add([...path, 'date'], UserErrorCode.OUT_OF_RANGE, 'Must be a calendar date from the year 0001 to 9999.');
          return undefined;
        }
        return iso.slice(0, 10);
      }
      case CustomFieldType.CHOICE: {
        const choice = raw as string;
        if (hasNul(choice)) {
          errors.add([...path, 'choice'], UserErrorCode.INVALID, NUL_MESSAGE);
          return undefined;
        }
        if (!def.options.includes(choice)) {
          errors.add([...path, 'choice'], UserErrorCode.INVALID, `Must be one of the options of "${def.key}": ${def.options.join(', ')}.`);
          return undefined;
        }
        return choice;
      }
    }
  }

  /** Options of a CHOICE field (new ones, beside `existing`): trimmed, distinct, bounded; none for other types. */
  private validOptions(errors: UserErrors, type: CustomFieldType, values: string[], name: string, existing: string[], adding = false): string[] | undefined {
    if (type !== CustomFieldType.CHOICE) {
      if (values.length) errors.add(at(name), UserErrorCode.INVALID, `Only CHOICE fields have options; this is a ${type} field.`);
      return values.length ? undefined : [];
    }
    if (!adding && !values.length) {
      errors.add(at(name), UserErrorCode.REQUIRED, 'A CHOICE field needs at least one option.');
      return undefined;
    }
    if (existing.length + values.length > MAX_OPTIONS) {
      errors.add(at(name), UserErrorCode.TOO_MANY, `A field has at most ${MAX_OPTIONS} options.`);
      return undefined;
    }
    const out: string[] = [];
    const before = errors.list.length;
    values.forEach((raw, i) => {
      const option = requiredText(errors, at(name, i), raw, MAX_OPTION_LENGTH);
      if (option === undefined) return;
      if (existing.includes(option) || out.includes(option)) errors.add(at(name, i), UserErrorCode.TAKEN, `"${option}" is already an option.`);
      else out.push(option);
    });
    return errors.list.length > before ? undefined : out;
  }
}
