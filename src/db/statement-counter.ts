import { AsyncLocalStorage } from 'node:async_hooks';
import { Client } from 'pg';
import { EventSubscriber } from 'typeorm';
import type { AfterQueryEvent, BeforeQueryEvent, DataSource, EntitySubscriberInterface, Logger, QueryRunner } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { GraphQLError } from 'graphql';
import { log } from '../core/logger';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { context, tracer, tracingEnabled, type Span } from '../core/tracing';

/**
 * Counts SQL statements per request. Tests assert these counts instead of timings:
 * a statement count does not flake on a noisy machine, and it is what N+1 bugs change.
 * A request's tally also knows which Postgres backends run its statements right now, so that
 * a request whose client went away can have them cancelled (see cancelRunningStatements).
 */
export interface StatementTally {
  statements: number;
  /** Backend pid → statements of this request running on it now. Only requests track this; background work does not. */
  running?: Map<number, number>;
  /** The client went away: statements not started yet are refused instead of run for nobody. */
  cancelled?: boolean;
  /** Milliseconds spent in statements (as TypeORM timed them), for the request's log line and metrics. */
  sqlMs?: number;
}

const requestTally = new AsyncLocalStorage<StatementTally>();

export function withStatementTally<T>(tally: StatementTally, fn: () => T): T {
  return requestTally.run(tally, fn);
}

export function currentTally(): StatementTally | undefined {
  return requestTally.getStore();
}

const CONTROL = /^(START TRANSACTION|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)/i;

/** A request's tally that tracks its running statements. */
export function newRequestTally(): StatementTally {
  return { statements: 0, running: new Map() };
}

type PgQueryRunner = QueryRunner & { databaseConnection?: { processID?: number | null } };

function backendOf(queryRunner: QueryRunner): number | undefined {
  return (queryRunner as PgQueryRunner).databaseConnection?.processID ?? undefined;
}

/**
 * Keeps each request's tally of running backends current. TypeORM calls beforeQuery after the runner has its
 * connection and just before sending the statement, and afterQuery when it settles, both in the caller's async context.
 */
@EventSubscriber()
export class RunningStatementTracker implements EntitySubscriberInterface {
  beforeQuery(event: BeforeQueryEvent<unknown>): void {
    if (tracingEnabled()) startStatementSpan(event);
    const tally = requestTally.getStore();
    if (!tally?.running) return;
    // Transaction control still goes through: a ROLLBACK refused would return the connection to the pool mid-transaction.
    if (tally.cancelled && !CONTROL.test(event.query)) {
      throw new GraphQLError('The client closed the connection; the request was stopped.', { extensions: { code: 'CLIENT_CLOSED_REQUEST' } });
    }
    const pid = backendOf(event.queryRunner);
    if (pid) tally.running.set(pid, (tally.running.get(pid) ?? 0) + 1);
  }

  afterQuery(event: AfterQueryEvent<unknown>): void {
    if (tracingEnabled()) endStatementSpan(event);
    const tally = requestTally.getStore();
    if (tally && event.executionTime !== undefined) tally.sqlMs = (tally.sqlMs ?? 0) + event.executionTime;
    const running = tally?.running;
    const pid = backendOf(event.queryRunner);
    if (!running || !pid) return;
    const n = (running.get(pid) ?? 1) - 1;
    if (n > 0) running.set(pid, n);
    else running.delete(pid);
  }
}

/** Open statement spans per query runner, in the order the statements were sent (a connection answers in that order). */
const openSpans = new WeakMap<QueryRunner, Span[]>();

/**
 * A span per SQL statement, child of whatever span is active where it was sent (the resolver's). It carries the
 * statement's text, with its $n placeholders, never the parameter values: those may be a customer's name or email.
 */
function startStatementSpan(event: BeforeQueryEvent<unknown>): void {
  const operation = /^\s*(\w+)/.exec(event.query)?.[1]?.toUpperCase() ?? 'SQL';
  const attributes = { 'db.system.name': 'postgresql', 'db.operation.name': operation, 'db.query.text': event.query.slice(0, 2000) };
  const span = tracer().startSpan(operation, { kind: SpanKind.CLIENT, attributes }, context.active());
  const spans = openSpans.get(event.queryRunner) ?? [];
  spans.push(span);
  openSpans.set(event.queryRunner, spans);
}

function endStatementSpan(event: AfterQueryEvent<unknown>): void {
  const span = openSpans.get(event.queryRunner)?.shift();
  if (!span) return;
  if (!event.success) span.setStatus({ code: SpanStatusCode.ERROR, message: event.error instanceof Error ? event.error.message : 'statement failed' });
  span.end();
}

/**
 * Cancels the statements a request is running (pg_cancel_backend) and refuses the ones it would start next. It
 * connects on its own instead of borrowing from the pool: the pool may be exhausted by the very requests to cancel.
 * A statement that finishes in the instant before the cancel arrives lets the backend's next statement, perhaps
 * another request's, be cancelled instead; Postgres's own cancel protocol has the same window, which is accepted.
 */
export async function cancelRunningStatements(db: DataSource, tally: StatementTally): Promise<number> {
  tally.cancelled = true;
  const pids = [...(tally.running?.keys() ?? [])];
  if (!pids.length) return 0;
  const pool = (db.driver as PostgresDriver).master as { options: Record<string, unknown> };
  const client = new Client({ ...pool.options, application_name: 'rapport-cancel' });
  try {
    await client.connect();
    const { rows } = await client.query(`SELECT count(*) FILTER (WHERE pg_cancel_backend(pid))::int AS cancelled FROM unnest($1::int[]) AS pid`, [pids]);
    return rows[0].cancelled as number;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** TypeORM logger that tallies data statements (not transaction control) and logs failures. */
export class StatementCountingLogger implements Logger {
  logQuery(query: string, _parameters?: unknown[], _queryRunner?: QueryRunner): void {
    const tally = requestTally.getStore();
    if (tally && !CONTROL.test(query)) tally.statements += 1;
    log.debug(`sql: ${query.slice(0, 500)}`);
  }
  logQueryError(error: string | Error, query: string): void {
    log.debug(`sql failed: ${error instanceof Error ? error.message : error} :: ${query.slice(0, 500)}`);
  }
  logQuerySlow(time: number, query: string): void {
    log.warn(`slow sql (${time} ms): ${query.slice(0, 300)}`);
  }
  logSchemaBuild(): void {}
  logMigration(message: string): void {
    log.info(message);
  }
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') log.warn(String(message));
  }
}
