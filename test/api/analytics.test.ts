import { insertSimulatedBuyers } from '../support/simulated-buyers';
import { startTestApp, TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const DAY = 86_400_000;
const NOW = Date.now();

interface CustomerRow {
  name: string;
  birthday?: string;
  consents?: Array<'email' | 'sms' | 'phone' | 'mail'>;
}

async function insertCustomers(rows: CustomerRow[]): Promise<string[]> {
  const has = (r: CustomerRow, ch: string) => (r.consents ?? []).includes(ch as never);
  const inserted: Array<{ id: string }> = await app.db.query(
    `INSERT INTO customers (kind, name, birthday, consent_email_granted, consent_sms_granted, consent_phone_granted, consent_mail_granted)
     SELECT 'PERSON', n, b, e, s, p, m
       FROM unnest($1::text[], $2::date[], $3::boolean[], $4::boolean[], $5::boolean[], $6::boolean[]) WITH ORDINALITY AS u(n, b, e, s, p, m, i)
      ORDER BY i RETURNING id`,
    [rows.map((r) => r.name), rows.map((r) => r.birthday ?? null), ...['email', 'sms', 'phone', 'mail'].map((ch) => rows.map((r) => has(r, ch)))],
  );
  return inserted.map((r) => r.id);
}

interface OrderRow {
  customerId: string;
  placedAt: Date;
  total: string;
  cost: string;
  status?: string;
}

/** Orders straight into the table, as in insight.test.ts; returns their ids in order. */
async function insertOrders(orders: OrderRow[]): Promise<string[]> {
  const currency = app.config.baseCurrency;
  const rows: Array<{ id: string }> = await app.db.query(
    `INSERT INTO orders (customer_id, placed_at, status, channel, currency, base_currency, rate_to_base,
                         subtotal_amount, discount_amount, total_amount, cost_amount, total_base, cost_base)
     SELECT c, p, s, 'ONLINE', $6, $6, 1, t, 0, t, k, t, k
       FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::numeric[], $5::numeric[]) WITH ORDINALITY AS u(c, p, s, t, k, i)
      ORDER BY i RETURNING id`,
    [orders.map((o) => o.customerId), orders.map((o) => o.placedAt), orders.map((o) => o.status ?? 'FULFILLED'), orders.map((o) => o.total), orders.map((o) => o.cost), currency],
  );
  return rows.map((r) => r.id);
}

/** A touchpoint; a complaint comes in by phone and opens a complaint (resolved an hour later when asked). */
async function insertTouchpoint(customerId: string, purpose: string, at: Date, complaint?: 'OPEN' | 'RESOLVED'): Promise<string> {
  const [{ id }] = await app.db.query(
    `INSERT INTO touchpoints (customer_id, channel, direction, purpose, occurred_at) VALUES ($1, $4, 'OUTBOUND', $2, $3) RETURNING id`,
    [customerId, purpose, at, complaint ? 'PHONE' : 'EMAIL'],
  );
  if (complaint) {
    await app.db.query(
      `INSERT INTO complaints (customer_id, touchpoint_id, channel, category, severity, status, subject, opened_at, first_response_due_at,
                               resolution_due_at, first_response_at, resolved_at)
       SELECT $1, $2, 'PHONE', 'OTHER', 'MEDIUM', $4, 'Complaint', $3, $3 + interval '24 hours', $3 + interval '120 hours', r, r
         FROM (SELECT CASE WHEN $4 = 'RESOLVED' THEN $3::timestamptz + interval '1 hour' END AS r) x`,
      [customerId, id, at, complaint],
    );
  }
  return id;
}

const cents = (amount: string) => Math.round(Number(amount) * 100);

describe('predicted CLV over the customer base', () => {
  beforeAll(async () => {
    // A small population from the BG/NBD story with Gamma-Gamma margins, so that both models fit.
    await insertSimulatedBuyers(app.db, { n: 150, seed: 2026, name: (i) => `Sim ${String(i).padStart(3, '0')}`, currency: app.config.baseCurrency, now: NOW });
    const fit = await app.ok(`mutation { fitCustomerModel(input: {}) { model { basis gammaGamma { p } } userErrors { message } } }`);
    expect(fit.fitCustomerModel.userErrors).toEqual([]);
    expect(fit.fitCustomerModel.model.gammaGamma).not.toBeNull();
    // The fit queues a rescore of everyone: the fields and the summary read the worker's rows once it is done.
    await app.scoresSettled();
  });

  it('gives each segment the mean of its buyers’ predicted CLV, as Customer.clv predicts each of them', async () => {
    const members: Array<{ segment: string; clv: { predicted: { amount: string } | null } }> = [];
    for (let after: string | null = null, more = true; more; ) {
      const { customers }: any = await app.ok(
        `query($after: String) { customers(first: 100, after: $after) { nodes { segment clv { predicted { amount } } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      members.push(...customers.nodes);
      ({ hasNextPage: more, endCursor: after } = customers.pageInfo);
    }
    expect(members).toHaveLength(150);
    const { segmentSummary } = await app.ok(`{ segmentSummary { segments { segment customers averageClv { amount currencyCode } } } }`);
    let checked = 0;
    for (const row of segmentSummary.segments as Array<{ segment: string; customers: number; averageClv: { amount: string; currencyCode: string } | null }>) {
      const predictions = members.filter((m) => m.segment === row.segment && m.clv.predicted).map((m) => cents(m.clv.predicted!.amount));
      expect(predictions.length).toBeLessThanOrEqual(row.customers);
      if (predictions.length === 0) {
        expect(row.averageClv).toBeNull();
        continue;
      }
      checked++;
      expect(row.averageClv!.currencyCode).toBe(app.config.baseCurrency);
      // The mean of cent-rounded predictions is within half a cent of the rounded mean.
      const mean = predictions.reduce((s, p) => s + p, 0) / predictions.length;
      expect(Math.abs(cents(row.averageClv!.amount) - mean)).toBeLessThanOrEqual(1);
    }
    expect(checked).toBeGreaterThan(2);
    // One GROUP BY over the stored scores answers counts, totals and average CLVs alike.
    const plain = await app.statements(`{ segmentSummary { segments { customers } } }`);
    const withClv = await app.statements(`{ segmentSummary { segments { averageClv { amount } } } }`);
    expect(withClv).toBe(plain);
    expect(plain).toBeLessThanOrEqual(2);
    expect(segmentSummary.segments.find((s: { segment: string }) => s.segment === 'PROSPECT').averageClv).toBeNull();
  });

  it('spreads every buyer over the CLV histogram: counts add up to the buyers and shares to 1', async () => {
    const { clvDistribution: d } = await app.ok(`{ clvDistribution(buckets: 7) {
      basis customers total { amount } average { amount } buckets { lower { amount } upper { amount } customers share clvShare } } }`);
    const [{ buyers }] = await app.db.query(`SELECT count(DISTINCT customer_id)::int AS buyers FROM orders WHERE deleted_at IS NULL AND status IN ('PENDING','PAID','FULFILLED')`);
    expect(d.basis).toBe('MARGIN');
    expect(d.customers).toBe(buyers);
    expect(d.buckets).toHaveLength(7);
    const buckets = d.buckets as Array<{ lower: { amount: string }; upper: { amount: string }; customers: number; share: number; clvShare: number }>;
    expect(buckets.reduce((n, b) => n + b.customers, 0)).toBe(buyers);
    expect(buckets.reduce((n, b) => n + b.share, 0)).toBeCloseTo(1, 10);
    expect(buckets.reduce((n, b) => n + b.clvShare, 0)).toBeCloseTo(1, 10);
    buckets.forEach((b, i) => {
      expect(Number(b.lower.amount)).toBeLessThanOrEqual(Number(b.upper.amount));
      if (i > 0) expect(b.lower.amount).toBe(buckets[i - 1].upper.amount);
    });
    expect(Math.abs(cents(d.average.amount) - cents(d.total.amount) / buyers)).toBeLessThanOrEqual(1);
    const { clvDistribution: revenue } = await app.ok(`{ clvDistribution(basis: REVENUE, buckets: 1) { basis customers buckets { customers share } } }`);
    expect(revenue).toMatchObject({ basis: 'REVENUE', customers: buyers, buckets: [{ customers: buyers, share: 1 }] });
  });
});

describe('cross-sell rules', () => {
  it('computes support, confidence and lift of category pairs from the categories bought in the same order', async () => {
    const currency = app.config.baseCurrency;
    const products: Array<{ id: string; sku: string }> = await app.db.query(
      `INSERT INTO products (sku, name, category, unit_price, unit_cost, currency)
       VALUES ('CO-1', 'Coffee', 'coffee', 10, 4, $1), ('CO-2', 'Decaf', 'coffee', 10, 4, $1), ('GR-1', 'Grinder', 'grinders', 50, 20, $1),
              ('MU-1', 'Mug', 'mugs', 8, 2, $1), ('GI-1', 'Gift card', NULL, 20, 20, $1)
       RETURNING id, sku`,
      [currency],
    );
    const sku = Object.fromEntries(products.map((p) => [p.sku, p.id]));
    // Four purchase orders: {coffee, grinders}, {coffee, grinders, mugs}, {coffee}, {mugs}; a cancelled
    // {coffee, mugs} does not count, nor does an uncategorised gift card; two coffees in one order count once.
    const baskets: Array<{ skus: string[]; status?: string }> = [
      { skus: ['CO-1', 'CO-2', 'GR-1', 'GI-1'] },
      { skus: ['CO-1', 'GR-1', 'MU-1'] },
      { skus: ['CO-1'] },
      { skus: ['MU-1'] },
      { skus: ['CO-1', 'MU-1'], status: 'CANCELLED' },
      { skus: ['GI-1'] },
    ];
    const [customer] = await insertCustomers([{ name: 'Basket Buyer' }]);
    const orderIds = await insertOrders(baskets.map((b) => ({ customerId: customer, placedAt: new Date(NOW - 30 * DAY), total: '10.00', cost: '4.00', status: b.status })));
    const lines = baskets.flatMap((b, i) => b.skus.map((s, j) => ({ order: orderIds[i], product: sku[s], position: j + 1 })));
    await app.db.query(
      `INSERT INTO order_lines (order_id, customer_id, product_id, position, description, quantity, currency, unit_price_amount, unit_cost_amount, total_amount)
       SELECT o, $4, p, n, 'line', 1, $5, 10, 4, 10 FROM unnest($1::uuid[], $2::uuid[], $3::int[]) AS u(o, p, n)`,
      [lines.map((l) => l.order), lines.map((l) => l.product), lines.map((l) => l.position), customer, currency],
    );

    const RULES = `query($s: Float, $c: Float, $f: Int) { crossSellRules(minSupport: $s, minConfidence: $c, first: $f) { antecedent consequent support confidence lift orders } }`;
    const { crossSellRules: rules } = await app.ok(RULES, {});
    // n = 4 orders; coffee in 3, grinders in 2, mugs in 2; coffee+grinders 2, coffee+mugs 1, grinders+mugs 1.
    const expected = [
      ['grinders', 'coffee', 2 / 4, 2 / 2, 1 / (3 / 4), 2],
      ['coffee', 'grinders', 2 / 4, 2 / 3, 2 / 3 / (2 / 4), 2],
      ['grinders', 'mugs', 1 / 4, 1 / 2, 1 / 2 / (2 / 4), 1],
      ['mugs', 'grinders', 1 / 4, 1 / 2, 1 / 2 / (2 / 4), 1],
      ['mugs', 'coffee', 1 / 4, 1 / 2, 1 / 2 / (3 / 4), 1],
      ['coffee', 'mugs', 1 / 4, 1 / 3, 1 / 3 / (2 / 4), 1],
    ] as const;
    expect(rules).toHaveLength(expected.length);
    expected.forEach(([antecedent, consequent, support, confidence, lift, orders], i) => {
      expect(rules[i]).toMatchObject({ antecedent, consequent, orders });
      expect(rules[i].support).toBeCloseTo(support, 12);
      expect(rules[i].confidence).toBeCloseTo(confidence, 12);
      expect(rules[i].lift).toBeCloseTo(lift, 12);
    });
    const strong = (await app.ok(RULES, { s: 0.3, c: 0.6 })).crossSellRules.map((r: { antecedent: string; consequent: string }) => `${r.antecedent}→${r.consequent}`);
    expect(strong).toEqual(['grinders→coffee', 'coffee→grinders']);
    expect((await app.ok(RULES, { f: 1 })).crossSellRules).toHaveLength(1);

    for (const variables of [{ s: 1.5 }, { s: -0.1 }, { c: 2 }, { f: 0 }, { f: 101 }]) {
      const res = await app.gql(RULES, variables);
      expect(res.status).toBeLessThan(500);
      expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});

describe('care agenda', () => {
  const from = new Date(NOW);
  const to = new Date(NOW + 7 * DAY);
  const monthDay = (at: Date) => at.toISOString().slice(5, 10);
  const AGENDA = `query($from: DateTime!, $to: DateTime!, $first: Int) { careAgenda(from: $from, to: $to, first: $first) {
    kind customer { name } contact { name } dueAt reason channel subject } }`;
  type Item = { kind: string; customer: { name: string }; contact: { name: string } | null; dueAt: string; reason: string; channel: string | null; subject: string | null };
  let ids: Record<string, string>;
  let agenda: Item[];
  // Holiday greetings depend on the calendar around the day the suite runs; they have a test of their own.
  const itemsOf = (name: string) => agenda.filter((i) => i.customer.name === name && i.kind !== 'HOLIDAY_GREETING');

  beforeAll(async () => {
    const birthday = new Date(NOW + 3 * DAY);
    const rows: CustomerRow[] = [
      { name: 'Care Birthday', birthday: `1988-${monthDay(birthday)}`, consents: ['sms', 'email'] },
      { name: 'Care Thank', consents: ['email'] },
      { name: 'Care Thanked', consents: ['email'] },
      { name: 'Care Sms', consents: ['sms', 'mail'] },
      { name: 'Care No Consent', birthday: `1988-${monthDay(birthday)}` },
      { name: 'Care Complaint', consents: ['phone', 'email'] },
      { name: 'Care Service', consents: ['email'] },
      { name: 'Care Surveyed', consents: ['email'] },
      { name: 'Care Old', consents: ['email'], birthday: `1988-${monthDay(new Date(NOW + 20 * DAY))}` },
    ];
    const inserted = await insertCustomers(rows);
    ids = Object.fromEntries(rows.map((r, i) => [r.name, inserted[i]]));
    await app.db.query(`INSERT INTO contacts (customer_id, name, relationship, birthday) VALUES ($1, 'Kim Partner', 'FAMILY', $2)`, [
      ids['Care Birthday'],
      `1990-${monthDay(new Date(NOW + 5 * DAY))}`,
    ]);
    const yesterday = new Date(NOW - DAY);
    await insertOrders(
      ['Care Thank', 'Care Thanked', 'Care Sms', 'Care No Consent'].map((name) => ({ customerId: ids[name], placedAt: yesterday, total: '20.00', cost: '5.00' })),
    );
    // Purchases long before the window need no thanks any more.
    await insertOrders([{ customerId: ids['Care Old'], placedAt: new Date(NOW - 40 * DAY), total: '20.00', cost: '5.00' }]);
    await insertTouchpoint(ids['Care Thanked'], 'THANK_YOU', new Date(yesterday.getTime() + 3_600_000));
    await insertTouchpoint(ids['Care Complaint'], 'COMPLAINT', new Date(NOW - 3 * DAY), 'OPEN');
    await insertTouchpoint(ids['Care Complaint'], 'COMPLAINT', new Date(NOW - 5 * DAY), 'RESOLVED');
    await insertTouchpoint(ids['Care No Consent'], 'COMPLAINT', new Date(NOW - 1 * DAY), 'OPEN');
    await insertTouchpoint(ids['Care Service'], 'SERVICE', new Date(NOW - 2 * DAY));
    await insertTouchpoint(ids['Care Surveyed'], 'SERVICE', new Date(NOW - 2 * DAY));
    await insertTouchpoint(ids['Care Surveyed'], 'SURVEY', new Date(NOW - DAY));
    agenda = (await app.ok(AGENDA, { from: from.toISOString(), to: to.toISOString() })).careAgenda;
  });

  it('lists the birthdays in the window, of customers and of their contacts', () => {
    const birthdays = itemsOf('Care Birthday');
    expect(birthdays).toEqual([
      expect.objectContaining({ kind: 'BIRTHDAY_GREETING', contact: null, channel: 'SMS', dueAt: `${new Date(NOW + 3 * DAY).toISOString().slice(0, 10)}T00:00:00.000Z` }),
      expect.objectContaining({ kind: 'BIRTHDAY_GREETING', contact: { name: 'Kim Partner' }, channel: 'SMS', dueAt: `${new Date(NOW + 5 * DAY).toISOString().slice(0, 10)}T00:00:00.000Z` }),
    ]);
    expect(birthdays[1].reason).toMatch(/Kim Partner/);
    expect(itemsOf('Care Old')).toEqual([]);
  });

  it('lists a purchase not thanked yet, and leaves out the customer whose thank-you was sent', () => {
    expect(itemsOf('Care Thank')).toEqual([
      expect.objectContaining({ kind: 'THANK_YOU', channel: 'EMAIL', dueAt: new Date(NOW + DAY).toISOString(), reason: expect.stringMatching(/not thanked/) }),
    ]);
    expect(itemsOf('Care Thanked')).toEqual([]);
  });

  it('lists open complaints and service contacts without a survey since, not resolved complaints or surveyed service', async () => {
    const [open] = await app.db.query(`SELECT touchpoint_id AS id FROM complaints WHERE customer_id = $1 AND status = 'OPEN'`, [ids['Care Complaint']]);
    expect(itemsOf('Care Complaint')).toEqual([
      // Due at its first-response service level: opened three days ago, MEDIUM answers within 24 hours.
      expect.objectContaining({ kind: 'RESOLVE_COMPLAINT', channel: 'PHONE', subject: open.id, dueAt: new Date(NOW - 2 * DAY).toISOString() }),
    ]);
    expect(itemsOf('Care Service')).toEqual([expect.objectContaining({ kind: 'SATISFACTION_SURVEY', channel: 'EMAIL', dueAt: new Date(NOW - DAY).toISOString() })]);
    expect(itemsOf('Care Surveyed')).toEqual([]);
  });

  it('suggests only channels the customer consented to, and lists no outreach without consent', () => {
    expect(itemsOf('Care Sms')).toEqual([expect.objectContaining({ kind: 'THANK_YOU', channel: 'SMS' })]);
    // No consent: no birthday greeting or thank-you, but the complaint is still answered, through the channel it came in on.
    expect(itemsOf('Care No Consent')).toEqual([expect.objectContaining({ kind: 'RESOLVE_COMPLAINT', channel: 'PHONE' })]);
    expect(agenda.map((i) => i.dueAt)).toEqual([...agenda.map((i) => i.dueAt)].sort());
  });

  it('handles a window across the new year and 29 February outside leap years', async () => {
    await insertCustomers([
      { name: 'Care New Year', birthday: '1988-01-02', consents: ['email'] },
      { name: 'Care Leap', birthday: '1988-02-29', consents: ['email'] },
    ]);
    const newYear = (await app.ok(AGENDA, { from: '2030-12-28T00:00:00Z', to: '2031-01-04T00:00:00Z' })).careAgenda as Item[];
    expect(newYear.filter((i) => i.customer.name === 'Care New Year' && i.kind === 'BIRTHDAY_GREETING').map((i) => i.dueAt)).toEqual(['2031-01-02T00:00:00.000Z']);
    const leap = (await app.ok(AGENDA, { from: '2031-02-27T12:00:00Z', to: '2031-03-01T00:00:00Z' })).careAgenda as Item[];
    expect(leap.filter((i) => i.customer.name === 'Care Leap').map((i) => i.dueAt)).toEqual(['2031-02-28T00:00:00.000Z']);
  });

  it('lists holiday greetings to consenting customers in the countries that keep the holiday', async () => {
    const [us, de, silent] = await insertCustomers([
      { name: 'Holiday US', consents: ['email'] },
      { name: 'Holiday DE', consents: ['mail'] },
      { name: 'Holiday Silent' },
    ]);
    await app.db.query(`UPDATE customers SET address_country = CASE id WHEN $1 THEN 'US' WHEN $2 THEN 'DE' ELSE 'US' END WHERE id = ANY($3::uuid[])`, [us, de, [us, de, silent]]);
    const window = (await app.ok(`query($from: DateTime!, $to: DateTime!) { careAgenda(from: $from, to: $to, first: 100) { kind customer { name } dueAt reason channel } }`, {
      from: '2030-11-25T00:00:00Z',
      to: '2030-12-26T00:00:00Z',
    })).careAgenda as Item[];
    const greetings = (name: string) => window.filter((i) => i.customer.name === name && i.kind === 'HOLIDAY_GREETING').map((i) => [i.reason, i.dueAt, i.channel]);
    // Thanksgiving 2030 is Thursday 28 November (US only); Christmas is kept everywhere.
    expect(greetings('Holiday US')).toEqual([
      [expect.stringMatching(/Thanksgiving/), '2030-11-28T00:00:00.000Z', 'EMAIL'],
      [expect.stringMatching(/Christmas/), '2030-12-25T00:00:00.000Z', 'EMAIL'],
    ]);
    expect(greetings('Holiday DE')).toEqual([[expect.stringMatching(/Christmas/), '2030-12-25T00:00:00.000Z', 'MAIL']]);
    expect(greetings('Holiday Silent')).toEqual([]);
  });

  it('answers in a fixed handful of statements, caps the list, and rejects bad windows', async () => {
    expect(await app.statements(AGENDA, { from: from.toISOString(), to: to.toISOString() })).toBeLessThanOrEqual(4);
    expect((await app.ok(AGENDA, { from: from.toISOString(), to: to.toISOString(), first: 2 })).careAgenda).toHaveLength(2);
    for (const variables of [
      { from: to.toISOString(), to: from.toISOString() },
      { from: from.toISOString(), to: from.toISOString() },
      { from: from.toISOString(), to: new Date(NOW + 93 * DAY).toISOString() },
      { from: from.toISOString(), to: to.toISOString(), first: 0 },
      { from: from.toISOString(), to: to.toISOString(), first: 101 },
    ]) {
      const res = await app.gql(AGENDA, variables);
      expect(res.status).toBeLessThan(500);
      expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});

describe('bad input to the CLV histogram', () => {
  it('rejects fewer than 1 or more than 50 buckets', async () => {
    for (const buckets of [0, 51]) {
      const res = await app.gql(`query($b: Int!) { clvDistribution(buckets: $b) { customers } }`, { b: buckets });
      expect(res.status).toBeLessThan(500);
      expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});

describe('segment CLV averages under a model fitted on revenue', () => {
  it('average, as of a past instant too, the customers’ clv.predicted on margins, as the summary without asOf does', async () => {
    const fit = await app.ok(`mutation { fitCustomerModel(input: { basis: REVENUE }) { model { basis } userErrors { message } } }`);
    expect(fit.fitCustomerModel).toEqual({ model: { basis: 'REVENUE' }, userErrors: [] });
    await app.scoresSettled();
    const asOf = new Date(NOW - 10 * DAY).toISOString();
    const members: Array<{ rfm: { segment: string }; clv: { predicted: { amount: string } | null } }> = [];
    for (let after: string | null = null, more = true; more; ) {
      const { customers }: any = await app.ok(
        `query($after: String, $asOf: DateTime) { customers(first: 100, after: $after) { nodes { rfm(asOf: $asOf) { segment } clv(asOf: $asOf) { predicted { amount } } } pageInfo { hasNextPage endCursor } } }`,
        { after, asOf },
      );
      members.push(...customers.nodes);
      ({ hasNextPage: more, endCursor: after } = customers.pageInfo);
    }
    const { segmentSummary } = await app.ok(`query($asOf: DateTime) { segmentSummary(asOf: $asOf) { segments { segment averageClv { amount } } } }`, { asOf });
    let checked = 0;
    for (const row of segmentSummary.segments as Array<{ segment: string; averageClv: { amount: string } | null }>) {
      const predictions = members.filter((m) => m.rfm.segment === row.segment && m.clv.predicted).map((m) => cents(m.clv.predicted!.amount));
      if (!predictions.length) {
        expect(row.averageClv).toBeNull();
        continue;
      }
      checked++;
      expect(Math.abs(cents(row.averageClv!.amount) - predictions.reduce((s, p) => s + p, 0) / predictions.length)).toBeLessThanOrEqual(1);
    }
    expect(checked).toBeGreaterThan(2);
  });
});
