import { MigrationInterface, QueryRunner } from 'typeorm';

/** Custom fields can hold personal data (hobbies, background): such fields are withheld from callers who see it masked. */
export class CustomFieldPersonal1734900000000 implements MigrationInterface {
  name = 'CustomFieldPersonal1734900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE custom_field_definitions ADD COLUMN IF NOT EXISTS personal boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE custom_field_definitions DROP COLUMN IF EXISTS personal`);
  }
}
