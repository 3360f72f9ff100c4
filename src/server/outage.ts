import type { ApolloServerPlugin } from '@apollo/server';
import type { ErrorRequestHandler, Response } from 'express';
import type { FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import { currentRequestId, log } from '../core/logger';
import { isDatabaseUnavailable } from '../db/unavailable';

/**
 * While the database is unreachable (or the server is draining for a restart) every request is answered
 * `503` with `Retry-After` and the code SERVICE_UNAVAILABLE, never a 500 or a 200 carrying
 * INTERNAL_SERVER_ERROR: the client learns that the same request will work shortly, and retries it
 * (mutations with their Idempotency-Key, which a failed attempt does not use up).
 */
export const SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE';
/** Long enough for a pool to reconnect after a database restart, short enough not to stall a client. */
export const RETRY_AFTER_SECONDS = 2;

const DATABASE_MESSAGE = 'The database is unavailable. Retry the request shortly.';

export function unavailableResult(message = DATABASE_MESSAGE): FormattedExecutionResult {
  return { errors: [{ message, extensions: { code: SERVICE_UNAVAILABLE, requestId: currentRequestId() } }] };
}

export function unavailableBody(message = DATABASE_MESSAGE): string {
  return JSON.stringify(unavailableResult(message));
}

/** For Apollo's formatError: the masked SERVICE_UNAVAILABLE error when `error` is a database outage, else null. */
export function formatUnavailable(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError | null {
  if (!isDatabaseUnavailable(error)) return null;
  log.warn(`database unavailable at ${formatted.path?.join('.') ?? '(request)'}: ${(error as Error)?.message}`);
  return { message: DATABASE_MESSAGE, path: formatted.path, locations: formatted.locations, extensions: { code: SERVICE_UNAVAILABLE, requestId: currentRequestId() } };
}

/** One resolver that could not reach the database makes the whole response a 503: partial data is not a result to keep. */
export function outagePlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, operation }) {
          if (response.body.kind !== 'single') return;
          const unavailable = response.body.singleResult.errors?.filter((e) => e.extensions?.code === SERVICE_UNAVAILABLE) ?? [];
          if (!unavailable.length) return;
          // A mutation whose write committed and only a field of its payload failed is not to be retried (a 503 would
          // free its Idempotency-Key and invite a second write): it keeps its 200 and the error at the field.
          if (operation?.operation === 'mutation' && unavailable.every((e) => (e.path?.length ?? 0) > 1)) return;
          response.http.status = 503;
          // A more specific wait (a busy pool, src/server/deadline.ts) wins.
          if (!response.http.headers.has('retry-after')) response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
        },
      };
    },
  };
}

export function sendServiceUnavailable(res: Response, message = DATABASE_MESSAGE): void {
  res.status(503).set('Retry-After', String(RETRY_AFTER_SECONDS)).json(unavailableResult(message));
}

/** For Express middleware before Apollo (authentication) that reads the database. */
export const outageErrorHandler: ErrorRequestHandler = (err, _req, res, next) => {
  if (res.headersSent || !isDatabaseUnavailable(err)) return next(err);
  log.warn(`database unavailable: ${(err as Error)?.message}`);
  sendServiceUnavailable(res);
};
