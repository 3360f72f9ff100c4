import { AsyncResource } from 'node:async_hooks';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Request, RequestHandler } from 'express';
import { Kind, parse } from 'graphql';
import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import type { DataSource } from 'typeorm';
import { log } from '../core/logger';
import { POOL_TIMEOUT_MESSAGES } from '../db/data-source';
import { cancelRunningStatements, newRequestTally, StatementTally, withStatementTally } from '../db/statement-counter';
import type { GraphQLRequestBody } from './idempotency';

/**
 * How long SQL may run for a request, and for whom:
 * - each statement is cancelled by Postgres after REQUEST_TIMEOUT_MS (statement_timeout on the serving pool,
 *   src/db/data-source.ts) and answered TIMEOUT;
 * - a request waits at most POOL_WAIT_TIMEOUT_MS for a pool connection, then is answered 503 SERVICE_UNAVAILABLE
 *   with Retry-After, so a few slow requests holding the pool make the others fail fast instead of queueing;
 * - a client that goes away during a query has its running statements cancelled and its next ones refused;
 *   a mutation runs to its end instead, so that its outcome is known and kept under its Idempotency-Key for the
 *   retry (cancelling it half-way would leave the client guessing whether it wrote).
 */

/** Postgres's SQLSTATE for a statement cancelled by statement_timeout or pg_cancel_backend. */
const QUERY_CANCELED = '57014';

/** The parsed document when the request runs a mutation; null for queries and for text Apollo will refuse itself. */
function mutationDocument(body: GraphQLRequestBody): DocumentNode | null {
  if (typeof body.query !== 'string') return null;
  let document: DocumentNode;
  try {
    document = parse(body.query);
  } catch {
    return null;
  }
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const chosen = operations.length === 1 ? operations[0] : operations.find((o) => o.name?.value === body.operationName);
  return chosen?.operation === 'mutation' ? document : null;
}

export function requestTallyOf(req: Request): StatementTally {
  return (req as unknown as { tally: StatementTally }).tally;
}

/** Runs the rest of the request with a statement tally that knows its running backends; cancels them on disconnect. */
export function statementTracking(db: DataSource): RequestHandler {
  return (req, res, next) => {
    const tally = newRequestTally();
    (req as unknown as { tally: StatementTally }).tally = tally;
    // Bound to the request's async context, so the log lines below carry its request id.
    res.on(
      'close',
      AsyncResource.bind(() => {
        if (res.writableFinished || mutationDocument((req.body ?? {}) as GraphQLRequestBody)) return;
        cancelRunningStatements(db, tally)
          .then((n) => n && log.info(`client closed the connection: cancelled ${n} running statement${n === 1 ? '' : 's'}`))
          .catch((e: unknown) => log.warn('cancelling the statements of a closed request failed', e));
      }),
    );
    withStatementTally(tally, () => next());
  };
}

type Cause = Error & { code?: string; originalError?: unknown; cause?: unknown };

/** The errors behind a GraphQL error, outermost first: GraphQL wraps in originalError, pg-pool and others in cause. */
function causes(error: unknown): Cause[] {
  const chain: Cause[] = [];
  let e = (error as Cause).originalError;
  while (e instanceof Error && chain.length < 10) {
    chain.push(e as Cause);
    e = (e as Cause).originalError ?? (e as Cause).cause;
  }
  return chain;
}

/** Gives database limits their own codes, instead of INTERNAL_SERVER_ERROR. */
export const statementLimitErrors: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors }) {
        for (const error of errors) {
          if (error.extensions.code) continue;
          const chain = causes(error);
          const cancelled = chain.find((c) => c.code === QUERY_CANCELED);
          const extensions = error.extensions as Record<string, unknown>;
          if (cancelled && /statement timeout/.test(cancelled.message)) {
            log.warn(`statement cancelled by REQUEST_TIMEOUT_MS at ${error.path?.join('.') ?? '(request)'}`);
            error.message = 'The database took too long to answer and the statement was cancelled. Ask for less (smaller pages, fewer fields) or try again later.';
            extensions.code = 'TIMEOUT';
          } else if (cancelled) {
            error.message = 'The request was stopped: the client closed the connection.';
            extensions.code = 'CLIENT_CLOSED_REQUEST';
          } else if (chain.some((c) => POOL_TIMEOUT_MESSAGES.includes(c.message))) {
            log.warn(`no database connection within POOL_WAIT_TIMEOUT_MS at ${error.path?.join('.') ?? '(request)'}`);
            error.message = 'The server is busy: no database connection was free in time. Retry after the time in Retry-After.';
            extensions.code = 'SERVICE_UNAVAILABLE';
            // The status and Retry-After come from the outage plugin (src/server/outage.ts), which answers every
            // SERVICE_UNAVAILABLE alike, 503 unless a mutation's write may already have committed.
          }
        }
      },
    };
  },
};
