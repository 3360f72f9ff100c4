import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { DataSource } from 'typeorm';
import type { Actor } from '../core/actor';
import type { Config } from '../core/config';
import { currentRequestId } from '../core/logger';
import { actorForApiKey, API_KEY_PREFIX, AuthenticationError, bearerToken, JwtVerifier, RememberedApiKeys } from '../core/credentials';

function refuse(res: Response, message: string): void {
  res
    .status(401)
    .set('WWW-Authenticate', 'Bearer realm="rapport"')
    .json({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED', requestId: currentRequestId() } }] });
}

/** The request's actor, set by `authenticate`. */
export function requestActor(res: Response): Actor {
  return res.locals.actor as Actor;
}

/**
 * Every GraphQL request needs `Authorization: Bearer <API key or JWT>`; without valid credentials it is
 * answered 401 UNAUTHENTICATED before anything else runs. The actor goes to `res.locals.actor`. With `apiKeys`, keys
 * this process has authenticated are remembered while it hears of every change to a key.
 */
export function authenticate(db: DataSource, config: Config, apiKeys?: RememberedApiKeys): RequestHandler {
  const jwt = config.jwt ? new JwtVerifier(config.jwt) : null;
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = bearerToken(req.get('authorization'));
    if (token === undefined) return refuse(res, 'Authentication required: send `Authorization: Bearer <API key or token>`.');
    if (token === null) return refuse(res, 'The Authorization header must be `Bearer <API key or token>`.');
    try {
      let actor: Actor | null = null;
      if (token.startsWith(API_KEY_PREFIX)) {
        actor = apiKeys ? await apiKeys.actorFor(db, token) : await actorForApiKey(db, token);
        if (!actor) return refuse(res, 'This API key is not valid: unknown, revoked or expired.');
      } else if (jwt) {
        actor = await jwt.actor(token, db);
      } else {
        return refuse(res, 'This server accepts API keys only (they start with `rpk_`).');
      }
      res.locals.actor = actor;
      next();
    } catch (e) {
      if (e instanceof AuthenticationError) return refuse(res, e.message);
      next(e);
    }
  };
}
