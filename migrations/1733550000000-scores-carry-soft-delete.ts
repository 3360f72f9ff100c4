import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * customer_deleted mirrors the customer's soft delete on its scores row (the worker writes it with the scores, and
 * deleting or restoring a customer queues a rescore), so that population reports over everyone are one GROUP BY on
 * customer_scores without a join. Idempotent: a development database may have the column from an earlier draft of
 * 1733400000000.
 */
export class ScoresCarrySoftDelete1733550000000 implements MigrationInterface {
  name = 'ScoresCarrySoftDelete1733550000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customer_scores ADD COLUMN IF NOT EXISTS customer_deleted boolean NOT NULL DEFAULT false`);
    await q.query(`UPDATE customer_scores s SET customer_deleted = true FROM customers c WHERE c.id = s.customer_id AND c.deleted_at IS NOT NULL AND NOT s.customer_deleted`);
    await q.query(firstScores(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(firstScores(false));
    await q.query(`ALTER TABLE customer_scores DROP COLUMN customer_deleted`);
  }
}

/** The first-scores trigger function of 1733400000000, with or without the soft delete. */
function firstScores(withDeleted: boolean): string {
  return `
    CREATE OR REPLACE FUNCTION customers_first_scores() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO customer_scores (customer_id, scored_on, occasions, monetary, revenue, margin, segment, value_tier${withDeleted ? ', customer_deleted' : ''})
      SELECT id, (now() AT TIME ZONE 'UTC')::date, 0, 0, 0, 0, 'PROSPECT', 'MONITOR'${withDeleted ? ', deleted_at IS NOT NULL' : ''} FROM new_rows ORDER BY id
      ON CONFLICT (customer_id) DO NOTHING;
      RETURN NULL;
    END $$`;
}
