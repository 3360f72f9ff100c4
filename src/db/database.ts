import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import type { Config } from '../core/config';
import { log } from '../core/logger';
import { createDataSource, runMigrations, servingPoolLimits } from './data-source';
import { EmbeddedCluster, ensureDatabase, folderClosedToPostgres, startEmbeddedPostgres } from './embedded-postgres';

export interface Database {
  dataSource: DataSource;
  url: string;
  close(): Promise<void>;
}

const EMBEDDED_DATABASE = 'rapport';

/**
 * As root, Postgres runs as the postgres user, who cannot enter a checkout under /root. A newcomer
 * who did not choose DATA_DIR still gets a working server: the data goes to the temp folder instead.
 */
function usableDataDir(config: Config): string {
  const blocked = folderClosedToPostgres(config.dataDir);
  if (!blocked || config.dataDirChosen) return config.dataDir;
  const fallback = path.join(os.tmpdir(), `rapport-data-${createHash('sha1').update(config.dataDir).digest('hex').slice(0, 10)}`);
  log.warn(`the postgres OS user cannot enter ${blocked}, so the embedded database lives in ${fallback}; set DATA_DIR to choose another place`);
  return fallback;
}

/**
 * Connects to DATABASE_URL, or starts the embedded cluster, and applies pending migrations. With `serving`, the pool
 * has the request limits (statement timeout, pool wait timeout); migrations then run on a connection of their own
 * without them, since building an index on a large table may well take longer than a request may.
 */
export async function openDatabase(config: Config, { migrate = true, serving = false } = {}): Promise<Database> {
  let cluster: EmbeddedCluster | null = null;
  let url = config.databaseUrl;
  if (!url) {
    const dataDir = usableDataDir(config);
    cluster = await startEmbeddedPostgres({ dataDir, port: config.embeddedPostgresPort });
    await ensureDatabase(cluster.url('postgres'), EMBEDDED_DATABASE);
    url = cluster.url(EMBEDDED_DATABASE);
    log.info(`embedded Postgres on port ${cluster.port}, data in ${dataDir}`);
  }
  const dataSource = createDataSource(url, 10, config.slowQueryMs, serving ? servingPoolLimits(config) : {});
  const migrator = serving ? createDataSource(url, 1, config.slowQueryMs) : dataSource;
  try {
    if (migrate) {
      await migrator.initialize();
      const applied = await runMigrations(migrator);
      if (applied.length) log.info(`applied migrations: ${applied.join(', ')}`);
      if (migrator !== dataSource) await migrator.destroy();
    }
    if (!dataSource.isInitialized) await dataSource.initialize();
  } catch (e) {
    if (migrator.isInitialized && migrator !== dataSource) await migrator.destroy();
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
