import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Assignment rules: the sales director's "this kind of customer goes to that rep (or that team, in turn)", ordered,
 * evaluated first match wins. Empty condition arrays match anything. Owners are checked by the service (an array
 * cannot carry a foreign key); `next_turn` is the round-robin cursor, advanced under the rule's row lock.
 */
export class AssignmentRules1734150000000 implements MigrationInterface {
  name = 'AssignmentRules1734150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS assignment_rules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        position int NOT NULL CHECK (position >= 1),
        name text NOT NULL CHECK (btrim(name) <> ''),
        active boolean NOT NULL DEFAULT true,
        regions text[] NOT NULL DEFAULT '{}',
        kinds text[] NOT NULL DEFAULT '{}',
        personalities text[] NOT NULL DEFAULT '{}',
        lifecycle_stages text[] NOT NULL DEFAULT '{}',
        segments text[] NOT NULL DEFAULT '{}',
        value_tiers text[] NOT NULL DEFAULT '{}',
        owner_ids uuid[] NOT NULL CHECK (cardinality(owner_ids) >= 1),
        next_turn int NOT NULL DEFAULT 0 CHECK (next_turn >= 0),
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE INDEX IF NOT EXISTS assignment_rules_position ON assignment_rules (position) WHERE deleted_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS assignment_rules`);
  }
}
