// A population the customer models can fit, straight into the tables (the analytics, analytics-scores and
// access-matrix tests share it): purchases from the BG/NBD story, and Gamma-Gamma margins that vary between buyers
// as the model assumes, so that both models fit and a buyer's own spend moves their prediction.

import type { DataSource } from 'typeorm';
import { mulberry32, sampleGamma, simulateBgnbd, utcDay } from '../../src/intelligence';

const DAY = 86_400_000;

export interface SimulatedBuyers {
  /** How many buyers. */
  n: number;
  /** The story's seed: the same seed gives the same buyers and purchases. */
  seed: number;
  /** The i-th buyer's name. */
  name: (i: number) => string;
  /** The i-th buyer's owner (a user id), or nobody. */
  owner?: (i: number) => string | null;
  currency: string;
  /** Purchases end on the UTC day before this instant (epoch ms). */
  now: number;
}

/**
 * Buyer i has 200 + i days of history (BG/NBD r 0.5, α 20, a 0.8, b 2.5) and purchases FULFILLED at noon UTC, each
 * with a margin drawn around the buyer's own mean and revenue twice the margin. Returns the buyers' ids in order.
 */
export async function insertSimulatedBuyers(db: DataSource, o: SimulatedBuyers): Promise<string[]> {
  const rng = mulberry32(o.seed);
  const simulated = simulateBgnbd({ r: 0.5, alpha: 20, a: 0.8, b: 2.5 }, o.n, Array.from({ length: o.n }, (_, i) => 200 + i), rng);
  const rows: Array<{ id: string }> = await db.query(
    `INSERT INTO customers (kind, name, owner_id) SELECT 'PERSON', n, w FROM unnest($1::text[], $2::uuid[]) WITH ORDINALITY AS u(n, w, i) ORDER BY i RETURNING id`,
    [simulated.map((_, i) => o.name(i)), simulated.map((_, i) => o.owner?.(i) ?? null)],
  );
  const ids = rows.map((r) => r.id);
  const lastDay = utcDay(new Date(o.now)) - 1;
  const orders: Array<{ customerId: string; placedAt: Date; total: string; cost: string }> = [];
  simulated.forEach((c, i) => {
    const first = (lastDay - c.T) * DAY + DAY / 2;
    const nu = sampleGamma(4, 15, rng);
    for (const t of [0, ...c.purchaseTimes]) {
      const margin = Math.max(0.01, Math.round(sampleGamma(6, nu, rng) * 100) / 100);
      orders.push({ customerId: ids[i], placedAt: new Date(first + t * DAY), total: (2 * margin).toFixed(2), cost: margin.toFixed(2) });
    }
  });
  await db.query(
    `INSERT INTO orders (customer_id, placed_at, status, channel, currency, base_currency, rate_to_base, subtotal_amount, discount_amount, total_amount, cost_amount, total_base, cost_base)
     SELECT c, p, 'FULFILLED', 'ONLINE', $5, $5, 1, t, 0, t, k, t, k FROM unnest($1::uuid[], $2::timestamptz[], $3::numeric[], $4::numeric[]) AS u(c, p, t, k)`,
    [orders.map((r) => r.customerId), orders.map((r) => r.placedAt), orders.map((r) => r.total), orders.map((r) => r.cost), o.currency],
  );
  return ids;
}
