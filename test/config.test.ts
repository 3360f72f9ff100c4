import { parseCrontab } from 'graphile-worker';
import { CRONTAB } from '../src/server/worker';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/core/config';

describe('configuration', () => {
  it('uses the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ databaseUrl: null, port: 4000, demoData: true, baseCurrency: 'USD', maxQueryCost: 50000 });
    expect(config.dataDir).toBe(path.resolve('.data'));
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DEMO_DATA: 'maybe', BASE_CURRENCY: 'dollars', DATABASE_URL: 'mysql://x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringContaining('DATABASE_URL'),
      expect.stringContaining('BASE_CURRENCY'),
      expect.stringContaining('PORT'),
      expect.stringContaining('DEMO_DATA'),
    ]);
  });

  it('bounds database waits, idempotency claims and shutdown drains, and refuses a duration that is not positive', () => {
    expect(loadConfig({})).toMatchObject({ poolWaitTimeoutMs: 5000, idempotencyClaimTimeoutMs: 60_000, shutdownGraceMs: 10_000 });
    expect(loadConfig({ POOL_WAIT_TIMEOUT_MS: '250', IDEMPOTENCY_CLAIM_TIMEOUT_MS: '5000', SHUTDOWN_GRACE_MS: '30000' })).toMatchObject({
      poolWaitTimeoutMs: 250,
      idempotencyClaimTimeoutMs: 5000,
      shutdownGraceMs: 30_000,
    });
    expect(() => loadConfig({ POOL_WAIT_TIMEOUT_MS: '0', IDEMPOTENCY_CLAIM_TIMEOUT_MS: 'soon', SHUTDOWN_GRACE_MS: '-1' })).toThrow(
      /IDEMPOTENCY_CLAIM_TIMEOUT_MS[\s\S]*SHUTDOWN_GRACE_MS[\s\S]*POOL_WAIT_TIMEOUT_MS/,
    );
  });

  it('reads the limits with their documented defaults, per-role throttle overrides, and names bad values', () => {
    expect(loadConfig({})).toMatchObject({
      requestTimeoutMs: 15_000,
      poolWaitTimeoutMs: 5_000,
      maxQueryDepth: 15,
      maxQueryAliases: 30,
      maxQueryDirectives: 20,
      maxQueryTokens: 10_000,
      maxSearchLength: 200,
      maxFilterNodes: 100,
      maxFilterDepth: 8,
      introspection: true,
      graphqlExecution: 'compiled',
      corsOrigins: [],
      throttle: { bucketSize: 100_000, restoreRate: 5_000, byRole: {} },
    });
    expect(loadConfig({ NODE_ENV: 'production' }).introspection).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', INTROSPECTION: 'true' }).introspection).toBe(true);
    expect(loadConfig({ GRAPHQL_EXECUTION: 'graphql-js' }).graphqlExecution).toBe('graphql-js');
    expect(() => loadConfig({ GRAPHQL_EXECUTION: 'jit' })).toThrow('GRAPHQL_EXECUTION must be one of compiled, graphql-js, got "jit"');
    expect(loadConfig({ THROTTLE_PARTNER_RESTORE_RATE: '0.5', THROTTLE_ANONYMOUS_BUCKET_SIZE: '500', CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' })).toMatchObject({
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      throttle: { byRole: { PARTNER: { restoreRate: 0.5 }, ANONYMOUS: { bucketSize: 500 } } },
    });

    let error: unknown;
    try {
      loadConfig({ REQUEST_TIMEOUT_MS: 'soon', MAX_QUERY_DEPTH: '0', CORS_ORIGINS: 'https://app.example.com/path', THROTTLE_ANALYST_BUCKET_SIZE: '-1' });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems).toEqual([
      expect.stringContaining('REQUEST_TIMEOUT_MS'),
      expect.stringContaining('MAX_QUERY_DEPTH'),
      expect.stringContaining('CORS_ORIGINS'),
      expect.stringContaining('THROTTLE_ANALYST_BUCKET_SIZE'),
    ]);
  });
});

describe('job schedules', () => {
  it('parse as graphile-worker crontab lines, each with its own id', () => {
    const items = parseCrontab(CRONTAB);
    expect(items.map((i) => i.identifier)).toEqual(['new_day', 'hourly_rescore', 'hourly_refit', 'escalate_overdue', 'expire_loyalty_points', 'launch_due_campaigns', 'schedule_survey_tasks']);
    expect(new Set(items.map((i) => i.task))).toEqual(new Set(['rescore_stale_customers', 'fit_customer_model', 'escalate_overdue_complaints', 'expire_loyalty_points', 'launch_due_campaigns', 'schedule_survey_tasks']));
  });
});
