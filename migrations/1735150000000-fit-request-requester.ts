import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who asked for a model fit: the worker runs it and writes its audit entry and `customerModel.fitted` event in the
 * fit's own transaction, in the requester's name. Null for fits requested before this column existed. Idempotent.
 */
export class FitRequestRequester1735150000000 implements MigrationInterface {
  name = 'FitRequestRequester1735150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customer_model_fit_requests ADD COLUMN IF NOT EXISTS requested_by jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customer_model_fit_requests DROP COLUMN IF EXISTS requested_by`);
  }
}
