import { DataSource } from 'typeorm';
import type { Config } from '../server/config';
import { log } from '../server/logger';
import { createDataSource, runMigrations } from './data-source';
import { EmbeddedCluster, ensureDatabase, startEmbeddedPostgres } from './embedded-postgres';

export interface Database {
  dataSource: DataSource;
  url: string;
  close(): Promise<void>;
}

const EMBEDDED_DATABASE = 'rapport';

/** Connects to DATABASE_URL, or starts the embedded cluster, and applies pending migrations. */
export async function openDatabase(config: Config, { migrate = true } = {}): Promise<Database> {
  let cluster: EmbeddedCluster | null = null;
  let url = config.databaseUrl;
  if (!url) {
    cluster = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPostgresPort });
    await ensureDatabase(cluster.url('postgres'), EMBEDDED_DATABASE);
    url = cluster.url(EMBEDDED_DATABASE);
    log.info(`embedded Postgres on port ${cluster.port}, data in ${config.dataDir}`);
  }
  const dataSource = createDataSource(url);
  try {
    await dataSource.initialize();
    if (migrate) {
      const applied = await runMigrations(dataSource);
      if (applied.length) log.info(`applied migrations: ${applied.join(', ')}`);
    }
  } catch (e) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await cluster?.stop();
    throw e;
  }
  return {
    dataSource,
    url,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      log.debug('connection pool closed');
      await cluster?.stop();
    },
  };
}
