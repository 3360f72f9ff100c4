import type { EntityManager } from 'typeorm';
import { earnPoints, runOn } from '../loyalty/ledger';
import { expireLoyaltyPointsIn } from '../loyalty/loyalty.expiry';

/**
 * Demo loyalty data under the ledger's own rules: a third of the customers a run created who bought join the programme
 * at their first purchase; their orders earn through the same statement recordOrder uses (cancelled and refunded ones
 * earn nothing, referrers who are members get their bonus for referred customers' first purchases); half of the members
 * with 200 points or more redeem half of them in hundreds the day after their latest order; and the expiry job runs as
 * of `now`. Deterministic for a seed, apart from ids; a handful of statements however many customers.
 */
export async function seedLoyalty(m: EntityManager, options: { now: Date; externalRefOffset?: number }): Promise<void> {
  // The bulk load runs in replica mode, which silences triggers: the ledger's keep the balances, so they must fire.
  const [{ role }] = await m.query(`SELECT current_setting('session_replication_role') AS role`);
  await m.query(`SET LOCAL session_replication_role = origin`);
  try {
    await m.query(
      `INSERT INTO loyalty_accounts (customer_id, program_id, enrolled_at)
       SELECT c.id, p.id, first.placed_at
         FROM (SELECT c.id, row_number() OVER (ORDER BY c.external_ref) AS n FROM customers c
                WHERE c.external_ref ~ '^C[0-9]{7,15}$' AND substring(c.external_ref FROM 2)::bigint > $1 AND c.deleted_at IS NULL) c
         JOIN LATERAL (SELECT min(o.placed_at) AS placed_at FROM orders o WHERE o.customer_id = c.id) first ON first.placed_at IS NOT NULL
        CROSS JOIN loyalty_programs p
        WHERE p.active AND c.n % 3 = 0
       ON CONFLICT (customer_id) DO NOTHING`,
      [options.externalRefOffset ?? 0],
    );
    await earnPoints(runOn(m), 'seed', 'o.placed_at <= $2', [options.now]);
    await m.query(
      `INSERT INTO points_transactions (account_id, customer_id, kind, points, at, reason, idempotency_key, actor_label)
       SELECT a.id, a.customer_id, 'REDEEM', -((a.balance / 2) / 100 * 100),
              least($1::timestamptz, (SELECT max(o.placed_at) FROM orders o WHERE o.customer_id = a.customer_id) + interval '1 day'),
              'Voucher', 'seed-' || c.external_ref, 'seed'
         FROM loyalty_accounts a JOIN customers c ON c.id = a.customer_id
        WHERE a.balance >= 200 AND hashtext(c.external_ref) % 2 = 0
       ON CONFLICT DO NOTHING`,
      [options.now],
    );
    await expireLoyaltyPointsIn(m, options.now, { audited: false });
  } finally {
    await m.query(`SELECT set_config('session_replication_role', $1, true)`, [role]);
  }
}
