import 'reflect-metadata';
import { SingleBar } from 'cli-progress';
import { openDatabase } from '../db/database';
import { ConfigError, loadConfig } from '../core/config';
import { log, setLogLevel } from '../core/logger';
import { SEED_DEFAULTS, seedDatabase, SeedRefusedError, SeedSummary } from '../seed/seed';
import { runCli } from './run';

const USAGE = `Usage: npm run seed -- --customers N [--seed S] [--years Y] [--append]

Generates a synthetic CRM dataset (staff, products, customers with contacts, orders,
touchpoints and lifecycle history) into DATABASE_URL, or the embedded database in DATA_DIR.

  --customers N   how many customers to generate (1 to 500000; about 10 orders each)
  --seed S        PRNG seed, an integer 0 to 4294967295 (default ${SEED_DEFAULTS.seed}); same seed, same data
  --years Y       spread customer acquisition over the last Y years, 0.25 to 10 (default ${SEED_DEFAULTS.years})
  --append        add to a database that already holds data (otherwise the seed refuses)
`;

/** Each order's number comes from order_number_seq, formatted to 7 digits: stay well below 10 million orders. */
const MAX_CUSTOMERS = 500_000;

class UsageError extends Error {}

interface SeedArgs {
  customers: number;
  seed: number;
  years: number;
  append: boolean;
}

function parseSeedArgs(argv: string[]): SeedArgs | 'help' {
  const values = new Map<string, string>();
  let append = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--append') {
      append = true;
      continue;
    }
    const match = /^--(customers|seed|years)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`Unknown argument "${arg}".`);
    const value = match[2] ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${match[1]} needs a value.`);
    values.set(match[1], value);
  }
  if (!values.has('customers')) throw new UsageError('--customers is required.');
  const customers = integer('customers', values.get('customers')!, 1, MAX_CUSTOMERS);
  const seed = values.has('seed') ? integer('seed', values.get('seed')!, 0, 2 ** 32 - 1) : SEED_DEFAULTS.seed;
  const years = values.has('years') ? Number(values.get('years')) : SEED_DEFAULTS.years;
  if (!Number.isFinite(years) || years < 0.25 || years > 10) throw new UsageError(`--years must be a number from 0.25 to 10, got "${values.get('years')}".`);
  return { customers, seed, years, append };
}

function integer(name: string, raw: string, min: number, max: number): number {
  const n = /^\d+$/.test(raw.replace(/_/g, '')) ? Number(raw.replace(/_/g, '')) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, got "${raw}".`);
  }
  return n;
}

function printSummary(s: SeedSummary): void {
  const rows: Array<[string, number]> = [
    ['staff users', s.users],
    ['products', s.products],
    ['customers', s.customers],
    ['contacts', s.contacts],
    ['orders', s.orders],
    ['order lines', s.orderLines],
    ['touchpoints', s.touchpoints],
    ['lifecycle transitions', s.lifecycleTransitions],
  ];
  const width = Math.max(...rows.map(([, n]) => n.toLocaleString('en-US').length));
  process.stdout.write(`Seeded in ${(s.elapsedMs / 1000).toFixed(1)} s:\n`);
  for (const [label, n] of rows) process.stdout.write(`  ${n.toLocaleString('en-US').padStart(width)}  ${label}\n`);
}

/** npm run seed: bulk-loads generated data; see USAGE. */
async function main(): Promise<void> {
  let args: SeedArgs | 'help';
  try {
    args = parseSeedArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (args === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const config = loadConfig();
  setLogLevel(config.logLevel);
  const db = await openDatabase(config);
  const bar = new SingleBar({
    stream: process.stderr,
    format: 'Seeding |{bar}| {percentage}% | {value}/{total} customers | {orders} orders | {duration_formatted} elapsed, ETA {eta_formatted}',
    hideCursor: true,
    etaBuffer: 20,
    // Without a terminal (CI, a log file), a plain progress line every few seconds.
    noTTYOutput: true,
    notTTYSchedule: 5000,
  });
  let started = false;
  const began = Date.now();
  try {
    const summary = await seedDatabase(db.dataSource, config, {
      customers: args.customers,
      seed: args.seed,
      years: args.years,
      whenNotEmpty: args.append ? 'append' : 'refuse',
      onStage: (message) => {
        if (started) bar.stop();
        started = false;
        process.stderr.write(`Rows written in ${((Date.now() - began) / 1000).toFixed(1)} s; ${message}…\n`);
      },
      onProgress: (p) => {
        if (!started) bar.start(args.customers, 0, { orders: 0 });
        started = true;
        bar.update(p.customers, { orders: p.orders.toLocaleString('en-US') });
      },
    });
    bar.stop();
    if (summary) printSummary(summary);
  } catch (e) {
    if (started) bar.stop();
    if (e instanceof SeedRefusedError) {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 1;
    } else {
      throw e;
    }
  } finally {
    await db.close();
  }
}

runCli('seeding', main);
