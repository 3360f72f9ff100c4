import type { EntityManager } from 'typeorm';
import type { Connection } from '../common/connection.types';
import { UserErrorCode, UserErrors } from '../common/errors';
import { decodeIdOf } from '../common/ids';
import type { ListArgs } from '../common/list-query';
import { setDeleted } from '../common/soft-delete';
import { defined, optionalEmail, optionalPhone, optionalText, pastDate, requiredText } from '../common/validate';
import { Customer, CustomerKind } from '../customer/customer.entity';
import { recordAudit } from '../core/audit';
import type { ServiceDeps } from '../core/request-scope';
import { findInScope } from '../common/scoped';
import { Contact, ContactRelationship } from './contact.entity';
import { contactList } from './contact.loaders';
import type { PageReads } from '../core/loaders';
import type { ContactFields, ContactPayload, CreateContactInput, UpdateContactInput } from './contact.types';
import { customFieldListArgs } from '../customfield/custom-field.lists';
import { CustomFieldEntity } from '../customfield/custom-field.entity';

const payload = (contact: Contact | null, errors: UserErrors): ContactPayload => ({ contact: errors.any ? null : contact, userErrors: errors.list });

/*
 * One primary contact per customer (a partial unique index). Every change that can make a contact
 * primary first locks the customer row, always before any contact row: concurrent switches then queue
 * up instead of tripping the index or deadlocking on each other's contacts.
 */

async function lockCustomerOfContact(m: EntityManager, contactId: string): Promise<void> {
  await m.query('SELECT 1 FROM customers WHERE id = (SELECT customer_id FROM contacts WHERE id = $1) FOR NO KEY UPDATE', [contactId]);
}

async function unmarkPrimary(m: EntityManager, customerId: string): Promise<void> {
  await m
    .createQueryBuilder()
    .update(Contact)
    .set({ isPrimary: false, version: () => 'version + 1' })
    .where('customer_id = :customerId AND is_primary AND deleted_at IS NULL', { customerId })
    .execute();
}

export class ContactService {
  constructor(private readonly deps: ServiceDeps) {}

  async list(args: ListArgs): Promise<Connection<Contact>> {
    return this.deps.loaders.list(contactList, await customFieldListArgs(this.deps, CustomFieldEntity.CONTACT, args));
  }

  /** A customer's contacts; `reads.withCount`: the query shows their totalCount, read with a first page. */
  async ofCustomer(customerId: string, args: ListArgs, reads: PageReads<Contact> = {}): Promise<Connection<Contact>> {
    return this.deps.loaders.pageByParent(contactList, 'customer_id', await customFieldListArgs(this.deps, CustomFieldEntity.CONTACT, args), reads).load(customerId);
  }

  async create(input: CreateContactInput): Promise<ContactPayload> {
    this.deps.access.require('customers:write');
    const errors = new UserErrors();
    const customerId = decodeIdOf('Customer', input.customerId);
    if (!customerId) errors.add(['input', 'customerId'], UserErrorCode.INVALID_ID, 'Not a valid Customer ID.');
    const name = requiredText(errors, ['input', 'name'], input.name);
    const fields = this.validateFields(errors, input);
    if (!customerId) return payload(null, errors);
    return this.deps.db.transaction(async (m) => {
      const customer = await m
        .getRepository(Customer)
        .createQueryBuilder('a')
        .where('a.id = :customerId', { customerId })
        .andWhere(this.deps.access.rowCondition('customers') ?? 'TRUE')
        .setLock('for_no_key_update', undefined, ['a'])
        .getOne();
      if (!customer) errors.add(['input', 'customerId'], UserErrorCode.NOT_FOUND, 'No customer with this ID.');
      if (errors.any || !customer) return payload(null, errors);
      if (input.isPrimary) await unmarkPrimary(m, customerId);
      const repo = m.getRepository(Contact);
      const contact = repo.create({
        customerId,
        name,
        relationship: input.relationship ?? (customer.kind === CustomerKind.COMPANY ? ContactRelationship.EMPLOYEE : ContactRelationship.OTHER),
        isPrimary: input.isPrimary,
        ...fields,
      });
      await repo.insert(contact);
      const created = await repo.findOneByOrFail({ id: contact.id });
      await recordAudit(m, this.deps, { action: 'contact.create', objectType: 'Contact', objectId: created.id, after: created });
      return payload(created, errors);
    });
  }

  async update(input: UpdateContactInput): Promise<ContactPayload> {
    this.deps.access.require('customers:write');
    const errors = new UserErrors();
    const id = decodeIdOf('Contact', input.id);
    if (!id) {
      errors.add(['input', 'id'], UserErrorCode.INVALID_ID, 'Not a valid Contact ID.');
      return payload(null, errors);
    }
    const name = input.name === undefined ? undefined : requiredText(errors, ['input', 'name'], input.name);
    if (input.relationship === null) errors.add(['input', 'relationship'], UserErrorCode.REQUIRED, 'Relationship cannot be cleared.');
    if (input.isPrimary === null) errors.add(['input', 'isPrimary'], UserErrorCode.REQUIRED, 'Pass true or false.');
    const fields = this.validateFields(errors, input);
    return this.deps.db.transaction(async (m) => {
      if (input.isPrimary) await lockCustomerOfContact(m, id);
      const repo = m.getRepository(Contact);
      const current = await findInScope(m, Contact, id, this.scope, { lock: true });
      if (!current) {
        errors.add(['input', 'id'], UserErrorCode.NOT_FOUND, 'No contact with this ID.');
        return payload(null, errors);
      }
      if (input.expectedVersion != null && input.expectedVersion !== current.version) {
        errors.add(['input', 'expectedVersion'], UserErrorCode.CONFLICT, `The contact changed since you read it (version ${current.version}, you sent ${input.expectedVersion}).`);
        return payload(null, errors);
      }
      if (errors.any) return payload(null, errors);
      if (input.isPrimary && !current.isPrimary) await unmarkPrimary(m, current.customerId);
      await repo.update({ id }, { ...defined({ name, relationship: input.relationship ?? undefined, isPrimary: input.isPrimary ?? undefined }), ...fields, version: current.version + 1 });
      const updated = await repo.findOneByOrFail({ id });
      await recordAudit(m, this.deps, { action: 'contact.update', objectType: 'Contact', objectId: id, before: current, after: updated });
      return payload(updated, errors);
    });
  }

  async delete(globalId: string): Promise<ContactPayload> {
    return this.setDeleted(globalId, true);
  }

  async restore(globalId: string): Promise<ContactPayload> {
    return this.setDeleted(globalId, false);
  }

  /**
   * A deleted contact keeps its primary flag so that an undo restores it as it was, unless the
   * customer has chosen another primary contact in the meantime: that later choice wins.
   */
  private async setDeleted(globalId: string, deleted: boolean): Promise<ContactPayload> {
    this.deps.access.require('customers:write');
    const errors = new UserErrors();
    const id = decodeIdOf('Contact', globalId);
    if (!id) {
      errors.add(['input', 'id'], UserErrorCode.INVALID_ID, 'Not a valid Contact ID.');
      return payload(null, errors);
    }
    return this.deps.db.transaction(async (m) => {
      let contact: Contact | null;
      if (deleted) contact = await setDeleted(m, errors, Contact, 'contact', id, true, this.deps, { scope: this.scope });
      else {
        await lockCustomerOfContact(m, id);
        const keepPrimary = () =>
          'is_primary AND NOT EXISTS (SELECT 1 FROM contacts other WHERE other.customer_id = contacts.customer_id ' +
          'AND other.is_primary AND other.deleted_at IS NULL AND other.id <> contacts.id)';
        contact = await setDeleted(m, errors, Contact, 'contact', id, false, this.deps, { extra: { isPrimary: keepPrimary }, scope: this.scope });
      }
      return payload(contact, errors);
    });
  }

  /** The contacts the caller may change: those of customers in their book. */
  private get scope(): string | null {
    return this.deps.access.rowCondition('contacts');
  }

  /** Validates the optional fields shared by create and update; returns the columns to write. */
  private validateFields(errors: UserErrors, input: ContactFields): Partial<Contact> {
    const at = (f: string) => ['input', f];
    return defined({
      title: optionalText(errors, at('title'), input.title),
      email: optionalEmail(errors, at('email'), input.email),
      phone: optionalPhone(errors, at('phone'), input.phone),
      birthday: pastDate(errors, at('birthday'), input.birthday),
      notes: optionalText(errors, at('notes'), input.notes, 10_000),
    });
  }
}
