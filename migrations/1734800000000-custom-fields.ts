import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Custom fields: typed fields an ADMIN defines on customers, contacts and opportunities, without a migration each.
 * The definitions are rows; the values live beside the record in `custom_fields` (jsonb, key → value), so that a
 * record and its values change in one row and one version. Keys are unique per entity among live definitions only:
 * a deleted key can be defined again. The GIN index serves `custom_fields @> {"key": value}` (the customers list's
 * equality filters).
 */
export class CustomFields1734800000000 implements MigrationInterface {
  name = 'CustomFields1734800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS custom_field_definitions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        entity text NOT NULL CHECK (entity IN ('CUSTOMER', 'CONTACT', 'OPPORTUNITY')),
        key text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,49}$'),
        label text NOT NULL CHECK (btrim(label) <> ''),
        type text NOT NULL CHECK (type IN ('TEXT', 'NUMBER', 'DATE', 'CHOICE')),
        options text[] NOT NULL DEFAULT '{}',
        position int NOT NULL DEFAULT 0,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CHECK ((type = 'CHOICE') = (cardinality(options) > 0))
      )`);
    await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS custom_field_definitions_live_key ON custom_field_definitions (entity, key) WHERE deleted_at IS NULL`);
    for (const table of ['customers', 'contacts', 'opportunities']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS custom_fields jsonb NOT NULL DEFAULT '{}'`);
    }
    await q.query(`CREATE INDEX IF NOT EXISTS customers_custom_fields ON customers USING gin (custom_fields jsonb_path_ops)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS customers_custom_fields`);
    for (const table of ['customers', 'contacts', 'opportunities']) await q.query(`ALTER TABLE ${table} DROP COLUMN IF EXISTS custom_fields`);
    await q.query(`DROP TABLE IF EXISTS custom_field_definitions`);
  }
}
