import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each claim of an idempotency key gets a token: once a stale claim is taken over by a retry, the
 * request that made it (if it still runs) can neither store its response over the new claim nor release it.
 */
export class IdempotencyClaims1732900000000 implements MigrationInterface {
  name = 'IdempotencyClaims1732900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys ADD COLUMN claim_token uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys DROP COLUMN claim_token`);
  }
}
