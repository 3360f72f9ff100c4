import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { createDataSource, runMigrations } from '../db/data-source';
import { openDatabase } from '../db/database';
import { ensureDatabase } from '../db/embedded-postgres';
import { importOrders } from '../importer/order-import';
import { fitAndStore, loadPopulation } from '../insight/model/model-fitting';
import { insertApiKey } from '../apikey/api-key.service';
import { UserErrors } from '../common/errors';
import { SYSTEM } from '../core/actor';
import { AccessRole } from '../core/roles';
import { ValueBasis } from '../insight/model/customer-model-fit.entity';
import { CUSTOMER_BASE_MODELS, fitCustomerBaseModel, TIME_UNITS, type TimeUnit } from '../intelligence';
import { seedDatabase } from '../seed/seed';
import { createApp } from '../server/app';
import { PLAYGROUND_EXAMPLES } from '../server/playground-examples';
import { loadConfig } from '../core/config';
import { log, setLogLevel } from '../core/logger';
import { runCli } from './run';
import { assertSameCustomers, installPostGraphile, POSTGRAPHILE_VERSION, type PostGraphileServer, startPostGraphile } from './bench-postgraphile';

/**
 * npm run bench [-- --customers N] — prints latency figures; it asserts nothing (timings belong
 * in a report, not in tests that flake on a noisy machine). Seeds DATA_DIR (default .data/bench)
 * once, then measures over real HTTP against the running app.
 *
 * npm run bench -- --import ROWS — only the order import: a generated file of ROWS orders over
 * ROWS/10 new customers into a fresh database, with its wall time and the process's peak RSS.
 *
 * npm run bench -- --postgraphile — W1 and W2 also served by PostGraphile 5 from the same database, beside Rapport
 * and the floor (installed once under .data/postgraphile, not a dependency; see bench-postgraphile.ts).
 */

const EVERY_DERIVED_FIELD = `query($id: ID!) {
  customer(id: $id) {
    name
    orderStats { orders purchaseOccasions lastPurchaseAt daysSinceLastPurchase revenue { amount } margin { amount } averageOrderValue { amount } }
    rfm { recencyDays frequency monetary { amount } rScore fScore mScore segment }
    segment
    valueTier
    purchaseForecast(horizon: 90) { expectedPurchases probabilityAlive }
    clv { historical { amount } predicted { amount } total { amount } expectedPurchases probabilityAlive }
    churnRisk { probability level drivers { code message } }
    suggestedLifecycleStage { key }
    nextBestActions { kind priority reason dueAt channel }
    satisfaction { averageCsat npsScore trend }
    referralStats { customersReferred revenue { amount } }
  }
}`;

const PAGE_OF_50 = `query($after: String) {
  customers(first: 50, after: $after, orderBy: { field: PREDICTED_CLV, direction: DESC }) {
    nodes { name segment churnRisk { level probability } clv { predicted { amount } } }
    pageInfo { endCursor }
  }
}`;

/** W1: what a customer list screen shows — the owner, the latest orders and the first contacts of each row. */
const LIST_SCREEN = `query($after: String) {
  customers(first: 50, after: $after) {
    nodes {
      id name email
      owner { name email }
      orders(first: 5) { nodes { number placedAt status total { amount currencyCode } } }
      contacts(first: 3) { nodes { name email isPrimary } }
    }
    pageInfo { endCursor }
  }
}`;

const SEGMENT_SUMMARY = `{ segmentSummary { customers segments { segment customers share revenue { amount } margin { amount } } } }`;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} takes a positive whole number`);
  return n;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function timeRequests(label: string, count: number, send: (i: number) => Promise<void>): Promise<string> {
  for (let i = 0; i < 3; i++) await send(i); // warm-up: JIT, plans, the model cache
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = process.hrtime.bigint();
    await send(i);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return `${label.padEnd(58)} median ${percentile(times, 0.5).toFixed(1).padStart(7)} ms   p95 ${percentile(times, 0.95).toFixed(1).padStart(7)} ms   (n=${count})`;
}

/** Requests per second with `clients` sending at once, `count` requests in all (the first few are warm-up). */
async function throughput(clients: number, count: number, send: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < clients; i++) await send(i);
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < count) await send(next++);
    }),
  );
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function main(): Promise<void> {
  const customers = arg('customers', 100_000);
  // `npm run bench` sets NODE_ENV=production in the process's own environment too: graphql-js reads it once, when it
  // loads, to skip its development-mode checks, so the config below alone would time graphql in development mode.
  const env = { ...process.env, DATA_DIR: process.env.DATA_DIR ?? path.resolve('.data/bench'), LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', THROTTLE_BUCKET_SIZE: '1000000000', THROTTLE_RESTORE_RATE: '1000000000', NODE_ENV: 'production' };
  const config = loadConfig(env);
  setLogLevel(config.logLevel);
  const db = await openDatabase(config);
  const report: string[] = [`machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`];
  const importRows = arg('import', 0);
  if (importRows) {
    try {
      report.push(await orderImport(db.url, importRows, config.baseCurrency));
    } finally {
      await db.close();
    }
    process.stdout.write(`\n${report.join('\n')}\n`);
    return;
  }
  try {
    // Installed before the long seed and fits, so that a failing install stops the run early.
    const postGraphileModules = process.argv.includes('--postgraphile') ? installPostGraphile(path.resolve('.data/postgraphile')) : null;
    const [{ n }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM customers`);
    if (n < customers) {
      log.warn(`seeding ${customers} customers into ${config.databaseUrl ? 'DATABASE_URL' : config.dataDir} (once)`);
      const seeded = await seedDatabase(db.dataSource, config, { customers: customers - n, whenNotEmpty: 'append' });
      if (seeded) report.push(`seed: ${seeded.customers} customers, ${seeded.orders} orders, ${seeded.orderLines} lines, ${seeded.touchpoints} touchpoints in ${(seeded.elapsedMs / 1000).toFixed(1)} s`);
    }
    await db.dataSource.query('ANALYZE');
    const [counts] = await db.dataSource.query(`SELECT (SELECT count(*) FROM customers)::int AS customers, (SELECT count(*) FROM orders)::int AS orders`);
    report.push(`data: ${counts.customers} customers, ${counts.orders} orders`);

    const fitStarted = Date.now();
    const fit = await fitAndStore(db.dataSource, { asOf: new Date(), timeUnit: TIME_UNITS.DAY, basis: ValueBasis.MARGIN, activate: true, baseCurrency: config.baseCurrency });
    report.push(`full model fit from the orders (BG/NBD + Gamma-Gamma + RFM breakpoints + value tiers + cross-sell rules) on ${fit.customers} buyers: ${((Date.now() - fitStarted) / 1000).toFixed(2)} s`);

    // The worker's full rescore (every customer: what a new model or a new UTC day queues), in a process of its own
    // as a worker runs, so that its peak RSS is the rescore's and not this process's (which holds the fit's arrays).
    const rescore = spawnSync(process.execPath, [path.join(__dirname, 'rescore.js'), '--all', '--json'], {
      env: { ...env, DATABASE_URL: db.url, LOG_LEVEL: 'warn' },
      encoding: 'utf8',
    });
    if (rescore.status !== 0) throw new Error(`rescore failed: ${rescore.stderr}`);
    const r = JSON.parse(rescore.stdout.trim().split('\n').pop()!) as { customers: number; seconds: number; longestStallMs: number; peakRssMiB: number };
    report.push(
      `full rescore by a worker process (${r.customers} customers, batches of 500, written to customer_scores): ${r.seconds.toFixed(2)} s; ` +
        `longest event-loop stall ${r.longestStallMs} ms, peak RSS ${r.peakRssMiB} MiB`,
    );

    // The worker's hourly refit, as of now: the population from the stored purchase summaries, not the orders.
    const refitStarted = Date.now();
    await fitAndStore(db.dataSource, { asOf: new Date(), fromScores: true, timeUnit: TIME_UNITS.DAY, basis: ValueBasis.MARGIN, activate: true, baseCurrency: config.baseCurrency });
    report.push(`refit as of now from the stored purchase summaries (the worker's fits): ${((Date.now() - refitStarted) / 1000).toFixed(2)} s`);
    report.push(await modelFitTimes(db.dataSource, new Date(), TIME_UNITS.DAY));

    const errors = new UserErrors();
    const key = await db.dataSource.transaction((m) => insertApiKey(m, errors, { actor: SYSTEM }, { name: 'bench', role: AccessRole.ADMIN, createdBy: 'bench' }));
    if (!key) throw new Error(`bench key: ${JSON.stringify(errors.list)}`);
    const { app, stop } = await createApp(db.dataSource, config);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    const post = async (query: string, variables: Record<string, unknown> = {}) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key.key}` }, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { data?: any; errors?: unknown[] };
      if (body.errors) throw new Error(`bench query failed: ${JSON.stringify(body.errors)}`);
      return body.data;
    };
    let postgraphile: PostGraphileServer | null = null;
    try {
      if (postGraphileModules) postgraphile = await startPostGraphile(postGraphileModules, db.url);
      const ids: string[] = (await db.dataSource.query(`SELECT id FROM customers ORDER BY random() LIMIT 200`)).map((r: { id: string }) => Buffer.from(`Customer:${r.id}`).toString('base64url'));
      report.push(await timeRequests('(a) one customer with every derived field', 200, (i) => post(EVERY_DERIVED_FIELD, { id: ids[i % ids.length] })));
      // Each workload beside its raw-SQL floor: the one hand-written statement through pg that returns the same data.
      const pageFloor = () =>
        db.dataSource.query(
          `SELECT c.id, c.name, s.segment, s.churn_level, s.churn_probability, s.predicted_clv::text
             FROM customers c JOIN customer_scores s ON s.customer_id = c.id
            WHERE c.deleted_at IS NULL ORDER BY s.predicted_clv DESC NULLS LAST, s.customer_id DESC LIMIT 51`,
        );
      const summaryFloor = () =>
        db.dataSource.query(
          `SELECT segment, count(*), sum(revenue), sum(margin), sum(predicted_clv), count(predicted_clv)
             FROM customer_scores WHERE NOT customer_deleted GROUP BY 1`,
        );
      const median = (line: string) => Number(/median\s+([\d.]+) ms/.exec(line)?.[1]);
      const side = async (label: string, count: number, rapport: () => Promise<unknown>, floor: () => Promise<unknown>, postGraphile?: () => Promise<unknown>) => {
        const a = await timeRequests(label, count, async () => void (await rapport()));
        const b = await timeRequests(`    raw-SQL floor`, count, async () => void (await floor()));
        report.push(a, b, `    ratio (medians): ${(median(a) / median(b)).toFixed(1)}×`);
        if (postGraphile) {
          const c = await timeRequests(`    PostGraphile ${POSTGRAPHILE_VERSION} (amber preset)`, count, async () => void (await postGraphile()));
          report.push(c, `    Rapport / PostGraphile (medians): ${(median(a) / median(c)).toFixed(1)}×`);
        }
      };
      const tenClients = async (rapport: () => Promise<unknown>, floor: () => Promise<unknown>, postGraphile?: () => Promise<unknown>) => {
        const [r, f] = [await throughput(10, 300, rapport), await throughput(10, 300, floor)];
        report.push(`    10 clients at once: ${r.toFixed(0)} req/s, floor ${f.toFixed(0)} req/s (floor / Rapport ${(f / r).toFixed(1)}×)`);
        if (postGraphile) {
          const p = await throughput(10, 300, postGraphile);
          report.push(`    10 clients at once, PostGraphile: ${p.toFixed(0)} req/s (Rapport / PostGraphile ${(r / p).toFixed(2)}×)`);
        }
      };
      // W1 floor: the page, each row's owner, its 5 latest orders and first 3 contacts, as one statement with LATERALs.
      const listFloor = () =>
        db.dataSource.query(
          `SELECT c.id, c.name, c.email, u.name AS owner_name, u.email AS owner_email, o.orders, k.contacts
             FROM customers c LEFT JOIN users u ON u.id = c.owner_id
             CROSS JOIN LATERAL (SELECT json_agg(x) AS orders FROM (
               SELECT o.number, o.placed_at, o.status, o.total_amount::text, o.currency FROM orders o
                WHERE o.customer_id = c.id AND o.deleted_at IS NULL ORDER BY o.placed_at DESC, o.id DESC LIMIT 6) x) o
             CROSS JOIN LATERAL (SELECT json_agg(y) AS contacts FROM (
               SELECT k.name, k.email, k.is_primary FROM contacts k
                WHERE k.customer_id = c.id AND k.deleted_at IS NULL ORDER BY k.name, k.id LIMIT 4) y) k
            WHERE c.deleted_at IS NULL ORDER BY c.name, c.id LIMIT 51`,
        );
      // PostGraphile is timed only once it is shown to return the floor's customers, in the floor's order.
      const pgl = postgraphile;
      if (pgl) {
        const names = (rows: { name: string }[]) => rows.map((r) => r.name);
        assertSameCustomers('W1', names(await pgl.listScreen()), names(await listFloor()));
        assertSameCustomers('W2', (await pgl.pageByPredictedClv()).map((r) => r.customerByCustomerId?.name ?? ''), names(await pageFloor()));
      }
      const listScreen = () => post(LIST_SCREEN, { after: null });
      await side('W1 50 customers + owner, orders(first: 5), contacts(first: 3)', 50, listScreen, listFloor, pgl?.listScreen);
      await tenClients(listScreen, listFloor, pgl?.listScreen);
      const pageOf50 = () => post(PAGE_OF_50, { after: null });
      await side('W2/W4 50 customers by predicted CLV, with segment, churn, CLV', 50, pageOf50, pageFloor, pgl?.pageByPredictedClv);
      await tenClients(pageOf50, pageFloor, pgl?.pageByPredictedClv);
      // W3: the playground's customer 360, against the SQL it needs written by hand (profile, owner, stage, stored
      // scores, order totals, contacts, latest orders with lines, touchpoints, stage history) as one statement.
      const customer360 = PLAYGROUND_EXAMPLES.find((e) => e.query.includes('query Customer360'))!.query;
      const rawIds = ids.map((id) => Buffer.from(id, 'base64url').toString().split(':')[1]);
      const floor360 = (i: number) =>
        db.dataSource.query(
          `SELECT c.*, u.name AS owner_name, u.email AS owner_email, u.role AS owner_role, st.key, st.name AS stage_name, st.strategy, s.*,
                  (SELECT json_build_object('orders', count(*), 'last', max(o.placed_at), 'revenue', sum(o.total_base), 'margin', sum(o.margin_base))
                     FROM orders o WHERE o.customer_id = c.id AND o.deleted_at IS NULL AND o.status IN ('PAID', 'FULFILLED')) AS stats,
                  (SELECT json_agg(k ORDER BY k.name) FROM contacts k WHERE k.customer_id = c.id AND k.deleted_at IS NULL) AS contacts,
                  (SELECT json_agg(x) FROM (SELECT o.*, (SELECT json_agg(l) FROM order_lines l WHERE l.order_id = o.id) AS lines
                     FROM orders o WHERE o.customer_id = c.id AND o.deleted_at IS NULL ORDER BY o.placed_at DESC LIMIT 5) x) AS orders,
                  (SELECT json_agg(t) FROM (SELECT * FROM touchpoints t WHERE t.customer_id = c.id ORDER BY t.occurred_at DESC LIMIT 5) t) AS touchpoints,
                  (SELECT json_agg(h) FROM (SELECT * FROM lifecycle_transitions h WHERE h.customer_id = c.id ORDER BY h.at DESC LIMIT 10) h) AS history
             FROM customers c LEFT JOIN users u ON u.id = c.owner_id LEFT JOIN lifecycle_stages st ON st.id = c.lifecycle_stage_id
             LEFT JOIN customer_scores s ON s.customer_id = c.id WHERE c.id = $1`,
          [rawIds[i % rawIds.length]],
        );
      await side('W3 customer 360 (the playground example)', 100, () => post(customer360, { id: ids[Math.floor(Math.random() * ids.length)] }), () => floor360(Math.floor(Math.random() * rawIds.length)));
      await side('(c) segmentSummary over the whole population', 20, () => post(SEGMENT_SUMMARY), summaryFloor);
    } finally {
      try {
        server.close();
        await stop();
      } finally {
        await postgraphile?.close();
      }
    }

    report.push(await cdnowMasterFit(db.url, config.baseCurrency));
  } finally {
    await db.close();
  }
  process.stdout.write(`\n${report.join('\n')}\n`);
}

/**
 * `rows` orders (a fifth in EUR, dates in random order) over rows/10 customer refs that are all new, imported into a
 * database of their own that is dropped afterwards.
 */
async function orderImport(url: string, rows: number, baseCurrency: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-import-'));
  const csv = path.join(dir, 'orders.csv');
  let seed = 42;
  const random = () => {
    // mulberry32: the same file on every run
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = fs.createWriteStream(csv);
  out.write('customer_ref,order_ref,placed_at,currency,total,cost,status,channel,rate_to_base\n');
  const customers = Math.max(1, Math.round(rows / 10));
  const start = Date.UTC(2015, 0, 1);
  let lines = '';
  for (let i = 0; i < rows; i++) {
    const placed = new Date(start + Math.floor(random() * 9 * 365 * 86_400) * 1000).toISOString();
    const total = (Math.floor(random() * 100_000) + 1) / 100;
    const eur = random() < 0.2;
    lines += `bench-${Math.floor(random() * customers)},B-${i},${placed},${eur ? 'EUR' : baseCurrency},${total.toFixed(2)},${(total / 3).toFixed(2)},,,${eur ? '1.0842' : ''}\n`;
    if (lines.length > 1 << 20 || i === rows - 1) {
      if (!out.write(lines)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      lines = '';
    }
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));

  const name = `rapport_import_${process.pid}`;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  await ensureDatabase(admin.toString(), name);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const ds = createDataSource(target.toString(), 2);
  await ds.initialize();
  try {
    await runMigrations(ds);
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
    const started = Date.now();
    const imported = await importOrders(ds, csv, { baseCurrency }).finally(() => clearInterval(sampler));
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (!imported.ok) throw new Error(`the import failed: ${JSON.stringify(imported.errors.slice(0, 3))}`);
    return `order import: ${imported.imported} orders, ${imported.createdCustomers} new customers in ${seconds} s; peak RSS ${Math.round(peak / 2 ** 20)} MiB`;
  } finally {
    await ds.destroy();
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => client.end());
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** CDNOW_master (23,570 customers) through the importer into its own database, then a weekly revenue fit. */
/** Each customer-base model's fit alone (the optimiser on the population's distinct (x, tx, T) rows), in the same run. */
async function modelFitTimes(db: import('typeorm').DataSource, asOf: Date, unit: TimeUnit): Promise<string> {
  const population = (await loadPopulation(db, asOf, unit)).map((m) => ({ x: m.summary.x, tx: m.summary.tx, T: m.summary.T }));
  return Object.values(CUSTOMER_BASE_MODELS)
    .map((kind) => {
      const started = process.hrtime.bigint();
      const model = fitCustomerBaseModel(kind, population);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      return `    ${kind} alone on ${population.length} buyers: ${ms.toFixed(0)} ms (LL ${model.logLikelihood.toFixed(2)}${model.converged ? '' : ', not converged'})`;
    })
    .join('\n');
}

async function cdnowMasterFit(url: string, baseCurrency: string): Promise<string> {
  const file = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'data', 'cdnow', 'CDNOW_master.txt');
  if (!fs.existsSync(file)) return `CDNOW master: ${file} not found, skipped`;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  await ensureDatabase(admin.toString(), 'rapport_cdnow');
  const target = new URL(url);
  target.pathname = '/rapport_cdnow';
  const ds = createDataSource(target.toString(), 2);
  await ds.initialize();
  try {
    await runMigrations(ds);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM orders`);
    if (n === 0) {
      const rows = fs.readFileSync(file, 'utf8').split(/\r?\n/).slice(1).filter((l) => l.trim()).map((l) => l.trim().split(/\s+/));
      const csv = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-cdnow-')), 'orders.csv');
      fs.writeFileSync(csv, ['customer_ref,placed_at,total', ...rows.map(([id, date, , dollars]) => `${id},${date},${dollars}`)].join('\n'));
      const imported = await importOrders(ds, csv, { baseCurrency });
      if (!imported.ok) throw new Error(`CDNOW master import failed: ${JSON.stringify(imported.errors.slice(0, 3))}`);
    }
    await ds.query('ANALYZE');
    const started = Date.now();
    const fit = await fitAndStore(ds, { asOf: new Date('1997-09-30T00:00:00Z'), timeUnit: TIME_UNITS.WEEK, basis: ValueBasis.REVENUE, activate: true, baseCurrency });
    const seconds = ((Date.now() - started) / 1000).toFixed(2);
    const p = fit.bgnbd;
    const models = await modelFitTimes(ds, new Date('1997-09-30T00:00:00Z'), TIME_UNITS.WEEK);
    // AUTO on the whole master (to 1998-06-30), judged on the same 39 weeks: the three candidates and the final fit.
    const autoStarted = Date.now();
    const auto = await fitAndStore(ds, { asOf: new Date('1998-06-30T00:00:00Z'), timeUnit: TIME_UNITS.WEEK, basis: ValueBasis.REVENUE, activate: false, baseCurrency, choice: 'AUTO', holdoutDays: 273 });
    const autoSeconds = ((Date.now() - autoStarted) / 1000).toFixed(2);
    const judged = auto.selection!.candidates.map((c) => `${c.model} ${c.meanAbsoluteError?.toFixed(4) ?? c.problem}`).join(', ');
    return (
      `CDNOW master fit (${fit.customers} customers, weeks, revenue, asOf 1997-09-30): ${seconds} s; BG/NBD r ${p.r.toFixed(4)} α ${p.alpha.toFixed(4)} a ${p.a.toFixed(4)} b ${p.b.toFixed(4)} LL ${p.logLikelihood.toFixed(2)}\n${models}\n` +
      `    AUTO fit to 1998-06-30 with the 39-week holdout: ${autoSeconds} s, chose ${auto.baseModel} (mean absolute error ${judged})`
    );
  } finally {
    await ds.destroy();
  }
}

runCli('bench', main);
