import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events for partners. `domain_events` is the transactional outbox: recordAudit writes a row in the statement that
 * writes the audit event, so an event exists exactly when its change committed. `n` is the insertion order, which is
 * not the commit order (a transaction that started first may commit last); `seq` is stamped after commit by one
 * sequencer at a time (the events.dispatch job), so readers paging by `seq` never skip an event that commits late.
 * Webhook subscriptions belong to an API key, whose access decides what is delivered; the secret is kept as it is
 * (it signs every delivery, as Stripe's endpoint secrets do) and never shown again after creation or rotation.
 */
export class EventsAndWebhooks1735000000000 implements MigrationInterface {
  name = 'EventsAndWebhooks1735000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS domain_events (
        n bigserial PRIMARY KEY,
        id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
        seq bigint UNIQUE,
        type text NOT NULL,
        object_type text NOT NULL,
        object_id uuid,
        changed_fields text[] NOT NULL DEFAULT '{}',
        actor_kind text NOT NULL,
        actor_role text,
        request_id text,
        occurred_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX IF NOT EXISTS domain_events_unsequenced ON domain_events (n) WHERE seq IS NULL`);
    await q.query(`CREATE INDEX IF NOT EXISTS domain_events_object ON domain_events (object_id, seq)`);
    await q.query(`
      CREATE TABLE IF NOT EXISTS webhook_subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        api_key_id uuid NOT NULL REFERENCES api_keys(id),
        url text NOT NULL,
        event_types text[] NOT NULL DEFAULT '{}',
        secret text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        disabled_at timestamptz,
        disabled_reason text,
        consecutive_failures int NOT NULL DEFAULT 0,
        failing_since timestamptz,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX IF NOT EXISTS webhook_subscriptions_key ON webhook_subscriptions (api_key_id)`);
    await q.query(`
      CREATE TABLE IF NOT EXISTS webhook_deliveries (
        n bigserial PRIMARY KEY,
        id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
        subscription_id uuid NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
        event_id uuid NOT NULL REFERENCES domain_events(id),
        event_seq bigint NOT NULL,
        object_type text NOT NULL,
        object_id uuid,
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_attempt_at timestamptz,
        response_status int,
        duration_ms int,
        error text,
        replay_of uuid REFERENCES webhook_deliveries(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX IF NOT EXISTS webhook_deliveries_pending ON webhook_deliveries (subscription_id, object_type, object_id, event_seq) WHERE status = 'PENDING'`);
    await q.query(`CREATE INDEX IF NOT EXISTS webhook_deliveries_log ON webhook_deliveries (subscription_id, n)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS webhook_deliveries`);
    await q.query(`DROP TABLE IF EXISTS webhook_subscriptions`);
    await q.query(`DROP TABLE IF EXISTS domain_events`);
  }
}
