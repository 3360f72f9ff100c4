import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Complaints become records of their own (src/complaint/): category, severity, handler, service levels, escalations,
 * resolution, compensation and feedback, with every status change in complaint_transitions. The complaint row is the
 * one source of truth for a complaint's status: every COMPLAINT touchpoint becomes a complaint (MEDIUM, OTHER, its
 * handler the touchpoint's user, its due times from the MEDIUM service levels), and the touchpoint's own
 * complaint_status and resolved_at go. Users get a manager: escalations go to the handler's manager.
 *
 * Idempotent: every step checks what is already there, so a run interrupted and run again finishes the job.
 */
export class ComplaintHandling1734200000000 implements MigrationInterface {
  name = 'ComplaintHandling1734200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN IF NOT EXISTS manager_id uuid REFERENCES users(id) ON DELETE SET NULL`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT IF EXISTS users_not_own_manager`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_not_own_manager CHECK (manager_id IS DISTINCT FROM id)`);

    // Editable by ADMIN and MANAGER (setComplaintSla); a complaint copies its due times when it is opened.
    await q.query(`
      CREATE TABLE IF NOT EXISTS complaint_slas (
        severity text PRIMARY KEY CHECK (severity IN ('LOW','MEDIUM','HIGH','CRITICAL')),
        first_response_hours int NOT NULL CHECK (first_response_hours BETWEEN 1 AND 8760),
        resolution_hours int NOT NULL CHECK (resolution_hours BETWEEN 1 AND 8760),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version int NOT NULL DEFAULT 1,
        CHECK (resolution_hours >= first_response_hours)
      )`);
    await q.query(`
      INSERT INTO complaint_slas (severity, first_response_hours, resolution_hours)
      VALUES ('LOW', 48, 240), ('MEDIUM', 24, 120), ('HIGH', 8, 48), ('CRITICAL', 2, 24)
      ON CONFLICT (severity) DO NOTHING`);

    await q.query(`
      CREATE TABLE IF NOT EXISTS complaints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customers(id),
        touchpoint_id uuid UNIQUE REFERENCES touchpoints(id) ON DELETE SET NULL,
        contact_id uuid REFERENCES contacts(id) ON DELETE SET NULL,
        order_id uuid REFERENCES orders(id) ON DELETE SET NULL,
        assignee_id uuid REFERENCES users(id) ON DELETE SET NULL,
        escalated_to_id uuid REFERENCES users(id) ON DELETE SET NULL,
        channel text NOT NULL,
        category text NOT NULL CHECK (category IN ('PRODUCT_QUALITY','DELIVERY','BILLING','SERVICE','STAFF','OTHER')),
        severity text NOT NULL CHECK (severity IN ('LOW','MEDIUM','HIGH','CRITICAL')),
        status text NOT NULL CHECK (status IN ('OPEN','ACKNOWLEDGED','IN_PROGRESS','RESOLVED','CLOSED')),
        subject text NOT NULL,
        description text,
        escalation_level int NOT NULL DEFAULT 0 CHECK (escalation_level >= 0),
        opened_at timestamptz NOT NULL,
        first_response_due_at timestamptz NOT NULL,
        resolution_due_at timestamptz NOT NULL,
        first_response_at timestamptz,
        resolved_at timestamptz,
        closed_at timestamptz,
        resolution text,
        root_cause text,
        compensation_kind text CHECK (compensation_kind IN ('REFUND','DISCOUNT','VOUCHER','GIFT','REPLACEMENT','REPAIR')),
        compensation_amount numeric(19,4) CHECK (compensation_amount >= 0),
        compensation_currency text,
        customer_satisfied boolean,
        feedback_comment text,
        feedback_at timestamptz,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((status IN ('RESOLVED','CLOSED')) = (resolved_at IS NOT NULL)),
        CHECK ((status = 'CLOSED') = (closed_at IS NOT NULL)),
        CHECK ((status = 'OPEN') = (first_response_at IS NULL)),
        CHECK (num_nonnulls(compensation_kind, compensation_amount, compensation_currency) IN (0, 3)),
        CHECK ((customer_satisfied IS NULL) = (feedback_at IS NULL)),
        CHECK (resolved_at IS NULL OR resolved_at >= opened_at)
      )`);
    await q.query(`CREATE INDEX IF NOT EXISTS complaints_customer_idx ON complaints (customer_id, opened_at)`);
    await q.query(`CREATE INDEX IF NOT EXISTS complaints_opened_idx ON complaints (opened_at, id)`);
    await q.query(`CREATE INDEX IF NOT EXISTS complaints_assignee_idx ON complaints (assignee_id) WHERE assignee_id IS NOT NULL`);
    // What the escalation job and the overdue filter look for: unresolved complaints by due time.
    await q.query(`CREATE INDEX IF NOT EXISTS complaints_unresolved_due_idx ON complaints (resolution_due_at) WHERE resolved_at IS NULL`);
    await q.query(`CREATE INDEX IF NOT EXISTS complaints_unanswered_due_idx ON complaints (first_response_due_at) WHERE first_response_at IS NULL`);

    await q.query(`
      CREATE TABLE IF NOT EXISTS complaint_transitions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        complaint_id uuid NOT NULL REFERENCES complaints(id) ON DELETE CASCADE,
        customer_id uuid NOT NULL REFERENCES customers(id),
        from_status text,
        to_status text NOT NULL,
        at timestamptz NOT NULL,
        by_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
        actor text NOT NULL,
        note text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX IF NOT EXISTS complaint_transitions_complaint_idx ON complaint_transitions (complaint_id, at)`);

    await q.query(`
      CREATE TABLE IF NOT EXISTS complaint_escalations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        complaint_id uuid NOT NULL REFERENCES complaints(id) ON DELETE CASCADE,
        customer_id uuid NOT NULL REFERENCES customers(id),
        level int NOT NULL CHECK (level >= 1),
        reason text NOT NULL CHECK (reason IN ('FIRST_RESPONSE_OVERDUE','RESOLUTION_OVERDUE','MANUAL')),
        at timestamptz NOT NULL,
        missed_due_at timestamptz,
        from_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
        to_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
        note text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((reason = 'MANUAL') = (missed_due_at IS NULL))
      )`);
    // Each missed due time is escalated once, however many workers run the job at once.
    await q.query(`
      CREATE UNIQUE INDEX IF NOT EXISTS complaint_escalations_once_per_due_idx
        ON complaint_escalations (complaint_id, reason, missed_due_at) WHERE reason <> 'MANUAL'`);
    await q.query(`CREATE INDEX IF NOT EXISTS complaint_escalations_to_idx ON complaint_escalations (to_user_id, at)`);
    await q.query(`CREATE INDEX IF NOT EXISTS complaint_escalations_complaint_idx ON complaint_escalations (complaint_id, at)`);

    const [{ legacy }] = await q.query(`
      SELECT EXISTS (SELECT 1 FROM information_schema.columns
                      WHERE table_schema = current_schema() AND table_name = 'touchpoints' AND column_name = 'complaint_status') AS legacy`);
    if (!legacy) return;
    // A resolved legacy complaint had its answer at the latest when it was resolved.
    await q.query(`
      INSERT INTO complaints (customer_id, touchpoint_id, contact_id, order_id, assignee_id, channel, category, severity, status,
                              subject, opened_at, first_response_due_at, resolution_due_at, first_response_at, resolved_at,
                              created_at, updated_at)
      SELECT t.customer_id, t.id, t.contact_id, t.order_id, t.user_id, t.channel, 'OTHER', 'MEDIUM', t.complaint_status,
             coalesce(t.subject, 'Complaint'), t.occurred_at,
             t.occurred_at + make_interval(hours => s.first_response_hours), t.occurred_at + make_interval(hours => s.resolution_hours),
             t.resolved_at, t.resolved_at, t.created_at, t.updated_at
        FROM touchpoints t CROSS JOIN complaint_slas s
       WHERE s.severity = 'MEDIUM' AND t.purpose = 'COMPLAINT'
         AND NOT EXISTS (SELECT 1 FROM complaints k WHERE k.touchpoint_id = t.id)`);
    await q.query(`
      INSERT INTO complaint_transitions (complaint_id, customer_id, from_status, to_status, at, actor, note)
      SELECT k.id, k.customer_id, NULL, 'OPEN', k.opened_at, 'migration', 'Logged as a COMPLAINT touchpoint'
        FROM complaints k WHERE NOT EXISTS (SELECT 1 FROM complaint_transitions x WHERE x.complaint_id = k.id)
      UNION ALL
      SELECT k.id, k.customer_id, 'OPEN', 'RESOLVED', k.resolved_at, 'migration', 'Resolved on the COMPLAINT touchpoint'
        FROM complaints k WHERE k.resolved_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM complaint_transitions x WHERE x.complaint_id = k.id)`);
    await q.query(`ALTER TABLE touchpoints DROP COLUMN IF EXISTS complaint_status, DROP COLUMN IF EXISTS resolved_at`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE touchpoints ADD COLUMN IF NOT EXISTS complaint_status text, ADD COLUMN IF NOT EXISTS resolved_at timestamptz`);
    await q.query(`
      UPDATE touchpoints t SET complaint_status = CASE WHEN k.resolved_at IS NULL THEN 'OPEN' ELSE 'RESOLVED' END,
                               resolved_at = greatest(k.resolved_at, t.occurred_at)
        FROM complaints k WHERE k.touchpoint_id = t.id AND t.purpose = 'COMPLAINT'`);
    await q.query(`UPDATE touchpoints SET complaint_status = 'OPEN' WHERE purpose = 'COMPLAINT' AND complaint_status IS NULL`);
    await q.query(`CREATE INDEX IF NOT EXISTS touchpoints_open_complaints_idx ON touchpoints (customer_id) WHERE complaint_status = 'OPEN'`);
    await q.query(`DROP TABLE IF EXISTS complaint_escalations, complaint_transitions, complaints, complaint_slas`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT IF EXISTS users_not_own_manager`);
    await q.query(`ALTER TABLE users DROP COLUMN IF EXISTS manager_id`);
  }
}
