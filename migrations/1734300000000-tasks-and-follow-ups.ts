import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tasks (the planned follow-ups of the relationship: calls, visits, greetings…, each with an owner and a due time)
 * and a contact cadence per lifecycle stage (how many days a customer in that stage may go without a touchpoint
 * before the agenda suggests a follow-up). Idempotent: every statement checks what is already there.
 */
export class TasksAndFollowUps1734300000000 implements MigrationInterface {
  name = 'TasksAndFollowUps1734300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS tasks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customers(id),
        contact_id uuid REFERENCES contacts(id),
        -- The opportunity the task works towards. No foreign key yet: the opportunities table arrives with the
        -- pipeline work, which adds the constraint and the GraphQL relation.
        opportunity_id uuid,
        owner_id uuid NOT NULL REFERENCES users(id),
        kind text NOT NULL CHECK (kind IN ('CALL','EMAIL','VISIT','MEETING','GREETING','THANK_YOU','COMPLAINT_RESPONSE','SURVEY','OTHER')),
        subject text NOT NULL CHECK (btrim(subject) <> ''),
        notes text,
        due_at timestamptz NOT NULL,
        priority text NOT NULL DEFAULT 'NORMAL' CHECK (priority IN ('LOW','NORMAL','HIGH','URGENT')),
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN','DONE','CANCELLED')),
        snoozed_until timestamptz,
        -- When the task is on the agenda: its due time, or the snooze when that is later (greatest ignores nulls).
        follow_up_at timestamptz GENERATED ALWAYS AS (greatest(due_at, snoozed_until)) STORED,
        completed_at timestamptz,
        completion_touchpoint_id uuid REFERENCES touchpoints(id),
        cancelled_at timestamptz,
        -- The agenda suggestion this task was accepted from: that suggestion is not offered again.
        suggestion_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version int NOT NULL DEFAULT 1,
        CHECK ((status = 'DONE') = (completed_at IS NOT NULL)),
        CHECK ((status = 'CANCELLED') = (cancelled_at IS NOT NULL)),
        CHECK (completion_touchpoint_id IS NULL OR status = 'DONE')
      )`);
    await q.query(`CREATE INDEX IF NOT EXISTS tasks_owner_open_idx ON tasks (owner_id, follow_up_at, id) WHERE status = 'OPEN'`);
    await q.query(`CREATE INDEX IF NOT EXISTS tasks_customer_open_idx ON tasks (customer_id, follow_up_at) WHERE status = 'OPEN'`);
    await q.query(`CREATE INDEX IF NOT EXISTS tasks_customer_idx ON tasks (customer_id, follow_up_at, id)`);
    await q.query(`CREATE INDEX IF NOT EXISTS tasks_follow_up_idx ON tasks (follow_up_at, id)`);
    await q.query(`CREATE INDEX IF NOT EXISTS tasks_due_idx ON tasks (due_at, id)`);
    await q.query(`CREATE INDEX IF NOT EXISTS tasks_contact_idx ON tasks (contact_id)`);
    await q.query(`CREATE INDEX IF NOT EXISTS tasks_touchpoint_idx ON tasks (completion_touchpoint_id)`);
    await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS tasks_suggestion_idx ON tasks (suggestion_id) WHERE suggestion_id IS NOT NULL`);

    const [{ present }] = await q.query(
      `SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'lifecycle_stages' AND column_name = 'contact_every_days') AS present`,
    );
    if (!present) {
      await q.query(`ALTER TABLE lifecycle_stages ADD COLUMN contact_every_days int CHECK (contact_every_days BETWEEN 1 AND 3650)`);
      // The seeds ask for frequent contact while the relationship is new or slipping, less once it is stable; a
      // churned customer is left alone (win-backs are the next best actions' call, by value).
      await q.query(`
        UPDATE lifecycle_stages s SET contact_every_days = v.days
          FROM (VALUES ('PROSPECT', 14), ('ONBOARDING', 7), ('GROWING', 30), ('LOYAL', 60), ('DECLINING', 14)) AS v(key, days)
         WHERE s.key = v.key`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS tasks`);
    await q.query(`ALTER TABLE lifecycle_stages DROP COLUMN IF EXISTS contact_every_days`);
  }
}
