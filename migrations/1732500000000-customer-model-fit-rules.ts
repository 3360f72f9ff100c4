import { MigrationInterface, QueryRunner } from 'typeorm';

/** Category association rules of the fitted population, stored with the fit for cross-sell suggestions. */
export class CustomerModelFitRules1732500000000 implements MigrationInterface {
  name = 'CustomerModelFitRules1732500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customer_model_fits ADD COLUMN association_rules jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customer_model_fits DROP COLUMN IF EXISTS association_rules`);
  }
}
