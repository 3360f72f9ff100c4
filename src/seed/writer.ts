import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { QueryRunner } from 'typeorm';
import { currencyExponent } from '../common/money';
import { CustomerHistory, minorToDecimal, ProductRow, StaffRow } from './generator';

export type CopyValue = string | number | boolean | Date | null | undefined | readonly string[];

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A text value for COPY's text format: backslash, tab and line breaks escaped. */
function escapeText(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]) : text;
}

/** A Postgres array literal, every element quoted: {"golf","wine"}. */
export function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

function encodeValue(value: CopyValue): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'string') return escapeText(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value instanceof Date) return value.toISOString();
  return escapeText(arrayLiteral(value));
}

/** Rows for one table, buffered as COPY text and sent in one COPY … FROM STDIN. */
export class CopyTable {
  private lines: string[] = [];
  private total = 0;
  ms = 0;

  constructor(readonly table: string, readonly columns: readonly string[]) {}

  add(values: readonly CopyValue[]): void {
    if (values.length !== this.columns.length) throw new Error(`${this.table}: ${values.length} values for ${this.columns.length} columns`);
    let line = encodeValue(values[0]);
    for (let i = 1; i < values.length; i++) line += `\t${encodeValue(values[i])}`;
    this.lines.push(line);
  }

  get pending(): number {
    return this.lines.length;
  }

  /** Rows written so far. */
  get written(): number {
    return this.total;
  }

  async flush(client: PoolClient): Promise<void> {
    if (!this.lines.length) return;
    const data = `${this.lines.join('\n')}\n`;
    const count = this.lines.length;
    this.lines = [];
    const sql = `COPY ${this.table} (${this.columns.join(', ')}) FROM STDIN`;
    const t0 = Date.now();
    await pipeline(Readable.from([data]), client.query(copyFrom(sql)));
    this.ms += Date.now() - t0;
    this.total += count;
  }
}

/** The pg client under a connected typeorm query runner, for COPY (which typeorm cannot stream). */
export async function pgClient(runner: QueryRunner): Promise<PoolClient> {
  return (await runner.connect()) as PoolClient;
}

/** Stage keys → ids, from the seeded lifecycle_stages table. */
export async function stageIds(runner: QueryRunner): Promise<Map<string, string>> {
  const rows: Array<{ id: string; key: string }> = await runner.query('SELECT id, key FROM lifecycle_stages');
  return new Map(rows.map((r) => [r.key, r.id]));
}

/** Turns generated rows into COPY buffers for every table, in foreign-key order. */
export class SeedWriter {
  readonly users = new CopyTable('users', ['id', 'name', 'email', 'role', 'created_at', 'updated_at']);
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
    'satisfaction', 'nps', 'complaint_status', 'resolved_at', 'created_at', 'updated_at',
  ]);
  readonly transitions = new CopyTable('lifecycle_transitions', [
    'id', 'customer_id', 'from_stage_id', 'to_stage_id', 'at', 'reason', 'source', 'actor_user_id', 'actor', 'created_at', 'updated_at',
  ]);

  /** In foreign-key order: a table is flushed after the tables it references. */
  private readonly tables = [this.users, this.products, this.customers, this.contacts, this.orders, this.orderLines, this.touchpoints, this.transitions];

  constructor(private readonly stages: Map<string, string>, private readonly baseCurrency: string) {}

  addStaff(s: StaffRow): void {
    this.users.add([s.id, s.name, s.email, s.role, s.createdAt, s.createdAt]);
  }

  addProduct(p: ProductRow): void {
    const exponent = currencyExponent(this.baseCurrency);
    this.products.add([p.id, p.sku, p.name, p.category, minorToDecimal(p.price, exponent), minorToDecimal(p.cost, exponent), this.baseCurrency, true, p.createdAt, p.createdAt]);
  }

  addHistory(h: CustomerHistory): void {
    const c = h.customer;
    this.customers.add([
      c.id, c.kind, c.name, c.externalRef, c.email, c.phone, c.addressLine1, c.addressCity, c.addressRegion, c.addressPostalCode,
      c.addressCountry, c.birthday, c.gender, c.incomeBand, c.region, c.personality, c.interests, c.tags, c.acquisitionChannel,
      c.referredById, c.ownerId, this.stage(c.stage), c.consentEmail.granted, c.consentEmail.at, c.consentSms.granted,
      c.consentSms.at, c.consentPhone.granted, c.consentPhone.at, c.consentMail.granted, c.consentMail.at, c.createdAt,
      c.updatedAt, c.version,
    ]);
    for (const k of h.contacts) {
      this.contacts.add([k.id, k.customerId, k.name, k.title, k.relationship, k.email, k.phone, k.birthday, k.isPrimary, k.createdAt, k.createdAt]);
    }
    for (const o of h.orders) {
      this.orders.add([
        o.id, o.customerId, o.placedAt, o.status, o.channel, o.currency, o.baseCurrency, o.rateToBase, o.subtotal, o.discount,
        o.total, o.cost, o.totalBase, o.costBase, o.placedAt, o.updatedAt,
      ]);
      for (const l of o.lines) {
        this.orderLines.add([
          l.id, o.id, o.customerId, l.productId, l.position, l.description, l.quantity, o.currency, l.unitPrice, l.unitCost,
          l.discount, l.total, o.placedAt, o.placedAt,
        ]);
      }
    }
    for (const t of h.touchpoints) {
      this.touchpoints.add([
        t.id, t.customerId, t.contactId, t.userId, t.orderId, t.channel, t.direction, t.purpose, t.occurredAt, t.subject, t.notes,
        t.satisfaction, t.nps, t.complaintStatus, t.resolvedAt, t.occurredAt, t.resolvedAt ?? t.occurredAt,
      ]);
    }
    for (const t of h.transitions) {
      this.transitions.add([t.id, t.customerId, t.from && this.stage(t.from), this.stage(t.to), t.at, t.reason, t.source, t.actorUserId, t.actor, t.at, t.at]);
    }
  }

  get pendingRows(): number {
    return this.tables.reduce((n, t) => n + t.pending, 0);
  }

  async flush(client: PoolClient): Promise<void> {
    for (const table of this.tables) await table.flush(client);
  }

  private stage(key: string): string {
    const id = this.stages.get(key);
    if (!id) throw new Error(`lifecycle stage ${key} is missing from lifecycle_stages`);
    return id;
  }
}
