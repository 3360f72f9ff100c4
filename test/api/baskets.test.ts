// The cross-sell baskets a model fit mines (each buyer's set of purchased categories): one bit per category for a
// catalogue of up to 63 categories, array_agg(DISTINCT …) beyond. Both paths give the same baskets.

import { populationBaskets } from '../../src/insight/insight.loaders';
import { startTestApp, TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

async function product(sku: string, category: string): Promise<string> {
  const { createProduct } = await app.ok(`mutation($input: CreateProductInput!) { createProduct(input: $input) { product { id } userErrors { message } } }`, {
    input: { sku, name: sku, category, unitPrice: '10.00', unitCost: '4.00', active: true },
  });
  return createProduct.product.id;
}

it('are each buyer’s distinct categories, in buyer order, with a small catalogue and with one beyond 63 categories', async () => {
  const products = { beans: await product('B1', 'Beans'), beans2: await product('B2', 'Beans'), grinder: await product('G1', 'Grinders'), tea: await product('T1', 'Tea') };
  const baskets: Array<Array<keyof typeof products>> = [['beans', 'beans2', 'grinder'], ['tea'], ['grinder', 'tea', 'beans'], []];
  const expected = new Map<string, string[]>();
  for (const [i, basket] of baskets.entries()) {
    const { createCustomer } = await app.ok(`mutation($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`, { name: `Buyer ${i}` });
    if (!basket.length) continue;
    const { recordOrder } = await app.ok(`mutation($input: RecordOrderInput!) { recordOrder(input: $input) { order { customer { id } } userErrors { message } } }`, {
      input: { customerId: createCustomer.customer.id, lines: basket.map((p) => ({ productId: products[p], quantity: 1 })) },
    });
    expect(recordOrder.userErrors).toEqual([]);
    expected.set(createCustomer.customer.id, [...new Set(basket.map((p) => ({ beans: 'Beans', beans2: 'Beans', grinder: 'Grinders', tea: 'Tea' })[p]))].sort());
  }
  const ids: Array<{ id: string }> = await app.db.query(`SELECT DISTINCT customer_id AS id FROM orders ORDER BY 1`);
  const want = ids.map(({ id }) => expected.get(Buffer.from(`Customer:${id}`).toString('base64url'))!);

  const small = await populationBaskets(app.db, new Date());
  expect(small.map((b) => [...b].sort())).toEqual(want);

  // 64 categories: the catalogue no longer fits a bigint's bits.
  await app.db.query(`INSERT INTO products (sku, name, category, unit_price, unit_cost, currency) SELECT 'X' || i, 'X' || i, 'Extra ' || i, 1, 0, $1 FROM generate_series(1, 61) i`, [app.config.baseCurrency]);
  const [{ n }] = await app.db.query(`SELECT count(DISTINCT category)::int AS n FROM products`);
  expect(n).toBe(64);
  const large = await populationBaskets(app.db, new Date());
  expect(large.map((b) => [...b].sort())).toEqual(want);
});
