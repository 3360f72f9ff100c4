import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Responders handed to sales as opportunities: the member keeps the opportunity made for them, so that a hand-over
 * is made at most once per member and a campaign can count the deals it started. Idempotent.
 */
export class CampaignOpportunities1734950000000 implements MigrationInterface {
  name = 'CampaignOpportunities1734950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE campaign_members ADD COLUMN IF NOT EXISTS opportunity_id uuid REFERENCES opportunities(id)`);
    // An opportunity comes from at most one member (and one campaign).
    await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS campaign_members_opportunity_key ON campaign_members (opportunity_id) WHERE opportunity_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS campaign_members_opportunity_key`);
    await q.query(`ALTER TABLE campaign_members DROP COLUMN IF EXISTS opportunity_id`);
  }
}
