import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for Customer.timeline (src/timeline/timeline.service.ts): each source of events is read for one customer,
 * newest first, from a cursor on, so each needs (customer, time, id). Orders, touchpoints, lifecycle transitions and
 * the stage history (per opportunity) have theirs already; these are the missing ones. The audit log's is partial: the
 * timeline reads only owner changes from it, with exactly this predicate (OWNER_CHANGE in the service).
 */
export class TimelineIndexes1734400000000 implements MigrationInterface {
  name = 'TimelineIndexes1734400000000';

  private readonly indexes: Array<[string, string]> = [
    ['opportunities_customer_closed_idx', 'opportunities (customer_id, closed_at, id) WHERE closed_at IS NOT NULL'],
    ['tasks_customer_completed_idx', `tasks (customer_id, completed_at, id) WHERE status = 'DONE'`],
    ['complaint_transitions_customer_idx', 'complaint_transitions (customer_id, at, id)'],
    ['complaint_escalations_customer_idx', 'complaint_escalations (customer_id, at, id)'],
    [
      'audit_events_owner_change_idx',
      `audit_events (object_id, at, id) WHERE (action IN ('customer.assign', 'customer.reassign') OR (action = 'customer.update' AND changes ? 'ownerId'))`,
    ],
  ];

  async up(q: QueryRunner): Promise<void> {
    for (const [name, on] of this.indexes) await q.query(`CREATE INDEX IF NOT EXISTS ${name} ON ${on}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [name] of this.indexes) await q.query(`DROP INDEX IF EXISTS ${name}`);
  }
}
