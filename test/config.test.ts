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
});
