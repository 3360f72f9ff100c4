import { startTestApp, TestApp } from '../support/test-app';

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
    // customers page + count, owners, contacts page + count, orders page, lines page, touchpoints page, users
    expect(five).toBe(8);
    expect(fifty).toBe(8);
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
