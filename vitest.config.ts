import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One file at a time: several suites start real processes (app replicas, PostgreSQL, Apache)
    // and the 200-setup test must not share two cores with them.
    pool: 'forks',
    maxWorkers: 1,
  },
});
