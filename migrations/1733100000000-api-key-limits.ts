import { MigrationInterface, QueryRunner } from 'typeorm';

/** A key's own cost bucket, for an integration that needs more (or should get less) than its role's default. */
export class ApiKeyLimits1733100000000 implements MigrationInterface {
  name = 'ApiKeyLimits1733100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys ADD COLUMN throttle_bucket_size int CHECK (throttle_bucket_size > 0)`);
    await q.query(`ALTER TABLE api_keys ADD COLUMN throttle_restore_rate double precision CHECK (throttle_restore_rate > 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys DROP COLUMN throttle_restore_rate`);
    await q.query(`ALTER TABLE api_keys DROP COLUMN throttle_bucket_size`);
  }
}
