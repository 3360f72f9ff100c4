import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { Config } from '../core/config';
import { bearerToken, RememberedApiKeys } from '../core/credentials';
import { currentRequestId, log } from '../core/logger';
import { observePool, registry, type PoolCounts } from '../core/metrics';
import { authenticate } from './authenticate';
import { requestId } from './request-id';
import type { Actor } from '../core/actor';

function sameSecret(given: string, expected: string): boolean {
  // Hashing first gives equal lengths, so timingSafeEqual does not reveal the token's length.
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}

function refuse(status: number, message: string): RequestHandler {
  return (_req, res) => {
    res.status(status).set('WWW-Authenticate', 'Bearer realm="rapport-metrics"').json({ errors: [{ message, extensions: { code: status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN', requestId: currentRequestId() } }] });
  };
}

/**
 * Who may scrape /metrics (its series name operations and error rates, which is reconnaissance for an attacker):
 * - METRICS_TOKEN set: only `Authorization: Bearer <METRICS_TOKEN>` (what a Prometheus scrape config sends);
 * - unset in production: only an ADMIN API key or JWT, as for the API itself;
 * - unset in development: anyone who can reach the port.
 */
function metricsAccess(db: DataSource, config: Config, apiKeys?: RememberedApiKeys): RequestHandler[] {
  const token = config.metricsToken;
  if (token) {
    return [
      (req, res, next) => {
        const given = bearerToken(req.get('authorization'));
        if (typeof given === 'string' && sameSecret(given, token)) return next();
        refuse(401, 'Send `Authorization: Bearer <METRICS_TOKEN>` to read the metrics.')(req, res, next);
      },
    ];
  }
  if (!config.production) return [];
  return [
    authenticate(db, config, apiKeys),
    (req, res, next) => {
      const actor = res.locals.actor as Actor;
      if (actor.kind === 'principal' && actor.role === 'ADMIN') return next();
      refuse(403, 'Only ADMIN credentials may read the metrics (or set METRICS_TOKEN for a scraper).')(req, res, next);
    },
  ];
}

/** GET /metrics in Prometheus's text format, from our own registry; the request pool is what its gauges report. */
export function metricsEndpoint(db: DataSource, config: Config, apiKeys?: RememberedApiKeys): RequestHandler[] {
  observePool(() => {
    const pool = (db.driver as PostgresDriver | undefined)?.master as PoolCounts | undefined;
    return pool && typeof pool.totalCount === 'number' ? pool : null;
  });
  return [
    ...metricsAccess(db, config, apiKeys),
    async (_req, res, next) => {
      try {
        res.set('Content-Type', registry.contentType).send(await registry.metrics());
      } catch (e) {
        next(e);
      }
    },
  ];
}

/**
 * /metrics alone on its own port, for a worker started without the API (`npm run worker` with METRICS_PORT): its job
 * durations and webhook delivery outcomes are recorded in its own process, so only it can serve them. Same access
 * rules as the API's /metrics. Resolves with the server once it listens.
 */
export async function serveMetrics(db: DataSource, config: Config, port: number): Promise<Server> {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestId());
  app.get('/metrics', ...metricsEndpoint(db, config));
  app.use((_req, res) => {
    res.status(404).json({ errors: [{ message: 'Only /metrics is served here.', extensions: { code: 'NOT_FOUND' } }] });
  });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  log.info(`metrics at http://${config.host}:${(server.address() as AddressInfo).port}/metrics`);
  return server;
}
