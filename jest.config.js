/** One embedded Postgres cluster per run (globalSetup), a fresh database per test file. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  setupFiles: ['reflect-metadata'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // A safety net for a hung test, not a deadline: CI is a busy 2-core machine, and tests wait for events, not clocks.
  testTimeout: 10 * 60_000,
  maxWorkers: 2,
};
