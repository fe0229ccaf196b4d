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
    // One worker process for every file, not a fresh one per file: forking and importing the app
    // anew for each of ~90 files was 180 of the suite's 490 s. Every file starts and stops its own
    // servers and emulators, so no state is shared that a file does not set up itself.
    isolate: false,
  },
});
