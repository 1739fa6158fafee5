/** One dev server per run (test/global-setup.ts), a time-skipping server per file that needs one; files run in parallel. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // tsconfig.json sets isolatedModules, so ts-jest compiles each file alone, without type-checking it
  // again in every jest worker: `make typecheck` checks the tests and everything else once.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  setupFiles: ['<rootDir>/test/setup-logging.ts'],
  testTimeout: 120_000,
  maxWorkers: 2,
  // The fault test waits on a calendar: it starts first (jest.sequencer.js).
  testSequencer: '<rootDir>/jest.sequencer.js',
};
