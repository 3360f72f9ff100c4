import { createHash, randomUUID } from 'node:crypto';
import { HeaderMap } from '@apollo/server';
import type { ApolloServerPlugin, GraphQLResponse } from '@apollo/server';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { getVariableValues, parse, print } from 'graphql';
import type { DocumentNode, FormattedExecutionResult } from 'graphql';
import type { DataSource } from 'typeorm';
import { actorKey } from '../core/actor';
import type { Actor } from '../core/actor';
import type { Config } from '../core/config';
import { currentRequestId, log } from '../core/logger';
import { isDatabaseUnavailable } from '../db/unavailable';
import { RETRY_AFTER_SECONDS, SERVICE_UNAVAILABLE, unavailableResult } from './outage';

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
 * - The key is claimed only once the operation has passed every check that can refuse it (parsing, the shape
 *   limits, the NUL guard, cost, the throttle, its variables' types): a refusal runs no SQL, and the retry of a
 *   refused request runs as if it were the first. So a replay, a 409 and a 422 pay the operation's cost too.
 *   Hence two halves: an Express middleware that checks the header and holds the answer back until its outcome
 *   is stored, and an Apollo plugin that claims the key between those checks and execution.
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
  res.status(status).json({ errors: [{ message, extensions: { code, requestId: currentRequestId() } }] });
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
  // A throttled request (429) is refused before its claim; were one ever claimed, nothing ran and the retry must run it.
  if (status >= 500 || status === 429) return false;
  try {
    const errors = (JSON.parse(text) as { errors?: Array<{ extensions?: { code?: unknown } }> }).errors ?? [];
    return !errors.some((e) => UNFINISHED_CODES.has(String(e.extensions?.code)));
  } catch {
    return true;
  }
}

/** A request's Idempotency-Key on its way through: the middleware reads it, the plugin claims it, the answer settles it. */
export interface KeyedRequest {
  readonly key: string;
  /** Set when the plugin claimed the key: the answer is stored under it, or the key released. */
  claim?: { scope: string; token: string };
  /** Set when the key already holds an answer: that answer is sent, byte for byte as it was stored. */
  replay?: string;
}

/** The request's Idempotency-Key, for the GraphQL context; null without one. */
export function keyedRequestOf(res: Response): KeyedRequest | null {
  return (res.locals.idempotency as KeyedRequest | undefined) ?? null;
}

export interface IdempotencyContext {
  actor: Actor;
  idempotency: KeyedRequest | null;
}

export interface Idempotency {
  /** Express, after authentication and before Apollo: checks the header, and keeps the answer back until its outcome is stored. */
  middleware: RequestHandler;
  /** Apollo: claims the key once the operation has passed every check (shape, cost, throttle, input), just before it runs. */
  plugin<TContext extends IdempotencyContext>(): ApolloServerPlugin<TContext>;
}

function answer(status: number, code: string, message: string, headers: Array<[string, string]> = []): GraphQLResponse {
  return { http: { status, headers: new HeaderMap(headers) }, body: { kind: 'single', singleResult: { errors: [{ message, extensions: { code } }] } } };
}

const inProgress = (): GraphQLResponse =>
  answer(409, 'IDEMPOTENCY_KEY_IN_PROGRESS', 'A request with this Idempotency-Key is still running. Retry after it finishes.', [
    ['retry-after', String(IN_PROGRESS_RETRY_AFTER_SECONDS)],
  ]);

export function idempotency(db: DataSource, config: Pick<Config, 'idempotencyClaimTimeoutMs'>): Idempotency {
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

  /** Claims the key for this request (null: run it), or answers with what the key already holds. */
  async function claimOrAnswer(keyed: KeyedRequest, scope: string, hash: string): Promise<GraphQLResponse | null> {
    await cleanUp();
    // Twice: the running attempt may release the key between our claim and our look at it.
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await claim(scope, keyed.key, hash);
      if (token) {
        keyed.claim = { scope, token };
        return null;
      }
      const [stored] = await db.query(`SELECT request_hash, status_code, response FROM idempotency_keys WHERE scope = $1 AND key = $2`, [scope, keyed.key]);
      if (!stored) continue;
      if (stored.request_hash !== hash) {
        return answer(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request. Use a new key for a new request.');
      }
      if (stored.response === null) return inProgress();
      keyed.replay = stored.response as string;
      // Apollo gets the stored answer too, and adds this request's cost to its copy; the middleware sends the stored text.
      return {
        http: { status: stored.status_code as number, headers: new HeaderMap([['idempotent-replayed', 'true']]) },
        body: { kind: 'single', singleResult: JSON.parse(keyed.replay) as FormattedExecutionResult },
      };
    }
    return inProgress();
  }

  const middleware: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    const key = req.get('idempotency-key');
    if (key === undefined || req.method !== 'POST') return next();
    if (!key.trim() || key.length > MAX_KEY_LENGTH) {
      return reject(res, 400, 'BAD_REQUEST', `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters.`);
    }
    const keyed: KeyedRequest = { key };
    res.locals.idempotency = keyed;
    // Record the outcome before the client sees it, so that a request sent after this response never runs it again.
    const send = res.send.bind(res);
    let settled = false;
    res.send = (payload?: unknown) => {
      if (settled) return send(payload); // res.send(object) comes back here through res.json
      settled = true;
      if (keyed.replay !== undefined) return send(keyed.replay);
      if (!keyed.claim) return send(payload); // refused before the claim, a query, or no claim to be had
      const { scope, token } = keyed.claim;
      const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : JSON.stringify(payload);
      const outcome = isFinal(res.statusCode, text) ? store(scope, key, token, res.statusCode, text) : release(scope, key, token);
      void outcome.finally(() => send(payload));
      return res;
    };
    next();
  };

  function plugin<TContext extends IdempotencyContext>(): ApolloServerPlugin<TContext> {
    return {
      async requestDidStart() {
        return {
          // Runs after every plugin's didResolveOperation: the operation has passed its limits, its cost and the
          // throttle, so a request refused for any of those has run no SQL and holds no key.
          async responseForOperation({ contextValue, operation, document, request, schema }) {
            const keyed = contextValue.idempotency;
            // Apollo gets here without an operation when operationName names none; execution answers that.
            if (!keyed || operation?.operation !== 'mutation') return null; // reads are safe to repeat as they are
            // Variables that do not fit their types are refused by execution before any resolver runs: no claim for them either.
            if (getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {}).errors) return null;
            try {
              return await claimOrAnswer(keyed, actorKey(contextValue.actor), requestFingerprint(request, document));
            } catch (e) {
              if (!isDatabaseUnavailable(e)) throw e;
              log.warn(`database unavailable while claiming an idempotency key: ${(e as Error)?.message}`);
              return { http: { status: 503, headers: new HeaderMap([['retry-after', String(RETRY_AFTER_SECONDS)]]) }, body: { kind: 'single', singleResult: unavailableResult() } };
            }
          },
        };
      },
    };
  }

  return { middleware, plugin };
}
