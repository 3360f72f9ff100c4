import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Churn risk now means the probability of no purchase within a year, not 1 − P(alive) (which called every one-time
 * buyer LOW risk). The stored churn probabilities and levels of buyers were computed the old way: request their
 * rescore, which the worker drains when it starts (its rescore_stale_customers job drains every waiting request).
 * Customers without a purchase have no churn probability either way.
 */
export class ChurnOverAHorizon1733900000000 implements MigrationInterface {
  name = 'ChurnOverAHorizon1733900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      INSERT INTO customer_score_requests (customer_id)
      SELECT customer_id FROM customer_scores WHERE churn_probability IS NOT NULL
      ON CONFLICT (customer_id) DO NOTHING`);
  }

  async down(): Promise<void> {
    // Nothing to undo: a rescore request only asks for scores to be computed again.
  }
}
