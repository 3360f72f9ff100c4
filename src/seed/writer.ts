import type { QueryRunner } from 'typeorm';
import { currencyExponent } from '../common/money';
import { arrayLiteral, bool, CopyChunk, CopyTable, plain, text, time } from '../db/copy';
import { TransitionCopy } from '../lifecycle/transition-copy';
import { CustomerHistory, minorToDecimal, ProductRow, StaffRow } from './generator';

/** Stage keys → ids, from the seeded lifecycle_stages table; locked against deletion, as a foreign-key check would. */
export async function stageIds(runner: QueryRunner): Promise<Map<string, string>> {
  const rows: Array<{ id: string; key: string }> = await runner.query('SELECT id, key FROM lifecycle_stages FOR KEY SHARE');
  return new Map(rows.map((r) => [r.key, r.id]));
}

/** Turns generated rows into COPY text for every table; take() hands a batch out in foreign-key order. */
export class SeedWriter {
  readonly users = new CopyTable('users', ['id', 'name', 'email', 'role', 'manager_id', 'created_at', 'updated_at']);
  readonly products = new CopyTable('products', ['id', 'sku', 'name', 'category', 'unit_price', 'unit_cost', 'currency', 'active', 'created_at', 'updated_at']);
  readonly customers = new CopyTable('customers', [
    'id', 'kind', 'name', 'external_ref', 'email', 'phone', 'address_line1', 'address_city', 'address_region', 'address_postal_code',
    'address_country', 'birthday', 'gender', 'income_band', 'region', 'personality', 'interests', 'tags', 'acquisition_channel',
    'referred_by_id', 'owner_id', 'lifecycle_stage_id', 'consent_email_granted', 'consent_email_at', 'consent_sms_granted',
    'consent_sms_at', 'consent_phone_granted', 'consent_phone_at', 'consent_mail_granted', 'consent_mail_at', 'created_at',
    'updated_at', 'version',
  ]);
  readonly contacts = new CopyTable('contacts', ['id', 'customer_id', 'name', 'title', 'relationship', 'email', 'phone', 'birthday', 'is_primary', 'created_at', 'updated_at']);
  readonly orders = new CopyTable('orders', [
    'id', 'customer_id', 'placed_at', 'status', 'channel', 'currency', 'base_currency', 'rate_to_base', 'subtotal_amount',
    'discount_amount', 'total_amount', 'cost_amount', 'total_base', 'cost_base', 'created_at', 'updated_at',
  ]);
  readonly orderLines = new CopyTable('order_lines', [
    'id', 'order_id', 'customer_id', 'product_id', 'position', 'description', 'quantity', 'currency', 'unit_price_amount',
    'unit_cost_amount', 'discount_amount', 'total_amount', 'created_at', 'updated_at',
  ]);
  readonly touchpoints = new CopyTable('touchpoints', [
    'id', 'customer_id', 'contact_id', 'user_id', 'order_id', 'channel', 'direction', 'purpose', 'occurred_at', 'subject', 'notes',
    'satisfaction', 'nps', 'created_at', 'updated_at',
  ]);
  readonly transitions = new TransitionCopy();
  readonly complaints = new CopyTable('complaints', [
    'id', 'customer_id', 'touchpoint_id', 'contact_id', 'order_id', 'assignee_id', 'channel', 'category', 'severity', 'status', 'subject',
    'opened_at', 'first_response_due_at', 'resolution_due_at', 'first_response_at', 'resolved_at', 'closed_at', 'resolution', 'root_cause',
    'compensation_kind', 'compensation_amount', 'compensation_currency', 'customer_satisfied', 'feedback_at', 'created_at', 'updated_at',
  ]);
  readonly complaintTransitions = new CopyTable('complaint_transitions', ['complaint_id', 'customer_id', 'from_status', 'to_status', 'at', 'actor', 'created_at', 'updated_at']);

  /** In foreign-key order: a table comes after the tables it references. */
  private readonly tables = [this.users, this.products, this.customers, this.contacts, this.orders, this.orderLines, this.touchpoints, this.transitions, this.complaints, this.complaintTransitions];

  constructor(private readonly stages: Map<string, string>, private readonly baseCurrency: string) {}

  addStaff(s: StaffRow): void {
    this.users.add([s.id, s.name, s.email, s.role, s.managerId, s.createdAt, s.createdAt]);
  }

  addProduct(p: ProductRow): void {
    const exponent = currencyExponent(this.baseCurrency);
    this.products.add([p.id, p.sku, p.name, p.category, minorToDecimal(p.price, exponent), minorToDecimal(p.cost, exponent), this.baseCurrency, true, p.createdAt, p.createdAt]);
  }

  /** Hand-written lines per table: the generic add() costs too much for millions of rows. */
  addHistory(h: CustomerHistory): void {
    const c = h.customer;
    this.customers.addLine(
      `${c.id}\t${c.kind}\t${text(c.name)}\t${text(c.externalRef)}\t${text(c.email)}\t${plain(c.phone)}\t${text(c.addressLine1)}\t` +
        `${text(c.addressCity)}\t${text(c.addressRegion)}\t${text(c.addressPostalCode)}\t${plain(c.addressCountry)}\t${plain(c.birthday)}\t` +
        `${plain(c.gender)}\t${plain(c.incomeBand)}\t${text(c.region)}\t${plain(c.personality)}\t${text(arrayLiteral(c.interests))}\t` +
        `${text(arrayLiteral(c.tags))}\t${text(c.acquisitionChannel)}\t${plain(c.referredById)}\t${plain(c.ownerId)}\t${this.stage(c.stage)}\t` +
        `${bool(c.consentEmail.granted)}\t${time(c.consentEmail.at)}\t${bool(c.consentSms.granted)}\t${time(c.consentSms.at)}\t` +
        `${bool(c.consentPhone.granted)}\t${time(c.consentPhone.at)}\t${bool(c.consentMail.granted)}\t${time(c.consentMail.at)}\t` +
        `${time(c.createdAt)}\t${time(c.updatedAt)}\t${c.version}`,
    );
    for (const k of h.contacts) {
      const at = time(k.createdAt);
      this.contacts.addLine(`${k.id}\t${k.customerId}\t${text(k.name)}\t${text(k.title)}\t${k.relationship}\t${text(k.email)}\t${plain(k.phone)}\t${plain(k.birthday)}\t${bool(k.isPrimary)}\t${at}\t${at}`);
    }
    for (const o of h.orders) {
      const placed = time(o.placedAt);
      this.orders.addLine(
        `${o.id}\t${o.customerId}\t${placed}\t${o.status}\t${o.channel}\t${o.currency}\t${o.baseCurrency}\t${o.rateToBase}\t${o.subtotal}\t` +
          `${o.discount}\t${o.total}\t${o.cost}\t${o.totalBase}\t${o.costBase}\t${placed}\t${time(o.updatedAt)}`,
      );
      for (const l of o.lines) {
        this.orderLines.addLine(
          `${l.id}\t${o.id}\t${o.customerId}\t${l.productId}\t${l.position}\t${text(l.description)}\t${l.quantity}\t${o.currency}\t` +
            `${l.unitPrice}\t${l.unitCost}\t${l.discount}\t${l.total}\t${placed}\t${placed}`,
        );
      }
    }
    for (const t of h.touchpoints) {
      const occurred = time(t.occurredAt);
      this.touchpoints.addLine(
        `${t.id}\t${t.customerId}\t${plain(t.contactId)}\t${plain(t.userId)}\t${plain(t.orderId)}\t${t.channel}\t${t.direction}\t${t.purpose}\t` +
          `${occurred}\t${text(t.subject)}\t${text(t.notes)}\t${plain(t.satisfaction)}\t${plain(t.nps)}\t${occurred}\t${t.resolvedAt ? time(t.resolvedAt) : occurred}`,
      );
    }
    for (const k of h.complaints) {
      const last = k.transitions[k.transitions.length - 1].at;
      this.complaints.add([
        k.id, k.customerId, k.touchpointId, k.contactId, k.orderId, k.assigneeId, k.channel, k.category, k.severity, k.status, k.subject,
        k.openedAt, k.firstResponseDueAt, k.resolutionDueAt, k.firstResponseAt, k.resolvedAt, k.closedAt, k.resolution, k.rootCause,
        k.compensation?.kind ?? null, k.compensation?.amount ?? null, k.compensation ? this.baseCurrency : null, k.satisfied, k.feedbackAt,
        k.openedAt, k.feedbackAt && k.feedbackAt > last ? k.feedbackAt : last,
      ]);
      for (const x of k.transitions) this.complaintTransitions.add([k.id, k.customerId, x.from, x.to, x.at, 'seed', x.at, x.at]);
    }
    for (const t of h.transitions) {
      this.transitions.add({ ...t, fromStageId: t.from ? this.stage(t.from) : null, toStageId: this.stage(t.to) });
    }
  }

  /** Everything buffered, one COPY per table, in foreign-key order. */
  take(): CopyChunk[] {
    return this.tables.map((t) => t.take()).filter((c): c is CopyChunk => c !== null);
  }

  private stage(key: string): string {
    const id = this.stages.get(key);
    if (!id) throw new Error(`lifecycle stage ${key} is missing from lifecycle_stages`);
    return id;
  }
}
