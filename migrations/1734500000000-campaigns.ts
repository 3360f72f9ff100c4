import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Marketing campaigns over the consent channels: a campaign with its saved audience (a customer filter, as jsonb),
 * and the members its launch materialised, each with their status and, when left out, why. Idempotent: every
 * statement checks what is already there.
 */
export class Campaigns1734500000000 implements MigrationInterface {
  name = 'Campaigns1734500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS campaigns (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (btrim(name) <> ''),
        goal text,
        channel text NOT NULL CHECK (channel IN ('EMAIL','SMS','PHONE','MAIL')),
        audience jsonb NOT NULL DEFAULT '{}'::jsonb,
        content text,
        scheduled_at timestamptz,
        status text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT','SCHEDULED','RUNNING','DONE','CANCELLED')),
        -- Budget and cost are in the base currency: attributed revenue and margin are (orders' *_base columns), so
        -- ROI compares like with like without exchange rates.
        currency char(3) NOT NULL,
        budget numeric(19,4) CHECK (budget >= 0),
        cost numeric(19,4) NOT NULL DEFAULT 0 CHECK (cost >= 0),
        control_group_share numeric(5,4) NOT NULL DEFAULT 0 CHECK (control_group_share BETWEEN 0 AND 0.5),
        attribution_window_days int NOT NULL DEFAULT 30 CHECK (attribution_window_days BETWEEN 1 AND 365),
        frequency_cap_days int NOT NULL DEFAULT 0 CHECK (frequency_cap_days BETWEEN 0 AND 365),
        launched_at timestamptz,
        ended_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        version int NOT NULL DEFAULT 1,
        -- Launched exactly when running or done; a cancelled campaign may or may not have been launched.
        CHECK (status NOT IN ('DRAFT','SCHEDULED') OR launched_at IS NULL),
        CHECK (status NOT IN ('RUNNING','DONE') OR launched_at IS NOT NULL),
        CHECK (status <> 'SCHEDULED' OR scheduled_at IS NOT NULL),
        -- Only a draft is deleted: a launched campaign is a record of who was contacted.
        CHECK (deleted_at IS NULL OR status = 'DRAFT')
      )`);
    const campaignIndexes: Array<[string, string]> = [
      ['campaigns_created_at_idx', 'campaigns (created_at, id)'],
      ['campaigns_scheduled_at_idx', 'campaigns (scheduled_at, id)'],
      ['campaigns_status_idx', 'campaigns (status)'],
    ];
    for (const [name, on] of campaignIndexes) await q.query(`CREATE INDEX IF NOT EXISTS ${name} ON ${on}`);

    await q.query(`
      CREATE TABLE IF NOT EXISTS campaign_members (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        campaign_id uuid NOT NULL REFERENCES campaigns(id),
        customer_id uuid NOT NULL REFERENCES customers(id),
        status text NOT NULL CHECK (status IN ('TARGETED','SENT','RESPONDED','CONVERTED','OPTED_OUT','EXCLUDED')),
        excluded_reason text CHECK (excluded_reason IN ('NO_CONSENT','DELETED','ERASED','FREQUENCY_CAP','CONTROL_GROUP')),
        targeted_at timestamptz NOT NULL,
        sent_at timestamptz,
        responded_at timestamptz,
        converted_at timestamptz,
        opted_out_at timestamptz,
        -- The follow-up task handResponderToSales scheduled for this responder.
        task_id uuid REFERENCES tasks(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (campaign_id, customer_id),
        CHECK ((status = 'EXCLUDED') = (excluded_reason IS NOT NULL)),
        CHECK (status IN ('TARGETED','EXCLUDED') OR sent_at IS NOT NULL)
      )`);
    const memberIndexes: Array<[string, string]> = [
      ['campaign_members_page_idx', 'campaign_members (campaign_id, created_at, id)'],
      ['campaign_members_status_idx', 'campaign_members (campaign_id, status)'],
      // The frequency cap: who was sent something lately.
      ['campaign_members_sent_idx', 'campaign_members (customer_id, sent_at) WHERE sent_at IS NOT NULL'],
    ];
    for (const [name, on] of memberIndexes) await q.query(`CREATE INDEX IF NOT EXISTS ${name} ON ${on}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS campaign_members`);
    await q.query(`DROP TABLE IF EXISTS campaigns`);
  }
}
