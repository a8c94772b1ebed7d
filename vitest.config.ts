import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/reliability/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start their own simulators on free ports; files run in parallel on 2 cores.
    maxWorkers: 2,
    pool: 'forks',
  },
});
