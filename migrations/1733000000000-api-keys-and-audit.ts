import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Credentials and accountability: API keys (only a hash of the secret is stored), the audit log,
 * which every mutation writes in the same transaction as its change, and erasure of customers.
 */
export class ApiKeysAndAudit1733000000000 implements MigrationInterface {
  name = 'ApiKeysAndAudit1733000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        role text NOT NULL CHECK (role IN ('ADMIN','MANAGER','SALES_REP','ANALYST','PARTNER')),
        scopes text[] NOT NULL DEFAULT '{}',
        user_id uuid REFERENCES users(id),
        key_hash text NOT NULL UNIQUE,
        key_prefix text NOT NULL,
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        -- A sales rep's key acts as that rep: without a user there would be no book to scope it to.
        CHECK (role <> 'SALES_REP' OR user_id IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX api_keys_created_at_idx ON api_keys (created_at, id)`);
    await q.query(`
      CREATE TABLE audit_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        at timestamptz NOT NULL DEFAULT now(),
        action text NOT NULL,
        object_type text NOT NULL,
        object_id uuid,
        actor_label text NOT NULL,
        actor_role text,
        actor_user_id uuid,
        credential_kind text,
        credential_id text,
        request_id text,
        changes jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX audit_events_at_idx ON audit_events (at, id)`);
    await q.query(`CREATE INDEX audit_events_object_idx ON audit_events (object_id, at)`);
    await q.query(`CREATE INDEX audit_events_actor_idx ON audit_events (actor_user_id, at)`);
    // Erased customers stay as anonymous records so that revenue analytics stay right.
    await q.query(`ALTER TABLE customers ADD COLUMN erased_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customers DROP COLUMN erased_at`);
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP TABLE api_keys`);
  }
}
