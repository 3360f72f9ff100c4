import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Kind, parse } from 'graphql';
import type { DataSource } from 'typeorm';
import { log } from '../core/logger';

/**
 * Idempotency keys for mutations (as Stripe does): a POST carrying `Idempotency-Key` runs once;
 * a retry with the same key and the same request gets the stored response (header
 * `Idempotent-Replayed: true`), so a client whose connection dropped can safely send a write again.
 * Keys live 24 hours and are scoped by caller (today one scope: API keys will add their own).
 */
export const IDEMPOTENCY_TTL_HOURS = 24;
const MAX_KEY_LENGTH = 255;
const CLEANUP_EVERY_MS = 60 * 60_000;

function reject(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/**
 * Answers not kept for the key, so the client's retry runs instead of replaying them: a failure on our side, and a
 * throttled request (429, refused before anything ran). A 503 is only sent for a mutation whose own field failed, not
 * for a field of its payload after the write (src/server/deadline.ts), so freeing the key cannot write twice.
 */
function worthKeeping(status: number): boolean {
  return status < 500 && status !== 429;
}

function isMutation(query: unknown, operationName: unknown): boolean {
  if (typeof query !== 'string') return false;
  try {
    const operations = parse(query).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    const chosen = operations.length === 1 ? operations[0] : operations.find((o) => o.name?.value === operationName);
    return chosen?.operation === 'mutation';
  } catch {
    return false; // Apollo answers the syntax error itself.
  }
}

export function idempotency(db: DataSource, scopeOf: (req: Request) => string = () => 'api'): RequestHandler {
  let lastCleanup = 0;
  return async (req: Request, res: Response, next: NextFunction) => {
    const key = req.get('idempotency-key');
    if (key === undefined || req.method !== 'POST') return next();
    if (!key.trim() || key.length > MAX_KEY_LENGTH) {
      return reject(res, 400, 'BAD_REQUEST', `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters.`);
    }
    const body = (req.body ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown };
    if (!isMutation(body.query, body.operationName)) return next(); // reads are safe to repeat as they are
    const scope = scopeOf(req);
    const hash = createHash('sha256').update(JSON.stringify([body.query, body.variables ?? null, body.operationName ?? null])).digest('hex');
    try {
      if (Date.now() - lastCleanup > CLEANUP_EVERY_MS) {
        lastCleanup = Date.now();
        await db.query(`DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`, [IDEMPOTENCY_TTL_HOURS]);
      }
      const claimed = await db.query(
        `INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3)
         ON CONFLICT (scope, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, created_at = now(), status_code = NULL, response = NULL, completed_at = NULL
           WHERE idempotency_keys.created_at < now() - make_interval(hours => $4)
         RETURNING key`,
        [scope, key, hash, IDEMPOTENCY_TTL_HOURS],
      );
      if (!claimed.length) {
        const [stored] = await db.query(`SELECT request_hash, status_code, response FROM idempotency_keys WHERE scope = $1 AND key = $2`, [scope, key]);
        if (stored.request_hash !== hash) {
          return reject(res, 422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request. Use a new key for a new request.');
        }
        if (stored.response === null) {
          return reject(res, 409, 'IDEMPOTENCY_KEY_IN_PROGRESS', 'A request with this Idempotency-Key is still running. Retry after it finishes.');
        }
        res.status(stored.status_code).set('Idempotent-Replayed', 'true').type('application/json').send(stored.response);
        return;
      }
    } catch (e) {
      return next(e);
    }
    // Keep what Apollo sends; a failure on our side, or a throttled request, frees the key so the client can try again.
    const send = res.send.bind(res);
    res.send = (payload?: unknown) => {
      const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : JSON.stringify(payload);
      const store =
        !worthKeeping(res.statusCode)
          ? db.query(`DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2`, [scope, key])
          : db.query(`UPDATE idempotency_keys SET status_code = $3, response = $4, completed_at = now() WHERE scope = $1 AND key = $2`, [scope, key, res.statusCode, text]);
      store.catch((e: unknown) => log.error('storing an idempotent response failed', e)).finally(() => send(payload));
      return res;
    };
    next();
  };
}
