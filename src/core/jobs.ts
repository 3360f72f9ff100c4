// The job engine: graphile-worker (https://worker.graphile.org). Jobs live in Postgres, are added in the same
// transaction as the write that calls for them, are taken with SKIP LOCKED and announced with LISTEN/NOTIFY, so any
// number of API and worker processes share one database and no work depends on a timer in an API process.

import { Logger, run, runMigrations, type Runner, type TaskList } from 'graphile-worker';
import { Pool } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { log } from './logger';
import { jobDuration, timed } from './metrics';

/** graphile-worker's log lines through ours (its debug chatter stays at debug). */
const jobLogger = new Logger((scope) => (level, message) => {
  const line = `jobs${scope.taskIdentifier ? ` ${scope.taskIdentifier}` : ''}: ${message}`;
  if (level === 'error') log.error(line);
  else if (level === 'warning') log.warn(line);
  else if (level === 'info') log.debug(line);
  else log.debug(line);
});

/** Creates or upgrades the job engine's own schema (graphile_worker); runs before Rapport's migrations. */
export function migrateJobEngine(connectionString: string): Promise<void> {
  return runMigrations({ connectionString, logger: jobLogger });
}

export interface JobOptions {
  /** At most one waiting job per key: adding again replaces the waiting one (a running one is left to finish). */
  jobKey?: string;
  runAt?: Date;
}

/** Queues a job in the caller's transaction: it runs only if the transaction commits. */
export async function addJob(m: EntityManager | DataSource, task: string, payload: Record<string, unknown> = {}, o: JobOptions = {}): Promise<void> {
  await m.query(`SELECT graphile_worker.add_job($1, $2::json, run_at := $3::timestamptz, job_key := $4::text)`, [task, JSON.stringify(payload), o.runAt ?? null, o.jobKey ?? null]);
}

export interface WorkerOptions {
  connectionString: string;
  tasks: TaskList;
  /** graphile-worker crontab lines (UTC: the worker process runs with TZ as it finds it, so schedules use UTC-safe times). */
  crontab?: string;
  concurrency: number;
}

export interface JobWorker {
  stop(): Promise<void>;
}

/** Each task's runs timed in rapport_job_duration_seconds, by task name and outcome. */
function measured(tasks: TaskList): TaskList {
  return Object.fromEntries(Object.entries(tasks).map(([task, fn]) => [task, (payload, helpers) => timed(jobDuration, { task }, async () => fn!(payload, helpers))]));
}

/** After the worker stopped on an error (the database went away), how long before it starts again. */
const RESTART_AFTER_MS = 5_000;

/**
 * Starts a worker; it handles no signals itself (the process's shutdown stops it). A worker that stops on an error (a
 * database outage) is logged and started again, so an API process running one in-process heals without a restart,
 * as its request path does; jobs it held are unlocked by graphile-worker and run again.
 */
export async function startJobWorker(o: WorkerOptions): Promise<JobWorker> {
  let stopped = false;
  let current: Runner | null = null;
  // Our own pool, so that a connection the server drops (an outage, Postgres stopping first on Ctrl-C) is an error
  // we log, not an unhandled 'error' event that ends the process.
  const pool = new Pool({ connectionString: o.connectionString, max: o.concurrency + 2, application_name: 'rapport-worker' });
  const lost = (e: Error) => log.warn(`job worker connection lost: ${e.message}`);
  pool.on('error', lost);
  // A checked-out client's errors too (graphile-worker asks for both handlers).
  pool.on('connect', (client) => client.on('error', lost));
  const launch = async (): Promise<void> => {
    const runner = await run({
      pgPool: pool,
      taskList: measured(o.tasks),
      crontab: o.crontab ?? '',
      concurrency: o.concurrency,
      noHandleSignals: true,
      pollInterval: 2000,
      logger: jobLogger,
    });
    current = runner;
    runner.promise.catch((e) => {
      if (stopped) return;
      log.error(`job worker stopped on an error; starting again in ${RESTART_AFTER_MS / 1000} s`, e);
      setTimeout(relaunch, RESTART_AFTER_MS).unref();
    });
  };
  const relaunch = (): void => {
    if (stopped) return;
    launch().catch((e) => {
      log.error(`job worker could not start; trying again in ${RESTART_AFTER_MS / 1000} s`, e);
      setTimeout(relaunch, RESTART_AFTER_MS).unref();
    });
  };
  await launch();
  return {
    stop: async () => {
      stopped = true;
      await current?.stop().catch((e) => log.warn('job worker stop failed', e));
      await pool.end().catch(() => undefined);
    },
  };
}
