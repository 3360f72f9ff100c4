import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { withRequestId } from '../core/logger';

/** What a client may choose as its request id: short, and safe to echo in a header and a log line. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,200}$/;

/**
 * Every response carries `X-Request-Id`: the client's own when it sent a sane one, otherwise a fresh UUID. It is in
 * `res.locals.requestId`, on every log line written while the request is handled, and in INTERNAL_SERVER_ERROR
 * answers, so a partner reporting a failure can name the request and we can find its lines.
 */
export function requestId(): RequestHandler {
  return (req, res, next) => {
    const given = req.get('x-request-id');
    const id = given !== undefined && SANE_REQUEST_ID.test(given) ? given : randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    withRequestId(id, () => next());
  };
}
