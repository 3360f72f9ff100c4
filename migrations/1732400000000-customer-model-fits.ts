import { MigrationInterface, QueryRunner } from 'typeorm';

/** Stored customer-model fits (BG/NBD, Gamma-Gamma, RFM breakpoints, value-tier medians); at most one is active. */
export class CustomerModelFits1732400000000 implements MigrationInterface {
  name = 'CustomerModelFits1732400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE customer_model_fits (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        fitted_at timestamptz NOT NULL DEFAULT now(),
        as_of timestamptz NOT NULL,
        time_unit text NOT NULL CHECK (time_unit IN ('DAY','WEEK')),
        basis text NOT NULL CHECK (basis IN ('MARGIN','REVENUE')),
        base_currency char(3) NOT NULL,
        customers int NOT NULL CHECK (customers >= 0),
        bgnbd_r double precision NOT NULL CHECK (bgnbd_r > 0),
        bgnbd_alpha double precision NOT NULL CHECK (bgnbd_alpha > 0),
        bgnbd_a double precision NOT NULL CHECK (bgnbd_a > 0),
        bgnbd_b double precision NOT NULL CHECK (bgnbd_b > 0),
        bgnbd_log_likelihood double precision NOT NULL,
        gamma_gamma_p double precision CHECK (gamma_gamma_p > 0),
        gamma_gamma_q double precision CHECK (gamma_gamma_q > 0),
        gamma_gamma_gamma double precision CHECK (gamma_gamma_gamma > 0),
        gamma_gamma_log_likelihood double precision,
        gamma_gamma_customers int,
        other_basis_gamma_gamma jsonb,
        rfm_breakpoints jsonb,
        value_tier_medians jsonb,
        active boolean NOT NULL DEFAULT false,
        duration_ms int NOT NULL CHECK (duration_ms >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((gamma_gamma_p IS NULL) = (gamma_gamma_q IS NULL) AND (gamma_gamma_q IS NULL) = (gamma_gamma_gamma IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX customer_model_fits_one_active ON customer_model_fits (active) WHERE active`);
    await q.query(`CREATE INDEX customer_model_fits_fitted_at_idx ON customer_model_fits (fitted_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS customer_model_fits`);
  }
}
