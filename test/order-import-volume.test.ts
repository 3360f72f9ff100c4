import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importOrders } from '../src/importer/order-import';
import { startTestApp, TestApp } from './support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

/** mulberry32: the same file on every run. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cents = (c: bigint) => `${c / 100n}.${String(c % 100n).padStart(2, '0')}`;

function writeFile(name: string, lines: string[]): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-orders-')), name);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function counts() {
  const [row] = await app.db.query(`
    SELECT (SELECT count(*) FROM customers)::int AS customers, (SELECT count(*) FROM orders)::int AS orders,
           (SELECT count(*) FROM lifecycle_transitions)::int AS transitions`);
  return row as { customers: number; orders: number; transitions: number };
}

describe('order import of a large file', () => {
  it('imports 200,000 orders in three currencies over 20,000 new customers, with total_base summing exactly to the file', async () => {
    const next = random(42);
    const lines = ['customer_ref,order_ref,placed_at,currency,total,cost,status,channel,rate_to_base'];
    const refs = new Set<string>();
    // Expected base amounts in USD cents, rounded half up once per order: EUR at 1.0842, JPY (no minor unit) at 0.0067.
    let expected = 0n;
    for (let i = 0; i < 200_000; i++) {
      const ref = `v-${String(Math.floor(next() * 20_000)).padStart(5, '0')}`;
      refs.add(ref);
      const placed = new Date(Date.UTC(2015, 0, 1) + Math.floor(next() * 9 * 365 * 86_400) * 1000).toISOString();
      const kind = next();
      const status = ['PAID', 'FULFILLED', 'CANCELLED', ''][i % 4];
      if (kind < 0.7) {
        const c = BigInt(Math.floor(next() * 100_000) + 1);
        expected += c;
        lines.push(`${ref},V-${i},${placed},USD,${cents(c)},${cents(c / 3n)},${status},ONLINE,`);
      } else if (kind < 0.9) {
        const c = BigInt(Math.floor(next() * 100_000) + 1);
        expected += (c * 10842n + 5000n) / 10000n;
        lines.push(`${ref},V-${i},${placed},EUR,${cents(c)},,${status},STORE,1.0842`);
      } else {
        const yen = BigInt(Math.floor(next() * 1_000_000) + 1);
        expected += (yen * 67n + 50n) / 100n;
        lines.push(`${ref},V-${i},${placed},JPY,${yen},,${status},,0.0067`);
      }
    }
    const before = await counts();

    const result = await importOrders(app.db, writeFile('orders-200k.csv', lines), app.config);

    expect(result).toEqual({ ok: true, imported: 200_000, createdCustomers: refs.size });
    const [db] = await app.db.query(`
      SELECT count(*)::int AS orders, count(DISTINCT o.customer_id)::int AS customers, sum(o.total_base)::text AS total_base,
             count(DISTINCT o.number)::int AS numbers
        FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.external_ref LIKE 'v-%'`);
    expect(db).toEqual({ orders: 200_000, customers: refs.size, total_base: `${cents(expected)}00`, numbers: 200_000 });
    expect(await counts()).toEqual({ customers: before.customers + refs.size, orders: before.orders + 200_000, transitions: before.transitions + refs.size });
  });

  it('reports an order_ref repeated in a later chunk and one already in the database by line, and writes nothing', async () => {
    const taken = await importOrders(app.db, writeFile('taken.csv', ['customer_ref,order_ref,placed_at,total', 'w-1,TAKEN-1,2024-01-01,1.00']), app.config);
    expect(taken).toEqual({ ok: true, imported: 1, createdCustomers: 1 });
    const before = await counts();
    // 45,000 rows: line 30,001 repeats the order_ref of line 3, line 44,001 takes the one imported above.
    const rows = Array.from({ length: 45_000 }, (_, i) => `m-${i % 500},M-${i},2024-02-01,${(i % 900) + 1}.00`);
    rows[29_999] = 'm-1,M-1,2024-02-01,5.00';
    rows[43_999] = 'm-2,TAKEN-1,2024-02-01,5.00';
    const header = 'customer_ref,order_ref,placed_at,total';

    const repeated = await importOrders(app.db, writeFile('repeated.csv', [header, ...rows]), app.config);
    expect(repeated).toEqual({
      ok: false,
      errorCount: 2,
      errors: [
        { line: 30_001, message: 'order_ref "M-1" already appears on line 3' },
        { line: 44_001, message: 'order_ref "TAKEN-1" is already used by an order in the database' },
      ],
    });
    expect(await counts()).toEqual(before);

    // A bad row before them stops the writing earlier; the repeats are still found.
    rows[24_998] = 'm-3,M-24998,2024-02-01,-1.00';
    const bad = await importOrders(app.db, writeFile('bad.csv', [header, ...rows]), app.config);
    expect(bad).toMatchObject({ ok: false, errorCount: 3 });
    if (!bad.ok) {
      expect(bad.errors.map((e) => e.line)).toEqual([25_000, 30_001, 44_001]);
      expect(bad.errors[0].message).toMatch(/total -1.00 must not be negative/);
    }
    expect(await counts()).toEqual(before);
  });
});
