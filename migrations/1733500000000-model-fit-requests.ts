import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A fit an analyst asks for (fitCustomerModel) runs in the job worker, not in the API process: a fit of a large base
 * is seconds of CPU that would stall every request of the process, and minutes of SQL that the API's statement time
 * limit would cut off. The mutation records the request and queues the job in one transaction; the worker writes the
 * outcome on the same row, which the mutation waits for.
 */
export class ModelFitRequests1733500000000 implements MigrationInterface {
  name = 'ModelFitRequests1733500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE customer_model_fit_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        requested_at timestamptz NOT NULL DEFAULT now(),
        as_of timestamptz NOT NULL,
        time_unit text NOT NULL,
        basis text NOT NULL,
        activate boolean NOT NULL,
        finished_at timestamptz,
        -- The stored fit, or why there is none: CANNOT_FIT (the data cannot support one; the message says why) or FAILED.
        fit_id uuid REFERENCES customer_model_fits(id),
        outcome text CHECK (outcome IN ('FITTED', 'CANNOT_FIT', 'FAILED')),
        message text,
        CHECK ((finished_at IS NULL) = (outcome IS NULL))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE customer_model_fit_requests`);
  }
}
