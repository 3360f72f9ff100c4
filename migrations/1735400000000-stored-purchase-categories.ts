import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each buyer's purchased categories are stored with their scores, so that a fit as of now reads the population's
 * baskets (the association rules' input) from one column instead of joining every order line to its order: at 100,000
 * buyers and 1.9 million lines that join took three Postgres processes 1.6 s each, in every hourly refit.
 *
 * `categories` is the distinct categories (sorted) of the customer's purchase orders, as populationBaskets reads them;
 * NULL on rows written before this column, which a fit reads from the orders instead. Every write that can change them
 * requests a rescore: orders already did; now order lines do too (written on their own, after their order was
 * rescored, they would otherwise leave the stored categories behind), and so does a product's new category, for every
 * customer who bought it.
 *
 * Most rescores cannot change them: the rescore of everyone after a new model or on a new UTC day. A request now says
 * whether it may (`purchases_changed`): true from every trigger (request_customer_rescore), false from the stale
 * rescore, which keeps the stored categories instead of reading every customer's order lines again.
 */
export class StoredPurchaseCategories1735400000000 implements MigrationInterface {
  name = 'StoredPurchaseCategories1735400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customer_scores ADD COLUMN categories text[]`);
    await q.query(`ALTER TABLE customer_score_requests ADD COLUMN purchases_changed boolean NOT NULL DEFAULT true`);
    // A customer this transaction already requested (an order and then its lines; an import's new customers and then
    // every customer of its orders) keeps its row as it is: locked, without a new row version or another job.
    await q.query(
      requestRescore(
        'requested_at = now(), purchases_changed = true WHERE (customer_score_requests.requested_at, customer_score_requests.purchases_changed) IS DISTINCT FROM (now(), true)',
      ),
    );
    await q.query(`
      CREATE FUNCTION products_request_rescore() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM request_customer_rescore(ARRAY(
          SELECT DISTINCT l.customer_id
            FROM new_rows n JOIN old_rows o ON o.id = n.id
            JOIN order_lines l ON l.product_id = n.id
           WHERE n.category IS DISTINCT FROM o.category));
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER products_rescore_update AFTER UPDATE ON products
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION products_request_rescore()`);
    await q.query(`
      CREATE FUNCTION order_lines_request_rescore() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          PERFORM request_customer_rescore(ARRAY(SELECT DISTINCT customer_id FROM new_rows));
        ELSIF TG_OP = 'DELETE' THEN
          PERFORM request_customer_rescore(ARRAY(SELECT DISTINCT customer_id FROM old_rows));
        ELSE
          PERFORM request_customer_rescore(ARRAY(
            SELECT DISTINCT unnest(ARRAY[n.customer_id, o.customer_id])
              FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE (n.customer_id, n.order_id, n.product_id) IS DISTINCT FROM (o.customer_id, o.order_id, o.product_id)));
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER order_lines_rescore_insert AFTER INSERT ON order_lines REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION order_lines_request_rescore()`);
    await q.query(`CREATE TRIGGER order_lines_rescore_update AFTER UPDATE ON order_lines REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION order_lines_request_rescore()`);
    await q.query(`CREATE TRIGGER order_lines_rescore_delete AFTER DELETE ON order_lines REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION order_lines_request_rescore()`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const op of ['insert', 'update', 'delete']) await q.query(`DROP TRIGGER order_lines_rescore_${op} ON order_lines`);
    await q.query(`DROP FUNCTION order_lines_request_rescore()`);
    await q.query(`DROP TRIGGER products_rescore_update ON products`);
    await q.query(`DROP FUNCTION products_request_rescore()`);
    await q.query(requestRescore('requested_at = now()'));
    await q.query(`ALTER TABLE customer_score_requests DROP COLUMN purchases_changed`);
    await q.query(`ALTER TABLE customer_scores DROP COLUMN categories`);
  }
}

/** request_customer_rescore as TotalClvSort1734050000000 defined it, with `onConflict` as what a repeated request sets. */
function requestRescore(onConflict: string): string {
  return `
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
      ON CONFLICT (customer_id) DO UPDATE SET ${onConflict};
      GET DIAGNOSTICS requested = ROW_COUNT;
      -- Every requesting statement queues a job: one that ran while this transaction held the rows has skipped them.
      IF requested > 0 THEN
        PERFORM graphile_worker.add_job('rescore_customers', '{}'::json);
      END IF;
    END $$`;
}
