import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every customer has a customer_scores row from the transaction that creates it (1733400000000), also when a bulk load
 * skips triggers: the seed runs its COPY with session_replication_role = replica, which silenced the customers'
 * insert triggers, so a freshly seeded base had neither scores rows nor rescore requests until a worker's stale-scores
 * job ran, and lists sorted by a score left those customers out. `score_unscored_customers()` writes what the
 * triggers would have (the first scores and a rescore request) for every customer without a row; the seed calls it in
 * its transaction, and this migration once for databases loaded before.
 */
export class FirstScoresAfterBulkLoads1733700000000 implements MigrationInterface {
  name = 'FirstScoresAfterBulkLoads1733700000000';

  async up(q: QueryRunner): Promise<void> {
    // One definition of a customer's first scores, for the trigger and for bulk loads.
    await q.query(`
      CREATE FUNCTION write_first_scores(ids uuid[]) RETURNS void LANGUAGE sql AS $$
        INSERT INTO customer_scores (customer_id, scored_on, occasions, monetary, revenue, margin, segment, value_tier, customer_deleted)
        SELECT c.id, (now() AT TIME ZONE 'UTC')::date, 0, 0, 0, 0, 'PROSPECT', 'MONITOR', c.deleted_at IS NOT NULL
          FROM customers c WHERE c.id = ANY(ids) ORDER BY c.id
        ON CONFLICT (customer_id) DO NOTHING
      $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION customers_first_scores() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM write_first_scores(ARRAY(SELECT id FROM new_rows));
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION score_unscored_customers() RETURNS int LANGUAGE plpgsql AS $$
      DECLARE ids uuid[];
      BEGIN
        ids := ARRAY(SELECT c.id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM customer_scores s WHERE s.customer_id = c.id) ORDER BY c.id);
        PERFORM write_first_scores(ids);
        PERFORM request_customer_rescore(ids);
        RETURN cardinality(ids);
      END $$`);
    await q.query(`SELECT score_unscored_customers()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION score_unscored_customers()`);
    await q.query(`
      CREATE OR REPLACE FUNCTION customers_first_scores() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO customer_scores (customer_id, scored_on, occasions, monetary, revenue, margin, segment, value_tier, customer_deleted)
        SELECT id, (now() AT TIME ZONE 'UTC')::date, 0, 0, 0, 0, 'PROSPECT', 'MONITOR', deleted_at IS NOT NULL FROM new_rows ORDER BY id
        ON CONFLICT (customer_id) DO NOTHING;
        RETURN NULL;
      END $$`);
    await q.query(`DROP FUNCTION write_first_scores(uuid[])`);
  }
}
