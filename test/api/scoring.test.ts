// The scoring engine through the real stack: every kind of write queues a rescore in its own transaction, the job
// worker writes customer_scores, and the fields and derived filters read those rows. Tests wait for the worker (the
// event), never for a clock.

import { fromGlobalId, toGlobalId } from '../../src/common/ids';
import { populationBaskets, populationSummaries } from '../../src/insight/insight.loaders';
import { ValueBasis } from '../../src/insight/model/customer-model-fit.entity';
import { fitAndStore, fitRequested } from '../../src/insight/model/model-fitting';
import { TIME_UNITS } from '../../src/intelligence';
import { storedBaskets, storedPurchaseSummaries } from '../../src/scoring/score-store';
import { insertSimulatedBuyers } from '../support/simulated-buyers';
import { addJob } from '../../src/core/jobs';
import { Client } from 'pg';
import { FIT_REQUESTED_JOB, RESCORE_JOB, RESCORE_STALE_JOB } from '../../src/scoring/jobs';
import { rescoreRequested, rescoreStale } from '../../src/scoring/rescore';
import { startTestApp, TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const SCORES = `query($id: ID!) { customer(id: $id) { segment valueTier rfm { frequency asOf } clv { predicted { amount } } } }`;
const RECORD = `mutation($input: RecordOrderInput!) { recordOrder(input: $input) { order { id } userErrors { message } } }`;

async function stored(id: string) {
  const [row] = await app.db.query(`SELECT occasions, segment, scored_on::text AS scored_on, model_fit_id FROM customer_scores WHERE customer_id = $1`, [fromGlobalId(id)!.id]);
  return row;
}

async function order(customerId: string, daysAgo: number, amount = '40.00'): Promise<string> {
  const placedAt = new Date(Date.now() - daysAgo * 86_400_000).toISOString();
  const { recordOrder } = await app.ok(RECORD, { input: { customerId, placedAt, lines: [{ description: 'Beans', quantity: 1, unitPrice: amount }] } });
  expect(recordOrder.userErrors).toEqual([]);
  return recordOrder.order.id;
}

describe('scores follow every kind of write', () => {
  let customer: string;
  let second: string;

  it('a new customer is scored as a prospect', async () => {
    const { createCustomer } = await app.ok(`mutation { createCustomer(input: { kind: PERSON, name: "Scored Person" }) { customer { id } } }`);
    customer = createCustomer.customer.id;
    await app.scoresSettled();
    expect(await stored(customer)).toMatchObject({ occasions: 0, segment: 'PROSPECT', scored_on: new Date().toISOString().slice(0, 10) });
    const { customer: c } = await app.ok(SCORES, { id: customer });
    expect(c).toMatchObject({ segment: 'PROSPECT', valueTier: 'MONITOR', rfm: { frequency: 0 }, clv: { predicted: null } });
  });

  it('an order recorded, then another on a second day, count as purchase occasions', async () => {
    await order(customer, 40);
    await app.scoresSettled();
    expect((await stored(customer)).occasions).toBe(1);
    second = await order(customer, 3);
    await app.scoresSettled();
    expect((await stored(customer)).occasions).toBe(2);
    const { customer: c } = await app.ok(SCORES, { id: customer });
    expect(c.rfm.frequency).toBe(2);
    expect(c.segment).not.toBe('PROSPECT');
  });

  it('a cancelled order stops counting', async () => {
    const { updateOrderStatus } = await app.ok(`mutation($id: ID!) { updateOrderStatus(input: { id: $id, status: CANCELLED }) { userErrors { message } } }`, { id: second });
    expect(updateOrderStatus.userErrors).toEqual([]);
    await app.scoresSettled();
    expect((await stored(customer)).occasions).toBe(1);
  });

  it('a deleted and a restored customer are rescored, and a filter on segment follows', async () => {
    const before = await app.db.query(`SELECT scored_at FROM customer_scores WHERE customer_id = $1`, [fromGlobalId(customer)!.id]);
    const summary = async () => (await app.ok(`{ segmentSummary { customers } }`)).segmentSummary.customers;
    const everyone = await summary();
    await app.ok(`mutation($id: ID!) { deleteCustomer(input: { id: $id }) { userErrors { message } } }`, { id: customer });
    await app.scoresSettled();
    // The summary groups the scores table alone: the row carries the soft delete.
    expect(await summary()).toBe(everyone - 1);
    const afterDelete = await app.db.query(`SELECT scored_at FROM customer_scores WHERE customer_id = $1`, [fromGlobalId(customer)!.id]);
    expect(afterDelete[0].scored_at.getTime()).toBeGreaterThan(before[0].scored_at.getTime());
    await app.ok(`mutation($id: ID!) { restoreCustomer(input: { id: $id }) { userErrors { message } } }`, { id: customer });
    await app.scoresSettled();
    expect(await summary()).toBe(everyone);
    const { customer: c } = await app.ok(SCORES, { id: customer });
    const { customers } = await app.ok(`query($s: Segment!) { customers(filter: { segment: { eq: $s } }) { nodes { id } } }`, { s: c.segment });
    expect(customers.nodes.map((n: { id: string }) => n.id)).toContain(customer);
  });

  it('a new UTC day rescores everyone whose scores are from an earlier one', async () => {
    await app.db.query(`UPDATE customer_scores SET scored_on = scored_on - 1`);
    // What the 00:01 UTC schedule queues.
    await addJob(app.db, RESCORE_STALE_JOB, {}, { jobKey: RESCORE_STALE_JOB });
    await app.scoresSettled();
    const [{ stale }] = await app.db.query(`SELECT count(*)::int AS stale FROM customer_scores WHERE scored_on < (now() AT TIME ZONE 'UTC')::date`);
    expect(stale).toBe(0);
  });

  it('a new model rescores everyone with it', async () => {
    // Enough buyers for a fit.
    const ids: Array<{ id: string }> = await app.db.query(`INSERT INTO customers (kind, name) SELECT 'PERSON', 'Buyer ' || i FROM generate_series(1, 60) i RETURNING id`);
    await app.db.query(
      `INSERT INTO orders (customer_id, placed_at, status, channel, currency, base_currency, rate_to_base, subtotal_amount, discount_amount, total_amount, cost_amount, total_base, cost_base)
       SELECT c, now() - make_interval(days => ((k * 37 + i * 11) % 400 + 1)::int), 'FULFILLED', 'ONLINE', $2, $2, 1, 20 + k, 0, 20 + k, 8, 20 + k, 8
         FROM unnest($1::uuid[]) WITH ORDINALITY AS u(c, i), generate_series(0, (i % 5)::int) AS k`,
      [ids.map((r) => r.id), app.config.baseCurrency],
    );
    await app.scoresSettled();
    const { fitCustomerModel } = await app.ok(`mutation { fitCustomerModel(input: {}) { model { id } userErrors { message } } }`);
    expect(fitCustomerModel.userErrors).toEqual([]);
    await app.scoresSettled();
    const model = fromGlobalId(fitCustomerModel.model.id)!.id;
    const [{ other }] = await app.db.query(`SELECT count(*)::int AS other FROM customer_scores WHERE model_fit_id IS DISTINCT FROM $1`, [model]);
    expect(other).toBe(0);
    const { customer: c } = await app.ok(SCORES, { id: customer });
    expect(c.clv.predicted).not.toBeNull();
  });
});

describe('a write racing a rescore batch', () => {
  // The worker is driven by hand here, so that a batch runs exactly while a write is open: no clock decides the order.
  let held: TestApp;
  beforeAll(async () => {
    held = await startTestApp({ WORKER: 'false' });
  });
  afterAll(() => held.close());

  it('a customer is in the lists sorted and filtered by scores from the moment it exists, before the worker scores it', async () => {
    const { createCustomer } = await held.ok(`mutation { createCustomer(input: { kind: PERSON, name: "Brand New" }) { customer { id } } }`);
    const id = createCustomer.customer.id;
    for (const direction of ['DESC', 'ASC']) {
      const { customers } = await held.ok(`query { customers(first: 100, orderBy: { field: PREDICTED_CLV, direction: ${direction} }) { nodes { id segment } } }`);
      expect(customers.nodes).toContainEqual({ id, segment: 'PROSPECT' });
    }
    const { customers } = await held.ok(`query { customers(filter: { segment: { eq: PROSPECT } }) { nodes { id } } }`);
    expect(customers.nodes.map((n: { id: string }) => n.id)).toContain(id);
    const [{ waiting }] = await held.db.query(`SELECT EXISTS (SELECT 1 FROM customer_score_requests WHERE customer_id = $1) AS waiting`, [fromGlobalId(id)!.id]);
    expect(waiting).toBe(true);
  });

  it('a batch that runs while an order is uncommitted leaves the request for after the commit, and the order is scored', async () => {
    const { createCustomer } = await held.ok(`mutation { createCustomer(input: { kind: PERSON, name: "Racing Buyer" }) { customer { id } } }`);
    const id = fromGlobalId(createCustomer.customer.id)!.id;
    // The customer's creation left a request waiting; an order now finds it there.
    const writer = new Client({ connectionString: held.url });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(
        `INSERT INTO orders (customer_id, placed_at, status, channel, currency, base_currency, rate_to_base, subtotal_amount, discount_amount, total_amount, cost_amount, total_base, cost_base)
         VALUES ($1, now() - interval '2 days', 'PAID', 'ONLINE', $2, $2, 1, 50, 0, 50, 20, 50, 20)`,
        [id, held.config.baseCurrency],
      );
      // A batch while the order is open cannot see it, so it must not take the request either.
      await rescoreRequested(held.db, held.config.baseCurrency, held.config.referralValueShare);
      await writer.query('COMMIT');
    } finally {
      await writer.end();
    }
    const [{ waiting, queued }] = await held.db.query(
      `SELECT EXISTS (SELECT 1 FROM customer_score_requests WHERE customer_id = $1) AS waiting,
              EXISTS (SELECT 1 FROM graphile_worker.jobs WHERE task_identifier = $2) AS queued`,
      [id, RESCORE_JOB],
    );
    expect({ waiting, queued }).toEqual({ waiting: true, queued: true });
    await rescoreRequested(held.db, held.config.baseCurrency, held.config.referralValueShare);
    const [row] = await held.db.query(`SELECT occasions, revenue = 50 AS "revenueIs50" FROM customer_scores WHERE customer_id = $1`, [id]);
    expect(row).toEqual({ occasions: 1, revenueIs50: true });
  });
});

describe('a fit asked for while no worker runs', () => {
  let idle: TestApp;
  beforeAll(async () => {
    // No worker in this process or any other: the fit can only wait, and the request's time limit answers.
    idle = await startTestApp({ WORKER: 'false', REQUEST_TIMEOUT_MS: '1000' });
  });
  afterAll(() => idle.close());

  it('answers TIMEOUT with the request, and the worker, when one runs, records the outcome once', async () => {
    const res = await idle.gql(`mutation { fitCustomerModel(input: {}) { model { id } userErrors { message } } }`);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'TIMEOUT', fitRequestId: expect.any(String) });
    const requestId = res.errors![0].extensions!.fitRequestId as string;
    const queued = await idle.db.query(
      `SELECT j.payload FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE t.identifier = $1`,
      [FIT_REQUESTED_JOB],
    );
    expect(queued).toEqual([{ payload: { requestId } }]);
    // What the worker runs for that job; a second run (a retry after a crash) finds the request finished.
    await fitRequested(idle.db, idle.config.baseCurrency, requestId);
    await fitRequested(idle.db, idle.config.baseCurrency, requestId);
    const rows = await idle.db.query(`SELECT outcome, message, fit_id FROM customer_model_fit_requests`);
    expect(rows).toEqual([{ outcome: 'CANNOT_FIT', message: expect.stringMatching(/no customer has a purchase/i), fit_id: null }]);
  });
});

describe('the purchase summaries and baskets a fit as of now reads from the scores', () => {
  // No worker: this test scores by hand, so that a request it leaves pending stays pending.
  let quiet: TestApp;
  beforeAll(async () => {
    quiet = await startTestApp({ WORKER: 'false' });
  });
  afterAll(() => quiet.close());

  it('equal what the orders give, for every buyer: stored rows, and the orders for customers whose rescore is pending', async () => {
    const currency = quiet.config.baseCurrency;
    await insertSimulatedBuyers(quiet.db, { n: 60, seed: 5, name: (i) => `Summary buyer ${i}`, currency, now: Date.now() });
    const [gone] = await quiet.db.query(`SELECT id FROM customers WHERE name = 'Summary buyer 3'`);
    await quiet.ok(`mutation($id: ID!) { deleteCustomer(input: { id: $id }) { userErrors { message } } }`, { id: toGlobalId('Customer', gone.id) });
    await rescoreRequested(quiet.db, currency, quiet.config.referralValueShare);
    const stored = await storedPurchaseSummaries(quiet.db);
    const fromOrders = await populationSummaries(quiet.db, new Date());
    expect(stored.length).toBeGreaterThan(50);
    expect(stored).toEqual(fromOrders);
    expect(stored.some((r) => r.customerId === gone.id)).toBe(false);
    // A fit from them is the fit from the orders, parameter for parameter.
    const options = { asOf: new Date(), timeUnit: TIME_UNITS.DAY, basis: ValueBasis.MARGIN, activate: false, baseCurrency: currency };
    const [fast, slow] = [await fitAndStore(quiet.db, { ...options, fromScores: true }), await fitAndStore(quiet.db, options)];
    expect({ bgnbd: fast.bgnbd, gg: fast.gammaGamma, bp: fast.rfmBreakpoints }).toEqual({ bgnbd: slow.bgnbd, gg: slow.gammaGamma, bp: slow.rfmBreakpoints });

    // A customer whose rescore is pending (its stored row made stale by hand) is read from the orders instead.
    await quiet.db.query(`UPDATE customer_scores SET occasions = occasions + 5, first_revenue = 0 WHERE customer_id = $1`, [stored[1].customerId]);
    await quiet.db.query(`INSERT INTO customer_score_requests (customer_id) VALUES ($1)`, [stored[1].customerId]);
    expect(await storedPurchaseSummaries(quiet.db)).toEqual(fromOrders);
    // A row written before these columns existed is read from the orders too.
    await quiet.db.query(`UPDATE customer_scores SET first_day = NULL, first_revenue = 0 WHERE customer_id = $1`, [stored[2].customerId]);
    expect(await storedPurchaseSummaries(quiet.db)).toEqual(fromOrders);
  });

  it('baskets (the association rules\' input) equal what the order lines give: stored, and from the orders for customers whose row cannot tell; a product moved to another category rescores its buyers', async () => {
    const currency = quiet.config.baseCurrency;
    const product = async (sku: string, category: string): Promise<string> =>
      (await quiet.ok(`mutation($input: CreateProductInput!) { createProduct(input: $input) { product { id } } }`, { input: { sku, name: sku, category, unitPrice: '10.00', unitCost: '4.00' } })).createProduct.product.id;
    const [coffee, tea, cups] = [await product('BASKET-COFFEE', 'Coffee'), await product('BASKET-TEA', 'Tea'), await product('BASKET-CUPS', 'Kitchen')];
    // Twelve buyers: coffee alone, coffee and tea (in one order or two), all three, and one who bought only uncategorised goods.
    const plans: string[][][] = [[[coffee]], [[coffee]], [[coffee, tea]], [[coffee], [tea]], [[coffee, tea]], [[tea, cups, coffee]], [[tea]], [[cups], [coffee]], [[coffee, tea]], [[coffee, tea]], [[tea, coffee]], []];
    const buyers: string[] = [];
    for (const [i, plan] of plans.entries()) {
      const { createCustomer } = await quiet.ok(`mutation($name: String!) { createCustomer(input: { kind: PERSON, name: $name }) { customer { id } } }`, { name: `Basket buyer ${i}` });
      buyers.push(createCustomer.customer.id);
      const orders = plan.length ? plan : [[]];
      for (const [k, products] of orders.entries()) {
        const lines = products.length ? products.map((productId) => ({ productId, quantity: 1 })) : [{ description: 'Gift wrap', quantity: 1, unitPrice: '2.00' }];
        const placedAt = new Date(Date.now() - (40 - k) * 86_400_000).toISOString();
        const { recordOrder } = await quiet.ok(RECORD, { input: { customerId: createCustomer.customer.id, placedAt, lines } });
        expect(recordOrder.userErrors).toEqual([]);
      }
    }
    // An order and its lines request the customer's rescore once: one request, one job (the lines' request finds the
    // order's, made by the same transaction, and leaves it as it is).
    const rescoreJobs = async () => (await quiet.db.query(`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = 'rescore_customers'`))[0].n as number;
    const jobsBefore = await rescoreJobs();
    const { recordOrder: another } = await quiet.ok(RECORD, { input: { customerId: buyers[0], lines: [{ productId: coffee, quantity: 2 }, { productId: tea, quantity: 1 }] } });
    expect(another.userErrors).toEqual([]);
    expect(await rescoreJobs()).toBe(jobsBefore + 1);
    plans[0].push([coffee, tea]);

    await rescoreRequested(quiet.db, currency, quiet.config.referralValueShare);
    const sorted = (baskets: string[][]) => baskets.map((b) => b.join(' + ')).sort();
    const fromLines = sorted(await populationBaskets(quiet.db, new Date()));
    expect(fromLines).toHaveLength(11);
    expect(fromLines).toContain('Coffee + Kitchen + Tea');
    // Read from the stored rows: every buyer's categories are there.
    const [{ rows }] = await quiet.db.query(`SELECT count(*)::int AS rows FROM customer_scores WHERE cardinality(categories) > 0`);
    expect(rows).toBe(11);
    expect(sorted(await storedBaskets(quiet.db))).toEqual(fromLines);
    // The rules a fit as of now finds are the ones the order lines give.
    const options = { asOf: new Date(), timeUnit: TIME_UNITS.DAY, basis: ValueBasis.MARGIN, activate: false, baseCurrency: currency };
    const [fast, slow] = [await fitAndStore(quiet.db, { ...options, fromScores: true }), await fitAndStore(quiet.db, options)];
    expect(fast.associationRules.length).toBeGreaterThan(0);
    expect(fast.associationRules).toEqual(slow.associationRules);

    // Tea becomes Infusions: its buyers are requested for a rescore, and until then their baskets come from the orders.
    await quiet.ok(`mutation($input: UpdateProductInput!) { updateProduct(input: $input) { userErrors { message } } }`, { input: { id: tea, category: 'Infusions' } });
    const teaBuyers = buyers.filter((_, i) => plans[i].some((products) => products.includes(tea))).map((id) => fromGlobalId(id)!.id);
    const requested: Array<{ customer_id: string }> = await quiet.db.query(`SELECT customer_id FROM customer_score_requests WHERE customer_id = ANY($1::uuid[])`, [buyers.map((id) => fromGlobalId(id)!.id)]);
    expect(requested.map((r) => r.customer_id).sort()).toEqual(teaBuyers.sort());
    const renamed = sorted(await populationBaskets(quiet.db, new Date()));
    expect(renamed).toContain('Coffee + Infusions + Kitchen');
    expect(sorted(await storedBaskets(quiet.db))).toEqual(renamed);
    await rescoreRequested(quiet.db, currency, quiet.config.referralValueShare);
    expect(sorted(await storedBaskets(quiet.db))).toEqual(renamed);

    // The rescore of everyone on a new UTC day keeps the stored categories, without reading anyone's lines again: no
    // write changed what anyone bought. A value no order line gives, stored by hand, shows that it was not read again.
    const marked = fromGlobalId(buyers[2])!.id;
    const categoriesOf = async (id: string) => (await quiet.db.query(`SELECT categories FROM customer_scores WHERE customer_id = $1`, [id]))[0].categories;
    const before = await categoriesOf(marked);
    await quiet.db.query(`UPDATE customer_scores SET categories = '{Marked}' WHERE customer_id = $1`, [marked]);
    await quiet.db.query(`UPDATE customer_scores SET scored_on = scored_on - 1`);
    expect(await rescoreStale(quiet.db, currency, quiet.config.referralValueShare)).toBeGreaterThan(11);
    expect(await categoriesOf(marked)).toEqual(['Marked']);
    const [{ stored: storedAfter }] = await quiet.db.query(`SELECT count(*)::int AS stored FROM customer_scores WHERE cardinality(categories) > 0`);
    expect(storedAfter).toBe(11);
    // A request made by a write (purchases_changed, as every trigger makes it) reads them again.
    await quiet.db.query(`SELECT request_customer_rescore(ARRAY[$1::uuid])`, [marked]);
    await rescoreRequested(quiet.db, currency, quiet.config.referralValueShare);
    expect(await categoriesOf(marked)).toEqual(before);
    expect(sorted(await storedBaskets(quiet.db))).toEqual(renamed);

    // A line written on its own, after its order was scored, requests its customer's rescore like the order did.
    const [plain] = await quiet.db.query(`SELECT o.id, o.customer_id FROM orders o WHERE o.customer_id = $1`, [fromGlobalId(buyers[1])!.id]);
    await quiet.db.query(
      `INSERT INTO order_lines (order_id, customer_id, product_id, position, description, quantity, currency, unit_price_amount, unit_cost_amount, total_amount)
       VALUES ($1, $2, $3, 9, 'Cups', 1, $4, 10, 4, 10)`,
      [plain.id, plain.customer_id, fromGlobalId(cups)!.id, currency],
    );
    expect(await quiet.db.query(`SELECT customer_id FROM customer_score_requests WHERE customer_id = $1`, [plain.customer_id])).toHaveLength(1);
    await rescoreRequested(quiet.db, currency, quiet.config.referralValueShare);
    const withCups = sorted(await populationBaskets(quiet.db, new Date()));
    expect(withCups).not.toEqual(renamed);
    expect(sorted(await storedBaskets(quiet.db))).toEqual(withCups);

    // A row written before the column existed is read from the orders too.
    await quiet.db.query(`UPDATE customer_scores SET categories = NULL WHERE customer_id = $1`, [fromGlobalId(buyers[5])!.id]);
    expect(sorted(await storedBaskets(quiet.db))).toEqual(withCups);
    // A deleted buyer's basket is not in the population's.
    await quiet.ok(`mutation($id: ID!) { deleteCustomer(input: { id: $id }) { userErrors { message } } }`, { id: buyers[5] });
    const withoutDeleted = sorted(await populationBaskets(quiet.db, new Date()));
    expect(withoutDeleted).not.toContain('Coffee + Infusions + Kitchen');
    expect(sorted(await storedBaskets(quiet.db))).toEqual(withoutDeleted);
  });
});

