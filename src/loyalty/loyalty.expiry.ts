// Points expire on a schedule: a graphile-worker job (EXPIRE_POINTS_JOB, daily by the crontab in src/server/worker.ts),
// never a timer in the API.

import type { DataSource, EntityManager } from 'typeorm';
import { SYSTEM } from '../core/actor';
import { recordAudit } from '../core/audit';
import { dueToExpireSql } from './ledger';

/** The job's name is stored in graphile_worker's tables: it never changes. */
export const EXPIRE_POINTS_JOB = 'expire_loyalty_points';

export interface Expired {
  accountId: string;
  points: number;
}

/**
 * Writes an EXPIRE line, dated `asOf`, for every account with points due to have expired by then (the FIFO rule of
 * dueToExpireSql). Idempotent: a second run with the same or an earlier asOf finds nothing due, since the lines it
 * wrote count as spent. Safe with several workers: one run at a time (a transaction-level advisory lock; a run that
 * finds it taken does nothing, the one holding it does the work), and the accounts are locked before their ledgers
 * are read, in a statement of its own, so a redemption committed meanwhile is counted.
 */
export function expireLoyaltyPoints(db: DataSource, asOf: Date = new Date()): Promise<Expired[]> {
  return db.transaction((m) => expireLoyaltyPointsIn(m, asOf));
}

/** expireLoyaltyPoints in the caller's transaction (the seed's, `audited: false`). */
export async function expireLoyaltyPointsIn(m: EntityManager, asOf: Date, { audited = true }: { audited?: boolean } = {}): Promise<Expired[]> {
  {
    const [{ locked }]: Array<{ locked: boolean }> = await m.query(`SELECT pg_try_advisory_xact_lock(hashtext('rapport:loyalty-expiry')) AS locked`);
    if (!locked) return [];
    const candidates: Array<{ id: string }> = await m.query(
      `SELECT a.id FROM loyalty_accounts a
        WHERE a.balance > 0 AND EXISTS (SELECT 1 FROM points_transactions c WHERE c.account_id = a.id AND c.expires_at <= $1)
        ORDER BY a.id FOR UPDATE OF a`,
      [asOf],
    );
    if (!candidates.length) return [];
    const rows: Array<{ accountId: string; points: string }> = await m.query(
      `INSERT INTO points_transactions (account_id, customer_id, kind, points, at, reason, actor_label)
       SELECT a.id, a.customer_id, 'EXPIRE', -due.points, $1, 'Points past their expiry', 'worker'
         FROM loyalty_accounts a, LATERAL (SELECT ${dueToExpireSql('a', '$1::timestamptz')} AS points) due
        WHERE a.id = ANY($2::uuid[]) AND due.points > 0
       RETURNING account_id AS "accountId", -points AS points`,
      [asOf, candidates.map((c) => c.id)],
    );
    const expired = rows.map((r) => ({ accountId: r.accountId, points: Number(r.points) }));
    // A balance that shrank is a change partners hear about (loyalty.pointsExpired), committed with the lines. The seed's
    // history writes no audit entries or events, as for the rest of its data.
    if (audited) await recordAudit(
      m,
      { actor: SYSTEM },
      expired.map((e) => ({ action: 'loyalty.expire', objectType: 'LoyaltyAccount', objectId: e.accountId, after: { points: -e.points, reason: 'Points past their expiry' } })),
    );
    return expired;
  }
}
