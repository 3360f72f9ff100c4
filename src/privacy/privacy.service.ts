import type { EntityManager } from 'typeorm';
import { badInput, UserErrorCode, UserErrors } from '../common/errors';
import { decodeIdOf } from '../common/ids';
import { findInScope } from '../common/scoped';
import { Contact } from '../contact/contact.entity';
import { recordAudit } from '../core/audit';
import { maskRecord, PII_PROPERTIES } from '../core/masking';
import type { ServiceDeps } from '../core/request-scope';
import { Customer } from '../customer/customer.entity';
import { CustomFieldEntity } from '../customfield/custom-field.entity';
import { readableCustomFieldKeys, withholdCustomValues } from '../customfield/custom-field.lists';
import { LifecycleTransition } from '../lifecycle/lifecycle-transition.entity';
import { Order, OrderLine } from '../order/order.entity';
import { Complaint, ComplaintTransition } from '../complaint/complaint.entity';
import { LoyaltyAccount, PointsTransaction } from '../loyalty/loyalty.entity';
import { Opportunity } from '../opportunity/opportunity.entity';
import { Task } from '../task/task.entity';
import { Touchpoint } from '../touchpoint/touchpoint.entity';
import type { EraseCustomerPayload } from './privacy.types';

const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
/** What an erased value reads as in the audit log. */
const ERASED = '[erased]';
/** Fields of a customer, contact, opportunity or complaint that identify a person or may carry free text about them, besides PII_PROPERTIES. */
const IDENTIFYING = new Set(['name', 'externalRef', 'gender', 'incomeBand', 'personality', 'interests', 'tags', 'title', 'subject', 'addressCity', 'city', 'source', 'lostReason', 'description', 'feedbackComment', 'customFields']);

/**
 * Privacy requests (GDPR articles 15 and 17): everything held about one customer as one document,
 * and erasure of their personal data that keeps their orders as anonymous records, so revenue
 * analytics stay right.
 */
export class PrivacyService {
  constructor(private readonly deps: ServiceDeps) {}

  async exportCustomerData(globalId: string): Promise<Record<string, unknown> | null> {
    this.deps.access.require('customers:read');
    const id = decodeIdOf('Customer', globalId);
    if (!id) throw badInput('`id` is not a valid Customer ID.', { field: 'id' });
    return this.deps.db.transaction('REPEATABLE READ', async (m) => {
      const customer = await findInScope(m, Customer, id, this.deps.access.rowCondition('customers'), { withDeleted: true });
      if (!customer) return null;
      // A credential gets the parts of the record it may read; the rest is named as withheld.
      const mayReadOrders = this.deps.access.can('orders:read');
      const mayReadTouchpoints = this.deps.access.can('touchpoints:read');
      const mayReadOpportunities = this.deps.access.can('opportunities:read');
      const mayReadLoyalty = this.deps.access.can('loyalty:read');
      // One after another: a transaction is one connection, which runs one statement at a time anyway (pg 9 refuses
      // queries sent to a busy client).
      const contacts = await m.getRepository(Contact).find({ where: { customerId: id }, withDeleted: true, order: { createdAt: 'ASC' } });
      const orders = mayReadOrders ? await m.getRepository(Order).find({ where: { customerId: id }, withDeleted: true, order: { placedAt: 'ASC' } }) : [];
      const lines = mayReadOrders ? await m.getRepository(OrderLine).find({ where: { customerId: id }, order: { position: 'ASC' } }) : [];
      const touchpoints = mayReadTouchpoints ? await m.getRepository(Touchpoint).find({ where: { customerId: id }, withDeleted: true, order: { occurredAt: 'ASC' } }) : [];
      const history = await m.getRepository(LifecycleTransition).find({ where: { customerId: id }, order: { at: 'ASC' } });
      // Opportunities as the caller may see them (a sales rep: the ones they own).
      const opportunities = mayReadOpportunities
        ? await m
            .getRepository(Opportunity)
            .createQueryBuilder('a')
            .withDeleted()
            .where('a.customer_id = :id', { id })
            .andWhere(this.deps.access.rowCondition('opportunities') ?? 'TRUE')
            .orderBy('a.created_at', 'ASC')
            .getMany()
        : [];
      // Complaints (with their transitions) and tasks are touchpoint data; tasks as the caller may see them.
      const complaints = mayReadTouchpoints ? await m.getRepository(Complaint).find({ where: { customerId: id }, order: { openedAt: 'ASC' } }) : [];
      const transitions = mayReadTouchpoints && complaints.length ? await m.getRepository(ComplaintTransition).find({ where: { customerId: id }, order: { at: 'ASC' } }) : [];
      const tasks = mayReadTouchpoints
        ? await m
            .getRepository(Task)
            .createQueryBuilder('a')
            .where('a.customer_id = :id', { id })
            .andWhere(this.deps.access.rowCondition('tasks') ?? 'TRUE')
            .orderBy('a.due_at', 'ASC')
            .getMany()
        : [];
      const account = mayReadLoyalty ? await m.getRepository(LoyaltyAccount).findOneBy({ customerId: id }) : null;
      const ledger = account ? await m.getRepository(PointsTransaction).find({ where: { accountId: account.id }, order: { at: 'ASC', createdAt: 'ASC' } }) : [];
      const linesByOrder = new Map<string, OrderLine[]>();
      for (const l of lines) linesByOrder.set(l.orderId, [...(linesByOrder.get(l.orderId) ?? []), l]);
      // Custom values go out with their records; a masked caller gets only those of live fields that are not personal.
      const readable = this.deps.access.masksPii ? await readableCustomFieldKeys(m) : null;
      const show = (record: object, entity?: CustomFieldEntity) => {
        if (!this.deps.access.masksPii) return plain(record);
        const out = maskRecord(plain(record));
        if (entity && out.customFields) out.customFields = withholdCustomValues(out.customFields as Record<string, unknown>, readable!.get(entity));
        return out;
      };
      const document = {
        exportedAt: new Date().toISOString(),
        customer: { ...show(customer, CustomFieldEntity.CUSTOMER), id: customer.globalId },
        contacts: contacts.map((c) => ({ ...show(c, CustomFieldEntity.CONTACT), id: c.globalId })),
        orders: mayReadOrders ? orders.map((o) => ({ ...show(o), id: o.globalId, lines: (linesByOrder.get(o.id) ?? []).map((l) => show(l)) })) : null,
        touchpoints: mayReadTouchpoints ? touchpoints.map((t) => ({ ...show(t), id: t.globalId })) : null,
        opportunities: mayReadOpportunities ? opportunities.map((o) => ({ ...show(o, CustomFieldEntity.OPPORTUNITY), id: o.globalId })) : null,
        complaints: mayReadTouchpoints
          ? complaints.map((k) => ({ ...show(k), id: k.globalId, transitions: transitions.filter((t) => t.complaintId === k.id).map((t) => show(t)) }))
          : null,
        tasks: mayReadTouchpoints ? tasks.map((t) => ({ ...show(t), id: t.globalId })) : null,
        lifecycleHistory: history.map((t) => show(t)),
        // The loyalty membership with its whole points ledger (null when not enrolled).
        loyalty: mayReadLoyalty && account ? { ...show(account), id: account.globalId, transactions: ledger.map((t) => ({ ...show(t), id: t.globalId })) } : null,
        withheld: [
          ...(mayReadOrders ? [] : ['orders']),
          ...(mayReadTouchpoints ? [] : ['touchpoints']),
          ...(mayReadOpportunities ? [] : ['opportunities']),
          ...(mayReadLoyalty ? [] : ['loyalty']),
        ],
      };
      // Handing out a person's data is itself worth a line in the audit log.
      await recordAudit(m, this.deps, { action: 'customer.export', objectType: 'Customer', objectId: id });
      return document;
    });
  }

  async eraseCustomer(globalId: string): Promise<EraseCustomerPayload> {
    this.deps.access.require('privacy:write');
    const errors = new UserErrors();
    const id = decodeIdOf('Customer', globalId);
    if (!id) {
      errors.add(['input', 'id'], UserErrorCode.INVALID_ID, 'Not a valid Customer ID.');
      return { customer: null, erased: [], userErrors: errors.list };
    }
    return this.deps.db.transaction(async (m) => {
      const current = await findInScope(m, Customer, id, this.deps.access.rowCondition('customers'), { withDeleted: true, lock: true });
      if (!current) errors.add(['input', 'id'], UserErrorCode.NOT_FOUND, 'No customer with this ID.');
      else if (current.erasedAt) errors.add(['input', 'id'], UserErrorCode.ALREADY_DELETED, 'This customer’s personal data was already erased.');
      if (errors.any || !current) return { customer: null, erased: [], userErrors: errors.list };
      const erased = await this.erase(m, id);
      const customer = await m.getRepository(Customer).findOneOrFail({ where: { id }, withDeleted: true });
      await recordAudit(m, this.deps, { action: 'customer.erase', objectType: 'Customer', objectId: id, before: { erasedAt: null }, after: { erasedAt: customer.erasedAt, erased } });
      return { customer, erased, userErrors: [] };
    });
  }

  private async erase(m: EntityManager, id: string): Promise<string[]> {
    await m.query(
      `UPDATE customers SET name = 'Erased customer', external_ref = NULL, email = NULL, phone = NULL,
              address_line1 = NULL, address_line2 = NULL, address_postal_code = NULL, address_city = NULL,
              birthday = NULL, gender = NULL, income_band = NULL, personality = NULL, interests = '{}', tags = '{}', notes = NULL,
              consent_email_granted = false, consent_sms_granted = false, consent_phone_granted = false, consent_mail_granted = false,
              consent_email_at = now(), consent_sms_at = now(), consent_phone_at = now(), consent_mail_at = now(),
              custom_fields = '{}', erased_at = now(), version = version + 1, updated_at = now()
        WHERE id = $1`,
      [id],
    );
    const touchpoints: Array<{ id: string }> = await m.query(
      // As SELECTs (through CTEs): TypeORM answers a bare UPDATE/DELETE … RETURNING as [rows, count].
      `WITH t AS (UPDATE touchpoints SET subject = NULL, notes = NULL, contact_id = NULL, version = version + 1, updated_at = now() WHERE customer_id = $1 RETURNING id) SELECT id FROM t`,
      [id],
    );
    // Opportunities stay (the pipeline's figures are the business's), without their free text or contact; names often
    // carry the customer's, so they become neutral. Before the contacts go: an opportunity may point at one.
    const opportunities: Array<{ id: string }> = await m.query(
      // Their custom values stay too, except those of personal fields.
      `WITH o AS (UPDATE opportunities SET name = 'Opportunity (customer erased)', next_step = NULL, lost_reason = NULL, source = NULL, contact_id = NULL,
                  custom_fields = custom_fields - coalesce((SELECT array_agg(d.key) FROM custom_field_definitions d WHERE d.entity = 'OPPORTUNITY' AND d.personal), '{}'::text[]),
                  version = version + 1, updated_at = now() WHERE customer_id = $1 RETURNING id) SELECT id FROM o`,
      [id],
    );
    // A complaint keeps its handling (status, times, compensation) for the statistics, not what the customer said.
    const complaints: Array<{ id: string }> = await m.query(
      `WITH k AS (UPDATE complaints SET subject = '[erased]', description = NULL, feedback_comment = NULL, contact_id = NULL, version = version + 1, updated_at = now()
                   WHERE customer_id = $1 RETURNING id) SELECT id FROM k`,
      [id],
    );
    // Tasks keep their dates and kinds (the book's history), not what was written about the person.
    const tasks: Array<{ id: string }> = await m.query(
      `WITH t AS (UPDATE tasks SET subject = 'Erased', notes = NULL, contact_id = NULL, version = version + 1, updated_at = now() WHERE customer_id = $1 RETURNING id) SELECT id FROM t`,
      [id],
    );
    // Survey answers keep their scores and choices (the satisfaction figures are the business's), not what was written.
    const answers: Array<{ id: string }> = await m.query(
      `WITH a AS (UPDATE survey_answers SET text_value = NULL WHERE customer_id = $1 AND text_value IS NOT NULL RETURNING id) SELECT id FROM a`,
      [id],
    );
    const contacts: Array<{ id: string }> = await m.query(`WITH k AS (DELETE FROM contacts WHERE customer_id = $1 RETURNING id) SELECT id FROM k`, [id]);
    // Earlier audit entries must not keep what was erased: their personal values become "[erased]".
    const objectIds = [id, ...contacts.map((c) => c.id), ...touchpoints.map((t) => t.id), ...opportunities.map((o) => o.id), ...complaints.map((k) => k.id), ...tasks.map((t) => t.id)];
    const events: Array<{ id: string; changes: Record<string, { before: unknown; after: unknown }> }> = await m.query(
      `SELECT id, changes FROM audit_events WHERE object_id = ANY($1::uuid[])`,
      [objectIds],
    );
    const scrub = (key: string, value: unknown): unknown => {
      if (value === null || value === undefined) return value;
      if (PII_PROPERTIES[key] || IDENTIFYING.has(key)) return ERASED;
      if (key === 'address' && typeof value === 'object') return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, k === 'country' || k === 'region' ? v : v === null ? null : ERASED]));
      return value;
    };
    const scrubbed = events.map((e) => ({
      id: e.id,
      changes: Object.fromEntries(Object.entries(e.changes).map(([k, c]) => [k, { before: scrub(k, c.before), after: scrub(k, c.after) }])),
    }));
    if (scrubbed.length) {
      await m.query(`UPDATE audit_events a SET changes = u.changes FROM unnest($1::uuid[], $2::jsonb[]) AS u(id, changes) WHERE a.id = u.id`, [
        scrubbed.map((e) => e.id),
        scrubbed.map((e) => JSON.stringify(e.changes)),
      ]);
    }
    return [
      'customer: name, external reference, email, phone, street address, postal code, city, birthday, gender, income band, personality, interests, tags, notes, custom field values, marketing consents',
      `contacts (${contacts.length})`,
      `touchpoint subjects and notes (${touchpoints.length})`,
      `opportunity names, next steps, lost reasons, sources, contacts and personal custom values (${opportunities.length})`,
      `complaint subjects, descriptions and feedback comments (${complaints.length})`,
      ...(tasks.length ? [`task subjects and notes (${tasks.length})`] : []),
      ...(answers.length ? [`survey free-text answers (${answers.length})`] : []),
      `audit entries scrubbed (${scrubbed.length})`,
    ];
  }
}
