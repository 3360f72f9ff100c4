import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { Express } from 'express';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { RememberedApiKeys } from '../core/credentials';
import { migrationsApplied } from '../db/data-source';
import type { StatementTally } from '../db/statement-counter';
import type { Config } from '../core/config';
import { Context, createContext } from './context';
import { currentRequestId, log } from '../core/logger';
import { mountDashboard } from './dashboard/dashboard';
import { mountPlayground } from './playground';
import { getSchema } from './schema';
import { compiledExecution } from './compiled-execution';
import { costLimits, queryCost } from './cost';
import { requestTallyOf, statementLimitErrors, statementTracking } from './deadline';
import { corsPolicy, securityHeaders } from './http-security';
import { idempotency, KeyedRequest, keyedRequestOf } from './idempotency';
import { authenticate, requestActor } from './authenticate';
import { formatUnavailable, outageErrorHandler, outagePlugin } from './outage';
import { operationLimits } from './operation-limits';
import { requestId } from './request-id';
import { metricsEndpoint } from './metrics-endpoint';
import { graphqlRequestObservation, httpSpan, observationOf, operationObservation, RequestObservation, traceResolvers } from './observability';
import { CostThrottle, roleThrottleLimits, ThrottleLimitsFor } from './throttle';
import { NoSubscriptionsRule, nulGuard } from './input-guard';

interface RequestContext extends Context {
  tally: StatementTally;
  reportStatements: boolean;
  idempotency: KeyedRequest | null;
  observation: RequestObservation;
}

/**
 * Nothing internal (SQL, stack traces) reaches a client. Errors we raise on purpose carry an
 * extensions.code; anything else (Apollo labels it INTERNAL_SERVER_ERROR) is logged and masked.
 * Every error carries the request id (`extensions.requestId`), as every log line of the request does, so a partner
 * reporting any failure can name it.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const unavailable = formatUnavailable(formatted, error);
  if (unavailable) return unavailable;
  const code = formatted.extensions?.code as string | undefined;
  if (code && code !== 'INTERNAL_SERVER_ERROR') {
    const { stacktrace: _s, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions: { ...extensions, requestId: currentRequestId() } };
  }
  // Apollo's own request errors (a persisted-query hash that does not match its query, …) carry a 4xx status but no code.
  const status = (error instanceof GraphQLError ? (error.extensions?.http as { status?: number } | undefined)?.status : undefined) ?? 500;
  if (error instanceof GraphQLError && !error.extensions?.code && status >= 400 && status < 500) {
    return { message: formatted.message, extensions: { code: 'BAD_REQUEST', requestId: currentRequestId() } };
  }
  log.error(`internal error at ${formatted.path?.join('.') ?? '(request)'}`, (error as { originalError?: unknown })?.originalError ?? error);
  return {
    message: 'Internal server error',
    path: formatted.path,
    locations: formatted.locations,
    extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: currentRequestId() },
  };
}

/** Reports the request's SQL statement count in `extensions.sqlStatements` when asked (header x-rapport-sql-count). */
const statementReport: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        if (!contextValue.reportStatements || response.body.kind !== 'single') return;
        response.body.singleResult.extensions = { ...response.body.singleResult.extensions, sqlStatements: contextValue.tally.statements };
      },
    };
  },
};

export interface App {
  app: Express;
  stop(): Promise<void>;
}

export interface AppOptions {
  /** An API key the playground and dashboard pages put in their Authorization header (development only). */
  playgroundKey?: string | null;
  /** Limits per caller; by default per role from the config. A per-key override (a column on the API key) wraps this. */
  throttleLimits?: ThrottleLimitsFor;
  /** The app's clock in milliseconds (the throttle, remembered API keys): tests move it instead of waiting. */
  now?: () => number;
}

export async function createApp(db: DataSource, config: Config, options: AppOptions = {}): Promise<App> {
  const schema = await getSchema();
  traceResolvers(schema);
  const shape = operationLimits(config);
  const throttle = new CostThrottle(options.throttleLimits ?? roleThrottleLimits(config.throttle), options.now);
  const idempotent = idempotency(db, config);
  // Authenticated keys are remembered while a connection of its own hears of every change to a key (see RememberedApiKeys).
  const apiKeys = new RememberedApiKeys(() => new Client((db.driver as PostgresDriver).master.options), options.now);
  await apiKeys.start();
  const apollo = new ApolloServer<RequestContext>({
    gateway: compiledExecution(schema, config.graphqlExecution),
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: config.introspection,
    parseOptions: shape.parseOptions,
    // main.ts owns shutdown (HTTP, then Apollo, then the pool, then Postgres), so Apollo must not race it.
    stopOnTerminationSignals: false,
    validationRules: [...shape.validationRules, NoSubscriptionsRule],
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // Apollo installs cache control by default and wraps every field resolver for it; nothing here sets cache hints.
      ApolloServerPluginCacheControlDisabled(),
      statementReport,
      ...shape.plugins,
      statementLimitErrors,
      queryCost<RequestContext>(schema, costLimits(config), throttle),
      outagePlugin(),
      nulGuard(),
      // Claims a mutation's Idempotency-Key in responseForOperation: after every plugin's didResolveOperation has let it through.
      idempotent.plugin<RequestContext>(),
      // Last: reads the cost and the formatted errors the plugins above put in the response.
      operationObservation<RequestContext>(),
    ],
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  app.use(requestId());
  app.use(httpSpan());
  app.use(securityHeaders());
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await db.query('SELECT 1');
      const migrated = await migrationsApplied(db);
      res.status(migrated ? 200 : 503).json({ status: migrated ? 'ready' : 'migrations pending', database: 'up', migrations: migrated ? 'applied' : 'pending' });
    } catch {
      res.status(503).json({ status: 'database unreachable', database: 'down' });
    }
  });
  app.get('/metrics', ...metricsEndpoint(db, config, apiKeys));
  mountPlayground(app, options.playgroundKey ?? null);
  mountDashboard(app, options.playgroundKey ?? null);
  app.use(
    '/graphql',
    graphqlRequestObservation(),
    corsPolicy(config),
    express.json({ limit: '5mb' }),
    authenticate(db, config, apiKeys),
    idempotent.middleware,
    // An Idempotency-Key's claim (in Apollo) and the storing of its outcome (as Apollo answers) run inside the tally: they are the request's statements.
    statementTracking(db),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => ({
        ...createContext(db, config, requestActor(res), (res.locals.requestId as string | undefined) ?? null),
        tally: requestTallyOf(req),
        reportStatements: req.headers['x-rapport-sql-count'] === '1',
        idempotency: keyedRequestOf(res),
        observation: observationOf(res),
      }),
    }),
  );
  app.use(outageErrorHandler);
  // Malformed JSON bodies and the like are the client's fault: 400 with a code, never a 500 page.
  app.use((err: Error & { status?: number; type?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(err);
    const status = err.status && err.status < 500 ? err.status : 500;
    if (status === 500) log.error('unhandled error', err);
    const extensions = { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST', requestId: res.locals.requestId as string | undefined };
    res.status(status).json({ errors: [{ message: status === 500 ? 'Internal server error' : err.message, extensions }] });
  });
  return {
    app,
    stop: async () => {
      await apollo.stop();
      await apiKeys.stop();
    },
  };
}
