import { MigrationInterface, QueryRunner } from 'typeorm';

/** lpad(n, 7) truncates from the eighth digit on, so order numbers would repeat after R-9999999. */
export class OrderNumbersBeyondSevenDigits1732600000000 implements MigrationInterface {
  name = 'OrderNumbersBeyondSevenDigits1732600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION next_order_number() RETURNS text LANGUAGE sql VOLATILE AS $$
        SELECT 'R-' || lpad(n::text, greatest(7, length(n::text)), '0') FROM nextval('order_number_seq') AS n
      $$`);
    await q.query(`ALTER TABLE orders ALTER COLUMN number SET DEFAULT next_order_number()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE orders ALTER COLUMN number SET DEFAULT ('R-' || lpad(nextval('order_number_seq')::text, 7, '0'))`);
    await q.query(`DROP FUNCTION next_order_number()`);
  }
}
