import { setImmediate } from 'node:timers/promises';
import type { PoolClient } from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';
import { currencyExponent, parseAmount } from '../common/money';
import { mulberry32 } from '../intelligence/random';
import type { Config } from '../core/config';
import { CustomerGenerator, generateProducts, generateStaff, GeneratorOptions, ProductRow, StaffRow } from './generator';
import { copy, pgClient } from '../db/copy';
import { seedOpportunities } from './opportunities';
import { SeedWriter, stageIds } from './writer';
import { escalateOverdueIn } from '../complaint/complaint.escalation';
import { seedLoyalty } from './loyalty';

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
  /** Told when a long step without progress starts (rebuilding indexes). */
  onStage?: (message: string) => void;
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
  opportunities: number;
  complaints: number;
  tasks: number;
  elapsedMs: number;
}

/**
 * The reps' task lists: every fifth owned customer (in external-reference order, so the same seed gives the same
 * tasks) gets one, in turn due in the coming fortnight, overdue by up to nine days, or done (logged as the
 * customer's latest touchpoint before then, when there is one). One statement, relative to the seed's `now`.
 */
const SEED_TASKS_SQL = `
  WITH picked AS (
    SELECT c.id, c.owner_id, n, (n / 5) % 3 AS slot, (ARRAY['CALL','VISIT','EMAIL','MEETING'])[n % 4 + 1] AS kind
      FROM (SELECT c.id, c.owner_id, row_number() OVER (ORDER BY c.external_ref, c.created_at) AS n
              FROM customers c WHERE c.owner_id IS NOT NULL AND c.deleted_at IS NULL AND c.created_at < $1::timestamptz - interval '14 days') c
     WHERE n % 5 = 0),
  planned AS (
    SELECT p.*, CASE p.slot WHEN 0 THEN $1::timestamptz + make_interval(days => (p.n % 14)::int + 1)
                            WHEN 1 THEN $1::timestamptz - make_interval(days => (p.n % 9)::int + 1)
                            ELSE $1::timestamptz - make_interval(days => (p.n % 20)::int + 2) END AS due
      FROM picked p),
  inserted AS (
    INSERT INTO tasks (customer_id, owner_id, kind, subject, due_at, priority, status, completed_at, completion_touchpoint_id, created_at, updated_at)
    SELECT p.id, p.owner_id, p.kind,
           CASE p.kind WHEN 'CALL' THEN 'Call to check in' WHEN 'VISIT' THEN 'Visit for the account review' WHEN 'EMAIL' THEN 'Send the new catalogue' ELSE 'Meet about next season' END,
           p.due, (ARRAY['NORMAL','NORMAL','HIGH','LOW'])[p.n % 4 + 1], CASE WHEN p.slot = 2 THEN 'DONE' ELSE 'OPEN' END,
           CASE WHEN p.slot = 2 THEN p.due END, CASE WHEN p.slot = 2 THEN t.id END,
           p.due - interval '7 days', CASE WHEN p.slot = 2 THEN p.due ELSE p.due - interval '7 days' END
      FROM planned p
      LEFT JOIN LATERAL (SELECT t.id FROM touchpoints t WHERE p.slot = 2 AND t.customer_id = p.id AND t.occurred_at <= p.due ORDER BY t.occurred_at DESC, t.id LIMIT 1) t ON true
    RETURNING 1)
  SELECT count(*)::int AS tasks FROM inserted`;

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

    if (existing.users === 0 && existing.products === 0 && (await isSuperuser(runner))) {
      // Every row a generated row references is written by this transaction (staff, products, earlier customers) or
      // locked by it (lifecycle stages), so the references hold by construction. Skipping the per-row foreign-key
      // triggers halves the database's work. Needs a superuser (the embedded Postgres); elsewhere the checks run.
      await runner.query('SET LOCAL session_replication_role = replica');
    }

    // Into empty tables, building the secondary indexes once at the end is much cheaper than maintaining them row by
    // row (the PostgreSQL manual, "Populating a Database"). DDL is transactional: a failed run restores them.
    const indexes = existing.customers === 0 ? await dropSecondaryIndexes(runner, HISTORY_TABLES) : [];

    const generator = new CustomerGenerator(generatorOptions, staff, products);
    await loadCustomers(generator, writer, client, options);
    if (indexes.length) {
      options.onStage?.(`building ${indexes.length} indexes`);
      await runner.query(`SET LOCAL maintenance_work_mem = '256MB'`);
      for (const definition of indexes) await runner.query(definition);
    }
    const opportunities = await seedOpportunities(runner.query.bind(runner), {
      seed: generatorOptions.seed,
      now: generatorOptions.now,
      externalRefOffset: generatorOptions.externalRefOffset ?? 0,
      currency: config.baseCurrency,
    });
    await (await import('./campaigns')).seedCampaigns(runner.query.bind(runner), { now: generatorOptions.now, currency: config.baseCurrency });
    // What the worker would have done by now: complaints that missed a service level went to the handler's manager.
    await escalateOverdueIn(runner.manager, generatorOptions.now);
    await seedLoyalty(runner.manager, { now: generatorOptions.now, externalRefOffset: generatorOptions.externalRefOffset });
    // The triggers were silent under replica mode: each new customer's first scores and rescore request, as they write.
    await runner.query('SELECT score_unscored_customers()');
    await (await import('./custom-fields')).seedCustomFields(runner.query.bind(runner), { externalRefOffset: generatorOptions.externalRefOffset });
    await (await import('./surveys')).seedSurveys(runner.query.bind(runner), { now: generatorOptions.now });
    // Into an empty book only: appending customers does not plan the existing ones' work again.
    const [{ tasks }] = existing.customers === 0 ? await runner.query(SEED_TASKS_SQL, [generatorOptions.now]) : [{ tasks: 0 }];
    // The sales director's assignment rules, for customers created from now on without an owner (a fresh database only).
    if (existing.customers === 0) await runner.query(SEED_ASSIGNMENT_RULES_SQL);
    await runner.commitTransaction();
    // Fresh statistics, so the first queries after a big load get sensible plans without waiting for autovacuum.
    await runner.query('ANALYZE customers, contacts, orders, order_lines, touchpoints, lifecycle_transitions, users, products, opportunities, opportunity_stage_history, complaints');
    return {
      users: writer.users.written,
      products: writer.products.written,
      customers: writer.customers.written,
      contacts: writer.contacts.written,
      orders: writer.orders.written,
      orderLines: writer.orderLines.written,
      touchpoints: writer.touchpoints.written,
      lifecycleTransitions: writer.transitions.written,
      opportunities,
      complaints: writer.complaints.written,
      tasks,
      elapsedMs: Date.now() - started,
    };
  } catch (e) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw e;
  } finally {
    await runner.release();
  }
}

/**
 * Generates the customers and COPYs them batch by batch. Generation (here) and loading (in Postgres) overlap: while
 * one batch is being copied, the next is generated in slices that yield to the event loop, so the COPY keeps flowing.
 */
async function loadCustomers(generator: CustomerGenerator, writer: SeedWriter, client: PoolClient, options: SeedOptions): Promise<void> {
  const batchSize = options.batchSize ?? SEED_DEFAULTS.batchSize;
  let orders = 0;
  let inFlight: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  while (generator.generated < options.customers) {
    const end = Math.min(options.customers, generator.generated + batchSize);
    while (generator.generated < end) {
      const slice = Math.min(end, generator.generated + 50);
      while (generator.generated < slice) {
        const history = generator.next();
        orders += history.orders.length;
        writer.addHistory(history);
      }
      await setImmediate();
      if (failure) throw failure;
    }
    await inFlight;
    if (failure) throw failure;
    const chunks = writer.take();
    const progress = { customers: generator.generated, orders };
    inFlight = (async () => {
      for (const chunk of chunks) await copy(client, chunk);
      options.onProgress?.(progress);
    })().catch((e) => {
      failure = e;
    });
  }
  await inFlight;
  if (failure) throw failure;
  for (const chunk of writer.take()) await copy(client, chunk);
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

/** The tables a seed fills per customer (not users and products, which may be shared with an appending run). */
const HISTORY_TABLES = ['customers', 'contacts', 'orders', 'order_lines', 'touchpoints', 'lifecycle_transitions'];

/** Drops the indexes that do not back a primary key or constraint; returns their definitions, to create them again. */
async function dropSecondaryIndexes(runner: QueryRunner, tables: string[]): Promise<string[]> {
  const rows: Array<{ schemaname: string; indexname: string; indexdef: string }> = await runner.query(
    `SELECT i.schemaname, i.indexname, i.indexdef FROM pg_indexes i
      WHERE i.schemaname = current_schema() AND i.tablename = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)
      ORDER BY i.tablename, i.indexname`,
    [tables],
  );
  for (const r of rows) await runner.query(`DROP INDEX ${quoteIdent(r.schemaname)}.${quoteIdent(r.indexname)}`);
  return rows.map((r) => r.indexdef);
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function isSuperuser(runner: QueryRunner): Promise<boolean> {
  const [row] = await runner.query(`SELECT rolsuper FROM pg_roles WHERE rolname = current_user`);
  return row?.rolsuper === true;
}

type Query = (sql: string, parameters?: unknown[]) => Promise<any[]>;

/** Generated customers get external refs C0000001, C0000002, …; an appending run continues after the highest. */
async function lastGeneratedRef(query: Query): Promise<number> {
  const [row] = await query(`SELECT coalesce(max(substring(external_ref FROM 2)::bigint), 0)::bigint AS n FROM customers WHERE external_ref ~ '^C[0-9]{7,15}$'`);
  return Number(row.n);
}

async function existingStaff(query: Query, seed: number): Promise<StaffRow[]> {
  const rows: Array<{ id: string; name: string; email: string; role: StaffRow['role']; created_at: Date; manager_id: string | null }> = await query(
    'SELECT id, name, email, role, created_at, manager_id FROM users ORDER BY created_at, id',
  );
  const rng = mulberry32(seed ^ 0x5eed5);
  return rows.map((r) => ({ id: r.id, name: r.name, email: r.email, role: r.role, createdAt: r.created_at, diligence: 0.35 + rng() * 0.55, managerId: r.manager_id }));
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

/**
 * Demo assignment rules (src/assignment/): business accounts go to the sales reps in turn; private customers in the
 * onboarding stage to the first manager, who welcomes them; anyone else to the reps in turn. Inactive when there is
 * no rep to name.
 */
const SEED_ASSIGNMENT_RULES_SQL = `
  WITH reps AS (SELECT array_agg(id ORDER BY created_at, id) AS ids FROM users WHERE role = 'SALES_REP'),
       managers AS (SELECT array_agg(id ORDER BY created_at, id) AS ids FROM users WHERE role = 'MANAGER')
  INSERT INTO assignment_rules (position, name, kinds, lifecycle_stages, owner_ids)
  SELECT row_number() OVER (ORDER BY r.ord), r.name, r.kinds, r.stages, r.owners
    FROM (SELECT 1 AS ord, 'Business accounts to the sales team, in turn' AS name, '{COMPANY}'::text[] AS kinds, '{}'::text[] AS stages, (SELECT ids FROM reps) AS owners
          UNION ALL SELECT 2, 'New private customers to the welcome manager', '{PERSON}', '{ONBOARDING}', (SELECT ids[1:1] FROM managers)
          UNION ALL SELECT 3, 'Everyone else to the sales team, in turn', '{}', '{}', (SELECT ids FROM reps)) r
   WHERE cardinality(r.owners) >= 1`;
