import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each buyer's scores row also carries the purchase summary a model fit needs (first and last purchase day and
 * instant, the first day's revenue and margin; occasions and totals are there already), so that a fit as of now reads
 * one row per buyer from this table instead of aggregating every order again (2 s at 100,000 buyers, 30 s at a
 * million). The worker writes them with the scores; buyers scored before this migration get them from the rescore
 * requested here (until then fits aggregate the orders). A fit as of an earlier instant aggregates the orders up to it.
 */
export class ScoresCarryPurchaseSummary1733600000000 implements MigrationInterface {
  name = 'ScoresCarryPurchaseSummary1733600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE customer_scores
        ADD COLUMN first_day int, ADD COLUMN last_day int, ADD COLUMN first_at timestamptz, ADD COLUMN last_at timestamptz,
        ADD COLUMN first_revenue numeric, ADD COLUMN first_margin numeric`);
    // Whether a requested fit is as of now (no asOf given), which it may read from the stored summaries.
    await q.query(`ALTER TABLE customer_model_fit_requests ADD COLUMN as_of_now boolean NOT NULL DEFAULT false`);
    await q.query(`INSERT INTO customer_score_requests (customer_id) SELECT customer_id FROM customer_scores WHERE occasions > 0 ON CONFLICT (customer_id) DO NOTHING`);
    await q.query(`SELECT graphile_worker.add_job('rescore_customers', '{}'::json) WHERE EXISTS (SELECT 1 FROM customer_score_requests)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customer_model_fit_requests DROP COLUMN as_of_now`);
    await q.query(`
      ALTER TABLE customer_scores
        DROP COLUMN first_day, DROP COLUMN last_day, DROP COLUMN first_at, DROP COLUMN last_at, DROP COLUMN first_revenue, DROP COLUMN first_margin`);
  }
}
