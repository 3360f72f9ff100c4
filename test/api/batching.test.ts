import { startTestApp, TestApp } from '../support/test-app';
import { PLAYGROUND_EXAMPLES } from '../../src/server/playground-examples';

/**
 * The N+1 guard: nested relations go through one DataLoader registry per request, so the
 * statement count of a query depends on its shape, not on how many customers it returns.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  const [{ id: repId }] = await app.db.query(`INSERT INTO users (name, email, role) VALUES ('Rita Rep', 'rita@example.com', 'SALES_REP') RETURNING id`);
  const repGlobalId = Buffer.from(`User:${repId}`).toString('base64url');
  const customers: string[] = [];
  for (let i = 0; i < 50; i++) {
    const res = await app.ok(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } userErrors { code } } }`, {
      input: { name: `Batch ${String(i).padStart(2, '0')}`, ownerId: repGlobalId, kind: 'COMPANY' },
    });
    customers.push(res.createCustomer.customer.id);
  }
  const orders = customers.flatMap((customerId, i) => [
    { customerId, lines: [{ description: 'Espresso beans', quantity: 2, unitPrice: '12.50' }, { description: 'Grinder', quantity: 1, unitPrice: '99.00' }] },
    { customerId, placedAt: new Date(Date.now() - (i + 1) * 86_400_000).toISOString(), lines: [{ description: 'Filter papers', quantity: 3, unitPrice: '4.20' }] },
  ]);
  const recorded = await app.ok(`mutation($input: RecordOrdersInput!) { recordOrders(input: $input) { userErrors { field code } } }`, { input: { orders } });
  expect(recorded.recordOrders.userErrors).toEqual([]);
  await app.db.query(`
    INSERT INTO contacts (customer_id, name, relationship, is_primary)
    SELECT c.id, 'Contact of ' || c.name, 'EMPLOYEE', n = 1 FROM customers c CROSS JOIN generate_series(1, 2) n`);
  await app.db.query(`
    INSERT INTO touchpoints (customer_id, user_id, channel, direction, purpose, occurred_at)
    SELECT c.id, c.owner_id, 'EMAIL', 'OUTBOUND', 'THANK_YOU', now() - interval '1 day' FROM customers c`);
});
afterAll(() => app.close());

const NESTED = `query($first: Int!) {
  customers(first: $first) {
    totalCount
    nodes {
      name
      owner { name }
      contacts(first: 5) { totalCount nodes { name } }
      orders(first: 5) { nodes { number total { amount } lines(first: 10) { nodes { description quantity } } } }
      touchpoints(first: 5) { nodes { purpose user { name } } }
    }
  }
}`;

describe('nested queries', () => {
  it('run the same number of SQL statements for 5 and for 50 customers', async () => {
    const five = await app.statements(NESTED, { first: 5 });
    const fifty = await app.statements(NESTED, { first: 50 });
    // customers page (with their owners) + count, contacts page (with its totalCount), orders page, lines page,
    // touchpoints page, users
    expect(five).toBe(6);
    expect(fifty).toBe(6);
    const data = await app.ok(NESTED, { first: 50 });
    expect(data.customers.nodes).toHaveLength(50);
    for (const c of data.customers.nodes) {
      expect(c.owner.name).toBe('Rita Rep');
      expect(c.contacts.totalCount).toBe(2);
      expect(c.orders.nodes).toHaveLength(2);
      expect(c.orders.nodes[0].lines.nodes.map((l: { description: string }) => l.description)).toEqual(['Espresso beans', 'Grinder']);
      expect(c.touchpoints.nodes).toEqual([{ purpose: 'THANK_YOU', user: { name: 'Rita Rep' } }]);
    }
  });
});

describe('the customer 360 (the playground example)', () => {
  it('runs in the same few statements for a customer with a long history as for one with a short one', async () => {
    const customer360 = PLAYGROUND_EXAMPLES.find((e) => e.query.includes('query Customer360'))!.query;
    const ids: Array<{ id: string }> = await app.db.query(`SELECT id FROM customers WHERE name IN ('Batch 00', 'Batch 01') ORDER BY name`);
    const [short, long] = ids.map((r) => Buffer.from(`Customer:${r.id}`).toString('base64url'));
    // A long history for the second: more orders, contacts, touchpoints and stage moves than any page shows.
    const longId = ids[1].id;
    await app.db.query(
      `INSERT INTO orders (customer_id, placed_at, status, channel, currency, base_currency, rate_to_base, subtotal_amount, discount_amount, total_amount, cost_amount, total_base, cost_base)
       SELECT $1, now() - make_interval(days => k * 9), 'PAID', 'ONLINE', 'USD', 'USD', 1, 30, 0, 30, 12, 30, 12 FROM generate_series(2, 40) k`,
      [longId],
    );
    await app.db.query(`INSERT INTO contacts (customer_id, name, relationship) SELECT $1, 'Extra ' || k, 'EMPLOYEE' FROM generate_series(1, 15) k`, [longId]);
    await app.db.query(
      `INSERT INTO touchpoints (customer_id, channel, direction, purpose, occurred_at) SELECT $1, 'PHONE', 'INBOUND', 'SERVICE', now() - make_interval(days => k) FROM generate_series(1, 25) k`,
      [longId],
    );
    await app.scoresSettled();
    const counts = [];
    for (const id of [short, long]) {
      const res = await app.gql(customer360, { id }, { 'x-rapport-sql-count': '1' });
      expect(res.errors).toBeUndefined();
      counts.push(res.extensions!.sqlStatements);
    }
    expect(counts[1]).toBe(counts[0]);
    // 10: the customer with its owner; the stage catalog with the customer's stage since; the stored scores with the
    // active fit's freshness check; purchase days with the purchased categories; the touchpoint summary with the
    // touchpoint facts; the pages of lifecycle history, orders (with totalCount), touchpoints (with their complaints and
    // contacts) and contacts; the orders' lines with their products.
    expect(counts[0]).toBeLessThanOrEqual(10);
  });
});
