import 'reflect-metadata';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openDatabase } from '../db/database';
import { loadConfig } from '../core/config';
import { log, setLogLevel } from '../core/logger';
import { rescoreRequested, rescoreStale } from '../scoring/rescore';
import { runCli } from './run';

/**
 * npm run rescore [-- --all]: rescores in this process what the worker's rescore_stale_customers job would (scores of
 * an earlier UTC day or another model), or with --all every customer, e.g. after restoring a backup. Prints how many,
 * how long, the longest event-loop stall and the peak RSS (`--json`: one JSON line, which `npm run bench` reads to
 * measure a worker process's own footprint through a full rescore).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  setLogLevel(config.logLevel);
  const db = await openDatabase(config, { migrate: true });
  try {
    const started = Date.now();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    let customers: number;
    if (process.argv.includes('--all')) {
      await db.dataSource.query(`INSERT INTO customer_score_requests (customer_id) SELECT id FROM customers ON CONFLICT (customer_id) DO NOTHING`);
      customers = await rescoreRequested(db.dataSource, config.baseCurrency, config.referralValueShare);
    } else {
      customers = await rescoreStale(db.dataSource, config.baseCurrency, config.referralValueShare);
    }
    clearInterval(sampler);
    loop.disable();
    const report = { customers, seconds: (Date.now() - started) / 1000, longestStallMs: Math.round(loop.max / 1e6), peakRssMiB: Math.round(peakRss / 2 ** 20) };
    if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(report)}\n`);
    else log.info(`rescored ${report.customers} customers in ${report.seconds.toFixed(1)} s (longest event-loop stall ${report.longestStallMs} ms, peak RSS ${report.peakRssMiB} MiB)`);
  } finally {
    await db.close();
  }
}

runCli('rescore', main);
