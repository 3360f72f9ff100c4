import { findByIds } from '../../src/common/list-query';
import { seedDatabase } from '../../src/seed/seed';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The read path maps rows itself (src/common/list-query.ts) instead of going through TypeORM's query builder, and skips
 * the driver's value conversion for column types it leaves unchanged. Both must give exactly the entity TypeORM gives:
 * every entity with a uuid `id`, read both ways from a seeded database (and a soft-deleted row, which by-id reads keep).
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await seedDatabase(app.db, app.config, { customers: 40, seed: 3 });
  await app.db.query(`UPDATE customers SET deleted_at = now() WHERE id = (SELECT min(id::text)::uuid FROM customers)`);
});
afterAll(() => app.close());

describe('row mapping', () => {
  it('hydrates every entity exactly as TypeORM does', async () => {
    let compared = 0;
    for (const meta of app.db.entityMetadatas) {
      const id = meta.primaryColumns.length === 1 ? meta.primaryColumns[0] : null;
      if (!id || id.propertyName !== 'id' || id.databaseName !== 'id' || meta.tableType !== 'regular') continue;
      const [{ uuid }] = await app.db.query(
        `SELECT data_type = 'uuid' AS uuid FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'id'`,
        [meta.tableName],
      );
      if (!uuid) continue;
      const ids: string[] = (await app.db.query(`SELECT id FROM ${meta.tablePath} ORDER BY id LIMIT 25`)).map((r: { id: string }) => r.id);
      if (!ids.length) continue;
      const ours = (await findByIds(app.db, meta.target, ids, null)) as Array<{ id: string }>;
      const typeorm = await app.db.getRepository(meta.target).createQueryBuilder('a').withDeleted().where('a.id = ANY(:ids::uuid[])', { ids }).getMany();
      const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
      expect({ entity: meta.name, rows: ours.sort(byId) }).toStrictEqual({ entity: meta.name, rows: (typeorm as Array<{ id: string }>).sort(byId) });
      compared++;
    }
    // The seed fills the main tables: customers, orders and their lines, contacts, touchpoints, users, products, …
    expect(compared).toBeGreaterThanOrEqual(20);
  });
});
