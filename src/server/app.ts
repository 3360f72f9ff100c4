import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { Express } from 'express';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import type { DataSource } from 'typeorm';
import { migrationsApplied } from '../db/data-source';
import { StatementTally, withStatementTally } from '../db/statement-counter';
import type { Config } from '../core/config';
import { Context, createContext } from './context';
import { log } from '../core/logger';
import { mountPlayground } from './playground';
import { getSchema } from './schema';
import { queryCost } from './cost';
import { idempotency } from './idempotency';
import { NoSubscriptionsRule, nulGuard } from './input-guard';

interface RequestContext extends Context {
  tally: StatementTally;
  reportStatements: boolean;
}

/**
 * Nothing internal (SQL, stack traces) reaches a client. Errors we raise on purpose carry an
 * extensions.code; anything else (Apollo labels it INTERNAL_SERVER_ERROR) is logged and masked.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.code as string | undefined;
  if (code && code !== 'INTERNAL_SERVER_ERROR') {
    const { stacktrace: _s, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  // Apollo's own request errors (a persisted-query hash that does not match its query, …) carry a 4xx status but no code.
  const status = (error instanceof GraphQLError ? (error.extensions?.http as { status?: number } | undefined)?.status : undefined) ?? 500;
  if (error instanceof GraphQLError && !error.extensions?.code && status >= 400 && status < 500) {
    return { message: formatted.message, extensions: { code: 'BAD_REQUEST' } };
  }
  log.error(`internal error at ${formatted.path?.join('.') ?? '(request)'}`, (error as { originalError?: unknown })?.originalError ?? error);
  return { message: 'Internal server error', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
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

export async function createApp(db: DataSource, config: Config): Promise<App> {
  const schema = await getSchema();
  const apollo = new ApolloServer<RequestContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // main.ts owns shutdown (HTTP, then Apollo, then the pool, then Postgres), so Apollo must not race it.
    stopOnTerminationSignals: false,
    validationRules: [NoSubscriptionsRule],
    plugins: [ApolloServerPluginLandingPageDisabled(), statementReport, queryCost(schema, config.maxQueryCost), nulGuard()],
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
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
  mountPlayground(app);
  app.use(
    '/graphql',
    express.json({ limit: '5mb' }),
    idempotency(db),
    (req, res, next) => {
      const tally: StatementTally = { statements: 0 };
      (req as unknown as { tally: StatementTally }).tally = tally;
      withStatementTally(tally, () => next());
    },
    expressMiddleware(apollo, {
      context: async ({ req }) => ({
        ...createContext(db, config),
        tally: (req as unknown as { tally: StatementTally }).tally,
        reportStatements: req.headers['x-rapport-sql-count'] === '1',
      }),
    }),
  );
  // Malformed JSON bodies and the like are the client's fault: 400 with a code, never a 500 page.
  app.use((err: Error & { status?: number; type?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(err);
    const status = err.status && err.status < 500 ? err.status : 500;
    if (status === 500) log.error('unhandled error', err);
    res.status(status).json({ errors: [{ message: status === 500 ? 'Internal server error' : err.message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }] });
  });
  return { app, stop: () => apollo.stop() };
}
