import type { DataSource } from 'typeorm';
import { currencyExponent, parseAmount } from '../common/money';
import { mulberry32 } from '../intelligence/random';
import type { Config } from '../server/config';
import { CustomerGenerator, generateProducts, generateStaff, GeneratorOptions, ProductRow, StaffRow } from './generator';
import { pgClient, SeedWriter, stageIds } from './writer';

export interface SeedOptions {
  customers: number;
  /** PRNG seed: the same seed gives the same dataset (apart from ids and order numbers). */
  seed?: number;
  /** Customers are acquired over this many years up to now. */
  years?: number;
  /**
   * What to do when the database already holds data: 'refuse' (the default) throws SeedRefusedError when there are
   * customers, orders, users or products; 'append' adds to them; 'skip' does nothing when there are customers.
   */
  whenNotEmpty?: 'refuse' | 'append' | 'skip';
  now?: Date;
  /** Customers generated and written per COPY round. */
  batchSize?: number;
  onProgress?: (progress: { customers: number; orders: number }) => void;
}

export interface SeedSummary {
  users: number;
  products: number;
  customers: number;
  contacts: number;
  orders: number;
  orderLines: number;
  touchpoints: number;
  lifecycleTransitions: number;
  elapsedMs: number;
}

export class SeedRefusedError extends Error {}

export const SEED_DEFAULTS = { seed: 1, years: 2, batchSize: 1000 } as const;

interface Existing {
  customers: number;
  orders: number;
  users: number;
  products: number;
}

/**
 * Generates and bulk-loads a synthetic dataset (see generator.ts) with COPY, in one transaction: a failed run leaves
 * nothing behind. Memory stays bounded: customers are generated and written in batches.
 * Returns null when `whenNotEmpty` is 'skip' and there are customers already.
 */
export async function seedDatabase(db: DataSource, config: Pick<Config, 'baseCurrency'>, options: SeedOptions): Promise<SeedSummary | null> {
  const started = Date.now();
  const whenNotEmpty = options.whenNotEmpty ?? 'refuse';
  const runner = db.createQueryRunner();
  const client = await pgClient(runner);
  try {
    await runner.startTransaction();
    // Two processes seeding at once (say, two servers starting on an empty database) take turns; the second sees data.
    await runner.query(`SELECT pg_advisory_xact_lock(hashtext('rapport:seed'))`);
    const [{ pid }] = await runner.query('SELECT pg_backend_pid() AS pid');
    const cpu = () => { const f = require('fs').readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
    const cpu0 = cpu();
    if (process.env.SEED_REPLICA) await runner.query(`SET LOCAL session_replication_role = replica`);
    const [existing]: Existing[] = await runner.query(`
      SELECT (SELECT count(*) FROM customers)::int AS customers, (SELECT count(*) FROM orders)::int AS orders,
             (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM products)::int AS products`);
    if (whenNotEmpty === 'skip' && existing.customers > 0) {
      await runner.rollbackTransaction();
      return null;
    }
    if (whenNotEmpty === 'refuse' && Object.values(existing).some((n) => n > 0)) throw new SeedRefusedError(refusal(existing));

    const generatorOptions: GeneratorOptions = {
      customers: options.customers,
      seed: options.seed ?? SEED_DEFAULTS.seed,
      years: options.years ?? SEED_DEFAULTS.years,
      now: options.now ?? new Date(),
      baseCurrency: config.baseCurrency,
      externalRefOffset: await lastGeneratedRef(runner.query.bind(runner)),
    };
    const writer = new SeedWriter(await stageIds(runner), config.baseCurrency);

    let staff: StaffRow[];
    if (existing.users === 0) {
      staff = generateStaff(generatorOptions);
      staff.forEach((s) => writer.addStaff(s));
    } else {
      staff = await existingStaff(runner.query.bind(runner), generatorOptions.seed);
    }
    let products: ProductRow[];
    if (existing.products === 0) {
      products = generateProducts(generatorOptions);
      products.forEach((p) => writer.addProduct(p));
    } else {
      products = await existingProducts(runner.query.bind(runner), config.baseCurrency);
    }

    const generator = new CustomerGenerator(generatorOptions, staff, products);
    const batchSize = options.batchSize ?? SEED_DEFAULTS.batchSize;
    let orders = 0;
    while (generator.generated < options.customers) {
      const end = Math.min(options.customers, generator.generated + batchSize);
      while (generator.generated < end) {
        const history = generator.next();
        orders += history.orders.length;
        writer.addHistory(history);
      }
      await writer.flush(client);
      options.onProgress?.({ customers: generator.generated, orders });
    }
    await writer.flush(client);
    const tc = Date.now();
    await runner.commitTransaction();
    if (process.env.SEED_PROFILE) console.error('commit', Date.now() - tc, 'backend cpu ms', cpu() - cpu0, 'node cpu', process.cpuUsage());
    const ta = Date.now();
    // Fresh statistics, so the first queries after a big load get sensible plans without waiting for autovacuum.
    await runner.query('ANALYZE customers, contacts, orders, order_lines, touchpoints, lifecycle_transitions, users, products');
    if (process.env.SEED_PROFILE) console.error('analyze', Date.now() - ta);
    return {
      users: writer.users.written,
      products: writer.products.written,
      customers: writer.customers.written,
      contacts: writer.contacts.written,
      orders: writer.orders.written,
      orderLines: writer.orderLines.written,
      touchpoints: writer.touchpoints.written,
      lifecycleTransitions: writer.transitions.written,
      elapsedMs: Date.now() - started,
    };
  } catch (e) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw e;
  } finally {
    await runner.release();
  }
}

function refusal(existing: Existing): string {
  const parts = Object.entries(existing)
    .filter(([, n]) => n > 0)
    .map(([table, n]) => `${n.toLocaleString('en-US')} ${table}`);
  return (
    `The database is not empty (${parts.join(', ')}), so nothing was seeded. ` +
    'Use --append to add generated data to it, or point DATABASE_URL or DATA_DIR at an empty database.'
  );
}

type Query = (sql: string, parameters?: unknown[]) => Promise<any[]>;

/** Generated customers get external refs C0000001, C0000002, …; an appending run continues after the highest. */
async function lastGeneratedRef(query: Query): Promise<number> {
  const [row] = await query(`SELECT coalesce(max(substring(external_ref FROM 2)::bigint), 0)::bigint AS n FROM customers WHERE external_ref ~ '^C[0-9]{7,15}$'`);
  return Number(row.n);
}

async function existingStaff(query: Query, seed: number): Promise<StaffRow[]> {
  const rows: Array<{ id: string; name: string; email: string; role: StaffRow['role']; created_at: Date }> = await query(
    'SELECT id, name, email, role, created_at FROM users ORDER BY created_at, id',
  );
  const rng = mulberry32(seed ^ 0x5eed5);
  return rows.map((r) => ({ id: r.id, name: r.name, email: r.email, role: r.role, createdAt: r.created_at, diligence: 0.35 + rng() * 0.55 }));
}

async function existingProducts(query: Query, baseCurrency: string): Promise<ProductRow[]> {
  const rows: Array<{ id: string; sku: string; name: string; category: string | null; unit_price: string; unit_cost: string; created_at: Date }> = await query(
    `SELECT id, sku, name, category, unit_price, unit_cost, created_at FROM products
      WHERE currency = $1 AND active AND deleted_at IS NULL ORDER BY sku`,
    [baseCurrency],
  );
  if (!rows.length) {
    throw new SeedRefusedError(`The database has products, but none active in the base currency ${baseCurrency} for generated orders to use.`);
  }
  const divisor = 10n ** BigInt(4 - currencyExponent(baseCurrency));
  const minor = (amount: string) => Number(parseAmount(amount) / divisor);
  return rows.map((r) => ({ id: r.id, sku: r.sku, name: r.name, category: r.category ?? 'Other', price: minor(r.unit_price), cost: minor(r.unit_cost), createdAt: r.created_at }));
}
