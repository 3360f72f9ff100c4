import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A change to what an API key grants (revoked, expired, re-scoped, re-roled, renamed, re-limited, deleted) is
 * announced on the channel `rapport_api_key_changed` with the key's id, when the change commits. Every API process
 * keeps the keys it has authenticated in memory (src/core/credentials.ts) and drops a key as soon as its change is
 * announced. Stamping `last_used_at` is not a change of what the key grants, so it is not announced.
 */
export class ApiKeyChangesAnnounced1735300000000 implements MigrationInterface {
  name = 'ApiKeyChangesAnnounced1735300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION api_key_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('rapport_api_key_changed', OLD.id::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER api_key_changed
        AFTER UPDATE OF name, role, scopes, user_id, key_hash, expires_at, revoked_at, throttle_bucket_size, throttle_restore_rate OR DELETE ON api_keys
        FOR EACH ROW EXECUTE FUNCTION api_key_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER api_key_changed ON api_keys`);
    await q.query(`DROP FUNCTION api_key_changed()`);
  }
}
