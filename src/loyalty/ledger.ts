// The points ledger's set-based writes: what orders earn, what a cancelled or refunded order takes back, and what
// expires. Each runs in the caller's transaction (recordOrder, recordOrders, the importer's batch, a status change),
// as one statement however many orders it covers. The account's balance and lifetime points follow the ledger through
// the table's statement triggers (migration Loyalty1734600000000).

import type { EntityManager } from 'typeorm';
import { PURCHASE_STATUSES } from '../order/order.entity';

/** Runs a statement: an EntityManager's query, or a pg client's (the importer's connection). */
export type Run = (sql: string, params: unknown[]) => Promise<unknown>;

export const runOn = (m: EntityManager): Run => (sql, params) => m.query(sql, params);

const PURCHASES = `ARRAY[${PURCHASE_STATUSES.map((s) => `'${s}'`).join(',')}]::text[]`;

/** floor(basis × rate): the points of order `o` under programme `p`, in base-currency units. */
const ORDER_POINTS = `floor(CASE p.earn_basis WHEN 'MARGIN' THEN greatest(o.total_base - o.cost_base, 0) ELSE o.total_base END * p.earn_rate)::bigint`;

/**
 * Earns the points of the orders matching `ordersWhere` (SQL on alias `o`, parameters from $2), and pays referral
 * bonuses, in one statement:
 * - an order earns when it is a purchase (not cancelled or refunded) and its customer was enrolled when it was placed:
 *   floor(revenue or margin in the base currency × the earn rate), expiring `expiry_months` after it was placed;
 * - a referred customer's first purchase ever pays their referrer the referral bonus, when the referrer was enrolled
 *   by then; once per referred customer, linked to that order.
 * Both are idempotent (unique indexes): an order considered twice earns once.
 */
export async function earnPoints(run: Run, actorLabel: string, ordersWhere: string, params: unknown[]): Promise<void> {
  await run(
    `WITH program AS (SELECT * FROM loyalty_programs WHERE active),
     placed AS (
       SELECT o.id, o.customer_id, o.placed_at, o.total_base, o.cost_base FROM orders o
        WHERE ${ordersWhere} AND o.status = ANY(${PURCHASES}) AND o.deleted_at IS NULL
     ),
     earned AS (
       INSERT INTO points_transactions (account_id, customer_id, kind, points, at, expires_at, order_id, actor_label)
       SELECT a.id, o.customer_id, 'EARN', ${ORDER_POINTS}, o.placed_at, o.placed_at + make_interval(months => p.expiry_months), o.id, $1
         FROM placed o
         JOIN loyalty_accounts a ON a.customer_id = o.customer_id AND a.enrolled_at <= o.placed_at
        CROSS JOIN program p
        WHERE ${ORDER_POINTS} > 0
       ON CONFLICT (order_id) WHERE kind = 'EARN' DO NOTHING
       RETURNING 1
     ),
     bonus AS (
       INSERT INTO points_transactions (account_id, customer_id, kind, points, at, expires_at, order_id, referred_customer_id, reason, actor_label)
       SELECT DISTINCT ON (c.id) r.id, r.customer_id, 'REFERRAL_BONUS', p.referral_bonus_points, o.placed_at,
              o.placed_at + make_interval(months => p.expiry_months), o.id, c.id, 'First purchase of a referred customer', $1
         FROM placed o
         JOIN customers c ON c.id = o.customer_id AND c.referred_by_id IS NOT NULL
         JOIN loyalty_accounts r ON r.customer_id = c.referred_by_id AND r.enrolled_at <= o.placed_at
        CROSS JOIN program p
        WHERE p.referral_bonus_points > 0
          AND NOT EXISTS (SELECT 1 FROM orders e WHERE e.customer_id = o.customer_id AND e.status = ANY(${PURCHASES}) AND e.deleted_at IS NULL
                             AND (e.placed_at, e.id) < (o.placed_at, o.id))
        ORDER BY c.id, o.placed_at, o.id
       ON CONFLICT (referred_customer_id) WHERE kind = 'REFERRAL_BONUS' DO NOTHING
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM earned) AS earned, (SELECT count(*) FROM bonus) AS bonuses`,
    [actorLabel, ...params],
  );
}

/**
 * Takes back what the orders earned and the referral bonuses they paid (a REVERSAL line for each, once): the orders
 * were cancelled or refunded. The reversal takes back exactly what was credited, even when those points were spent
 * meanwhile, so a balance can go negative; later earnings make it good.
 */
export async function reversePoints(run: Run, actorLabel: string, orderIds: string[], at: Date, reason: string): Promise<void> {
  if (!orderIds.length) return;
  await run(
    `INSERT INTO points_transactions (account_id, customer_id, kind, points, at, order_id, reverses_id, reason, actor_label)
     SELECT t.account_id, t.customer_id, 'REVERSAL', -t.points, $2, t.order_id, t.id, $3, $4
       FROM points_transactions t
      WHERE t.order_id = ANY($1::uuid[]) AND t.kind IN ('EARN', 'REFERRAL_BONUS')
      ORDER BY t.id
     ON CONFLICT (reverses_id) WHERE reverses_id IS NOT NULL DO NOTHING`,
    [orderIds, at, reason, actorLabel],
  );
}

/**
 * Points of account `a` due to have expired by `$asOf` and not yet written off, under the FIFO rule: spending (REDEEM,
 * a downward ADJUST) and expiry use the oldest credits first, so what must have expired by a date is the credits
 * (EARN, REFERRAL_BONUS, an upward ADJUST) that expire by then, less everything spent or expired so far, and never
 * more than the balance. A reversed credit counts neither as a credit nor its reversal as spending.
 * `asOf` is the SQL of the instant; `a` the account alias.
 */
export function dueToExpireSql(a: string, asOf: string): string {
  return `greatest(0, least(${a}.balance,
    coalesce((SELECT sum(c.points) FROM points_transactions c
               WHERE c.account_id = ${a}.id AND c.points > 0 AND c.kind IN ('EARN', 'REFERRAL_BONUS', 'ADJUST') AND c.expires_at <= ${asOf}
                 AND NOT EXISTS (SELECT 1 FROM points_transactions r WHERE r.reverses_id = c.id)), 0)
    + coalesce((SELECT sum(d.points) FROM points_transactions d
               WHERE d.account_id = ${a}.id AND (d.kind IN ('REDEEM', 'EXPIRE') OR (d.kind = 'ADJUST' AND d.points < 0))), 0)))`;
}

/**
 * A merge of customers (mergeCustomers) keeps one loyalty account: the survivor's, or the first merged record's when
 * the survivor has none. The other accounts' ledgers move into it (the ledger triggers recount the balances) and the
 * emptied accounts go; the merge then moves the kept account itself to the survivor with every other row. A client's
 * idempotency key used on two of the accounts is a unique clash, and the merge a CONFLICT.
 */
export async function mergeLoyaltyAccounts(m: EntityManager, survivorId: string, mergedIds: string[]): Promise<void> {
  const accounts: Array<{ id: string; customer_id: string }> = await m.query(
    `SELECT id, customer_id FROM loyalty_accounts WHERE customer_id = ANY($1::uuid[]) ORDER BY customer_id = $2 DESC, created_at, id FOR UPDATE`,
    [[survivorId, ...mergedIds], survivorId],
  );
  if (accounts.length < 2) return;
  const [kept, ...others] = accounts;
  const otherIds = others.map((a) => a.id);
  await m.query(`UPDATE points_transactions SET account_id = $1 WHERE account_id = ANY($2::uuid[])`, [kept.id, otherIds]);
  await m.query(`DELETE FROM loyalty_accounts WHERE id = ANY($1::uuid[])`, [otherIds]);
}
