import { defineConfig } from 'vitest/config';

// `npm run test:reliability`: fault-injection and security scenarios (issue 7). Each file starts its
// own simulator(s) and gateway; files run one after another so that timing and memory measurements
// of one scenario are not disturbed by another, and CI's 2 cores are not oversubscribed.
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    // Scenario 3 compares heap usage after a forced GC.
    execArgv: ['--expose-gc'],
    // Clears test/.tmp/reliability before the run and prints the summary report after it.
    globalSetup: ['test/reliability/support/global-setup.ts'],
    // ESXGATE_SABOTAGE=<fault> breaks an invariant on purpose (see the file) to prove the tests catch it.
    setupFiles: ['test/reliability/support/sabotage.ts'],
  },
});
