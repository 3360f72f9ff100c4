import { createHash, randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Kind, parse, print } from 'graphql';
import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import type { DataSource } from 'typeorm';
import { ANONYMOUS, actorKey } from '../core/actor';
import type { Actor } from '../core/actor';
import type { Config } from '../core/config';
import { log } from '../core/logger';
import { isDatabaseUnavailable } from '../db/unavailable';
import { SERVICE_UNAVAILABLE, sendServiceUnavailable } from './outage';

/**
 * Idempotency keys for mutations (as Stripe does): a POST carrying `Idempotency-Key` runs once;
 * a retry with the same key and the same request gets the stored response (header
 * `Idempotent-Replayed: true`), so a client whose connection dropped can safely send a write again.
 *
 * - Keys are kept per caller (`actorKey`: one API key's keys never meet another's) for 24 hours.
 * - "The same request" is the same parsed document (whitespace and comments do not count), operation
 *   name and variables (key order does not count).
 * - Only final outcomes are stored. A 5xx, or an INTERNAL_SERVER_ERROR or SERVICE_UNAVAILABLE in the
 *   response, releases the key instead, so the retry runs the mutation again.
 * - A claim whose request never answered (the process died) is taken over by a retry once it is older
 *   than IDEMPOTENCY_CLAIM_TIMEOUT_MS; until then a retry is told the request is still in progress.
 * - A client that disconnects does not stop the request: its outcome is stored (or the key released) when
 *   it ends, and the retry gets that outcome instead of writing a second time.
 */
export const IDEMPOTENCY_TTL_HOURS = 24;
const MAX_KEY_LENGTH = 255;
const CLEANUP_EVERY_MS = 60 * 60_000;
/** Codes that say an attempt did not finish: its retry must run, not replay. */
const UNFINISHED_CODES = new Set(['INTERNAL_SERVER_ERROR', SERVICE_UNAVAILABLE]);
/** Seconds a client waits before asking again about a key whose request is still running. */
const IN_PROGRESS_RETRY_AFTER_SECONDS = 1;

export interface GraphQLRequestBody {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

function reject(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** The parsed document when the request runs a mutation; null for queries and for text Apollo will refuse itself. */
export function mutationDocument(body: GraphQLRequestBody): DocumentNode | null {
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

/** JSON with object keys sorted, so that `{a, b}` and `{b, a}` are the same variables. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    return `{${Object.keys(object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(object[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** What makes two requests "the same request" for one key. */
export function requestFingerprint(body: GraphQLRequestBody, document: DocumentNode = parse(String(body.query))): string {
  const request = stableJson([print(document), body.operationName ?? null, body.variables ?? {}]);
  return createHash('sha256').update(request).digest('hex');
}

/** True when the response is the mutation's outcome, as opposed to a sign that it did not get to finish. */
function isFinal(status: number, text: string): boolean {
  // A throttled request (429) was refused before anything ran: the retry must run it.
  if (status >= 500 || status === 429) return false;
  try {
    const errors = (JSON.parse(text) as { errors?: Array<{ extensions?: { code?: unknown } }> }).errors ?? [];
    return !errors.some((e) => UNFINISHED_CODES.has(String(e.extensions?.code)));
  } catch {
    return true;
  }
}

export function idempotency(db: DataSource, config: Pick<Config, 'idempotencyClaimTimeoutMs'>): RequestHandler {
  let lastCleanup = 0;
  /**
   * Claims this process could not release because the database was down: their requests are over, so a
   * retry that reaches this process takes them over at once instead of waiting for the claim timeout.
   */
  const abandoned = new Map<string, { token: string; at: number }>();
  const slot = (scope: string, key: string) => `${scope}\n${key}`;

  async function claim(scope: string, key: string, hash: string): Promise<string | null> {
    const token = randomUUID();
    const claimed = await db.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, claim_token) VALUES ($1, $2, $3, $4)
       ON CONFLICT (scope, key) DO UPDATE
         SET request_hash = EXCLUDED.request_hash, claim_token = EXCLUDED.claim_token, created_at = now(), status_code = NULL, response = NULL, completed_at = NULL
         WHERE idempotency_keys.created_at < now() - make_interval(hours => $5)
            OR (idempotency_keys.response IS NULL AND idempotency_keys.request_hash = EXCLUDED.request_hash
                AND (idempotency_keys.created_at < now() - make_interval(secs => $6) OR idempotency_keys.claim_token = $7))
       RETURNING key`,
      [scope, key, hash, token, IDEMPOTENCY_TTL_HOURS, config.idempotencyClaimTimeoutMs / 1000, abandoned.get(slot(scope, key))?.token ?? null],
    );
    if (!claimed.length) return null;
    abandoned.delete(slot(scope, key));
    return token;
  }

  async function release(scope: string, key: string, token: string): Promise<void> {
    try {
      await db.query(`DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND claim_token = $3`, [scope, key, token]);
    } catch (e) {
      log.warn(`releasing idempotency key ${JSON.stringify(key)} failed; a retry here may take it over`, e);
      const now = Date.now();
      for (const [k, v] of abandoned) if (now - v.at > config.idempotencyClaimTimeoutMs) abandoned.delete(k);
      abandoned.set(slot(scope, key), { token, at: now });
    }
  }

  async function store(scope: string, key: string, token: string, status: number, text: string): Promise<void> {
    try {
      await db.query(`UPDATE idempotency_keys SET status_code = $4, response = $5, completed_at = now() WHERE scope = $1 AND key = $2 AND claim_token = $3`, [
        scope,
        key,
        token,
        status,
        text,
      ]);
    } catch (e) {
      // Never released: the write happened, and running it again on a retry would write it twice.
      log.error('storing an idempotent response failed', e);
    }
  }

  async function cleanUp(): Promise<void> {
    if (Date.now() - lastCleanup < CLEANUP_EVERY_MS) return;
    lastCleanup = Date.now();
    await db.query(`DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`, [IDEMPOTENCY_TTL_HOURS]);
  }

  return async (req: Request, res: Response, next: NextFunction) => {
    const key = req.get('idempotency-key');
    if (key === undefined || req.method !== 'POST') return next();
    if (!key.trim() || key.length > MAX_KEY_LENGTH) {
      return reject(res, 400, 'BAD_REQUEST', `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters.`);
    }
    const body = (req.body ?? {}) as GraphQLRequestBody;
    const document = mutationDocument(body);
    if (!document) return next(); // reads are safe to repeat as they are
    // The authentication middleware, which runs first, sets the actor.
    const scope = actorKey((res.locals.actor as Actor | undefined) ?? ANONYMOUS);
    const hash = requestFingerprint(body, document);
    let token: string | null = null;
    try {
      await cleanUp();
      // Twice: the running attempt may release the key between our claim and our look at it.
      for (let attempt = 0; attempt < 2; attempt++) {
        token = await claim(scope, key, hash);
        if (token) break;
        const [stored] = await db.query(`SELECT request_hash, status_code, response FROM idempotency_keys WHERE scope = $1 AND key = $2`, [scope, key]);
        if (!stored) continue;
        if (stored.request_hash !== hash) {
          return reject(res, 422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request. Use a new key for a new request.');
        }
        if (stored.response === null) {
          res.set('Retry-After', String(IN_PROGRESS_RETRY_AFTER_SECONDS));
          return reject(res, 409, 'IDEMPOTENCY_KEY_IN_PROGRESS', 'A request with this Idempotency-Key is still running. Retry after it finishes.');
        }
        res.status(stored.status_code).set('Idempotent-Replayed', 'true').type('application/json').send(stored.response);
        return;
      }
    } catch (e) {
      if (isDatabaseUnavailable(e)) return sendServiceUnavailable(res);
      return next(e);
    }
    if (!token) {
      res.set('Retry-After', String(IN_PROGRESS_RETRY_AFTER_SECONDS));
      return reject(res, 409, 'IDEMPOTENCY_KEY_IN_PROGRESS', 'A request with this Idempotency-Key is still running. Retry after it finishes.');
    }
    const claimToken = token;
    // Record the outcome before the client sees it, so that a request sent after this response never runs it again.
    const send = res.send.bind(res);
    let settled = false;
    res.send = (payload?: unknown) => {
      if (settled) return send(payload); // res.send(object) comes back here through res.json
      settled = true;
      const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : JSON.stringify(payload);
      const outcome = isFinal(res.statusCode, text) ? store(scope, key, claimToken, res.statusCode, text) : release(scope, key, claimToken);
      void outcome.finally(() => send(payload));
      return res;
    };
    next();
  };
}
