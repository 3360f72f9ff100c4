import { startTestApp, TestApp } from '../support/test-app';
let app: TestApp;
beforeAll(async () => { app = await startTestApp(); });
afterAll(() => app.close());
it('explains', async () => {
  await app.db.query(`INSERT INTO customers (kind, name) SELECT 'PERSON', 'X' || g FROM generate_series(1, 4000) g`);
  await app.db.query(`INSERT INTO orders (customer_id, placed_at, status, channel, currency, base_currency, rate_to_base, subtotal_amount, discount_amount, total_amount, cost_amount, total_base, cost_base)
    SELECT c.id, now() - (random() * 400 || ' days')::interval, 'PAID', 'ONLINE', 'USD', 'USD', 1, 10, 0, 10, 4, 10, 4 FROM customers c, generate_series(1, 3)`);
  const sql = `SELECT o.customer_id AS "customerId", ((o.placed_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01') AS day,
            sum(o.total_base)::float8 AS revenue, sum(o.margin_base)::float8 AS margin,
            min(o.placed_at) AS "firstAt", max(o.placed_at) AS "lastAt"
       FROM orders o JOIN customers c ON c.id = o.customer_id AND c.deleted_at IS NULL
      WHERE o.status IN ('PENDING','PAID','FULFILLED') AND o.deleted_at IS NULL AND o.placed_at <= now()
      GROUP BY 1, 2 ORDER BY 1, 2`;
  // no analyze
  const rows = await app.db.query('EXPLAIN ANALYZE ' + sql);
  console.log(rows.map((r: any) => r['QUERY PLAN']).join('\n'));
  const t0 = Date.now();
  const r2 = await app.db.query(sql);
  console.log('direct', Date.now() - t0, r2.length);
  await app.db.transaction(async (m) => {
    await m.query('DECLARE cc NO SCROLL CURSOR FOR ' + sql);
    const t1 = Date.now();
    const r3 = await m.query('FETCH 20000 FROM cc');
    console.log('cursor', Date.now() - t1, r3.length);
  });
  console.log((await app.db.query('SHOW jit'))[0]);
});
