import { randomUUID } from 'node:crypto';
import { mulberry32 } from '../intelligence/random';

type Query = (sql: string, parameters?: unknown[]) => Promise<any[]>;

const DAY = 86_400_000;
const SOURCES = ['Referral', 'Trade fair', 'Inbound call', 'Web form', 'Existing customer', 'Cold outreach'];
const LOST_REASONS = ['Price', 'Went with a competitor', 'No budget this year', 'No decision', 'Timing'];
const DEALS = ['Espresso machines for the office', 'Annual coffee supply', 'Grinder upgrade', 'Service contract', 'Café fit-out', 'Barista training'];

/**
 * Demo opportunities in the default pipeline for a quarter of the customers a run created (those owned by sales reps):
 * open ones in every stage, some untouched past their stage's rotting period, and won and lost ones with their
 * history. Deterministic for a seed, apart from ids; written in two statements however many there are.
 */
export async function seedOpportunities(query: Query, options: { seed: number; now: Date; externalRefOffset: number; currency: string }): Promise<number> {
  const stages: Array<{ id: string; position: number; rotting_days: number | null }> = await query(
    `SELECT s.id::text, s.position, s.rotting_days FROM pipeline_stages s JOIN pipelines p ON p.id = s.pipeline_id WHERE p.is_default ORDER BY s.position`,
  );
  if (!stages.length) return 0;
  const customers: Array<{ id: string; owner_id: string; created_at: Date }> = await query(
    `SELECT c.id::text, c.owner_id::text, c.created_at FROM customers c JOIN users u ON u.id = c.owner_id AND u.role = 'SALES_REP'
      WHERE c.external_ref ~ '^C[0-9]{7,15}$' AND substring(c.external_ref FROM 2)::bigint > $1 AND c.deleted_at IS NULL
      ORDER BY c.external_ref`,
    [options.externalRefOffset],
  );
  const products: Array<{ id: string }> = await query(`SELECT id::text FROM products WHERE deleted_at IS NULL ORDER BY sku`);
  const [pipeline] = await query(`SELECT id::text FROM pipelines WHERE is_default`);
  const rng = mulberry32(options.seed ^ 0x0dd5);
  const now = options.now.getTime();
  const opportunities: unknown[][] = [];
  const history: unknown[][] = [];

  customers.forEach((c, i) => {
    const earliest = Math.max(c.created_at.getTime(), now - 240 * DAY);
    // Customers of the last few days have no deal history yet.
    if (i % 4 !== 0 || earliest > now - 5 * DAY) return;
    const id = randomUUID();
    const roll = rng();
    const status = roll < 0.6 ? 'OPEN' : roll < 0.82 ? 'WON' : 'LOST';
    const openedAt = earliest + rng() * Math.max(0, now - 3 * DAY - earliest);
    // How far it got: a stage index, walked through from the first with a few days to weeks in each.
    let reached = Math.min(stages.length - 1, Math.floor(rng() * stages.length));
    let t = openedAt;
    const visits: Array<{ stage: string; entered: number; left: number | null }> = [];
    for (let k = 0; k <= reached; k++) {
      const entered = t;
      t = entered + (2 + rng() * 25) * DAY;
      // A deal stops where today catches up with it.
      if (t >= now - DAY) {
        t = now - DAY;
        reached = k;
      }
      visits.push({ stage: stages[k].id, entered, left: k < reached ? t : null });
    }
    const last = visits[visits.length - 1];
    const closedAt = status === 'OPEN' ? null : Math.min(now - 60_000, Math.max(last.entered, t));
    if (closedAt !== null) last.left = closedAt;
    // Open deals: most were touched lately; one in four was left alone for longer than its stage allows.
    const rotting = stages[reached].rotting_days ?? 30;
    const neglected = status === 'OPEN' && rng() < 0.25;
    const lastActivity =
      closedAt ?? Math.max(last.entered, neglected ? now - (rotting + 2 + rng() * 30) * DAY : now - rng() * Math.min(rotting, 7) * DAY);
    const amount = (Math.round(5 + rng() * 395) * 50).toFixed(2);
    const product = products.length ? [products[Math.floor(rng() * products.length)].id] : [];
    const expected = new Date((closedAt ?? now) + (status === 'OPEN' ? (7 + rng() * 120) * DAY : 0)).toISOString().slice(0, 10);
    opportunities.push([
      id,
      c.id,
      c.owner_id,
      pipeline.id,
      last.stage,
      DEALS[Math.floor(rng() * DEALS.length)],
      amount,
      `{${product.join(',')}}`,
      expected,
      SOURCES[Math.floor(rng() * SOURCES.length)],
      status,
      status === 'LOST' ? LOST_REASONS[Math.floor(rng() * LOST_REASONS.length)] : null,
      status === 'OPEN' ? 'Call to agree the next meeting' : null,
      new Date(openedAt),
      new Date(last.entered),
      new Date(Math.max(lastActivity, last.entered)),
      closedAt === null ? null : new Date(closedAt),
    ]);
    for (const v of visits) history.push([id, v.stage, new Date(v.entered), v.left === null ? null : new Date(v.left), c.owner_id]);
  });
  if (!opportunities.length) return 0;
  const column = (rows: unknown[][], i: number) => rows.map((r) => r[i]);
  await query(
    `INSERT INTO opportunities (id, customer_id, owner_id, pipeline_id, stage_id, name, amount, currency, product_ids, expected_close_date, source,
                                status, lost_reason, next_step, opened_at, stage_entered_at, last_activity_at, closed_at, created_at, updated_at)
     SELECT x.id, x.customer_id, x.owner_id, x.pipeline_id, x.stage_id, x.name, x.amount, $18, x.product_ids::uuid[], x.expected, x.source,
            x.status, x.lost_reason, x.next_step, x.opened_at, x.stage_entered_at, x.last_activity_at, x.closed_at, x.opened_at, x.last_activity_at
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::numeric[], $8::text[], $9::date[], $10::text[],
                   $11::text[], $12::text[], $13::text[], $14::timestamptz[], $15::timestamptz[], $16::timestamptz[], $17::timestamptz[])
            AS x(id, customer_id, owner_id, pipeline_id, stage_id, name, amount, product_ids, expected, source, status, lost_reason, next_step,
                 opened_at, stage_entered_at, last_activity_at, closed_at)`,
    [...Array.from({ length: 17 }, (_, i) => column(opportunities, i)), options.currency],
  );
  await query(
    `INSERT INTO opportunity_stage_history (opportunity_id, stage_id, entered_at, left_at, user_id)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::timestamptz[], $5::uuid[])`,
    Array.from({ length: 5 }, (_, i) => column(history, i)),
  );
  return opportunities.length;
}
