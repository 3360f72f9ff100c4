import { fromGlobalId } from '../../src/common/ids';
import { mulberry32, sampleGamma, simulateBgnbd, utcDay } from '../../src/intelligence';
import { GraphQLResponse, startTestApp, TestApp } from '../support/test-app';

/*
 * What a fuzzer and an injection battery sent, and what Rapport answers now: a clear error that names the field,
 * never an INTERNAL_SERVER_ERROR, and nothing written.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const NUL = 'a\u0000b';
const DAY = 86_400_000;
const cursorOf = (parts: unknown[]) => Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64url');

const COUNTS = `SELECT (SELECT count(*)::int FROM customers) AS customers, (SELECT count(*)::int FROM contacts) AS contacts,
  (SELECT count(*)::int FROM orders) AS orders, (SELECT count(*)::int FROM order_lines) AS lines,
  (SELECT count(*)::int FROM products) AS products, (SELECT count(*)::int FROM touchpoints) AS touchpoints,
  (SELECT count(*)::int FROM lifecycle_transitions) AS transitions, (SELECT count(*)::int FROM customer_model_fits) AS fits,
  (SELECT coalesce(sum(version), 0)::int FROM customers) AS "customerVersions", (SELECT coalesce(sum(version), 0)::int FROM contacts) AS "contactVersions"`;
const counts = async () => (await app.db.query(COUNTS))[0];

/** A top-level BAD_USER_INPUT that names `field`, with a client-error status. */
function expectBadInput(res: GraphQLResponse, field: string): void {
  expect(res.status).toBeLessThan(500);
  expect(res.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field }) })]);
}

/** A payload with exactly these userErrors (field and code). */
function expectUserErrors(payload: { userErrors: Array<{ field: string[]; code: string }> }, ...errors: Array<[string[], string]>): void {
  expect(payload.userErrors.map((e) => [e.field, e.code])).toEqual(errors);
}

async function createCustomer(input: Record<string, unknown>): Promise<string> {
  const data = await app.ok(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } userErrors { field code } } }`, { input });
  expect(data.createCustomer.userErrors).toEqual([]);
  return data.createCustomer.customer.id;
}

const RECORD = `mutation($input: RecordOrderInput!) { recordOrder(input: $input) { order { id total { amount } } userErrors { field message code } } }`;

let customerId: string;
let contactId: string;
let orderId: string;
beforeAll(async () => {
  customerId = await createCustomer({ name: 'Hostile Target', externalRef: 'hostile-1' });
  const contact = await app.ok(`mutation($id: ID!) { createContact(input: { customerId: $id, name: "Kim" }) { contact { id } } }`, { id: customerId });
  contactId = contact.createContact.contact.id;
  const order = await app.ok(RECORD, { input: { customerId, lines: [{ description: 'Seed', quantity: 1, unitPrice: '10' }] } });
  orderId = order.recordOrder.order.id;
});

describe('a NUL character (which Postgres text cannot hold)', () => {
  const mutations: Array<[string, string, Record<string, unknown>, string[]]> = [
    ['createCustomer name', 'createCustomer(input: $input) { customer { id } userErrors { field code } }', { name: NUL }, ['input', 'name']],
    ['createCustomer tag', 'createCustomer(input: $input) { customer { id } userErrors { field code } }', { name: 'T', tags: ['ok', NUL] }, ['input', 'tags', '1']],
    ['createCustomer city', 'createCustomer(input: $input) { customer { id } userErrors { field code } }', { name: 'T', address: { city: NUL } }, ['input', 'address', 'city']],
    ['createCustomer stage', 'createCustomer(input: $input) { customer { id } userErrors { field code } }', { name: 'T', lifecycleStage: NUL }, ['input', 'lifecycleStage']],
    ['createCustomer email', 'createCustomer(input: $input) { customer { id } userErrors { field code } }', { name: 'T', email: `a${NUL}@x.io` }, ['input', 'email']],
    ['createProduct sku', 'createProduct(input: $input) { product { id } userErrors { field code } }', { sku: NUL, name: 'P', unitPrice: '1' }, ['input', 'sku']],
  ];
  it.each(mutations)('in a mutation input (%s) is an INVALID userError at its path, and nothing is written', async (_, selection, input, field) => {
    const type = selection.startsWith('createProduct') ? 'CreateProductInput' : 'CreateCustomerInput';
    const before = await counts();
    const res = await app.gql(`mutation($input: ${type}!) { ${selection} }`, { input });
    expect(res.status).toBe(200);
    expectUserErrors(Object.values(res.data)[0] as never, [field, 'INVALID']);
    expect(await counts()).toEqual(before);
  });

  it('in updates, orders, touchpoints and stage moves is an INVALID userError at its path, and nothing is written', async () => {
    const before = await counts();
    const update = await app.ok(`mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id } userErrors { field code } } }`, {
      input: { id: customerId, notes: NUL },
    });
    expectUserErrors(update.updateCustomer, [['input', 'notes'], 'INVALID']);
    const contact = await app.ok(`mutation($input: UpdateContactInput!) { updateContact(input: $input) { contact { id } userErrors { field code } } }`, {
      input: { id: contactId, title: NUL },
    });
    expectUserErrors(contact.updateContact, [['input', 'title'], 'INVALID']);
    const order = await app.ok(RECORD, { input: { customerId, number: NUL, lines: [{ description: NUL, quantity: 1, unitPrice: '1' }] } });
    expectUserErrors(order.recordOrder, [['input', 'number'], 'INVALID'], [['input', 'lines', '0', 'description'], 'INVALID']);
    const touchpoint = await app.ok(
      `mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { touchpoint { id } userErrors { field code } } }`,
      { input: { customerId, channel: 'EMAIL', purpose: 'SERVICE', subject: NUL } },
    );
    expectUserErrors(touchpoint.logTouchpoint, [['input', 'subject'], 'INVALID']);
    const move = await app.ok(`mutation($id: ID!, $s: String!) { moveCustomerToStage(input: { customerId: $id, stage: $s }) { userErrors { field code } } }`, { id: customerId, s: NUL });
    expectUserErrors(move.moveCustomerToStage, [['input', 'stage'], 'INVALID']);
    expect(await counts()).toEqual(before);
  });

  const reads: Array<[string, string, Record<string, unknown>, string]> = [
    ['customers search', 'query($s: String) { customers(search: $s) { totalCount } }', { s: NUL }, 'search'],
    ['customers filter', 'query($s: String!) { customers(filter: { or: [{ name: { eq: "x" } }, { email: { in: ["y", $s] } }] }) { totalCount } }', { s: NUL }, 'filter.or.1.email.in.1'],
    ['customers tags', 'query($s: String) { customers(filter: { tags: { has: $s } }) { totalCount } }', { s: NUL }, 'filter.tags.has'],
    ['customers literal', 'query { customers(filter: { name: { contains: "a\\u0000b" } }) { totalCount } }', {}, 'filter.name.contains'],
    ['customer externalRef', 'query($s: String) { customer(externalRef: $s) { id } }', { s: NUL }, 'externalRef'],
    ['contacts filter', 'query($s: String) { contacts(filter: { title: { gt: $s } }) { totalCount } }', { s: NUL }, 'filter.title.gt'],
    ['orders filter', 'query($s: String) { orders(filter: { number: { eq: $s } }) { totalCount } }', { s: NUL }, 'filter.number.eq'],
    ['order number', 'query($s: String) { order(number: $s) { id } }', { s: NUL }, 'number'],
    ['products filter', 'query($s: String) { products(filter: { sku: { lte: $s } }) { totalCount } }', { s: NUL }, 'filter.sku.lte'],
    ['product sku', 'query($s: String) { product(sku: $s) { id } }', { s: NUL }, 'sku'],
    ['touchpoints id filter', 'query($s: ID) { touchpoints(filter: { customer: { eq: $s } }) { totalCount } }', { s: NUL }, 'filter.customer.eq'],
    ['users filter', 'query($s: String) { users(filter: { email: { neq: $s } }) { totalCount } }', { s: NUL }, 'filter.email.neq'],
    ['lifecycleStages filter', 'query($s: String) { lifecycleStages(filter: { key: { eq: $s } }) { totalCount } }', { s: NUL }, 'filter.key.eq'],
    ['a cursor', 'query($s: String) { customers(after: $s) { totalCount } }', { s: NUL }, 'after'],
    ['a nested connection', 'query($s: String) { customers { nodes { orders(filter: { externalRef: { eq: $s } }) { totalCount } } } }', { s: NUL }, 'filter.externalRef.eq'],
    ['a fragment', 'query($s: String) { ...F } fragment F on Query { customers(search: $s) { totalCount } }', { s: NUL }, 'search'],
    ['node id', 'query($s: ID!) { node(id: $s) { id } }', { s: NUL }, 'id'],
    ['a mutation payload selection', 'mutation($id: ID!, $s: String) { deleteContact(input: { id: $id }) { contact { customer { orders(filter: { number: { eq: $s } }) { totalCount } } } } }', { id: contactId, s: NUL }, 'filter.number.eq'],
  ];
  it.each(reads)('in a query argument (%s) is BAD_USER_INPUT naming the argument, before anything runs', async (_, query, variables, field) => {
    const before = await counts();
    expectBadInput(await app.gql(query, variables), field);
    expect(await counts()).toEqual(before);
  });
});

describe('cursors', () => {
  const ZERO = '00000000-0000-0000-0000-000000000000';
  let customersCursor: string;
  let ordersCursor: string;
  beforeAll(async () => {
    const data = await app.ok(`{ customers(first: 1) { pageInfo { endCursor } } orders(first: 1) { pageInfo { endCursor } } }`);
    customersCursor = data.customers.pageInfo.endCursor;
    ordersCursor = data.orders.pageInfo.endCursor;
  });

  const forged: Array<[string, () => string, string]> = [
    ['not base64 JSON', () => '%%%not-a-cursor%%%', 'customers(after: $c) { totalCount }'],
    ['the old two-element shape', () => cursorOf(['Hostile Target', ZERO]), 'customers(after: $c) { totalCount }'],
    ['a non-UUID id', () => cursorOf(['customer', 'NAME', 'x', "1' OR '1'='1"]), 'customers(after: $c) { totalCount }'],
    ['a customers cursor on orders', () => customersCursor, 'orders(after: $c) { totalCount }'],
    ['an orders cursor on customers', () => ordersCursor, 'customers(before: $c, last: 5) { totalCount }'],
    ['a cursor of another sort', () => customersCursor, 'customers(after: $c, orderBy: { field: CREATED_AT }) { totalCount }'],
    ['a bad date', () => cursorOf(['order', 'PLACED_AT', '2026-02-30T00:00:00.000000Z', ZERO]), 'orders(after: $c) { totalCount }'],
    ['SQL in a date', () => cursorOf(['order', 'PLACED_AT', "now()'); DROP TABLE orders; --", ZERO]), 'orders(after: $c) { totalCount }'],
    ['a number that is not a decimal', () => cursorOf(['order', 'TOTAL', '1e999999', ZERO]), 'orders(after: $c, orderBy: { field: TOTAL }) { totalCount }'],
    ['NaN as a number', () => cursorOf(['product', 'PRICE', 'NaN', ZERO]), 'products(after: $c, orderBy: { field: PRICE }) { totalCount }'],
    ['an int out of range', () => cursorOf(['lifecycle stage', 'POSITION', '99999999999', ZERO]), 'lifecycleStages(after: $c) { totalCount }'],
    ['a float out of range', () => cursorOf(['customer', 'CHURN_PROBABILITY', '1e400', ZERO]), 'customers(after: $c, orderBy: { field: CHURN_PROBABILITY }) { totalCount }'],
  ];
  it.each(forged)('%s is BAD_USER_INPUT on after/before', async (_, cursor, field) => {
    const res = await app.gql(`query($c: String) { ${field} }`, { c: cursor() });
    expectBadInput(res, field.includes('before') ? 'before' : 'after');
  });

  it('a customers cursor on a customer’s orders is refused too, and a cursor of the list itself still pages', async () => {
    const nested = await app.gql(`query($id: ID!, $c: String) { customer(id: $id) { orders(after: $c) { totalCount } } }`, { id: customerId, c: customersCursor });
    expectBadInput(nested, 'after');
    await app.ok(RECORD, { input: { customerId, lines: [{ description: 'Second', quantity: 1, unitPrice: '10' }] } });
    const first = await app.ok(`{ orders(first: 1, orderBy: { field: TOTAL, direction: ASC }) { nodes { id } pageInfo { endCursor } } }`);
    const next = await app.ok(`query($c: String) { orders(first: 5, after: $c, orderBy: { field: TOTAL, direction: ASC }) { nodes { id } } }`, { c: first.orders.pageInfo.endCursor });
    expect(next.orders.nodes.map((n: { id: string }) => n.id)).not.toContain(first.orders.nodes[0].id);
    expect(next.orders.nodes.length).toBeGreaterThan(0);
  });
});

describe('dates and numbers out of range in filters and arguments', () => {
  it('a filter date of the year 0000 is BAD_USER_INPUT naming the operand; the year 1 is a valid (empty) bound', async () => {
    expectBadInput(await app.gql(`{ customers(filter: { createdAt: { gt: "0000-06-01T00:00:00Z" } }) { totalCount } }`), 'filter.createdAt.gt');
    expectBadInput(await app.gql(`query($d: DateTime!) { orders(filter: { placedAt: { in: [$d] } }) { totalCount } }`, { d: '0001-01-01T00:00:00+01:00' }), 'filter.placedAt.in.0');
    expectBadInput(await app.gql(`query($d: Date) { contacts(filter: { birthday: { lte: $d } }) { totalCount } }`, { d: '0000-01-01' }), 'filter.birthday.lte');
    const ok = await app.ok(`{ customers(filter: { createdAt: { lt: "0001-01-01T00:00:00Z" } }) { totalCount } }`);
    expect(ok.customers.totalCount).toBe(0);
  });

  it('numbers at the ends of their types answer', async () => {
    const data = await app.ok(`{
      customers(filter: { churnProbability: { gt: 1e308 } }) { totalCount }
      orders(filter: { total: { lt: "-999999999999999.9999" } }) { totalCount }
      touchpoints(filter: { nps: { in: [2147483647, -2147483648] } }) { totalCount }
      products(filter: { price: { gte: "999999999999999.9999" } }) { totalCount }
    }`);
    expect(data).toEqual({ customers: { totalCount: 0 }, orders: { totalCount: 0 }, touchpoints: { totalCount: 0 }, products: { totalCount: 0 } });
    const tooBig = await app.gql(`{ customers(first: 2147483648) { totalCount } }`);
    expect(tooBig.status).toBe(400);
    expect(tooBig.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('instants before 1900 in analyst arguments are BAD_USER_INPUT naming the argument', async () => {
    expectBadInput(await app.gql(`{ segmentSummary(asOf: "0000-01-01T00:00:00Z") { customers } }`), 'asOf');
    expectBadInput(await app.gql(`query($id: ID!) { customer(id: $id) { rfm(asOf: "1899-12-31T00:00:00Z") { segment } } }`, { id: customerId }), 'asOf');
    expectBadInput(await app.gql(`{ careAgenda(from: "0000-12-01T00:00:00Z", to: "0001-01-01T00:00:00Z") { kind } }`), 'from');
    expectBadInput(await app.gql(`{ lifecycleFunnel(from: "0000-12-01T00:00:00Z", to: "0001-01-01T00:00:00Z") { flows { count } } }`), 'from');
    expectBadInput(await app.gql(`{ modelDiagnostics(calibrationEnd: "0000-01-01T00:00:00Z", holdoutEnd: "0000-06-01T00:00:00Z") { customers } }`), 'holdoutEnd');
  });
});

describe('requests the GraphQL layer refuses', () => {
  const post = async (body: unknown) => {
    const res = await app.http.post('/graphql').set({ 'content-type': 'application/json', ...app.auth }).send(body as object);
    return { status: res.status, ...res.body } as GraphQLResponse;
  };

  it('an automatic persisted query with an unknown hash is PERSISTED_QUERY_NOT_FOUND, Apollo’s normal answer', async () => {
    const res = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } });
    expect(res.status).toBeLessThan(500);
    expect(res.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('a persisted-query hash that does not match its query, or an unknown version, is BAD_REQUEST', async () => {
    for (const persistedQuery of [{ version: 1, sha256Hash: '0'.repeat(64) }, { version: 2, sha256Hash: 'x' }]) {
      const res = await post({ query: '{ __typename }', extensions: { persistedQuery } });
      expect(res.status).toBe(400);
      expect(res.errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_REQUEST', requestId: expect.any(String) } })]);
    }
  });

  it('a subscription is GRAPHQL_VALIDATION_FAILED with a message saying there are none', async () => {
    const res = await app.gql(`subscription { __typename }`);
    expect(res.status).toBe(400);
    expect(res.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/no subscriptions/), extensions: { code: 'GRAPHQL_VALIDATION_FAILED', requestId: expect.any(String) } })]);
  });
});

describe('money at the documented maximum', () => {
  const MAX = '1000000000';

  async function insertBuyers(n: number): Promise<void> {
    const rng = mulberry32(11);
    const sim = simulateBgnbd({ r: 0.5, alpha: 20, a: 0.8, b: 2.5 }, n, Array.from({ length: n }, (_, i) => 200 + (i % 300)), rng);
    const rows: Array<{ id: string }> = await app.db.query(`INSERT INTO customers (kind, name) SELECT 'PERSON', 'Buyer ' || i FROM generate_series(1, $1) i RETURNING id`, [n]);
    const today = utcDay(new Date()) - 1;
    const orders: Array<[string, Date, string]> = [];
    sim.forEach((c, i) => {
      // Spend varies between buyers as Gamma-Gamma assumes (a rate ν per buyer), or its fit has no heterogeneity to
      // find and rightly predicts the population mean for everyone, whale included.
      const nu = sampleGamma(4, 16, rng);
      for (const t of [0, ...c.purchaseTimes]) orders.push([rows[i].id, new Date((today - c.T + Math.floor(t)) * DAY + DAY / 3), sampleGamma(6, nu, rng).toFixed(2)]);
    });
    await app.db.query(
      `INSERT INTO orders (customer_id, placed_at, status, channel, currency, base_currency, rate_to_base, subtotal_amount, discount_amount, total_amount, cost_amount, total_base, cost_base)
       SELECT c, p, 'PAID', 'ONLINE', 'USD', 'USD', 1, t, 0, t, t / 2, t, t / 2 FROM unnest($1::uuid[], $2::timestamptz[], $3::numeric[]) AS u(c, p, t)`,
      [orders.map((o) => o[0]), orders.map((o) => o[1]), orders.map((o) => o[2])],
    );
  }

  const ANALYTICS = `{
    segmentSummary { customers segments { segment revenue { amount } margin { amount } averageClv { amount } } }
    revenueConcentration { total { amount } gini top { topPercent share } }
    customers(first: 5, filter: { predictedClv: { isNull: false } }, orderBy: { field: PREDICTED_CLV, direction: DESC }) { nodes { name clv { predicted { amount } } orderStats { orders revenue { amount } averageOrderValue { amount } } } }
  }`;

  it('refuses amounts above it with OUT_OF_RANGE at their path, and writes nothing', async () => {
    const before = await counts();
    const line = (extra: Record<string, unknown>) => ({ description: 'x', quantity: 1, unitPrice: '1', ...extra });
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ lines: [line({ unitPrice: '1000000000.01' })] }, ['input', 'lines', '0', 'unitPrice']],
      [{ lines: [line({ unitCost: '999999999999999' })] }, ['input', 'lines', '0', 'unitCost']],
      [{ lines: [line({ quantity: 3, unitPrice: '400000000' })] }, ['input', 'lines', '0', 'unitPrice']],
      [{ lines: [line({ quantity: 1_000_001 })] }, ['input', 'lines', '0', 'quantity']],
      [{ lines: [line({ unitPrice: '600000000' }), line({ unitPrice: '600000000' })] }, ['input', 'lines']],
      [{ currency: 'EUR', exchangeRate: '2', lines: [line({ unitPrice: '600000000' })] }, ['input', 'lines']],
    ];
    for (const [input, field] of cases) {
      const res = await app.ok(RECORD, { input: { customerId, ...input } });
      expectUserErrors(res.recordOrder, [field, 'OUT_OF_RANGE']);
    }
    const product = await app.ok(`mutation { createProduct(input: { sku: "BIG", name: "Big", unitPrice: "1000000000.0001" }) { userErrors { field code } } }`);
    expectUserErrors(product.createProduct, [['input', 'unitPrice'], 'OUT_OF_RANGE']);
    expect(await counts()).toEqual(before);
  });

  it('keeps segmentSummary, revenueConcentration, the PREDICTED_CLV sort and orderStats answering, exactly, for everyone', async () => {
    await insertBuyers(80);
    const fit = await app.ok(`mutation { fitCustomerModel(input: {}) { model { customers } userErrors { message } } }`);
    expect(fit.fitCustomerModel.userErrors).toEqual([]);
    const whale = await createCustomer({ name: 'Whale' });
    for (let i = 0; i < 2; i++) {
      const placedAt = new Date(Date.now() - (i + 1) * 30 * DAY).toISOString();
      const res = await app.ok(RECORD, { input: { customerId: whale, placedAt, lines: [{ description: 'Max', quantity: 1, unitPrice: MAX }] } });
      expect(res.recordOrder.order.total.amount).toBe('1000000000.00');
    }
    const mixed = await app.ok(RECORD, { input: { customerId: whale, currency: 'JPY', exchangeRate: '0.01', lines: [{ description: 'Yen', quantity: 100, unitPrice: '1000000' }] } });
    expectUserErrors(mixed.recordOrder);

    await app.scoresSettled();
    const data = await app.ok(ANALYTICS);
    const top = data.customers.nodes[0];
    expect(top.name).toBe('Whale');
    expect(top.orderStats).toEqual({ orders: 3, revenue: { amount: '2001000000.00' }, averageOrderValue: { amount: '667000000.00' } });
    const revenue = data.segmentSummary.segments.reduce((s: bigint, r: { revenue: { amount: string } }) => s + BigInt(r.revenue.amount.replace('.', '')), 0n);
    const [{ exact }] = await app.db.query(`SELECT sum(total_base)::numeric(30,2)::text AS exact FROM orders WHERE status IN ('PAID', 'FULFILLED') AND deleted_at IS NULL`);
    expect(revenue).toBe(BigInt(exact.replace('.', '')));
    expect(data.revenueConcentration.total.amount).toBe(exact);
    expect(data.revenueConcentration.gini).toBeGreaterThan(0.9);
  });

  it('stays exact over rows the old limits let in (two orders of 999,999,999,999,999)', async () => {
    const legacy = await createCustomer({ name: 'Legacy' });
    for (let i = 0; i < 2; i++) {
      const placedAt = new Date(Date.now() - (i + 2) * DAY).toISOString();
      const res = await app.ok(RECORD, { input: { customerId: legacy, placedAt, lines: [{ description: 'Old', quantity: 1, unitPrice: '1' }] } });
      const id = fromGlobalId(res.recordOrder.order.id)!.id;
      await app.db.query(`UPDATE order_lines SET unit_price_amount = 999999999999999, total_amount = 999999999999999 WHERE order_id = $1`, [id]);
      await app.db.query(`UPDATE orders SET subtotal_amount = 999999999999999, total_amount = 999999999999999, total_base = 999999999999999 WHERE id = $1`, [id]);
    }
    await app.scoresSettled();
    const data = await app.ok(ANALYTICS);
    expect(data.customers.nodes.length).toBe(5);
    const stats = await app.ok(`query($id: ID!) { customer(id: $id) { orderStats { revenue { amount } } } }`, { id: legacy });
    expect(stats.customer.orderStats.revenue.amount).toBe('1999999999999998.00');
    const [{ exact }] = await app.db.query(`SELECT sum(total_base)::numeric(30,2)::text AS exact FROM orders WHERE status IN ('PAID', 'FULFILLED') AND deleted_at IS NULL`);
    expect(data.revenueConcentration.total.amount).toBe(exact);
  });
});

describe('emails and phones in mutation inputs', () => {
  it('a malformed one is an INVALID userError at its path in every input that takes one, and nothing is written', async () => {
    const before = await counts();
    const cases: Array<[string, string, Record<string, unknown>]> = [
      ['createCustomer', 'CreateCustomerInput', { name: 'E', email: 'not-an-email', phone: '12345' }],
      ['updateCustomer', 'UpdateCustomerInput', { id: customerId, email: 'a@b@c', phone: '+0 30 1234' }],
      ['createContact', 'CreateContactInput', { customerId, name: 'E', email: 'x@', phone: 'call me' }],
      ['updateContact', 'UpdateContactInput', { id: contactId, email: '@x.io', phone: '+49 30 1234567890123456' }],
    ];
    for (const [mutation, type, input] of cases) {
      const res = await app.gql(`mutation($input: ${type}!) { ${mutation}(input: $input) { userErrors { field code } } }`, { input });
      expect(res.status).toBe(200);
      expectUserErrors(res.data[mutation], [['input', 'email'], 'INVALID'], [['input', 'phone'], 'INVALID']);
    }
    expect(await counts()).toEqual(before);
  });
});

describe('values that parse but make no sense', () => {
  const UPDATE = `mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id } userErrors { field code message } } }`;

  it('refuses a referral cycle, of two customers or of 55, and writes nothing', async () => {
    const a = await createCustomer({ name: 'Ref A' });
    const b = await createCustomer({ name: 'Ref B', referredById: a });
    const before = await counts();
    const back = await app.ok(UPDATE, { input: { id: a, referredById: b } });
    expectUserErrors(back.updateCustomer, [['input', 'referredById'], 'INVALID']);
    const self = await app.ok(UPDATE, { input: { id: a, referredById: a } });
    expectUserErrors(self.updateCustomer, [['input', 'referredById'], 'INVALID']);
    expect(await counts()).toEqual(before);

    const chain = [await createCustomer({ name: 'Chain 0' })];
    for (let i = 1; i < 55; i++) chain.push(await createCustomer({ name: `Chain ${i}`, referredById: chain[i - 1] }));
    const beforeChain = await counts();
    const closing = await app.ok(UPDATE, { input: { id: chain[0], referredById: chain[54] } });
    expectUserErrors(closing.updateCustomer, [['input', 'referredById'], 'INVALID']);
    expect(await counts()).toEqual(beforeChain);
    // Re-pointing within the chain without closing a circle is fine.
    const fine = await app.ok(UPDATE, { input: { id: chain[54], referredById: chain[10] } });
    expectUserErrors(fine.updateCustomer);
  });

  it('refuses order, touchpoint and birthday dates before 1900 or in the future', async () => {
    const before = await counts();
    const future = new Date(Date.now() + 2 * DAY).toISOString();
    for (const placedAt of ['1899-12-31T23:59:59Z', '0000-01-01T00:00:00Z', future]) {
      const res = await app.ok(RECORD, { input: { customerId, placedAt, lines: [{ description: 'x', quantity: 1, unitPrice: '1' }] } });
      expectUserErrors(res.recordOrder, [['input', 'placedAt'], 'OUT_OF_RANGE']);
    }
    const LOG = `mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { touchpoint { id } userErrors { field code } } }`;
    for (const occurredAt of ['1850-01-01T00:00:00Z', future]) {
      const res = await app.ok(LOG, { input: { customerId, channel: 'PHONE', purpose: 'SERVICE', occurredAt } });
      expectUserErrors(res.logTouchpoint, [['input', 'occurredAt'], 'OUT_OF_RANGE']);
    }
    const tomorrow = new Date(Date.now() + 2 * DAY).toISOString().slice(0, 10);
    for (const birthday of ['1899-12-31', '0000-01-01', tomorrow]) {
      const res = await app.ok(UPDATE, { input: { id: customerId, birthday } });
      expectUserErrors(res.updateCustomer, [['input', 'birthday'], 'OUT_OF_RANGE']);
    }
    expect(await counts()).toEqual(before);
  });

  it('refuses currencies one cannot pay in (XXX, XTS, metals, funds), in one order or a batch', async () => {
    const before = await counts();
    for (const currency of ['XXX', 'XTS', 'XAU', 'CHE', 'XDR']) {
      const res = await app.ok(RECORD, { input: { customerId, currency, exchangeRate: '1.5', lines: [{ description: 'x', quantity: 1, unitPrice: '1' }] } });
      expectUserErrors(res.recordOrder, [['input', 'currency'], 'INVALID']);
    }
    const line = { description: 'x', quantity: 1, unitPrice: '1' };
    const batch = await app.ok(`mutation($input: RecordOrdersInput!) { recordOrders(input: $input) { orders { id } userErrors { field code } } }`, {
      input: { orders: [{ customerId, lines: [line] }, { customerId, currency: 'xts', exchangeRate: '1', lines: [line] }] },
    });
    expectUserErrors(batch.recordOrders, [['input', 'orders', '1', 'currency'], 'INVALID']);
    expect(await counts()).toEqual(before);
  });

  it('refuses a model fit as of a date with no purchases before it, or before 1900, and keeps the active model', async () => {
    const FIT = `mutation($asOf: DateTime) { fitCustomerModel(input: { asOf: $asOf }) { model { id } userErrors { field code } } }`;
    const active = async () => (await app.db.query(`SELECT id FROM customer_model_fits WHERE active`)).map((r: { id: string }) => r.id);
    const activeBefore = await active();
    const before = await counts();
    expectUserErrors((await app.ok(FIT, { asOf: '1900-01-01T00:00:00Z' })).fitCustomerModel, [['input', 'asOf'], 'INVALID']);
    expectUserErrors((await app.ok(FIT, { asOf: '1899-12-31T00:00:00Z' })).fitCustomerModel, [['input', 'asOf'], 'OUT_OF_RANGE']);
    expectUserErrors((await app.ok(FIT, { asOf: '0000-01-01T00:00:00Z' })).fitCustomerModel, [['input', 'asOf'], 'OUT_OF_RANGE']);
    expect(await counts()).toEqual(before);
    expect(await active()).toEqual(activeBefore);
  });
});
