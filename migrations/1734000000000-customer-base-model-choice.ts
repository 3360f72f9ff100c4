import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A fit records which customer-base model its per-customer predictions use (BG/NBD, Pareto/NBD or MBG/NBD), with
 * that model's parameters, what the analyst asked for (one model, or AUTO: the lowest holdout error) and, for AUTO,
 * each candidate's holdout error. The BG/NBD columns stay: every fit estimates BG/NBD too, for comparison. Fits made
 * before this migration were BG/NBD fits, and say so.
 */
export class CustomerBaseModelChoice1734000000000 implements MigrationInterface {
  name = 'CustomerBaseModelChoice1734000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE customer_model_fits
        ADD COLUMN IF NOT EXISTS base_model text NOT NULL DEFAULT 'BG_NBD' CHECK (base_model IN ('BG_NBD', 'PARETO_NBD', 'MBG_NBD')),
        ADD COLUMN IF NOT EXISTS base_model_params jsonb,
        ADD COLUMN IF NOT EXISTS base_model_log_likelihood double precision,
        ADD COLUMN IF NOT EXISTS model_choice text NOT NULL DEFAULT 'BG_NBD' CHECK (model_choice IN ('AUTO', 'BG_NBD', 'PARETO_NBD', 'MBG_NBD')),
        ADD COLUMN IF NOT EXISTS model_selection jsonb`);
    await q.query(`
      UPDATE customer_model_fits
         SET base_model_params = jsonb_build_object('r', bgnbd_r, 'alpha', bgnbd_alpha, 'a', bgnbd_a, 'b', bgnbd_b),
             base_model_log_likelihood = bgnbd_log_likelihood
       WHERE base_model_params IS NULL`);
    await q.query(`ALTER TABLE customer_model_fits ALTER COLUMN base_model_params SET NOT NULL, ALTER COLUMN base_model_log_likelihood SET NOT NULL`);
    await q.query(`
      ALTER TABLE customer_model_fit_requests
        ADD COLUMN IF NOT EXISTS model_choice text NOT NULL DEFAULT 'BG_NBD',
        ADD COLUMN IF NOT EXISTS holdout_days int,
        ADD COLUMN IF NOT EXISTS message_field text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customer_model_fit_requests DROP COLUMN IF EXISTS model_choice, DROP COLUMN IF EXISTS holdout_days, DROP COLUMN IF EXISTS message_field`);
    await q.query(`
      ALTER TABLE customer_model_fits DROP COLUMN IF EXISTS base_model, DROP COLUMN IF EXISTS base_model_params,
        DROP COLUMN IF EXISTS base_model_log_likelihood, DROP COLUMN IF EXISTS model_choice, DROP COLUMN IF EXISTS model_selection`);
  }
}
