import { types } from 'pg';
import { DataSource } from 'typeorm';
import { migrations } from '../../migrations';
import { migrateJobEngine } from '../core/jobs';
import { entities } from './entities';
import { SnakeNamingStrategy } from './naming-strategy';
import { useFastTimestampParser } from './timestamp-parser';
import { RunningStatementTracker, StatementCountingLogger } from './statement-counter';

// Calendar dates (birthdays) stay 'YYYY-MM-DD' strings: a JS Date would shift them by the server's time zone.
types.setTypeParser(1082, (value: string) => value);
useFastTimestampParser();

/** Limits of a pool that serves requests; the command-line tools and migrations run without them. */
export interface PoolLimits {
  /** Postgres statement_timeout: any statement running longer is cancelled by the server. */
  statementTimeoutMs?: number;
  /** How long a checkout waits for a free connection (and a new connection may take) before failing. */
  poolWaitTimeoutMs?: number;
}

/** The pool limits the server runs with (REQUEST_TIMEOUT_MS, POOL_WAIT_TIMEOUT_MS). */
export function servingPoolLimits(config: { requestTimeoutMs: number; poolWaitTimeoutMs: number }): PoolLimits {
  return { statementTimeoutMs: config.requestTimeoutMs, poolWaitTimeoutMs: config.poolWaitTimeoutMs };
}

/**
 * How pg-pool fails a checkout after connectionTimeoutMillis: no pooled connection came free, or a new one did not
 * finish connecting (also when the event loop was blocked longer than the timeout, say by a model fit).
 */
export const POOL_TIMEOUT_MESSAGES: readonly string[] = ['timeout exceeded when trying to connect', 'Connection terminated due to connection timeout'];

/**
 * The application_name each pool's connections carry, so pg_stat_activity tells an operator (and a test) whether a
 * backend serves a request or runs a job.
 */
export const APPLICATION_NAME = { api: 'rapport', jobs: 'rapport-jobs' } as const;

/** slowQueryMs: statements slower than this are logged as warnings, so production shows what to index. */
export function createDataSource(
  url: string,
  poolSize = 10,
  slowQueryMs = 1000,
  limits: PoolLimits = {},
  applicationName: string = APPLICATION_NAME.api,
): DataSource {
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
    subscribers: [RunningStatementTracker],
    synchronize: false,
    extra: {
      max: poolSize,
      application_name: applicationName,
      ...(limits.statementTimeoutMs ? { statement_timeout: limits.statementTimeoutMs } : {}),
      ...(limits.poolWaitTimeoutMs ? { connectionTimeoutMillis: limits.poolWaitTimeoutMs } : {}),
    },
  });
}

/**
 * The job worker's own pool, without the request limits: a model fit's statements may take longer than a request may.
 * One connection more than the worker runs jobs at once, for the engine's own bookkeeping.
 */
export function createJobsDataSource(url: string, config: { workerConcurrency: number; slowQueryMs: number }): DataSource {
  return createDataSource(url, config.workerConcurrency + 1, config.slowQueryMs, {}, APPLICATION_NAME.jobs);
}

/** The job engine's schema first (Rapport's triggers queue jobs), then Rapport's migrations. */
export async function runMigrations(ds: DataSource): Promise<string[]> {
  await migrateJobEngine((ds.options as { url: string }).url);
  const applied = await ds.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}

/** True when every known migration has been applied (used by /readyz). */
export async function migrationsApplied(ds: DataSource): Promise<boolean> {
  return !(await ds.showMigrations());
}
