import { defineConfig } from 'vitest/config';

// Two cores: test files run in two forks; integration tests start real Redis/Postgres/Chromium,
// so timeouts are generous while the assertions stay strict.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
