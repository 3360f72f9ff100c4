import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A merged customer stays as a tombstone (soft-deleted) that points at the survivor, so that an ID a client kept
 * still finds the customer: `node(id)` and `customer(id)` of a merged id answer with the survivor.
 */
export class CustomerMerge1734480000000 implements MigrationInterface {
  name = 'CustomerMerge1734480000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customers ADD COLUMN IF NOT EXISTS merged_into_id uuid REFERENCES customers(id)`);
    await q.query(`CREATE INDEX IF NOT EXISTS customers_merged_into_idx ON customers (merged_into_id) WHERE merged_into_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customers DROP COLUMN IF EXISTS merged_into_id`);
  }
}
