import { MigrationInterface, QueryRunner } from 'typeorm';

/** Indexes for the remaining selective filters and keyset sorts the API offers. */
export class FilterAndSortIndexes1732700000000 implements MigrationInterface {
  name = 'FilterAndSortIndexes1732700000000';

  private readonly indexes: Array<[string, string]> = [
    ['products_unit_price_idx', 'products (unit_price, id)'],
    ['touchpoints_created_at_idx', 'touchpoints (created_at, id)'],
    ['users_created_at_idx', 'users (created_at, id)'],
    ['contacts_email_idx', 'contacts (email)'],
    ['contacts_birthday_idx', 'contacts (birthday)'],
    ['customers_birthday_idx', 'customers (birthday)'],
    ['customers_acquisition_channel_idx', 'customers (acquisition_channel)'],
    ['orders_channel_idx', 'orders (channel)'],
    ['orders_currency_idx', 'orders (currency)'],
    ['touchpoints_channel_idx', 'touchpoints (channel)'],
  ];

  async up(q: QueryRunner): Promise<void> {
    for (const [name, on] of this.indexes) await q.query(`CREATE INDEX IF NOT EXISTS ${name} ON ${on}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [name] of this.indexes) await q.query(`DROP INDEX IF EXISTS ${name}`);
  }
}
