import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger, QueryRunner } from 'typeorm';
import { log } from '../core/logger';

/**
 * Counts SQL statements per request. Tests assert these counts instead of timings:
 * a statement count does not flake on a noisy machine, and it is what N+1 bugs change.
 */
export interface StatementTally {
  statements: number;
}

const requestTally = new AsyncLocalStorage<StatementTally>();

export function withStatementTally<T>(tally: StatementTally, fn: () => T): T {
  return requestTally.run(tally, fn);
}

export function currentTally(): StatementTally | undefined {
  return requestTally.getStore();
}

const CONTROL = /^(START TRANSACTION|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)/i;

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
