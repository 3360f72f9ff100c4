import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A write must hold its customers' rescore requests until it commits. With ON CONFLICT DO NOTHING, a write that found
 * a request already waiting relied on it without locking it; a rescore batch could then drain that request, score the
 * customer from rows that did not yet include the write, and commit, and the write's change was never scored (seen as
 * a customer keeping an old predicted CLV after their order). DO UPDATE locks the row: a batch skips it (SKIP LOCKED)
 * until the write commits, and the job queued here, visible from that commit on, drains it. A batch that took the row
 * first makes the write wait for it and then insert a fresh request.
 */
export class RescoreRequestsHeldByWriter1733300000000 implements MigrationInterface {
  name = 'RescoreRequestsHeldByWriter1733300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION request_customer_rescore(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE requested int;
      BEGIN
        INSERT INTO customer_score_requests (customer_id)
        -- In id order, so that two statements requesting the same customers wait on each other instead of deadlocking.
        SELECT DISTINCT id FROM unnest(ids) AS u(id) WHERE id IS NOT NULL ORDER BY id
        ON CONFLICT (customer_id) DO UPDATE SET requested_at = now();
        GET DIAGNOSTICS requested = ROW_COUNT;
        -- Every requesting statement queues a job: one that ran while this transaction held the rows has skipped them.
        IF requested > 0 THEN
          PERFORM graphile_worker.add_job('rescore_customers', '{}'::json);
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION request_customer_rescore(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE added int;
      BEGIN
        INSERT INTO customer_score_requests (customer_id)
        SELECT DISTINCT id FROM unnest(ids) AS u(id) WHERE id IS NOT NULL ORDER BY id
        ON CONFLICT (customer_id) DO NOTHING;
        GET DIAGNOSTICS added = ROW_COUNT;
        IF added > 0 THEN
          PERFORM graphile_worker.add_job('rescore_customers', '{}'::json);
        END IF;
      END $$`);
  }
}
