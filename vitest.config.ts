import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Browser tests poll the page; on a loaded 2-core machine a second is too short.
    expect: { poll: { timeout: 10_000 } },
  },
});
