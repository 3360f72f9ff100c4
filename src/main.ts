import 'reflect-metadata';
import { Server } from 'node:http';
import { openDatabase } from './db/database';
import { takeOverShutdownSignals } from './db/embedded-postgres';
import { createApp } from './server/app';
import { ConfigError, loadConfig } from './core/config';
import { log, setLogLevel } from './core/logger';
import { loadDemoDataIfEmpty } from './seed/demo';

async function main(): Promise<void> {
  const config = loadConfig();
  setLogLevel(config.logLevel);
  const db = await openDatabase(config, { serving: true });
  if (config.demoData) await loadDemoDataIfEmpty(db.dataSource, config);
  const { app, stop } = await createApp(db.dataSource, config);
  const server: Server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  log.info(`Rapport is ready: http://localhost:${config.port}/graphql`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received, shutting down`);
    server.close();
    server.closeAllConnections();
    await stop().catch((e) => log.warn('apollo stop failed', e));
    log.debug('graphql server stopped');
    await db.close().catch((e) => log.warn('database close failed', e));
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
