import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scores are data: one row per customer with what the argument-free insight fields return, so that derived filters
 * and sorts are joins and population analytics are GROUP BYs. Writes never score: statement-level triggers record the
 * customers a statement touched in customer_score_requests (same transaction) and queue a graphile-worker job, which
 * drains the requests in batches (src/scoring/rescore.ts). Statement-level triggers with transition tables cost one
 * INSERT … SELECT per statement, also for a COPY of a million orders.
 */
export class CustomerScores1733200000000 implements MigrationInterface {
  name = 'CustomerScores1733200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE customer_scores (
        -- No foreign keys: checking one would take a KEY SHARE lock on the customer, and a write that holds the customer
        -- row while queueing its rescore would deadlock with the worker's batch (rescore.ts skips removed customers).
        customer_id uuid PRIMARY KEY,
        -- The UTC day the scores are as of (recency and T count whole days), and the model behind them (null: none yet).
        scored_on date NOT NULL,
        scored_at timestamptz NOT NULL DEFAULT now(),
        model_fit_id uuid,
        occasions int NOT NULL,
        recency_days int,
        -- Unbounded numeric: totals of rows written before the money limits can exceed any fixed precision.
        monetary numeric NOT NULL,
        -- Exact purchase totals on both bases, so segment and tier reports are one GROUP BY over this table.
        revenue numeric NOT NULL,
        margin numeric NOT NULL,
        r_score smallint,
        f_score smallint,
        m_score smallint,
        segment text NOT NULL,
        value_tier text NOT NULL,
        churn_probability double precision,
        churn_level text,
        predicted_clv numeric
      )`);
    // One index per derived filter and sort; the id breaks ties as the keyset cursor does.
    await q.query(`CREATE INDEX customer_scores_segment ON customer_scores (segment)`);
    await q.query(`CREATE INDEX customer_scores_value_tier ON customer_scores (value_tier)`);
    await q.query(`CREATE INDEX customer_scores_churn_level ON customer_scores (churn_level)`);
    await q.query(`CREATE INDEX customer_scores_churn_probability ON customer_scores (churn_probability, customer_id)`);
    await q.query(`CREATE INDEX customer_scores_predicted_clv ON customer_scores (predicted_clv, customer_id)`);
    await q.query(`CREATE INDEX customer_scores_scored_on ON customer_scores (scored_on)`);

    // No foreign key: a request is a hint to rescore, cheap to insert from any statement and harmless if stale.
    await q.query(`CREATE TABLE customer_score_requests (customer_id uuid PRIMARY KEY, requested_at timestamptz NOT NULL DEFAULT now())`);

    // Queues one rescore job per statement that requested a customer not already waiting: a waiting request already
    // has a job that will drain it (the job is added in the transaction that added the request).
    // (Replaced by 1733300000000: a write must also lock a request already waiting.)
    await q.query(`
      CREATE FUNCTION request_customer_rescore(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE added int;
      BEGIN
        INSERT INTO customer_score_requests (customer_id)
        -- In id order, so that two statements requesting the same customers wait on each other instead of deadlocking.
        SELECT DISTINCT id FROM unnest(ids) AS u(id) WHERE id IS NOT NULL ORDER BY id
        ON CONFLICT (customer_id) DO NOTHING;
        GET DIAGNOSTICS added = ROW_COUNT;
        IF added > 0 THEN
          PERFORM graphile_worker.add_job('rescore_customers', '{}'::json);
        END IF;
      END $$`);

    await q.query(`
      CREATE FUNCTION orders_request_rescore() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          PERFORM request_customer_rescore(ARRAY(SELECT customer_id FROM new_rows));
        ELSIF TG_OP = 'DELETE' THEN
          PERFORM request_customer_rescore(ARRAY(SELECT customer_id FROM old_rows));
        ELSE
          -- Only changes a score can see: which customer, when, what status, what value, deleted or not.
          PERFORM request_customer_rescore(ARRAY(
            SELECT unnest(ARRAY[n.customer_id, o.customer_id])
              FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE (n.customer_id, n.placed_at, n.status, n.total_base, n.margin_base, n.deleted_at)
                   IS DISTINCT FROM (o.customer_id, o.placed_at, o.status, o.total_base, o.margin_base, o.deleted_at)));
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER orders_rescore_insert AFTER INSERT ON orders REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION orders_request_rescore()`);
    await q.query(`CREATE TRIGGER orders_rescore_update AFTER UPDATE ON orders REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION orders_request_rescore()`);
    await q.query(`CREATE TRIGGER orders_rescore_delete AFTER DELETE ON orders REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION orders_request_rescore()`);

    await q.query(`
      CREATE FUNCTION customers_request_rescore() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          PERFORM request_customer_rescore(ARRAY(SELECT id FROM new_rows));
        ELSE
          -- Deleting or restoring a customer moves them in or out of the population the breakpoints come from.
          PERFORM request_customer_rescore(ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.deleted_at IS DISTINCT FROM o.deleted_at));
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER customers_rescore_insert AFTER INSERT ON customers REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customers_request_rescore()`);
    await q.query(`CREATE TRIGGER customers_rescore_update AFTER UPDATE ON customers REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION customers_request_rescore()`);

    // Customers already in the database get their first scores from the worker.
    await q.query(`INSERT INTO customer_score_requests (customer_id) SELECT id FROM customers`);
    await q.query(`SELECT graphile_worker.add_job('rescore_customers', '{}'::json) WHERE EXISTS (SELECT 1 FROM customer_score_requests)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER customers_rescore_update ON customers`);
    await q.query(`DROP TRIGGER customers_rescore_insert ON customers`);
    await q.query(`DROP TRIGGER orders_rescore_delete ON orders`);
    await q.query(`DROP TRIGGER orders_rescore_update ON orders`);
    await q.query(`DROP TRIGGER orders_rescore_insert ON orders`);
    await q.query(`DROP FUNCTION customers_request_rescore()`);
    await q.query(`DROP FUNCTION orders_request_rescore()`);
    await q.query(`DROP FUNCTION request_customer_rescore(uuid[])`);
    await q.query(`DROP TABLE customer_score_requests`);
    await q.query(`DROP TABLE customer_scores`);
  }
}
