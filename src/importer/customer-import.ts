import type { DataSource, QueryRunner } from 'typeorm';
import { BulkEvents, recordBulkEvents } from '../core/audit';
import { EventType } from '../core/events';
import { newId } from '../db/ids';
import { arrayLiteral, CopyTable, pgClient } from '../db/copy';
import { TransitionSource } from '../lifecycle/lifecycle-transition.entity';
import { TransitionCopy } from '../lifecycle/transition-copy';
import { CsvSource, readCsv, sourceName } from './csv-reader';
import { collect, parseCalendarDate, parseChoice, parseCountry, parseEmail, parsePhone, parseTags, parseText } from './fields';
import { ImportErrors, ImportFailure } from './import-result';
import { phoneDigits } from '../customer/customer.duplicates';

/**
 * CSV import of customers (npm run import -- customers FILE.csv).
 *
 * Header: external_ref,name and optionally kind,email,phone,birthday,country,city,region,tags (tags ';'-separated;
 * country, city and region are the postal address). A new external_ref creates a customer in stage PROSPECT with an
 * IMPORT transition. An external_ref that already exists UPDATES that customer, so a corrected file can be imported
 * again and a customer file can fill in the "Customer <ref>" placeholders an order import created. On update the
 * file is the truth for the columns it has (an empty cell clears the value; an empty kind keeps the current one),
 * and columns absent from the header are left alone.
 *
 * All or nothing, like the order import: one transaction, bulk lookups per batch, nothing written once a row is bad.
 */
export interface CustomerImportSuccess {
  ok: true;
  created: number;
  updated: number;
  /** Existing customers whose data in the file matched what was stored already. */
  unchanged: number;
  /**
   * New customers that share an email or a phone number (digits compared) with a customer already stored under
   * another external_ref: created all the same (warnings), for review with duplicateCandidates and mergeCustomers.
   */
  possibleDuplicates: Array<{ line: number; externalRef: string; matches: Array<{ externalRef: string | null; reason: 'EMAIL' | 'PHONE' }> }>;
}

export const CUSTOMER_COLUMNS = {
  required: ['external_ref', 'name'],
  optional: ['kind', 'email', 'phone', 'birthday', 'country', 'city', 'region', 'tags'],
} as const;

const KINDS = ['PERSON', 'COMPANY'] as const;
const BATCH = 5000;

interface ParsedCustomer {
  line: number;
  externalRef: string;
  name: string;
  kind: string | null;
  email: string | null;
  phone: string | null;
  birthday: string | null;
  country: string | null;
  city: string | null;
  region: string | null;
  tags: string[];
}

/** File column → customers column, SQL type of the update parameter, the value to write, and the Customer field it is. */
const UPDATABLE: Array<{ column: string; target: string; type: string; value: (c: ParsedCustomer) => unknown; field: string }> = [
  { column: 'kind', target: 'kind', type: 'text', value: (c) => c.kind, field: 'kind' },
  { column: 'email', target: 'email', type: 'text', value: (c) => c.email, field: 'email' },
  { column: 'phone', target: 'phone', type: 'text', value: (c) => c.phone, field: 'phone' },
  { column: 'birthday', target: 'birthday', type: 'date', value: (c) => c.birthday, field: 'birthday' },
  { column: 'country', target: 'address_country', type: 'text', value: (c) => c.country, field: 'address' },
  { column: 'city', target: 'address_city', type: 'text', value: (c) => c.city, field: 'address' },
  { column: 'region', target: 'address_region', type: 'text', value: (c) => c.region, field: 'address' },
  { column: 'tags', target: 'tags', type: 'text', value: (c) => arrayLiteral(c.tags), field: 'tags' },
];

/**
 * A batch's events: `customer.created` for the customers it created (with the fields the file gave them), then
 * `customer.updated` for the ones it changed, each naming the fields that changed.
 */
const importEvents: BulkEvents[] = [
  {
    type: EventType.CUSTOMER_CREATED,
    objectType: 'Customer',
    select: `SELECT c.id AS object_id, ARRAY(SELECT f FROM unnest(ARRAY[
               'externalRef', 'kind', 'lifecycleStageId', 'name',
               CASE WHEN c.email IS NOT NULL THEN 'email' END, CASE WHEN c.phone IS NOT NULL THEN 'phone' END,
               CASE WHEN c.birthday IS NOT NULL THEN 'birthday' END,
               CASE WHEN num_nonnulls(c.address_country, c.address_city, c.address_region) > 0 THEN 'address' END,
               CASE WHEN cardinality(c.tags) > 0 THEN 'tags' END]) f WHERE f IS NOT NULL ORDER BY 1) AS changed_fields
               FROM customers c WHERE c.id = ANY($1::uuid[])`,
  },
  {
    type: EventType.CUSTOMER_UPDATED,
    objectType: 'Customer',
    select: `SELECT u.id AS object_id, string_to_array(u.fields, ',') AS changed_fields FROM unnest($2::uuid[], $3::text[]) AS u(id, fields)`,
  },
];

export async function importCustomers(db: DataSource, source: CsvSource): Promise<CustomerImportSuccess | ImportFailure> {
  const errors = new ImportErrors();
  const file = sourceName(source);
  const runner = db.createQueryRunner();
  try {
    const client = await pgClient(runner);
    await runner.startTransaction();
    const [prospect] = await runner.query(`SELECT id FROM lifecycle_stages WHERE key = 'PROSPECT'`);
    if (!prospect) throw new Error('lifecycle stage PROSPECT is missing');
    const inserts = new CopyTable('customers', [
      'id', 'external_ref', 'name', 'kind', 'email', 'phone', 'birthday', 'address_country', 'address_city', 'address_region', 'tags', 'lifecycle_stage_id',
    ]);
    const transitions = new TransitionCopy();
    const refLines = new Map<string, number>();
    const now = new Date();
    let created = 0;
    let updated = 0;
    let unchanged = 0;
    const possibleDuplicates: CustomerImportSuccess['possibleDuplicates'] = [];
    /** The updatable columns this file has (known from the header, so from the first row). */
    let present: typeof UPDATABLE | null = null;

    const flush = async (batch: ParsedCustomer[]) => {
      if (!batch.length || errors.any) return;
      const found: Array<{ id: string; external_ref: string }> = await runner.query(
        'SELECT c.id, c.external_ref FROM unnest($1::text[]) AS batch(ref) JOIN customers c ON c.external_ref = batch.ref',
        [batch.map((c) => c.externalRef)],
      );
      const existing = new Map(found.map((c) => [c.external_ref, c.id]));
      // One record per customer: new rows whose email or phone is a stored customer's (before this batch is written).
      const fresh = batch.filter((c) => !existing.has(c.externalRef) && (c.email || c.phone));
      if (fresh.length) {
        const matches: Array<{ line: number; ref: string; other: string | null; reason: 'EMAIL' | 'PHONE' }> = await runner.query(
          `SELECT b.line, b.ref, c.external_ref AS other, CASE WHEN c.email = b.email THEN 'EMAIL' ELSE 'PHONE' END AS reason
             FROM unnest($1::int[], $2::text[], $3::text[], $4::text[]) AS b(line, ref, email, phone)
             JOIN customers c ON c.deleted_at IS NULL AND c.erased_at IS NULL
                             AND (c.email = b.email OR (b.phone IS NOT NULL AND c.phone IS NOT NULL AND regexp_replace(c.phone, '[^0-9]', '', 'g') = b.phone))
            ORDER BY b.line, c.external_ref`,
          [fresh.map((c) => c.line), fresh.map((c) => c.externalRef), fresh.map((c) => c.email), fresh.map((c) => phoneDigits(c.phone))],
        );
        for (const m of matches) {
          let entry = possibleDuplicates.find((d) => d.line === m.line);
          if (!entry) possibleDuplicates.push((entry = { line: m.line, externalRef: m.ref, matches: [] }));
          entry.matches.push({ externalRef: m.other, reason: m.reason });
        }
      }
      const updates: Array<ParsedCustomer & { id: string }> = [];
      const createdIds: string[] = [];
      for (const c of batch) {
        const id = existing.get(c.externalRef);
        if (id) {
          updates.push({ ...c, id });
          continue;
        }
        const customerId = newId();
        createdIds.push(customerId);
        inserts.add([customerId, c.externalRef, c.name, c.kind ?? 'PERSON', c.email, c.phone, c.birthday, c.country, c.city, c.region, c.tags, prospect.id]);
        transitions.add({ customerId, fromStageId: null, toStageId: prospect.id, at: now, reason: `Created by the customer import of ${file}`, source: TransitionSource.IMPORT, actor: 'import' });
        created++;
      }
      await inserts.flush(client);
      await transitions.flush(client);
      const changed = updates.length ? await updateCustomers(runner, updates, present ?? []) : [];
      updated += changed.length;
      unchanged += updates.length - changed.length;
      if (createdIds.length || changed.length) await recordBulkEvents((sql, params) => runner.query(sql, params), importEvents, [createdIds, changed.map((c) => c.id), changed.map((c) => c.fields.join(','))]);
    };

    let batch: ParsedCustomer[] = [];
    for await (const row of readCsv(source, CUSTOMER_COLUMNS, errors)) {
      present ??= UPDATABLE.filter((u) => row.has(u.column));
      const problems: string[] = [];
      const check = collect(problems);
      const optional = <T>(column: string, parse: (text: string) => T): T | null => {
        const text = row.get(column);
        return text ? check(() => parse(text)) ?? null : null;
      };
      const externalRef = row.get('external_ref');
      if (!externalRef) problems.push('external_ref is required');
      else {
        check(() => parseText('external_ref', externalRef, 200));
        const first = refLines.get(externalRef);
        if (first !== undefined) problems.push(`external_ref "${externalRef}" already appears on line ${first}`);
        else refLines.set(externalRef, row.line);
      }
      const name = row.get('name');
      if (!name) problems.push('name is required');
      else check(() => parseText('name', name, 200));
      const customer: ParsedCustomer = {
        line: row.line,
        externalRef,
        name,
        kind: optional('kind', (t) => parseChoice('kind', t, KINDS)),
        email: optional('email', (t) => parseEmail('email', t)),
        phone: optional('phone', (t) => parsePhone('phone', t)),
        birthday: optional('birthday', (t) => parseCalendarDate('birthday', t)),
        country: optional('country', (t) => parseCountry('country', t)),
        city: optional('city', (t) => parseText('city', t, 100)),
        region: optional('region', (t) => parseText('region', t, 100)),
        tags: optional('tags', (t) => parseTags('tags', t)) ?? [],
      };
      if (problems.length) {
        errors.add(row.line, problems.join('; '));
        continue;
      }
      batch.push(customer);
      if (batch.length >= BATCH) {
        await flush(batch);
        batch = [];
      }
    }
    await flush(batch);

    if (errors.any) {
      await runner.rollbackTransaction();
      return errors.failure();
    }
    await runner.commitTransaction();
    return { ok: true, created, updated, unchanged, possibleDuplicates };
  } catch (e) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw e;
  } finally {
    await runner.release();
  }
}

/**
 * One UPDATE … FROM unnest(…) for the batch; rows whose values are all unchanged are left alone. Returns the rows changed
 * with the Customer fields that changed (the row as it was is joined in as `old`, which the update does not see change).
 */
async function updateCustomers(runner: QueryRunner, rows: Array<ParsedCustomer & { id: string }>, present: typeof UPDATABLE): Promise<Array<{ id: string; fields: string[] }>> {
  const columns = [
    { name: 'id', type: 'uuid', values: rows.map((r) => r.id) },
    { name: 'name', type: 'text', values: rows.map((r) => r.name) },
    ...present.map((u) => ({ name: u.column, type: u.type, values: rows.map(u.value) })),
  ];
  const target = (column: string) => present.find((u) => u.column === column)?.target ?? column;
  const newValue = (column: string) =>
    column === 'kind' ? 'coalesce(v.kind, c.kind)' : column === 'tags' ? 'v.tags::text[]' : `v.${column}`;
  const assigned = columns.slice(1).map((c) => ({ target: target(c.name), value: newValue(c.name), field: present.find((u) => u.column === c.name)?.field ?? c.name }));
  const changedFields = `ARRAY(SELECT DISTINCT f FROM unnest(ARRAY[${assigned.map((a) => `CASE WHEN old.${a.target} IS DISTINCT FROM c.${a.target} THEN '${a.field}' END`).join(', ')}]) f WHERE f IS NOT NULL ORDER BY 1)`;
  const sql = `
    UPDATE customers c
       SET ${assigned.map((a) => `${a.target} = ${a.value}`).join(', ')}, updated_at = now(), version = c.version + 1
      FROM unnest(${columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')}) AS v(${columns.map((c) => c.name).join(', ')}), customers old
     WHERE c.id = v.id AND old.id = c.id
       AND ROW(${assigned.map((a) => `c.${a.target}`).join(', ')}) IS DISTINCT FROM ROW(${assigned.map((a) => a.value).join(', ')})
     RETURNING c.id, ${changedFields} AS fields`;
  // TypeORM answers an UPDATE … RETURNING with [rows, count].
  const [changed] = (await runner.query(sql, columns.map((c) => c.values))) as [Array<{ id: string; fields: string[] }>, number];
  return changed;
}
