import { types } from 'pg';
import { DataSource } from 'typeorm';
import { migrations } from '../../migrations';
import { entities } from './entities';
import { SnakeNamingStrategy } from './naming-strategy';
import { StatementCountingLogger } from './statement-counter';

// Calendar dates (birthdays) stay 'YYYY-MM-DD' strings: a JS Date would shift them by the server's time zone.
types.setTypeParser(1082, (value: string) => value);

/**
 * slowQueryMs: statements slower than this are logged as warnings, so production shows what to index.
 * connectTimeoutMs bounds how long a query waits for a pooled connection: when the database is down or
 * unreachable, a request fails fast (and is answered 503) instead of hanging until the TCP timeout.
 */
export function createDataSource(url: string, poolSize = 10, slowQueryMs = 1000, connectTimeoutMs = 5000): DataSource {
  return new DataSource({
    maxQueryExecutionTime: slowQueryMs,
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    logger: new StatementCountingLogger(),
    synchronize: false,
    extra: { max: poolSize, application_name: 'rapport', connectionTimeoutMillis: connectTimeoutMs },
  });
}

export async function runMigrations(ds: DataSource): Promise<string[]> {
  const applied = await ds.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}

/** True when every known migration has been applied (used by /readyz). */
export async function migrationsApplied(ds: DataSource): Promise<boolean> {
  return !(await ds.showMigrations());
}
