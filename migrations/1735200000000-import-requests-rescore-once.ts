import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The order import requests its customers' rescore once, at the end of its transaction, instead of the insert trigger
 * doing it after every chunk. A transaction that sets `rapport.orders_rescore_requested_by_writer` to 'on' (SET LOCAL,
 * so it ends with the transaction) takes over the requests of the orders it inserts; the importer then calls
 * request_customer_rescore over all of them before it commits, which leaves the same requests (same customers and
 * referrers, requested_at = the transaction's now()) and queues the job. Per chunk, the trigger had re-requested the
 * ~18,000 customers a chunk touches each time: 900,000 upserts for a million orders instead of 100,000.
 * Updates and deletes still request through the trigger, and so does every transaction that does not set it.
 */
export class ImportRequestsRescoreOnce1735200000000 implements MigrationInterface {
  name = 'ImportRequestsRescoreOnce1735200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(orderTrigger(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(orderTrigger(false));
  }
}

function orderTrigger(writerMayRequest: boolean): string {
  const skip = writerMayRequest
    ? `-- The writer requests these itself, once, in the same transaction (the order import).
          IF current_setting('rapport.orders_rescore_requested_by_writer', true) = 'on' THEN
            RETURN NULL;
          END IF;
          `
    : '';
  return `
    CREATE OR REPLACE FUNCTION orders_request_rescore() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        ${skip}PERFORM request_customer_rescore(ARRAY(SELECT customer_id FROM new_rows));
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
    END $$`;
}
