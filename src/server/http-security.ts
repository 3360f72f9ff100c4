import cors from 'cors';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { Config } from '../core/config';
import { PLAYGROUND_ASSETS } from './playground';

/**
 * A JSON API loads nothing, so its responses get the strictest policy. The playground and dashboard pages set
 * their own (src/server/playground.ts, src/server/dashboard/dashboard.ts), and the playground's assets get none:
 * Monaco's worker scripts run under the policy of their own response, and they are ours.
 */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** helmet's headers on every response (HSTS, nosniff, frame and referrer policies, …) with the policy above. */
export function securityHeaders(): RequestHandler[] {
  return [
    helmet({ contentSecurityPolicy: false }),
    (req, res, next) => {
      if (!req.path.startsWith(PLAYGROUND_ASSETS)) res.setHeader('Content-Security-Policy', API_CSP);
      next();
    },
  ];
}

/**
 * Browser apps on the origins in CORS_ORIGINS may call /graphql; with none, only same-origin pages can (the
 * playground). Credentials travel in Authorization, never in cookies, so no credentialed CORS is needed.
 */
export function corsPolicy(config: Config): RequestHandler {
  const origins = config.corsOrigins;
  return cors({
    origin: origins.includes('*') ? '*' : origins.length ? origins : false,
    methods: ['GET', 'POST'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
    exposedHeaders: ['Idempotent-Replayed', 'Retry-After', 'X-Request-Id'],
    maxAge: 600,
  });
}
