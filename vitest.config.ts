import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores on CI: files run in parallel forks, tests inside a file in order.
    pool: 'forks',
    maxWorkers: 2,
  },
});
