import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Duplicate detection compares customers on exact keys (email, phone digits) and, within blocks of the same
 * birthday or the same postal code and city, on name similarity (pg_trgm): an index per key, so that checking one
 * new customer is a few index probes and listing every candidate pair is a join within blocks, not a cross join.
 */
export class DuplicateDetection1734450000000 implements MigrationInterface {
  name = 'DuplicateDetection1734450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`CREATE INDEX IF NOT EXISTS customers_email_key_idx ON customers (email) WHERE email IS NOT NULL AND deleted_at IS NULL`);
    await q.query(`CREATE INDEX IF NOT EXISTS customers_phone_digits_idx ON customers ((regexp_replace(phone, '[^0-9]', '', 'g'))) WHERE phone IS NOT NULL AND deleted_at IS NULL`);
    await q.query(`CREATE INDEX IF NOT EXISTS customers_postal_city_idx ON customers (address_postal_code, lower(address_city)) WHERE address_postal_code IS NOT NULL AND deleted_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS customers_postal_city_idx`);
    await q.query(`DROP INDEX IF EXISTS customers_phone_digits_idx`);
    await q.query(`DROP INDEX IF EXISTS customers_email_key_idx`);
  }
}
