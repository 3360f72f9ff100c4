import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sales pipeline: pipelines with ordered stages (win probability, rotting period), opportunities that move
 * through them, and each opportunity's stage history. A default pipeline is created so that opportunities can be
 * recorded on a fresh database. Idempotent: every statement checks what is already there, so a half-applied run
 * (or a hand-made table) does not stop it.
 */
export class SalesPipeline1734100000000 implements MigrationInterface {
  name = 'SalesPipeline1734100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS pipelines (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (btrim(name) <> ''),
        -- Null: the deployment's base currency (a migration cannot know it). Every opportunity of the pipeline is in
        -- this currency, so the pipeline's sums stay exact without exchange rates.
        currency char(3),
        is_default boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version int NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS pipelines_name_key ON pipelines (lower(name))`);
    await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS pipelines_one_default ON pipelines ((true)) WHERE is_default`);

    await q.query(`
      CREATE TABLE IF NOT EXISTS pipeline_stages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        pipeline_id uuid NOT NULL REFERENCES pipelines(id),
        name text NOT NULL CHECK (btrim(name) <> ''),
        position int NOT NULL CHECK (position > 0),
        probability numeric(5,4) NOT NULL CHECK (probability BETWEEN 0 AND 1),
        rotting_days int CHECK (rotting_days > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version int NOT NULL DEFAULT 1
      )`);
    // Deferred, so that a reorder can swap positions inside one transaction.
    await q.query(`
      DO $$ BEGIN
        ALTER TABLE pipeline_stages ADD CONSTRAINT pipeline_stages_position_key UNIQUE (pipeline_id, position) DEFERRABLE INITIALLY DEFERRED;
      EXCEPTION WHEN duplicate_object OR duplicate_table THEN NULL;
      END $$`);
    await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS pipeline_stages_name_key ON pipeline_stages (pipeline_id, lower(name))`);

    await q.query(`
      CREATE TABLE IF NOT EXISTS opportunities (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customers(id),
        contact_id uuid REFERENCES contacts(id),
        owner_id uuid NOT NULL REFERENCES users(id),
        pipeline_id uuid NOT NULL REFERENCES pipelines(id),
        stage_id uuid NOT NULL REFERENCES pipeline_stages(id),
        name text NOT NULL CHECK (btrim(name) <> ''),
        amount numeric(19,4) NOT NULL CHECK (amount >= 0),
        currency char(3) NOT NULL,
        product_ids uuid[] NOT NULL DEFAULT '{}',
        expected_close_date date,
        source text,
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN','WON','LOST')),
        lost_reason text,
        next_step text,
        order_id uuid REFERENCES orders(id),
        opened_at timestamptz NOT NULL DEFAULT now(),
        stage_entered_at timestamptz NOT NULL DEFAULT now(),
        last_activity_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        version int NOT NULL DEFAULT 1,
        CHECK ((status = 'OPEN') = (closed_at IS NULL)),
        CHECK ((status = 'LOST') = (lost_reason IS NOT NULL)),
        CHECK (order_id IS NULL OR status = 'WON'),
        CHECK (closed_at IS NULL OR closed_at >= opened_at)
      )`);
    const indexes: Array<[string, string]> = [
      ['opportunities_owner_idx', 'opportunities (owner_id, created_at, id)'],
      ['opportunities_customer_idx', 'opportunities (customer_id, created_at, id)'],
      ['opportunities_pipeline_stage_idx', 'opportunities (pipeline_id, stage_id)'],
      ['opportunities_stage_idx', 'opportunities (stage_id)'],
      ['opportunities_created_at_idx', 'opportunities (created_at, id)'],
      ['opportunities_updated_at_idx', 'opportunities (updated_at, id)'],
      ['opportunities_expected_close_idx', 'opportunities (expected_close_date, id)'],
      ['opportunities_amount_idx', 'opportunities (amount, id)'],
      ['opportunities_closed_at_idx', 'opportunities (closed_at) WHERE closed_at IS NOT NULL'],
      ['opportunities_open_customer_idx', "opportunities (customer_id) WHERE status = 'OPEN' AND deleted_at IS NULL"],
    ];
    for (const [name, on] of indexes) await q.query(`CREATE INDEX IF NOT EXISTS ${name} ON ${on}`);
    // An order closes at most one opportunity: revenue is not counted twice in win figures.
    await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS opportunities_order_key ON opportunities (order_id) WHERE order_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE IF NOT EXISTS opportunity_stage_history (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        opportunity_id uuid NOT NULL REFERENCES opportunities(id),
        stage_id uuid NOT NULL REFERENCES pipeline_stages(id),
        entered_at timestamptz NOT NULL,
        left_at timestamptz,
        user_id uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (left_at IS NULL OR left_at >= entered_at)
      )`);
    await q.query(`CREATE INDEX IF NOT EXISTS opportunity_stage_history_opportunity_idx ON opportunity_stage_history (opportunity_id, entered_at, id)`);
    await q.query(`CREATE INDEX IF NOT EXISTS opportunity_stage_history_stage_idx ON opportunity_stage_history (stage_id, entered_at)`);

    // The default pipeline: won and lost are what an opportunity ends as, not stages it sits in.
    await q.query(`
      INSERT INTO pipelines (name, is_default)
      SELECT 'Sales', true WHERE NOT EXISTS (SELECT 1 FROM pipelines WHERE is_default)`);
    await q.query(`
      INSERT INTO pipeline_stages (pipeline_id, name, position, probability, rotting_days)
      SELECT p.id, s.name, s.position, s.probability, s.rotting_days
        FROM pipelines p
        CROSS JOIN (VALUES ('Qualification', 1, 0.10, 14), ('Needs analysis', 2, 0.25, 21), ('Proposal', 3, 0.50, 14), ('Negotiation', 4, 0.75, 10))
             AS s(name, position, probability, rotting_days)
       WHERE p.is_default AND NOT EXISTS (SELECT 1 FROM pipeline_stages x WHERE x.pipeline_id = p.id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS opportunity_stage_history`);
    await q.query(`DROP TABLE IF EXISTS opportunities`);
    await q.query(`DROP TABLE IF EXISTS pipeline_stages`);
    await q.query(`DROP TABLE IF EXISTS pipelines`);
  }
}
