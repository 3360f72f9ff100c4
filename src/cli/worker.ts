import 'reflect-metadata';
import { openDatabase } from '../db/database';
import { loadConfig } from '../core/config';
import { log, setLogLevel } from '../core/logger';
import { serveMetrics } from '../server/metrics-endpoint';
import { startWorker } from '../server/worker';
import { runCli } from './run';

/**
 * npm run worker: a job worker alone (rescoring, model fits, schedules), on DATABASE_URL or the embedded database of a
 * running `npm start`. Run as many as the work needs; start the API with WORKER=false to keep jobs out of it.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  setLogLevel(config.logLevel);
  const db = await openDatabase(config, { migrate: true });
  // No API in this process: its job and webhook metrics are scraped here, when METRICS_PORT is set.
  const metrics = config.metricsPort !== null ? await serveMetrics(db.dataSource, config, config.metricsPort) : null;
  const worker = await startWorker(db.dataSource, config, db.url);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log.info('stopping the worker: jobs in progress finish first');
  await worker.stop();
  await new Promise((resolve) => (metrics ? metrics.close(resolve) : resolve(undefined)));
  await db.close();
}

runCli('worker', main);
