import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customers sort by total CLV (historical + predicted + referral, as clv { total } adds it with its default
 * arguments), so the scores carry the referral component and the total. A referrer's referral value moves when a
 * customer they referred buys, is referred to someone else, or is removed: request_customer_rescore now also requests
 * the referrers of the customers it is given, and a change of referrer requests the old one.
 */
export class TotalClvSort1734050000000 implements MigrationInterface {
  name = 'TotalClvSort1734050000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE customer_scores
        ADD COLUMN IF NOT EXISTS referral_value numeric NOT NULL DEFAULT 0,
        ADD COLUMN IF NOT EXISTS total_clv numeric`);
    await q.query(`UPDATE customer_scores SET total_clv = margin + predicted_clv + referral_value WHERE predicted_clv IS NOT NULL AND total_clv IS NULL`);
    await q.query(`CREATE INDEX IF NOT EXISTS customer_scores_total_clv ON customer_scores (total_clv, customer_id)`);
    await q.query(`
      CREATE OR REPLACE FUNCTION request_customer_rescore(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE requested int;
      BEGIN
        INSERT INTO customer_score_requests (customer_id)
        -- In id order, so that two statements requesting the same customers wait on each other instead of deadlocking.
        -- The customers' referrers too: their referral value counts these customers' purchases. A join, not = ANY: a
        -- statement may request a million customers (an import).
        SELECT id FROM (
          SELECT u.id FROM unnest(ids) AS u(id)
          UNION
          SELECT c.referred_by_id FROM (SELECT DISTINCT id FROM unnest(ids) AS v(id)) v JOIN customers c ON c.id = v.id
        ) requested WHERE id IS NOT NULL ORDER BY id
        ON CONFLICT (customer_id) DO UPDATE SET requested_at = now();
        GET DIAGNOSTICS requested = ROW_COUNT;
        -- Every requesting statement queues a job: one that ran while this transaction held the rows has skipped them.
        IF requested > 0 THEN
          PERFORM graphile_worker.add_job('rescore_customers', '{}'::json);
        END IF;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION customers_request_rescore() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          PERFORM request_customer_rescore(ARRAY(SELECT id FROM new_rows));
        ELSE
          -- Deleting or restoring a customer moves them in or out of the population the breakpoints come from, and
          -- in or out of their referrer's referral value; a new referrer gains them (request_customer_rescore adds
          -- it) and the old one loses them.
          PERFORM request_customer_rescore(ARRAY(
            SELECT unnest(ARRAY[n.id, o.referred_by_id]) FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE n.deleted_at IS DISTINCT FROM o.deleted_at OR n.referred_by_id IS DISTINCT FROM o.referred_by_id));
        END IF;
        RETURN NULL;
      END $$`);
    // Referrers get their referral value from the worker.
    await q.query(`
      INSERT INTO customer_score_requests (customer_id)
      SELECT DISTINCT referred_by_id FROM customers WHERE referred_by_id IS NOT NULL
      ON CONFLICT (customer_id) DO NOTHING`);
    await q.query(`SELECT graphile_worker.add_job('rescore_customers', '{}'::json) WHERE EXISTS (SELECT 1 FROM customer_score_requests)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS customer_scores_total_clv`);
    await q.query(`ALTER TABLE customer_scores DROP COLUMN IF EXISTS referral_value, DROP COLUMN IF EXISTS total_clv`);
  }
}
