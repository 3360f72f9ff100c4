import type { DataSource } from 'typeorm';
import type { Config } from '../core/config';
import { log } from '../core/logger';
import { seedDatabase } from './seed';

/** The first-start dataset: big enough to make every screen and model interesting, small enough to load in seconds. */
export const DEMO_DATASET = { customers: 2000, seed: 20241122, years: 2 } as const;

/** Loads the demo dataset when the database has no customers yet; otherwise leaves everything alone. */
export async function loadDemoDataIfEmpty(db: DataSource, config: Config): Promise<void> {
  const [{ any }] = await db.query('SELECT EXISTS (SELECT 1 FROM customers) AS any');
  if (any) return;
  log.info(`loading demo data (${DEMO_DATASET.customers.toLocaleString('en-US')} customers over ${DEMO_DATASET.years} years); set DEMO_DATA=false to start empty`);
  const summary = await seedDatabase(db, config, { ...DEMO_DATASET, whenNotEmpty: 'skip' });
  if (!summary) return;
  log.info(
    `demo data loaded in ${(summary.elapsedMs / 1000).toFixed(1)} s: ${summary.customers} customers, ${summary.contacts} contacts, ` +
      `${summary.orders} orders with ${summary.orderLines} lines, ${summary.touchpoints} touchpoints, ` +
      `${summary.lifecycleTransitions} lifecycle transitions, ${summary.products} products, ${summary.users} staff users`,
  );
}
