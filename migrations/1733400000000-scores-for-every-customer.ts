import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every customer has a customer_scores row from the transaction that creates them, so the `customers` list can
 * INNER JOIN its scores and a sort on a score walks that score's index: "the 50 most valuable customers" reads 51
 * index entries instead of sorting the whole base (a LEFT JOIN cannot be driven from the joined table's index).
 * The row written here is what the worker would write for a customer with no purchases (a prospect, tier MONITOR,
 * no model values); the rescore request the same insert queues replaces it with the worker's scores.
 */
export class ScoresForEveryCustomer1733400000000 implements MigrationInterface {
  name = 'ScoresForEveryCustomer1733400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION customers_first_scores() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO customer_scores (customer_id, scored_on, occasions, monetary, revenue, margin, segment, value_tier)
        SELECT id, (now() AT TIME ZONE 'UTC')::date, 0, 0, 0, 0, 'PROSPECT', 'MONITOR' FROM new_rows ORDER BY id
        ON CONFLICT (customer_id) DO NOTHING;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER customers_first_scores AFTER INSERT ON customers REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customers_first_scores()`);
    // Customers the worker has not reached yet.
    await q.query(`
      INSERT INTO customer_scores (customer_id, scored_on, occasions, monetary, revenue, margin, segment, value_tier)
      SELECT c.id, (now() AT TIME ZONE 'UTC')::date, 0, 0, 0, 0, 'PROSPECT', 'MONITOR' FROM customers c
       WHERE NOT EXISTS (SELECT 1 FROM customer_scores s WHERE s.customer_id = c.id)
      ON CONFLICT (customer_id) DO NOTHING`);
    // Scores sort with rows without a value last in both directions (ListSpec nullsLast): ascending is the existing
    // indexes' order, descending needs its own.
    await q.query(`CREATE INDEX customer_scores_predicted_clv_desc ON customer_scores (predicted_clv DESC NULLS LAST, customer_id DESC)`);
    await q.query(`CREATE INDEX customer_scores_churn_probability_desc ON customer_scores (churn_probability DESC NULLS LAST, customer_id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX customer_scores_churn_probability_desc`);
    await q.query(`DROP INDEX customer_scores_predicted_clv_desc`);
    await q.query(`DROP TRIGGER customers_first_scores ON customers`);
    await q.query(`DROP FUNCTION customers_first_scores()`);
  }
}
