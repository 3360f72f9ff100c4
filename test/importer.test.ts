import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { formatAmount, parseAmount } from '../src/common/money';
import { importCustomers } from '../src/importer/customer-import';
import { importOrders } from '../src/importer/order-import';
import { RESCORE_JOB } from '../src/scoring/jobs';
import { rescoreRequested } from '../src/scoring/rescore';
import { CDNOW_DIR } from './support/shared-data';
import { startTestApp, TestApp } from './support/test-app';

const FIXTURES = path.join(__dirname, 'fixtures');
const CDNOW = path.join(CDNOW_DIR, 'CDNOW_sample.txt');

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const csv = (...lines: string[]) => Readable.from([`${lines.join('\n')}\n`]);

async function tableCounts() {
  const [row] = await app.db.query(`
    SELECT (SELECT count(*) FROM customers)::int AS customers, (SELECT count(*) FROM orders)::int AS orders,
           (SELECT count(*) FROM lifecycle_transitions)::int AS transitions, (SELECT count(*) FROM domain_events)::int AS events`);
  return row as { customers: number; orders: number; transitions: number; events: number };
}

/** The outbox's events written after event number `after`, as (type, object, changed fields, actor). */
async function eventsAfter(after: number): Promise<Array<{ type: string; object_type: string; object_id: string; changed_fields: string[]; actor_kind: string }>> {
  return app.db.query(`SELECT type, object_type, object_id, changed_fields, actor_kind FROM domain_events WHERE n > $1 ORDER BY n`, [after]);
}
const lastEvent = async (): Promise<number> => Number((await app.db.query(`SELECT coalesce(max(n), 0) AS n FROM domain_events`))[0].n);

describe('order import', () => {
  it('imports a good file, creating customers for unknown refs, with exact totals and defaults for missing columns', async () => {
    const known = await app.ok(`mutation { createCustomer(input: { name: "Known Buyer", externalRef: "known-1" }) { customer { id } userErrors { message } } }`);
    expect(known.createCustomer.userErrors).toEqual([]);

    const result = await importOrders(app.db, path.join(FIXTURES, 'orders-good.csv'), app.config);
    expect(result).toEqual({ ok: true, imported: 5, createdCustomers: 2 });

    const { customers } = await app.ok(`{ customers { totalCount } }`);
    expect(customers.totalCount).toBe(3);
    const created = await app.ok(`{ customer(externalRef: "shop-200") { name kind lifecycleStage { key } } }`);
    expect(created.customer).toEqual({ name: 'Customer shop-200', kind: 'PERSON', lifecycleStage: { key: 'ONBOARDING' } });
    const [transition] = await app.db.query(
      `SELECT t.source, s.key FROM lifecycle_transitions t JOIN customers c ON c.id = t.customer_id JOIN lifecycle_stages s ON s.id = t.to_stage_id
        WHERE c.external_ref = 'shop-200'`,
    );
    expect(transition).toEqual({ source: 'IMPORT', key: 'ONBOARDING' });

    const orders = await app.db.query(`
      SELECT o.external_ref, c.external_ref AS customer_ref, o.placed_at, o.currency, o.rate_to_base::text AS rate, o.status, o.channel,
             o.subtotal_amount::text AS subtotal, o.discount_amount::text AS discount, o.total_amount::text AS total,
             o.cost_amount::text AS cost, o.total_base::text AS total_base, o.number
        FROM orders o JOIN customers c ON c.id = o.customer_id ORDER BY o.placed_at`);
    expect(orders.map((o: { total: string }) => o.total)).toEqual(['19.9900', '0.0000', '100.5000', '5.0000', '7.2500']);
    expect(orders[0]).toMatchObject({ external_ref: 'A-1', customer_ref: 'shop-100', currency: 'USD', status: 'FULFILLED', channel: 'OTHER', subtotal: '19.9900', discount: '0.0000', cost: '0.0000', total_base: '19.9900' });
    expect(orders[1].placed_at.toISOString()).toBe('2024-03-15T00:00:00.000Z');
    expect(orders[2]).toMatchObject({ external_ref: null, currency: 'EUR', rate: '1.10000000', total_base: '110.5500' });
    expect(orders[3]).toMatchObject({ customer_ref: 'known-1', status: 'PAID' });
    expect(orders[3].placed_at.toISOString()).toBe('2024-05-01T10:00:00.000Z');
    expect(orders[4].status).toBe('CANCELLED');
    // Numbered in file order from the orders' sequence, in the form next_order_number() gives the next one.
    const [{ next }] = await app.db.query(`SELECT next_order_number() AS next`);
    expect([...orders.map((o: { number: string }) => o.number), next]).toEqual(['R-0000001', 'R-0000002', 'R-0000003', 'R-0000004', 'R-0000005', 'R-0000006']);

    const [sums] = await app.db.query(`SELECT sum(total_amount)::text AS total, sum(total_base)::text AS base FROM orders`);
    expect(sums).toEqual({ total: '132.7400', base: '142.7900' });
  });

  it('emits order.recorded for every order and customer.created for every customer it creates, in the import’s transaction', async () => {
    const since = await lastEvent();
    const result = await importOrders(app.db, csv('customer_ref,order_ref,placed_at,total', 'ev-1,EV-1,2024-01-02,10.00', 'known-1,EV-2,2024-01-03,20.00', 'ev-1,EV-3,2024-01-04,5.00'), app.config);
    expect(result).toEqual({ ok: true, imported: 3, createdCustomers: 1 });
    const events = await eventsAfter(since);
    const [newCustomer] = await app.db.query(`SELECT id FROM customers WHERE external_ref = 'ev-1'`);
    const orders: Array<{ id: string }> = await app.db.query(`SELECT id FROM orders WHERE external_ref LIKE 'EV-%' ORDER BY external_ref`);
    // The new customer's event first, then the orders' in file order; nothing for the customer that existed.
    expect(events).toEqual([
      { type: 'customer.created', object_type: 'Customer', object_id: newCustomer.id, changed_fields: ['externalRef', 'kind', 'lifecycleStageId', 'name'], actor_kind: 'system' },
      ...orders.map((o) => ({ type: 'order.recorded', object_type: 'Order', object_id: o.id, changed_fields: ['currency', 'customerId', 'number', 'placedAt', 'status', 'total'], actor_kind: 'system' })),
    ]);
    // Time-ordered (version 7) ids, so a million of them extend the id index at its right edge.
    const ids: Array<{ id: string }> = await app.db.query(`SELECT id::text FROM domain_events WHERE n > $1 ORDER BY n`, [since]);
    expect(ids).toHaveLength(4);
    for (const { id } of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Sequenced and readable by partners like any other event.
    await app.scoresSettled();
    const { events: feed } = await app.ok(`{ events(first: 10, filter: { types: [ORDER_RECORDED] }) { nodes { objectId } } }`);
    const feedIds = feed.nodes.map((e: { objectId: string }) => e.objectId);
    const { orders: listed } = await app.ok(`{ orders(first: 50) { nodes { id externalRef } } }`);
    const evOrders = listed.nodes.filter((o: { externalRef: string | null }) => o.externalRef?.startsWith('EV-')).map((o: { id: string }) => o.id);
    expect(feedIds).toEqual(expect.arrayContaining(evOrders));
  });

  it('leaves no event behind when a file fails after some of its orders were written', async () => {
    // 40,000 good rows are two chunks: the first is written before the bad last row is read; then all is rolled back.
    const lines = ['customer_ref,placed_at,total'];
    for (let i = 0; i < 40_000; i++) lines.push(`fail-${i % 500},2024-01-01,1.00`);
    lines.push('fail-1,2024-01-01,-1.00');
    const before = await tableCounts();
    const result = await importOrders(app.db, csv(...lines), app.config);
    expect(result.ok).toBe(false);
    expect(await tableCounts()).toEqual(before);
  });

  it('reports every bad row by line and imports nothing from a file with bad rows', async () => {
    const before = await tableCounts();
    const result = await importOrders(app.db, path.join(FIXTURES, 'orders-bad.csv'), app.config);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.line)).toEqual([3, 4, 5, 6, 7]);
    expect(result.errorCount).toBe(5);
    const message = (line: number) => result.errors.find((e) => e.line === line)!.message;
    expect(message(3)).toMatch(/placed_at "2024-02-30" is not a date/);
    expect(message(4)).toMatch(/total -5.00 must not be negative/);
    expect(message(5)).toMatch(/customer_ref is required/);
    expect(message(6)).toMatch(/order_ref "B-1" already appears on line 2/);
    expect(message(7)).toMatch(/currency "EURO" is not an ISO 4217 currency code/);
    expect(await tableCounts()).toEqual(before);
    const { customer } = await app.ok(`{ customer(externalRef: "c1") { id } }`);
    expect(customer).toBeNull();
  });

  it('rejects an order_ref already in the database, a foreign currency without a rate, and a bad header', async () => {
    const before = await tableCounts();
    const taken = await importOrders(app.db, csv('customer_ref,order_ref,placed_at,total', 'x1,A-1,2024-01-01,1.00', 'x1,Z-9,2024-01-02,1.00'), app.config);
    expect(taken).toEqual({ ok: false, errorCount: 1, errors: [{ line: 2, message: 'order_ref "A-1" is already used by an order in the database' }] });

    const noRate = await importOrders(app.db, csv('customer_ref,placed_at,total,currency', 'x1,2024-01-01,1.00,GBP', 'x1,2024-01-02,1.001,USD', 'x1,2024-01-03,5,usd'), app.config);
    expect(noRate.ok).toBe(false);
    if (!noRate.ok) {
      expect(noRate.errors).toEqual([
        { line: 2, message: 'currency GBP differs from the base currency USD: give its rate_to_base' },
        { line: 3, message: 'total 1.001 has more decimals than USD allows (2)' },
      ]);
    }

    const header = await importOrders(app.db, csv('customer_ref,when,total', 'x1,2024-01-01,1'), app.config);
    expect(header.ok).toBe(false);
    if (!header.ok) expect(header.errors[0]).toMatchObject({ line: 1, message: expect.stringMatching(/unknown column "when".*missing required column placed_at/) });

    const hostile = await importOrders(
      app.db,
      csv('customer_ref,placed_at,total,currency,rate_to_base', 'x1,2024-01-01,1000000000.01,USD,', 'x1,2024-01-02,5,XXX,1', 'x\u0000,2024-01-03,5,USD,', 'x1,2024-01-04,600000000,EUR,2'),
      app.config,
    );
    expect(hostile).toMatchObject({
      ok: false,
      errors: [
        { line: 2, message: expect.stringMatching(/total 1000000000.01 is more than 1,000,000,000/) },
        { line: 3, message: expect.stringMatching(/currency "XXX" is not an ISO 4217 currency code/) },
        { line: 4, message: expect.stringMatching(/customer_ref contains a NUL/) },
        { line: 5, message: 'total and cost in USD must be at most 1,000,000,000' },
      ],
    });

    const ragged = await importOrders(app.db, csv('customer_ref,placed_at,total', 'x1,2024-01-01', 'x1,20240101,3'), app.config);
    expect(ragged).toMatchObject({ ok: false, errors: [{ line: 2, message: 'has 2 fields, but the header has 3' }] });
    expect(await tableCounts()).toEqual(before);
  });

  it('imports the CDNOW sample: 2,357 customers and 6,919 orders whose revenue equals the sum of dollar_value exactly', async () => {
    const rows = fs.readFileSync(CDNOW, 'utf8').split(/\r?\n/).filter((l) => l.trim()).map((l) => l.trim().split(/\s+/));
    expect(rows).toHaveLength(6919);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-cdnow-')), 'cdnow-orders.csv');
    fs.writeFileSync(file, ['customer_ref,placed_at,total', ...rows.map(([master, , date, , dollars]) => `${master},${date},${dollars}`)].join('\n'));
    const expected = formatAmount(rows.reduce((sum, r) => sum + parseAmount(r[4]), 0n));

    const result = await importOrders(app.db, file, app.config);
    expect(result).toEqual({ ok: true, imported: 6919, createdCustomers: 2357 });
    const [db] = await app.db.query(`
      SELECT count(DISTINCT c.id)::int AS customers, count(*)::int AS orders, sum(o.total_amount)::text AS revenue,
             min(o.placed_at) AS first, max(o.placed_at) AS last
        FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.external_ref ~ '^[0-9]{5}$'`);
    expect(db).toMatchObject({ customers: 2357, orders: 6919, revenue: expected });
    expect(db.first.toISOString()).toBe('1997-01-01T00:00:00.000Z');
    expect(db.last.toISOString()).toBe('1998-06-30T00:00:00.000Z');
    const first = await app.ok(`{ customer(externalRef: "00004") { name } }`);
    expect(first.customer).toEqual({ name: 'Customer 00004' });
  });
});

describe('customer import', () => {
  it('creates new customers as prospects and updates existing ones, only where something changed', async () => {
    const file = path.join(FIXTURES, 'customers.csv');
    expect(await importCustomers(app.db, file)).toEqual({ ok: true, created: 1, updated: 1, unchanged: 0, possibleDuplicates: [] });

    const { customer: ada } = await app.ok(`{ customer(externalRef: "shop-100") { name kind email phone birthday tags address { city region country } lifecycleStage { key } version } }`);
    expect(ada).toEqual({
      name: 'Ada Lovelace', kind: 'PERSON', email: 'ada@example.com', phone: '+442071234567', birthday: '1985-12-10',
      tags: ['vip', 'newsletter'], address: { city: 'London', region: 'Greater London', country: 'GB' },
      // Updated from the order import's placeholder; the stage that import set stays.
      lifecycleStage: { key: 'ONBOARDING' }, version: 2,
    });
    const { customer: company } = await app.ok(`{ customer(externalRef: "cust-new") { name kind email phone tags lifecycleStage { key } } }`);
    expect(company).toEqual({ name: 'Northwind Traders GmbH', kind: 'COMPANY', email: 'info@northwind.example', phone: null, tags: ['b2b'], lifecycleStage: { key: 'PROSPECT' } });

    const since = await lastEvent();
    expect(await importCustomers(app.db, file)).toEqual({ ok: true, created: 0, updated: 0, unchanged: 2, possibleDuplicates: [] });
    // Nothing changed, so nothing to tell.
    expect(await eventsAfter(since)).toEqual([]);

    // Columns absent from the file are left alone; an empty kind keeps the current kind.
    expect(await importCustomers(app.db, csv('external_ref,name,kind', 'cust-new,Northwind Traders AG,'))).toEqual({ ok: true, created: 0, updated: 1, unchanged: 0, possibleDuplicates: [] });
    const { customer: renamed } = await app.ok(`{ customer(externalRef: "cust-new") { name kind email tags } }`);
    expect(renamed).toEqual({ name: 'Northwind Traders AG', kind: 'COMPANY', email: 'info@northwind.example', tags: ['b2b'] });
    const [northwind] = await app.db.query(`SELECT id FROM customers WHERE external_ref = 'cust-new'`);
    expect(await eventsAfter(since)).toEqual([{ type: 'customer.updated', object_type: 'Customer', object_id: northwind.id, changed_fields: ['name'], actor_kind: 'system' }]);
  });

  it('emits customer.created for the customers it creates and customer.updated, naming what changed, for the ones it changes', async () => {
    const since = await lastEvent();
    const result = await importCustomers(app.db, csv('external_ref,name,email,city', 'evc-1,Event One,one@example.com,Paris', 'cust-new,Northwind Traders AG,info@northwind.example,Hamburg'));
    expect(result).toMatchObject({ ok: true, created: 1, updated: 1 });
    const [one] = await app.db.query(`SELECT id FROM customers WHERE external_ref = 'evc-1'`);
    const [northwind] = await app.db.query(`SELECT id FROM customers WHERE external_ref = 'cust-new'`);
    expect(await eventsAfter(since)).toEqual([
      { type: 'customer.created', object_type: 'Customer', object_id: one.id, changed_fields: ['address', 'email', 'externalRef', 'kind', 'lifecycleStageId', 'name'], actor_kind: 'system' },
      { type: 'customer.updated', object_type: 'Customer', object_id: northwind.id, changed_fields: ['address'], actor_kind: 'system' },
    ]);
  });

  it('leaves no event behind when a customer file fails after a batch was written', async () => {
    // 5,000 rows are a batch, written before the bad row after them is read; then all is rolled back.
    const lines = ['external_ref,name'];
    for (let i = 0; i < 5000; i++) lines.push(`batch-${i},Batch ${i}`);
    lines.push('batch-bad,');
    const before = await tableCounts();
    const result = await importCustomers(app.db, csv(...lines));
    expect(result.ok).toBe(false);
    expect(await tableCounts()).toEqual(before);
  });

  it('creates a new customer whose email or phone is a stored customer’s, and reports it as a possible duplicate', async () => {
    const result = await importCustomers(
      app.db,
      csv('external_ref,name,email,phone', 'dup-1,Ada L.,ADA@example.com,', 'dup-2,Someone Else,,+44 20 7123 4567', 'dup-3,Nobody Alike,nobody@example.com,'),
    );
    expect(result).toEqual({
      ok: true, created: 3, updated: 0, unchanged: 0,
      possibleDuplicates: [
        { line: 2, externalRef: 'dup-1', matches: [{ externalRef: 'shop-100', reason: 'EMAIL' }] },
        { line: 3, externalRef: 'dup-2', matches: [{ externalRef: 'shop-100', reason: 'PHONE' }] },
      ],
    });
  });

  it('reports bad customer rows by line and writes nothing', async () => {
    const before = await tableCounts();
    const result = await importCustomers(
      app.db,
      csv(
        'external_ref,name,email,phone,birthday,country,kind',
        'n-1,Good Person,good@example.com,+4930123456,1990-01-01,DE,PERSON',
        'n-2,Bad Email,not-an-email,,,,',
        'n-1,Twice,,,,,',
        'n-3,,,,,,',
        'n-4,Bad Bits,,12345,2999-01-01,XX,ROBOT',
      ),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.line)).toEqual([3, 4, 5, 6]);
    expect(result.errors[0].message).toMatch(/email "not-an-email" is not an email address/);
    expect(result.errors[1].message).toMatch(/external_ref "n-1" already appears on line 2/);
    expect(result.errors[2].message).toMatch(/name is required/);
    expect(result.errors[3].message.split('; ')).toHaveLength(4);
    expect(await tableCounts()).toEqual(before);
  });
});

describe('order import and rescoring', () => {
  // The worker is driven by hand, so that the requests the import leaves can be looked at before they are taken.
  let held: TestApp;
  beforeAll(async () => {
    held = await startTestApp({ WORKER: 'false' });
  });
  afterAll(() => held.close());

  const requests = async (): Promise<string[]> => (await held.db.query(`SELECT customer_id FROM customer_score_requests ORDER BY customer_id`)).map((r: { customer_id: string }) => r.customer_id);
  const jobs = async (): Promise<number> => Number((await held.db.query(`SELECT count(*) AS n FROM graphile_worker.jobs WHERE task_identifier = $1`, [RESCORE_JOB]))[0].n);

  it('requests the rescore of its orders’ customers and their referrers once, as inserting the orders does, and they are scored', async () => {
    const [referrer] = await held.db.query(`INSERT INTO customers (kind, name) VALUES ('PERSON', 'Ria Referrer') RETURNING id`);
    const [known] = await held.db.query(`INSERT INTO customers (kind, name, external_ref, referred_by_id) VALUES ('PERSON', 'Kai Known', 'rq-known', $1) RETURNING id`, [referrer.id]);
    await held.db.query(`INSERT INTO customers (kind, name, external_ref) VALUES ('PERSON', 'Bo Bystander', 'rq-bystander')`);
    await rescoreRequested(held.db, held.config.baseCurrency, held.config.referralValueShare);

    // What the insert trigger requests for an order of the known customer written outside an import.
    const runner = held.db.createQueryRunner();
    await runner.startTransaction();
    await runner.query(
      `INSERT INTO orders (customer_id, placed_at, status, channel, currency, base_currency, rate_to_base, subtotal_amount, discount_amount, total_amount, cost_amount, total_base, cost_base)
       VALUES ($1, '2024-01-01', 'PAID', 'ONLINE', $2, $2, 1, 1, 0, 1, 0, 1, 0)`,
      [known.id, held.config.baseCurrency],
    );
    const byTrigger = await runner.query(`SELECT customer_id FROM customer_score_requests ORDER BY customer_id`);
    await runner.rollbackTransaction();
    await runner.release();
    expect(byTrigger.map((r: { customer_id: string }) => r.customer_id)).toEqual([referrer.id, known.id].sort());

    // 25,000 rows are two chunks, so the customers' orders are written by two statements.
    const lines = ['customer_ref,placed_at,total'];
    for (let i = 0; i < 25_000; i++) lines.push(`${i % 2 ? 'rq-known' : 'rq-new'},2024-01-02,1.00`);
    const jobsBefore = await jobs();
    const result = await importOrders(held.db, csv(...lines), held.config);
    expect(result).toEqual({ ok: true, imported: 25_000, createdCustomers: 1 });
    const [created] = await held.db.query(`SELECT id FROM customers WHERE external_ref = 'rq-new'`);
    expect(await requests()).toEqual([referrer.id, known.id, created.id].sort());
    // Requested by the import's transaction, with a job queued to take them.
    const [{ instants }] = await held.db.query(`SELECT count(DISTINCT requested_at)::int AS instants FROM customer_score_requests`);
    expect(instants).toBe(1);
    expect(await jobs()).toBeGreaterThan(jobsBefore);
    // The setting ended with the import's transaction: the trigger requests again for other writes.
    const [{ setting }] = await held.db.query(`SELECT coalesce(current_setting('rapport.orders_rescore_requested_by_writer', true), '') AS setting`);
    expect(setting).toBe('');

    await rescoreRequested(held.db, held.config.baseCurrency, held.config.referralValueShare);
    const scores = await held.db.query(`SELECT customer_id, occasions, revenue::text FROM customer_scores WHERE customer_id = ANY($1) ORDER BY customer_id`, [[known.id, created.id]]);
    expect(scores).toEqual(
      [
        { customer_id: known.id, occasions: 1, revenue: '12500.0000' },
        { customer_id: created.id, occasions: 1, revenue: '12500.0000' },
      ].sort((a, b) => a.customer_id.localeCompare(b.customer_id)),
    );
    expect(await requests()).toEqual([]);
  });
});
