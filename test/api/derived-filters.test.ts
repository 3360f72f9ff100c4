import { fromGlobalId } from '../../src/common/ids';
import { mulberry32, sampleGamma, simulateBgnbd, utcDay } from '../../src/intelligence';
import { startTestApp, TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const DAY = 86_400_000;
const SEGMENTS = ['CHAMPIONS', 'LOYAL', 'POTENTIAL_LOYALIST', 'NEW', 'PROMISING', 'NEEDS_ATTENTION', 'ABOUT_TO_SLEEP', 'AT_RISK', 'CANT_LOSE', 'HIBERNATING', 'LOST', 'PROSPECT'];
const TIERS = ['KEY', 'MAINTAIN', 'DEVELOP', 'MONITOR'];
const LEVELS = ['LOW', 'MEDIUM', 'HIGH'];

interface Scored {
  id: string;
  segment: string;
  valueTier: string;
  churnRisk: { level: string | null; probability: number | null };
  clv: { predicted: { amount: string } | null };
}

const FIELDS = 'id segment valueTier churnRisk { level probability } clv { predicted { amount } }';
const LIST = `query($filter: CustomerFilter, $orderBy: CustomerOrderBy, $first: Int, $after: String, $last: Int, $before: String) {
  customers(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { ${FIELDS} } } }`;

/** Every customer the list returns, walking the cursors forward (or backward from the end), in list order. */
async function walk(vars: Record<string, unknown>, direction: 'forward' | 'backward' = 'forward', size = 37): Promise<{ nodes: Scored[]; totalCount: number }> {
  const pages: Scored[][] = [];
  let cursor: string | null = null;
  let totalCount = -1;
  for (;;) {
    const page: Record<string, unknown> = direction === 'forward' ? { first: size, after: cursor } : { last: size, before: cursor };
    const { customers } = await app.ok(LIST, { ...vars, ...page });
    totalCount = customers.totalCount;
    pages.push(customers.nodes);
    if (direction === 'forward' ? !customers.pageInfo.hasNextPage : !customers.pageInfo.hasPreviousPage) break;
    cursor = direction === 'forward' ? customers.pageInfo.endCursor : customers.pageInfo.startCursor;
  }
  return { nodes: (direction === 'forward' ? pages : pages.reverse()).flat(), totalCount };
}

const ids = (nodes: Scored[]) => nodes.map((n) => n.id).sort();

async function insertPopulation(): Promise<void> {
  const rng = mulberry32(3);
  const n = 300;
  const sim = simulateBgnbd({ r: 0.5, alpha: 20, a: 0.8, b: 2.5 }, n, Array.from({ length: n }, (_, i) => 200 + (i % 500)), rng);
  const rows: Array<{ id: string }> = await app.db.query(
    `INSERT INTO customers (kind, name) SELECT 'PERSON', 'Scored ' || i FROM generate_series(1, $1) i RETURNING id`,
    [n],
  );
  const today = utcDay(new Date()) - 1;
  const orders: Array<[string, Date, string, string]> = [];
  sim.forEach((c, i) => {
    const first = (today - c.T) * DAY + DAY / 3;
    const nu = sampleGamma(4, 15, rng);
    for (const t of [0, ...c.purchaseTimes]) {
      const margin = Math.max(0.01, Math.round(sampleGamma(6, nu, rng) * 100) / 100);
      orders.push([rows[i].id, new Date(first + Math.floor(t) * DAY), (margin * 2).toFixed(2), margin.toFixed(2)]);
    }
  });
  const currency = app.config.baseCurrency;
  await app.db.query(
    `INSERT INTO orders (customer_id, placed_at, status, channel, currency, base_currency, rate_to_base,
                         subtotal_amount, discount_amount, total_amount, cost_amount, total_base, cost_base)
     SELECT c, p, 'FULFILLED', 'ONLINE', $5, $5, 1, t, 0, t, k, t, k
       FROM unnest($1::uuid[], $2::timestamptz[], $3::numeric[], $4::numeric[]) AS u(c, p, t, k)`,
    [orders.map((o) => o[0]), orders.map((o) => o[1]), orders.map((o) => o[2]), orders.map((o) => o[3]), currency],
  );
}

describe('customers filtered and sorted by model scores', () => {
  beforeAll(async () => {
    await app.db.query(`INSERT INTO customers (kind, name) SELECT 'PERSON', 'Prospect ' || i FROM generate_series(1, 20) i`);
    await app.scoresSettled();
  });

  it('answer without a model with the values the fields return then: MONITOR tiers, no churn risk or prediction', async () => {
    const all = await walk({});
    expect(all.totalCount).toBe(20);
    expect((await walk({ filter: { valueTier: { eq: 'MONITOR' } } })).totalCount).toBe(20);
    expect((await walk({ filter: { segment: { eq: 'PROSPECT' } } })).totalCount).toBe(20);
    expect((await walk({ filter: { churnLevel: { isNull: true }, predictedClv: { isNull: true } } })).totalCount).toBe(20);
    const sorted = await walk({ orderBy: { field: 'PREDICTED_CLV', direction: 'DESC' } });
    expect(ids(sorted.nodes)).toEqual(ids(all.nodes));
  });

  describe('with a fitted model', () => {
    let truth: Scored[];
    beforeAll(async () => {
      await insertPopulation();
      const { fitCustomerModel } = await app.ok(`mutation { fitCustomerModel(input: {}) { model { gammaGamma { p } } userErrors { message } } }`);
      expect(fitCustomerModel.userErrors).toEqual([]);
      expect(fitCustomerModel.model.gammaGamma).not.toBeNull();
      // Activating the model queues a rescore of everyone: wait for the worker to write it.
      await app.scoresSettled();
      const [{ stale }] = await app.db.query(`SELECT count(*)::int AS stale FROM customer_scores s JOIN customer_model_fits f ON f.active WHERE s.model_fit_id IS DISTINCT FROM f.id`);
      expect(stale).toBe(0);
      truth = (await walk({}, 'forward', 100)).nodes;
      expect(truth).toHaveLength(320);
    });

    it('filter on segment, value tier and churn level return exactly the customers whose fields have that value', async () => {
      const cases: Array<[string, string[], (s: Scored) => string | null]> = [
        ['segment', SEGMENTS, (s) => s.segment],
        ['valueTier', TIERS, (s) => s.valueTier],
        ['churnLevel', LEVELS, (s) => s.churnRisk.level],
      ];
      for (const [field, values, of] of cases) {
        // The population spreads over several values of each field, so the test is not vacuous.
        expect(new Set(truth.map(of)).size).toBeGreaterThan(2);
        for (const value of values) {
          const want = truth.filter((s) => of(s) === value);
          const got = await walk({ filter: { [field]: { eq: value } } }, 'forward', 100);
          expect({ field, value, ids: ids(got.nodes), totalCount: got.totalCount }).toEqual({ field, value, ids: ids(want), totalCount: want.length });
          for (const node of got.nodes) expect(of(node)).toBe(value);
        }
      }
      const inTwo = await walk({ filter: { segment: { in: ['CHAMPIONS', 'LOST'] }, not: { valueTier: { eq: 'KEY' } } } }, 'forward', 100);
      expect(ids(inTwo.nodes)).toEqual(ids(truth.filter((s) => ['CHAMPIONS', 'LOST'].includes(s.segment) && s.valueTier !== 'KEY')));
    });

    it('filter on churn probability and predicted CLV compare the values the fields return', async () => {
      const probabilities = truth.map((s) => s.churnRisk.probability).filter((p): p is number => p !== null).sort((a, b) => a - b);
      const midP = probabilities[Math.floor(probabilities.length / 2)];
      const byP = await walk({ filter: { churnProbability: { gte: midP } } }, 'forward', 100);
      expect(ids(byP.nodes)).toEqual(ids(truth.filter((s) => s.churnRisk.probability !== null && s.churnRisk.probability >= midP)));

      const amounts = truth.map((s) => s.clv.predicted?.amount).filter((a): a is string => !!a).sort((a, b) => Number(a) - Number(b));
      const midClv = amounts[Math.floor(amounts.length / 2)];
      const byClv = await walk({ filter: { predictedClv: { lt: midClv } } }, 'forward', 100);
      expect(ids(byClv.nodes)).toEqual(ids(truth.filter((s) => s.clv.predicted && Number(s.clv.predicted.amount) < Number(midClv))));
      const exact = await walk({ filter: { predictedClv: { eq: midClv } } });
      expect(ids(exact.nodes)).toEqual(ids(truth.filter((s) => s.clv.predicted?.amount === midClv)));
    });

    it('sort by predicted CLV and churn probability in the fields’ order over every page, walked with cursors both ways', async () => {
      for (const [field, of] of [
        ['PREDICTED_CLV', (s: Scored) => (s.clv.predicted ? Number(s.clv.predicted.amount) : null)],
        ['CHURN_PROBABILITY', (s: Scored) => s.churnRisk.probability],
      ] as const) {
        for (const direction of ['ASC', 'DESC']) {
          const forward = await walk({ orderBy: { field, direction } });
          const backward = await walk({ orderBy: { field, direction } }, 'backward');
          expect(forward.nodes).toHaveLength(320);
          expect(backward.nodes.map((n) => n.id)).toEqual(forward.nodes.map((n) => n.id));
          const values = forward.nodes.map(of);
          // Customers without a score come last in both directions: DESC opens with the highest.
          const nulls = values.filter((v) => v === null).length;
          expect(nulls).toBeGreaterThan(0);
          expect(values.slice(values.length - nulls)).toEqual(new Array(nulls).fill(null));
          const known = values.slice(0, values.length - nulls) as number[];
          expect(known).not.toContain(null);
          expect(known.length).toBeGreaterThan(250);
          for (let i = 1; i < known.length; i++) {
            if (direction === 'ASC') expect(known[i]).toBeGreaterThanOrEqual(known[i - 1]);
            else expect(known[i]).toBeLessThanOrEqual(known[i - 1]);
          }
        }
      }
      // Small pages put cursors on customers without a score, in both directions: walking back from the last page
      // must cross from them into the scored ones.
      const forward = await walk({ orderBy: { field: 'PREDICTED_CLV', direction: 'DESC' } }, 'forward', 7);
      const backward = await walk({ orderBy: { field: 'PREDICTED_CLV', direction: 'DESC' } }, 'backward', 7);
      expect(backward.nodes.map((n) => n.id)).toEqual(forward.nodes.map((n) => n.id));
      expect(forward.nodes).toHaveLength(320);
      const highRisk = await walk({ filter: { churnLevel: { eq: 'HIGH' } }, orderBy: { field: 'CHURN_PROBABILITY', direction: 'DESC' } }, 'forward', 10);
      expect(highRisk.nodes.map((n) => n.id)).toEqual(
        truth
          .filter((s) => s.churnRisk.level === 'HIGH')
          .sort((a, b) => b.churnRisk.probability! - a.churnRisk.probability! || (a.id < b.id ? 1 : -1))
          .map((s) => s.id),
      );
    });

    it('are refused on nested lists, and a filter on scores is one join, not a scoring pass', async () => {
      const res = await app.gql(`{ customers(first: 1) { nodes { referrals(filter: { segment: { eq: LOST } }) { totalCount } } } }`);
      expect(res.status).toBe(200);
      expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      const plain = await app.statements(`{ customers(first: 5) { totalCount nodes { name } } }`);
      const scored = await app.statements(`{ customers(first: 5, filter: { segment: { neq: LOST } }) { totalCount nodes { name } } }`);
      expect(plain).toBe(2);
      expect(scored).toBe(plain);
    });

    it('come with a page sorted by a score in its one statement, exactly as the fields read them on their own', async () => {
      const fields = `id segment valueTier churnRisk { level probability } clv { predicted { amount currencyCode } }`;
      for (const field of ['PREDICTED_CLV', 'CHURN_PROBABILITY']) {
        const sorted = `{ customers(first: 30, orderBy: { field: ${field}, direction: DESC }) { nodes { ${fields} } } }`;
        // The page joins customer_scores for its sort and reads the rows it shows there: no statement for the scores.
        expect(await app.statements(sorted)).toBe(1);
        const page = (await app.ok(sorted)).customers.nodes;
        expect(page).toHaveLength(30);
        for (const node of page) {
          const alone = await app.ok(`query($id: ID!) { customer(id: $id) { ${fields} } }`, { id: node.id });
          expect(alone.customer).toEqual(node);
        }
      }
    });

    it('follow a new purchase once the worker rescored the buyer: the write queues the rescore in its own transaction', async () => {
      const prospect = truth.find((s) => s.segment === 'PROSPECT')!;
      const before = await walk({ filter: { segment: { eq: 'PROSPECT' } } }, 'forward', 100);
      await app.db.query(
        `INSERT INTO orders (customer_id, placed_at, status, channel, currency, base_currency, rate_to_base,
                             subtotal_amount, discount_amount, total_amount, cost_amount, total_base, cost_base)
         VALUES ($1, now() - interval '1 minute', 'FULFILLED', 'ONLINE', $2, $2, 1, 50, 0, 50, 20, 50, 20)`,
        [fromGlobalId(prospect.id)!.id, app.config.baseCurrency],
      );
      await app.scoresSettled();
      const after = await walk({ filter: { segment: { eq: 'PROSPECT' } } }, 'forward', 100);
      expect(after.totalCount).toBe(before.totalCount - 1);
      const { customer } = await app.ok(`query($id: ID!) { customer(id: $id) { ${FIELDS} } }`, { id: prospect.id });
      expect(customer.segment).not.toBe('PROSPECT');
      const same = await walk({ filter: { id: { eq: prospect.id }, segment: { eq: customer.segment }, churnLevel: { eq: customer.churnRisk.level } } });
      expect(same.nodes).toEqual([customer]);
    });
  });
});
