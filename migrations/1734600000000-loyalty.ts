import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The loyalty programme: one active programme (earn rate, tiers, expiry, referral bonus), an account per enrolled
 * customer, and the points ledger. An account's balance and lifetime points are kept by statement triggers on the
 * ledger, in the statement that writes the ledger rows, so that they are always the ledger's sums (src/loyalty).
 * A default programme is created so that customers can be enrolled on a fresh database. Idempotent: every statement
 * checks what is already there.
 */
export class Loyalty1734600000000 implements MigrationInterface {
  name = 'Loyalty1734600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS loyalty_programs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (btrim(name) <> ''),
        active boolean NOT NULL DEFAULT true,
        -- Points per unit of the base currency of the order's revenue (total) or margin (total − cost).
        earn_basis text NOT NULL DEFAULT 'REVENUE' CHECK (earn_basis IN ('REVENUE','MARGIN')),
        earn_rate numeric(10,4) NOT NULL CHECK (earn_rate >= 0 AND earn_rate <= 1000),
        -- Null: points never expire.
        expiry_months int CHECK (expiry_months BETWEEN 1 AND 120),
        referral_bonus_points bigint NOT NULL DEFAULT 0 CHECK (referral_bonus_points >= 0 AND referral_bonus_points <= 1000000000),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version int NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS loyalty_programs_one_active ON loyalty_programs ((true)) WHERE active`);

    await q.query(`
      CREATE TABLE IF NOT EXISTS loyalty_tiers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        program_id uuid NOT NULL REFERENCES loyalty_programs(id),
        name text NOT NULL CHECK (btrim(name) <> ''),
        -- Lifetime points from which a member is in the tier; the lowest tier starts at 0.
        threshold bigint NOT NULL CHECK (threshold >= 0),
        benefits text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS loyalty_tiers_threshold_key ON loyalty_tiers (program_id, threshold)`);
    await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS loyalty_tiers_name_key ON loyalty_tiers (program_id, lower(name))`);

    await q.query(`
      CREATE TABLE IF NOT EXISTS loyalty_accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customers(id),
        program_id uuid NOT NULL REFERENCES loyalty_programs(id),
        enrolled_at timestamptz NOT NULL DEFAULT now(),
        -- Both kept by the ledger's triggers: never written by hand.
        balance bigint NOT NULL DEFAULT 0,
        lifetime_points bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version int NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS loyalty_accounts_customer_key ON loyalty_accounts (customer_id)`);
    await q.query(`CREATE INDEX IF NOT EXISTS loyalty_accounts_balance_idx ON loyalty_accounts (balance)`);

    await q.query(`
      CREATE TABLE IF NOT EXISTS points_transactions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES loyalty_accounts(id),
        customer_id uuid NOT NULL REFERENCES customers(id),
        kind text NOT NULL CHECK (kind IN ('EARN','REDEEM','EXPIRE','ADJUST','REFERRAL_BONUS','REVERSAL')),
        points bigint NOT NULL CHECK (points <> 0),
        at timestamptz NOT NULL,
        -- When the points of a credit (EARN, REFERRAL_BONUS, a positive ADJUST) expire; null: never.
        expires_at timestamptz,
        order_id uuid REFERENCES orders(id),
        referred_customer_id uuid REFERENCES customers(id),
        reverses_id uuid REFERENCES points_transactions(id),
        reason text,
        idempotency_key text,
        actor_label text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (kind NOT IN ('EARN','REFERRAL_BONUS') OR points > 0),
        CHECK (kind NOT IN ('REDEEM','EXPIRE','REVERSAL') OR points < 0),
        CHECK (kind <> 'EARN' OR order_id IS NOT NULL),
        CHECK (kind <> 'REFERRAL_BONUS' OR referred_customer_id IS NOT NULL),
        CHECK (kind <> 'REVERSAL' OR reverses_id IS NOT NULL)
      )`);
    const indexes: Array<[string, string]> = [
      ['points_transactions_account_idx', 'points_transactions (account_id, at, id)'],
      ['points_transactions_customer_idx', 'points_transactions (customer_id)'],
      ['points_transactions_order_idx', 'points_transactions (order_id) WHERE order_id IS NOT NULL'],
    ];
    for (const [name, on] of indexes) await q.query(`CREATE INDEX IF NOT EXISTS ${name} ON ${on}`);
    // What makes each kind of write idempotent: an order earns once, a referred customer pays one bonus, a transaction
    // is reversed once, and a client's key names one redemption or adjustment of an account.
    const unique: Array<[string, string]> = [
      ['points_transactions_earn_key', "points_transactions (order_id) WHERE kind = 'EARN'"],
      ['points_transactions_referral_key', "points_transactions (referred_customer_id) WHERE kind = 'REFERRAL_BONUS'"],
      ['points_transactions_reversal_key', 'points_transactions (reverses_id) WHERE reverses_id IS NOT NULL'],
      ['points_transactions_idempotency_key', 'points_transactions (account_id, idempotency_key) WHERE idempotency_key IS NOT NULL'],
    ];
    for (const [name, on] of unique) await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS ${name} ON ${on}`);

    // The account follows its ledger in the statement that writes the ledger. Inserts add their sums (cheap for a bulk
    // import); updates and deletes (a merge moving rows, say) recount the accounts they touch from the ledger.
    // Lifetime points: everything earned, less reversals and downward adjustments; not lowered by spending or expiry.
    await q.query(`
      CREATE OR REPLACE FUNCTION loyalty_accounts_add_ledger() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE loyalty_accounts a
           SET balance = a.balance + d.points, lifetime_points = a.lifetime_points + d.lifetime, updated_at = now()
          FROM (SELECT account_id, sum(points) AS points, coalesce(sum(points) FILTER (WHERE kind NOT IN ('REDEEM','EXPIRE')), 0) AS lifetime
                  FROM new_rows GROUP BY account_id) d
         WHERE a.id = d.account_id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION loyalty_accounts_recount_ledger() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE loyalty_accounts a
           SET balance = coalesce((SELECT sum(p.points) FROM points_transactions p WHERE p.account_id = a.id), 0),
               lifetime_points = coalesce((SELECT sum(p.points) FROM points_transactions p WHERE p.account_id = a.id AND p.kind NOT IN ('REDEEM','EXPIRE')), 0),
               updated_at = now()
         WHERE a.id IN (SELECT account_id FROM old_rows);
        RETURN NULL;
      END $$`);
    // Transition tables need a trigger per event; the update trigger recounts the old and the new accounts.
    await q.query(`
      CREATE OR REPLACE FUNCTION loyalty_accounts_recount_moved() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE loyalty_accounts a
           SET balance = coalesce((SELECT sum(p.points) FROM points_transactions p WHERE p.account_id = a.id), 0),
               lifetime_points = coalesce((SELECT sum(p.points) FROM points_transactions p WHERE p.account_id = a.id AND p.kind NOT IN ('REDEEM','EXPIRE')), 0),
               updated_at = now()
         WHERE a.id IN (SELECT account_id FROM old_rows UNION SELECT account_id FROM new_rows);
        RETURN NULL;
      END $$`);
    await q.query(`DROP TRIGGER IF EXISTS points_transactions_insert ON points_transactions`);
    await q.query(`
      CREATE TRIGGER points_transactions_insert AFTER INSERT ON points_transactions
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION loyalty_accounts_add_ledger()`);
    await q.query(`DROP TRIGGER IF EXISTS points_transactions_update ON points_transactions`);
    await q.query(`
      CREATE TRIGGER points_transactions_update AFTER UPDATE ON points_transactions
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION loyalty_accounts_recount_moved()`);
    await q.query(`DROP TRIGGER IF EXISTS points_transactions_delete ON points_transactions`);
    await q.query(`
      CREATE TRIGGER points_transactions_delete AFTER DELETE ON points_transactions
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION loyalty_accounts_recount_ledger()`);

    // The default programme: a point per unit of revenue, points valid two years, three tiers, a referral bonus.
    await q.query(`
      INSERT INTO loyalty_programs (name, earn_basis, earn_rate, expiry_months, referral_bonus_points)
      SELECT 'Rapport Rewards', 'REVENUE', 1, 24, 500 WHERE NOT EXISTS (SELECT 1 FROM loyalty_programs WHERE active)`);
    await q.query(`
      INSERT INTO loyalty_tiers (program_id, name, threshold, benefits)
      SELECT p.id, t.name, t.threshold, t.benefits
        FROM loyalty_programs p
        CROSS JOIN (VALUES ('Bronze', 0, 'Member prices and birthday greeting'),
                           ('Silver', 2000, 'Free shipping and early access to sales'),
                           ('Gold', 10000, 'Free shipping, a personal adviser and invitations to events')) AS t(name, threshold, benefits)
       WHERE p.active AND NOT EXISTS (SELECT 1 FROM loyalty_tiers x WHERE x.program_id = p.id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS points_transactions`);
    await q.query(`DROP FUNCTION IF EXISTS loyalty_accounts_add_ledger()`);
    await q.query(`DROP FUNCTION IF EXISTS loyalty_accounts_recount_ledger()`);
    await q.query(`DROP FUNCTION IF EXISTS loyalty_accounts_recount_moved()`);
    await q.query(`DROP TABLE IF EXISTS loyalty_accounts`);
    await q.query(`DROP TABLE IF EXISTS loyalty_tiers`);
    await q.query(`DROP TABLE IF EXISTS loyalty_programs`);
  }
}
