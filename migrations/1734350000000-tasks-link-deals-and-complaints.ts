import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tasks link to what they work on: the opportunity (its table exists now, so the column gets its foreign key) and the
 * complaint (an escalated complaint is a COMPLAINT_RESPONSE task on the manager's agenda, the "more senior handler").
 */
export class TasksLinkDealsAndComplaints1734350000000 implements MigrationInterface {
  name = 'TasksLinkDealsAndComplaints1734350000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE tasks t SET opportunity_id = NULL WHERE opportunity_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM opportunities o WHERE o.id = t.opportunity_id)`);
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'tasks_opportunity_fk') THEN
          ALTER TABLE tasks ADD CONSTRAINT tasks_opportunity_fk FOREIGN KEY (opportunity_id) REFERENCES opportunities(id);
        END IF;
      END $$`);
    await q.query(`ALTER TABLE tasks ADD COLUMN IF NOT EXISTS complaint_id uuid REFERENCES complaints(id)`);
    await q.query(`CREATE INDEX IF NOT EXISTS tasks_opportunity_idx ON tasks (opportunity_id) WHERE opportunity_id IS NOT NULL`);
    await q.query(`CREATE INDEX IF NOT EXISTS tasks_complaint_idx ON tasks (complaint_id) WHERE complaint_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS tasks_complaint_idx`);
    await q.query(`DROP INDEX IF EXISTS tasks_opportunity_idx`);
    await q.query(`ALTER TABLE tasks DROP COLUMN IF EXISTS complaint_id`);
    await q.query(`ALTER TABLE tasks DROP CONSTRAINT IF EXISTS tasks_opportunity_fk`);
  }
}
