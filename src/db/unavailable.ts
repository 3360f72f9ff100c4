import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';

/**
 * Errors that mean "the database cannot be reached right now", as opposed to "this statement is wrong":
 * the same request can succeed once the database is back, so the server answers 503 and a client retries.
 */

/** SQLSTATE codes (PostgreSQL appendix A) of a server that is going away, not accepting, or unreachable. */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: fast shutdown, or pg_terminate_backend
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '53300', // too_many_connections
  '08000', // connection_exception
  '08001', // sqlclient_unable_to_establish_sqlconnection
  '08003', // connection_does_not_exist
  '08004', // sqlserver_rejected_establishment_of_sqlconnection
  '08006', // connection_failure
]);

/** Socket errors of a connection that could not be made or was cut. */
const UNAVAILABLE_SYSCALL_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** What node-postgres and pg-pool say when a connection ends or cannot be had; they set no code. */
const UNAVAILABLE_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /is not queryable/i, // "Client has encountered a connection error and is not queryable"
  /cannot use a pool after calling end/i,
  /not currently accepting connections/i, // SQLSTATE 55000, which is also used for unrelated statement errors
];

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  originalError?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/**
 * True when the error, or one it wraps (TypeORM's driverError, GraphQL's originalError, a cause,
 * an AggregateError's errors), says the database is unreachable.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  // TypeORM releases a transaction's query runner when its connection reports an error, so the
  // transaction's next statement (or savepoint, for a nested transaction) meets a released runner:
  // the connection was cut under it.
  if (error instanceof QueryRunnerAlreadyReleasedError || error instanceof QueryRunnerProviderAlreadyReleasedError) return true;
  const e = error as ErrorLike;
  if (typeof e.code === 'string' && (UNAVAILABLE_SQLSTATES.has(e.code) || UNAVAILABLE_SYSCALL_CODES.has(e.code))) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.some((m) => m.test(e.message as string))) return true;
  const wrapped = [e.driverError, e.originalError, e.cause, ...(Array.isArray(e.errors) ? e.errors : [])];
  return wrapped.some((inner) => inner !== error && isDatabaseUnavailable(inner, depth + 1));
}
