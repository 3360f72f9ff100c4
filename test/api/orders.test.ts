import { startTestApp, TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const ORDER_FIELDS = `id number externalRef status channel currency rateToBase placedAt version countsAsPurchase
  subtotal { amount currencyCode } discount { amount } total { amount currencyCode } cost { amount } margin { amount }
  totalInBaseCurrency { amount currencyCode } marginInBaseCurrency { amount currencyCode }
  customer { id }
  lines { totalCount nodes { position description quantity unitPrice { amount } unitCost { amount } discount { amount } total { amount } product { sku } order { id } } }`;

const RECORD = `mutation($input: RecordOrderInput!) { recordOrder(input: $input) { order { ${ORDER_FIELDS} } userErrors { field message code } } }`;
const RECORD_MANY = `mutation($input: RecordOrdersInput!) { recordOrders(input: $input) { orders { id number externalRef total { amount } } userErrors { field message code } } }`;
const STATUS = `mutation($input: UpdateOrderStatusInput!) { updateOrderStatus(input: $input) { order { status version countsAsPurchase } userErrors { field code } } }`;

const UNKNOWN_CUSTOMER = Buffer.from('Customer:00000000-0000-0000-0000-000000000000').toString('base64url');
const UNKNOWN_PRODUCT = Buffer.from('Product:00000000-0000-0000-0000-000000000000').toString('base64url');

async function createCustomer(name: string): Promise<string> {
  const data = await app.ok(`mutation($name: String!) { createCustomer(input: { name: $name }) { customer { id } userErrors { code } } }`, { name });
  expect(data.createCustomer.userErrors).toEqual([]);
  return data.createCustomer.customer.id;
}

async function createProduct(sku: string, unitPrice: string, unitCost = '0') {
  const data = await app.ok(
    `mutation($input: CreateProductInput!) { createProduct(input: $input) { product { id } userErrors { code } } }`,
    { input: { sku, name: `Product ${sku}`, unitPrice, unitCost } },
  );
  expect(data.createProduct.userErrors).toEqual([]);
  return data.createProduct.product.id as string;
}

async function recordOrder(input: Record<string, unknown>) {
  const data = await app.ok(RECORD, { input });
  expect(data.recordOrder.userErrors).toEqual([]);
  return data.recordOrder.order;
}

const counts = async () => (await app.db.query('SELECT (SELECT count(*)::int FROM orders) AS orders, (SELECT count(*)::int FROM order_lines) AS lines'))[0];

let customerId: string;
let espresso: string;
beforeAll(async () => {
  customerId = await createCustomer('Olivia Order');
  espresso = await createProduct('ESP-19', '19.99', '8.00');
});

describe('recordOrder', () => {
  it('records an order with exact totals, product defaults and a number from the sequence', async () => {
    const o = await recordOrder({ customerId, lines: [{ productId: espresso, quantity: 3, discount: '5.00' }, { description: 'Gift wrap', quantity: 1, unitPrice: '0.10' }] });
    expect(o).toMatchObject({
      status: 'PAID',
      channel: 'ONLINE',
      currency: 'USD',
      countsAsPurchase: true,
      version: 1,
      externalRef: null,
      subtotal: { amount: '60.07', currencyCode: 'USD' },
      discount: { amount: '5.00' },
      total: { amount: '55.07', currencyCode: 'USD' },
      cost: { amount: '24.00' },
      margin: { amount: '31.07' },
      totalInBaseCurrency: { amount: '55.07', currencyCode: 'USD' },
      marginInBaseCurrency: { amount: '31.07', currencyCode: 'USD' },
      customer: { id: customerId },
    });
    expect(Number(o.rateToBase)).toBe(1);
    expect(o.number).toMatch(/^R-\d{7}$/);
    expect(Date.now() - new Date(o.placedAt).getTime()).toBeLessThan(60_000);
    expect(o.lines.totalCount).toBe(2);
    expect(o.lines.nodes).toEqual([
      { position: 1, description: 'Product ESP-19', quantity: 3, unitPrice: { amount: '19.99' }, unitCost: { amount: '8.00' }, discount: { amount: '5.00' }, total: { amount: '54.97' }, product: { sku: 'ESP-19' }, order: { id: o.id } },
      { position: 2, description: 'Gift wrap', quantity: 1, unitPrice: { amount: '0.10' }, unitCost: { amount: '0.00' }, discount: { amount: '0.00' }, total: { amount: '0.10' }, product: null, order: { id: o.id } },
    ]);
    const [row] = await app.db.query('SELECT subtotal_amount, discount_amount, total_amount, cost_amount, margin_amount, total_base FROM orders WHERE number = $1', [o.number]);
    expect(row).toEqual({ subtotal_amount: '60.0700', discount_amount: '5.0000', total_amount: '55.0700', cost_amount: '24.0000', margin_amount: '31.0700', total_base: '55.0700' });

    const byNumber = await app.ok(`query($n: String!) { order(number: $n) { id } }`, { n: o.number });
    expect(byNumber.order.id).toBe(o.id);
    const byId = await app.ok(`query($id: ID!) { order(id: $id) { number } node(id: $id) { ... on Order { number } } }`, { id: o.id });
    expect(byId).toEqual({ order: { number: o.number }, node: { number: o.number } });
    const both = await app.gql(`query($id: ID!) { order(id: $id, number: "R-1") { id } }`, { id: o.id });
    expect(both.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('converts an order in another currency to the base currency at its rate, rounded to the cent', async () => {
    const eur = await recordOrder({
      customerId,
      currency: 'EUR',
      exchangeRate: '1.0842',
      externalRef: 'eur-1',
      number: 'EU-1',
      status: 'PENDING',
      channel: 'STORE',
      placedAt: '2024-03-01T10:00:00Z',
      lines: [{ description: 'Consulting', quantity: 2, unitPrice: '99.95', unitCost: '40.00' }],
    });
    // 199.90 × 1.0842 = 216.73158; cost 80.00 × 1.0842 = 86.736
    expect(eur).toMatchObject({
      number: 'EU-1',
      externalRef: 'eur-1',
      status: 'PENDING',
      channel: 'STORE',
      currency: 'EUR',
      placedAt: '2024-03-01T10:00:00.000Z',
      total: { amount: '199.90', currencyCode: 'EUR' },
      totalInBaseCurrency: { amount: '216.73', currencyCode: 'USD' },
      marginInBaseCurrency: { amount: '129.99', currencyCode: 'USD' },
    });
    expect(eur.rateToBase).toBe('1.08420000');
    const yen = await recordOrder({ customerId, currency: 'JPY', exchangeRate: '0.0067', lines: [{ description: 'Matcha', quantity: 1, unitPrice: '1500' }] });
    expect(yen.total).toEqual({ amount: '1500', currencyCode: 'JPY' });
    expect(yen.totalInBaseCurrency).toEqual({ amount: '10.05', currencyCode: 'USD' });
  });

  it('spreads an order discount over the lines in proportion, to the cent, so the lines add up to the order', async () => {
    const o = await recordOrder({
      customerId,
      orderDiscount: '10',
      lines: [
        { description: 'A', quantity: 1, unitPrice: '33.33' },
        { description: 'B', quantity: 1, unitPrice: '33.33' },
        { description: 'C', quantity: 2, unitPrice: '17.67', discount: '2.00' },
      ],
    });
    expect(o.lines.nodes.map((l: { discount: { amount: string } }) => l.discount.amount)).toEqual(['3.33', '3.33', '5.34']);
    expect(o.lines.nodes.map((l: { total: { amount: string } }) => l.total.amount)).toEqual(['30.00', '30.00', '30.00']);
    expect(o).toMatchObject({ subtotal: { amount: '102.00' }, discount: { amount: '12.00' }, total: { amount: '90.00' } });
  });

  it('rejects each bad field with a userError at its path and writes nothing', async () => {
    const before = await counts();
    const res = await app.ok(RECORD, {
      input: {
        customerId: 'nope',
        placedAt: new Date(Date.now() + 86_400_000).toISOString(),
        orderDiscount: '-1',
        lines: [
          { quantity: 0, unitPrice: '-1' },
          { description: 'x', quantity: 1, unitPrice: '0.001' },
          { description: 'x', quantity: 2, unitPrice: '1.00', discount: '2.01' },
          { productId: UNKNOWN_PRODUCT, quantity: 1 },
          { productId: 'bad', quantity: 1 },
          { description: 'x', quantity: 1 },
        ],
      },
    });
    expect(res.recordOrder.order).toBeNull();
    expect(res.recordOrder.userErrors.map((e: { field: string[]; code: string }) => [e.field.join('.'), e.code])).toEqual([
      ['input.customerId', 'INVALID_ID'],
      ['input.lines.4.productId', 'INVALID_ID'],
      ['input.lines.3.productId', 'NOT_FOUND'],
      ['input.placedAt', 'OUT_OF_RANGE'],
      ['input.lines.0.description', 'REQUIRED'],
      ['input.lines.0.quantity', 'OUT_OF_RANGE'],
      ['input.lines.0.unitPrice', 'OUT_OF_RANGE'],
      ['input.lines.1.unitPrice', 'INVALID'],
      ['input.lines.2.discount', 'OUT_OF_RANGE'],
      ['input.lines.5.unitPrice', 'REQUIRED'],
      ['input.orderDiscount', 'OUT_OF_RANGE'],
    ]);
    const unknown = await app.ok(RECORD, { input: { customerId: UNKNOWN_CUSTOMER, lines: [] } });
    expect(unknown.recordOrder.userErrors).toEqual([
      expect.objectContaining({ field: ['input', 'customerId'], code: 'NOT_FOUND' }),
      expect.objectContaining({ field: ['input', 'lines'], code: 'REQUIRED' }),
    ]);
    const tooMany = await app.ok(RECORD, { input: { customerId, lines: Array.from({ length: 501 }, () => ({ description: 'x', quantity: 1, unitPrice: '1' })) } });
    expect(tooMany.recordOrder.userErrors).toEqual([expect.objectContaining({ field: ['input', 'lines'], code: 'TOO_MANY' })]);
    const tooBigDiscount = await app.ok(RECORD, { input: { customerId, orderDiscount: '1.01', lines: [{ description: 'x', quantity: 1, unitPrice: '1' }] } });
    expect(tooBigDiscount.recordOrder.userErrors).toEqual([expect.objectContaining({ field: ['input', 'orderDiscount'], code: 'OUT_OF_RANGE' })]);
    const huge = await app.ok(RECORD, { input: { customerId, lines: [{ description: 'x', quantity: 2_000_000_000, unitPrice: '999999999' }] } });
    expect(huge.recordOrder.userErrors).toEqual([expect.objectContaining({ field: ['input', 'lines', '0', 'quantity'], code: 'OUT_OF_RANGE' })]);
    const line = { description: 'x', quantity: 1, unitPrice: '600000000' };
    const tooLarge = await app.ok(RECORD, { input: { customerId, lines: [line, line] } });
    expect(tooLarge.recordOrder.userErrors).toEqual([expect.objectContaining({ field: ['input', 'lines'], code: 'OUT_OF_RANGE' })]);
    expect(await counts()).toEqual(before);
  });

  it('keeps a deleted product on the lines already sold but does not sell it again', async () => {
    const mug = await createProduct('MUG-1', '12.00');
    const sold = await recordOrder({ customerId, lines: [{ productId: mug, quantity: 1 }] });
    const del = await app.ok(`mutation($id: ID!) { deleteProduct(input: { id: $id }) { userErrors { code } } }`, { id: mug });
    expect(del.deleteProduct.userErrors).toEqual([]);
    const again = await app.ok(`query($id: ID!) { order(id: $id) { lines { nodes { product { sku deletedAt } } } } }`, { id: sold.id });
    expect(again.order.lines.nodes[0].product.sku).toBe('MUG-1');
    expect(again.order.lines.nodes[0].product.deletedAt).not.toBeNull();
    const res = await app.ok(RECORD, { input: { customerId, lines: [{ productId: mug, quantity: 1 }] } });
    expect(res.recordOrder.userErrors).toEqual([expect.objectContaining({ field: ['input', 'lines', '0', 'productId'], code: 'NOT_FOUND' })]);
  });

  it('asks for an exchange rate outside the base currency, and for prices when the product is priced in another currency', async () => {
    const before = await counts();
    const errorsOf = async (input: Record<string, unknown>) =>
      (await app.ok(RECORD, { input: { customerId, ...input } })).recordOrder.userErrors.map((e: { field: string[]; code: string }) => [e.field.join('.'), e.code]);
    const line = { description: 'x', quantity: 1, unitPrice: '1' };
    expect(await errorsOf({ currency: 'EUR', lines: [line] })).toEqual([['input.exchangeRate', 'REQUIRED']]);
    expect(await errorsOf({ currency: 'EUR', exchangeRate: '0', lines: [line] })).toEqual([['input.exchangeRate', 'OUT_OF_RANGE']]);
    expect(await errorsOf({ currency: 'USD', exchangeRate: '1.1', lines: [line] })).toEqual([['input.exchangeRate', 'INVALID']]);
    expect(await errorsOf({ currency: 'EUR', exchangeRate: '1.1', lines: [{ productId: espresso, quantity: 1 }] })).toEqual([
      ['input.lines.0.unitPrice', 'CURRENCY_MISMATCH'],
      ['input.lines.0.unitCost', 'CURRENCY_MISMATCH'],
    ]);
    expect(await errorsOf({ currency: 'JPY', exchangeRate: '0.0067', lines: [{ description: 'x', quantity: 1, unitPrice: '1500.5' }] })).toEqual([['input.lines.0.unitPrice', 'INVALID']]);
    expect(await counts()).toEqual(before);
    const ok = await recordOrder({ currency: 'EUR', exchangeRate: '1.1', customerId, lines: [{ productId: espresso, quantity: 1, unitPrice: '18.50', unitCost: '7.00' }] });
    expect(ok.lines.nodes[0]).toMatchObject({ description: 'Product ESP-19', unitPrice: { amount: '18.50' }, product: { sku: 'ESP-19' } });
  });

  it('rejects an external reference or number that another order already has', async () => {
    await recordOrder({ customerId, externalRef: 'shop-42', number: 'N-42', lines: [{ description: 'x', quantity: 1, unitPrice: '1' }] });
    const before = await counts();
    const dup = await app.ok(RECORD, { input: { customerId, externalRef: 'shop-42', number: 'N-42', lines: [{ description: 'y', quantity: 1, unitPrice: '1' }] } });
    expect(dup.recordOrder).toEqual({
      order: null,
      userErrors: [expect.objectContaining({ field: ['input', 'externalRef'], code: 'TAKEN' }), expect.objectContaining({ field: ['input', 'number'], code: 'TAKEN' })],
    });
    expect(await counts()).toEqual(before);
  });
});

describe('order numbers', () => {
  it('keep counting past R-9999999 without repeating', async () => {
    await app.db.query(`SELECT setval('order_number_seq', 9999998)`);
    const numbers = [];
    for (let i = 0; i < 3; i++) numbers.push((await recordOrder({ customerId, lines: [{ description: 'Tea', quantity: 1, unitPrice: '3.00' }] })).number);
    expect(numbers).toEqual(['R-9999999', 'R-10000000', 'R-10000001']);
  });
});

describe('recordOrders', () => {
  const order = (i: number, overrides: Record<string, unknown> = {}) => ({
    customerId,
    externalRef: `batch-${i}`,
    placedAt: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString(),
    lines: [
      { productId: espresso, quantity: 1 + (i % 3) },
      { description: 'Beans', quantity: 2, unitPrice: '7.45', discount: '0.90' },
    ],
    ...overrides,
  });

  it('records 200 orders with a constant handful of statements, in the order given', async () => {
    const before = await counts();
    const other = await createCustomer('Batch Buyer');
    const orders = Array.from({ length: 200 }, (_, i) => order(i, i % 2 ? {} : { customerId: other }));
    const statements = await app.statements(RECORD_MANY, { input: { orders } });
    // customers, products, taken keys, INSERT orders, INSERT lines, read back, one loyalty INSERT (points and referral
    // bonuses) for all 200, one audit INSERT for all 200
    expect(statements).toBe(8);
    const after = await counts();
    expect(after).toEqual({ orders: before.orders + 200, lines: before.lines + 400 });
    const [{ total }] = await app.db.query(`SELECT sum(total_amount)::text AS total FROM orders WHERE external_ref LIKE 'batch-%'`);
    // Σ over i of (1 + i mod 3) × 19.99 + 2 × 7.45 − 0.90 = 399 × 19.99 + 200 × 14.00 (67 + 67×2 + 66×3 = 399 units)
    expect(total).toBe('10776.0100');
    const { orders: page } = await app.ok(`{ orders(first: 3, filter: { externalRef: { in: ["batch-0", "batch-1", "batch-2"] } }, orderBy: { field: PLACED_AT, direction: ASC }) { nodes { externalRef total { amount } } } }`);
    expect(page.nodes).toEqual([
      { externalRef: 'batch-0', total: { amount: '33.99' } },
      { externalRef: 'batch-1', total: { amount: '53.98' } },
      { externalRef: 'batch-2', total: { amount: '73.97' } },
    ]);
  });

  it('writes nothing when one order among many is bad, and reports every problem at its path', async () => {
    const before = await counts();
    const orders = Array.from({ length: 20 }, (_, i) => order(100 + i, { externalRef: `bad-batch-${i}` }));
    orders[3] = order(103, { externalRef: 'bad-batch-3', lines: [{ description: 'x', quantity: -2, unitPrice: '1' }] });
    orders[7] = order(107, { externalRef: 'bad-batch-1', customerId: UNKNOWN_CUSTOMER });
    const res = await app.ok(RECORD_MANY, { input: { orders } });
    expect(res.recordOrders.orders).toEqual([]);
    expect(res.recordOrders.userErrors.map((e: { field: string[]; code: string }) => [e.field.join('.'), e.code])).toEqual([
      ['input.orders.7.customerId', 'NOT_FOUND'],
      ['input.orders.3.lines.0.quantity', 'OUT_OF_RANGE'],
    ]);
    expect(await counts()).toEqual(before);
    const dup = await app.ok(RECORD_MANY, { input: { orders: [order(200, { externalRef: 'same' }), order(201, { externalRef: 'same' }), order(202, { externalRef: 'batch-5' })] } });
    expect(dup.recordOrders.userErrors.map((e: { field: string[]; code: string }) => [e.field.join('.'), e.code])).toEqual([
      ['input.orders.1.externalRef', 'TAKEN'],
      ['input.orders.2.externalRef', 'TAKEN'],
    ]);
    expect(await counts()).toEqual(before);
  });

  it('refuses more than 1000 orders in one call', async () => {
    const orders = Array.from({ length: 1001 }, () => ({ customerId, lines: [{ description: 'x', quantity: 1, unitPrice: '1' }] }));
    const res = await app.ok(RECORD_MANY, { input: { orders } });
    expect(res.recordOrders).toEqual({ orders: [], userErrors: [expect.objectContaining({ field: ['input', 'orders'], code: 'TOO_MANY' })] });
  });
});

describe('updateOrderStatus', () => {
  it('follows the allowed transitions, bumps the version and stops counting refunds as purchases', async () => {
    const o = await recordOrder({ customerId, lines: [{ description: 'x', quantity: 1, unitPrice: '10' }] });
    const move = (status: string, expectedVersion?: number) => app.ok(STATUS, { input: { id: o.id, status, expectedVersion } });
    expect((await move('FULFILLED', 1)).updateOrderStatus).toEqual({ order: { status: 'FULFILLED', version: 2, countsAsPurchase: true }, userErrors: [] });
    expect((await move('PAID')).updateOrderStatus).toEqual({ order: null, userErrors: [{ field: ['input', 'status'], code: 'INVALID_TRANSITION' }] });
    expect((await move('REFUNDED', 1)).updateOrderStatus).toEqual({ order: null, userErrors: [{ field: ['input', 'expectedVersion'], code: 'CONFLICT' }] });
    expect((await move('REFUNDED', 2)).updateOrderStatus).toEqual({ order: { status: 'REFUNDED', version: 3, countsAsPurchase: false }, userErrors: [] });
    expect((await move('CANCELLED')).updateOrderStatus.userErrors).toEqual([{ field: ['input', 'status'], code: 'INVALID_TRANSITION' }]);
    const [row] = await app.db.query('SELECT status, version FROM orders WHERE number = (SELECT number FROM orders ORDER BY created_at DESC LIMIT 1)');
    expect(row).toEqual({ status: 'REFUNDED', version: 3 });
    const bad = await app.ok(STATUS, { input: { id: customerId, status: 'PAID' } });
    expect(bad.updateOrderStatus.userErrors).toEqual([{ field: ['input', 'id'], code: 'INVALID_ID' }]);
    const missing = await app.ok(STATUS, { input: { id: Buffer.from('Order:00000000-0000-0000-0000-000000000000').toString('base64url'), status: 'PAID' } });
    expect(missing.updateOrderStatus.userErrors).toEqual([{ field: ['input', 'id'], code: 'NOT_FOUND' }]);
  });
});

describe('order lists', () => {
  let buyer: string;
  const totals = ['5.00', '50.00', '20.00', '75.00', '10.00', '30.00'];
  beforeAll(async () => {
    buyer = await createCustomer('List Buyer');
    const orders = totals.map((price, i) => ({
      customerId: buyer,
      externalRef: `list-${i}`,
      placedAt: new Date(Date.UTC(2023, 5, 1 + i)).toISOString(),
      status: i === 4 ? 'CANCELLED' : 'PAID',
      channel: i % 2 ? 'STORE' : 'ONLINE',
      currency: i === 5 ? 'EUR' : 'USD',
      exchangeRate: i === 5 ? '2' : undefined,
      lines: [{ description: 'x', quantity: 1, unitPrice: price }],
    }));
    const res = await app.ok(RECORD_MANY, { input: { orders } });
    expect(res.recordOrders.userErrors).toEqual([]);
  });

  const refs = (c: { nodes: Array<{ externalRef: string }> }) => c.nodes.map((n) => n.externalRef);

  it('filters on customer, status, channel, currency, dates and base-currency totals', async () => {
    const q = async (filter: string) => refs((await app.ok(`query($c: ID!) { orders(first: 100, filter: { customer: { eq: $c }, ${filter} }) { nodes { externalRef } } }`, { c: buyer })).orders);
    expect(await q('status: { neq: CANCELLED }')).toEqual(['list-5', 'list-3', 'list-2', 'list-1', 'list-0']);
    expect(await q('channel: { eq: STORE }, currency: { eq: "USD" }')).toEqual(['list-3', 'list-1']);
    expect(await q('total: { gte: "50" }')).toEqual(['list-5', 'list-3', 'list-1']);
    expect(await q('placedAt: { gte: "2023-06-02T00:00:00Z", lt: "2023-06-04T00:00:00Z" }')).toEqual(['list-2', 'list-1']);
    expect(await q('or: [{ externalRef: { eq: "list-0" } }, { number: { isNull: true } }]')).toEqual(['list-0']);
    const elsewhere = await app.ok(`query($c: ID!) { orders(first: 100, filter: { customer: { neq: $c }, externalRef: { contains: "list-" } }) { totalCount } }`, { c: buyer });
    expect(elsewhere.orders.totalCount).toBe(0);
  });

  it('sorts by base-currency total and pages both ways with cursors', async () => {
    const PAGE = `query($c: ID!, $first: Int, $after: String, $last: Int, $before: String) {
      orders(first: $first, after: $after, last: $last, before: $before, filter: { customer: { eq: $c } }, orderBy: { field: TOTAL, direction: ASC }) {
        totalCount nodes { externalRef } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }`;
    const first = await app.ok(PAGE, { c: buyer, first: 4 });
    // list-5 is 30.00 EUR at 2 = 60.00 USD
    expect(refs(first.orders)).toEqual(['list-0', 'list-4', 'list-2', 'list-1']);
    expect(first.orders).toMatchObject({ totalCount: 6, pageInfo: { hasNextPage: true, hasPreviousPage: false } });
    const second = await app.ok(PAGE, { c: buyer, first: 4, after: first.orders.pageInfo.endCursor });
    expect(refs(second.orders)).toEqual(['list-5', 'list-3']);
    expect(second.orders.pageInfo.hasNextPage).toBe(false);
    const back = await app.ok(PAGE, { c: buyer, last: 2, before: second.orders.pageInfo.startCursor });
    expect(refs(back.orders)).toEqual(['list-2', 'list-1']);
    expect(back.orders.pageInfo.hasPreviousPage).toBe(true);
  });

  it('serves customer → orders → lines → product for a page of customers in a constant number of statements', async () => {
    const NESTED = `query($ids: [ID!]) { customers(first: 100, filter: { id: { in: $ids } }) {
      nodes { name orders(first: 10, orderBy: { field: PLACED_AT, direction: ASC }) { totalCount nodes { number lines { nodes { product { sku } } } } } }
    } }`;
    const ids: string[] = [];
    for (let c = 0; c < 4; c++) {
      ids.push(await createCustomer(`Nested ${c}`));
      await recordOrder({ customerId: ids[c], lines: [{ productId: espresso, quantity: 1 }, { description: 'Service', quantity: 1, unitPrice: '1' }] });
      await recordOrder({ customerId: ids[c], lines: [{ productId: espresso, quantity: 2 }] });
    }
    const data = await app.ok(NESTED, { ids });
    expect(data.customers.nodes).toHaveLength(4);
    for (const c of data.customers.nodes) {
      expect(c.orders.totalCount).toBe(2);
      expect(c.orders.nodes.map((o: { lines: { nodes: Array<{ product: { sku: string } | null }> } }) => o.lines.nodes.map((l) => l.product?.sku ?? null))).toEqual([['ESP-19', null], ['ESP-19']]);
    }
    const one = await app.statements(NESTED, { ids: ids.slice(0, 1) });
    const four = await app.statements(NESTED, { ids });
    expect(four).toBe(one);
  });
});
