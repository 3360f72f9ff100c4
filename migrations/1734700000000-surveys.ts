import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Surveys: a questionnaire (typed questions in validated jsonb) with a trigger, a channel and a status; the responses
 * customers give, with one row per answer; and tasks that invite a customer to a survey (tasks.survey_id), so that a
 * response rate has a denominator. Idempotent: every statement checks what is already there.
 */
export class Surveys1734700000000 implements MigrationInterface {
  name = 'Surveys1734700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS surveys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (btrim(name) <> ''),
        -- [{ key, type, text, required, min, max, options }], checked by the service (src/survey/questions.ts).
        questions jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(questions) = 'array'),
        trigger text NOT NULL CHECK (trigger IN ('AFTER_ORDER','AFTER_RESOLVED_COMPLAINT','AFTER_SERVICE_TOUCHPOINT','PERIODIC','MANUAL')),
        period_days int CHECK (period_days BETWEEN 1 AND 3650),
        delay_days int NOT NULL DEFAULT 0 CHECK (delay_days BETWEEN 0 AND 365),
        channel text NOT NULL CHECK (channel IN ('EMAIL','SMS','PHONE','MAIL')),
        status text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT','ACTIVE','CLOSED')),
        activated_at timestamptz,
        closed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version int NOT NULL DEFAULT 1,
        CHECK ((trigger = 'PERIODIC') = (period_days IS NOT NULL)),
        CHECK ((status = 'DRAFT') = (activated_at IS NULL)),
        CHECK ((status = 'CLOSED') = (closed_at IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS surveys_name_key ON surveys (lower(name))`);

    await q.query(`
      CREATE TABLE IF NOT EXISTS survey_responses (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        survey_id uuid NOT NULL REFERENCES surveys(id),
        customer_id uuid NOT NULL REFERENCES customers(id),
        -- The SURVEY touchpoint logged with the response: it carries the CSAT and NPS every touchpoint reader sees.
        touchpoint_id uuid NOT NULL REFERENCES touchpoints(id),
        -- The touchpoint that occasioned the survey (a service call, a complaint), when known.
        trigger_touchpoint_id uuid REFERENCES touchpoints(id),
        user_id uuid REFERENCES users(id),
        channel text NOT NULL CHECK (channel IN ('EMAIL','SMS','PHONE','MAIL')),
        responded_at timestamptz NOT NULL,
        -- The answers to the survey's CSAT and NPS questions (at most one of each), copied for the aggregates.
        csat smallint CHECK (csat BETWEEN 1 AND 5),
        nps smallint CHECK (nps BETWEEN 0 AND 10),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    const indexes: Array<[string, string]> = [
      ['survey_responses_survey_customer_idx', 'survey_responses (survey_id, customer_id, responded_at)'],
      ['survey_responses_customer_idx', 'survey_responses (customer_id, created_at, id)'],
      ['survey_responses_survey_idx', 'survey_responses (survey_id, created_at, id)'],
      ['survey_responses_responded_at_idx', 'survey_responses (responded_at)'],
      ['survey_responses_trigger_idx', 'survey_responses (trigger_touchpoint_id) WHERE trigger_touchpoint_id IS NOT NULL'],
    ];
    for (const [name, on] of indexes) await q.query(`CREATE INDEX IF NOT EXISTS ${name} ON ${on}`);
    await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS survey_responses_touchpoint_key ON survey_responses (touchpoint_id)`);

    await q.query(`
      CREATE TABLE IF NOT EXISTS survey_answers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        response_id uuid NOT NULL REFERENCES survey_responses(id),
        -- The response's customer, so that the access policy and erasure reach answers without a join.
        customer_id uuid NOT NULL REFERENCES customers(id),
        question_key text NOT NULL,
        question_type text NOT NULL CHECK (question_type IN ('CSAT','NPS','SCALE','SINGLE_CHOICE','MULTIPLE_CHOICE','FREE_TEXT')),
        number_value int,
        choices text[],
        text_value text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (response_id, question_key)
      )`);
    await q.query(`CREATE INDEX IF NOT EXISTS survey_answers_customer_idx ON survey_answers (customer_id)`);

    await q.query(`ALTER TABLE tasks ADD COLUMN IF NOT EXISTS survey_id uuid REFERENCES surveys(id)`);
    await q.query(`CREATE INDEX IF NOT EXISTS tasks_survey_idx ON tasks (survey_id, due_at) WHERE survey_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS tasks_survey_idx`);
    await q.query(`ALTER TABLE tasks DROP COLUMN IF EXISTS survey_id`);
    await q.query(`DROP TABLE IF EXISTS survey_answers`);
    await q.query(`DROP TABLE IF EXISTS survey_responses`);
    await q.query(`DROP TABLE IF EXISTS surveys`);
  }
}
