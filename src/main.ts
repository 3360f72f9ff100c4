import 'reflect-metadata';
import { createServer } from 'node:http';
import { openDatabase } from './db/database';
import { takeOverShutdownSignals } from './db/embedded-postgres';
import { developmentApiKey } from './apikey/development-key';
import { createApp } from './server/app';
import { startWorker } from './server/worker';
import { createJobsDataSource } from './db/data-source';
import { drainable } from './server/drain';
import { ConfigError, loadConfig } from './core/config';
import { log, setLogLevel } from './core/logger';
import { loadDemoDataIfEmpty } from './seed/demo';
import { startTracing, stopTracing } from './core/tracing';

async function main(): Promise<void> {
  const config = loadConfig();
  setLogLevel(config.logLevel);
  // Before anything makes a span: off (and free) unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
  startTracing();
  const db = await openDatabase(config, { serving: true });
  if (config.demoData) await loadDemoDataIfEmpty(db.dataSource, config);
  const developmentKey = config.production ? null : await developmentApiKey(db.dataSource, config);
  const { app, stop } = await createApp(db.dataSource, config, { playgroundKey: developmentKey });
  const jobsDb = config.runWorker ? await createJobsDataSource(db.url, config).initialize() : null;
  const worker = jobsDb ? await startWorker(jobsDb, config, db.url) : null;
  const serving = drainable(app);
  const server = createServer(serving.handler).listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  log.info(`Rapport is ready: http://localhost:${config.port}/graphql (dashboard: http://localhost:${config.port}/dashboard)`);
  // On a line of its own on stdout, so a newcomer (and a script) can copy it.
  if (developmentKey) process.stdout.write(`Development API key: ${developmentKey}\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received: finishing ${serving.inFlight} request(s) in flight, refusing new ones`);
    // The job in progress finishes (or, if Postgres is stopping too, is unlocked for another worker to run).
    const workerStopped = worker?.stop().catch((e) => log.warn('job worker stop failed', e));
    const { completed, cutOff } = await serving.drain(server, config.shutdownGraceMs);
    if (!completed) log.warn(`${cutOff} request(s) still running after SHUTDOWN_GRACE_MS (${config.shutdownGraceMs} ms) were cut off`);
    log.debug('http server closed');
    await stop().catch((e) => log.warn('apollo stop failed', e));
    log.debug('graphql server stopped');
    await workerStopped;
    await jobsDb?.destroy().catch((e) => log.warn('job pool close failed', e));
    await db.close().catch((e) => log.warn('database close failed', e));
    await stopTracing();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  if (!config.databaseUrl) takeOverShutdownSignals();
}

main().catch((e) => {
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
  } else {
    log.error('Rapport failed to start', e);
  }
  process.exit(1);
});
