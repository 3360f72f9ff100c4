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
    expect(loadConfig({})).toMatchObject({ dbConnectTimeoutMs: 5000, idempotencyClaimTimeoutMs: 60_000, shutdownGraceMs: 10_000 });
    expect(loadConfig({ DB_CONNECT_TIMEOUT_MS: '250', IDEMPOTENCY_CLAIM_TIMEOUT_MS: '5000', SHUTDOWN_GRACE_MS: '30000' })).toMatchObject({
      dbConnectTimeoutMs: 250,
      idempotencyClaimTimeoutMs: 5000,
      shutdownGraceMs: 30_000,
    });
    expect(() => loadConfig({ DB_CONNECT_TIMEOUT_MS: '0', IDEMPOTENCY_CLAIM_TIMEOUT_MS: 'soon', SHUTDOWN_GRACE_MS: '-1' })).toThrow(
      /DB_CONNECT_TIMEOUT_MS[\s\S]*IDEMPOTENCY_CLAIM_TIMEOUT_MS[\s\S]*SHUTDOWN_GRACE_MS/,
    );
  });
});
