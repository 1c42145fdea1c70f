import { configDefaults, defineConfig } from 'vitest/config';

const ALL = ['tests/**/*.test.ts', 'tests/**/*.test.tsx'];
// Tests that train, load TF.js backends, spawn processes or drive a browser. Everything
// else is `fast` (`npm run test:fast`, well under a minute), so a new test directory
// lands there by default and the two projects always partition `npm test`.
const SLOW = ['tests/runtime/**', 'tests/presets/**', 'tests/cli/**', 'tests/e2e/**', 'tests/export/**', 'tests/meta/check.test.ts'];

export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Browser tests poll the page; on a loaded 2-core machine a second is too short.
    expect: { poll: { timeout: 10_000 } },
    projects: [
      { extends: true, test: { name: 'fast', include: ALL, exclude: [...configDefaults.exclude, ...SLOW] } },
      {
        extends: true,
        // One app build for every browser test file of the run.
        test: {
          name: 'slow',
          include: SLOW.map((p) => (p.endsWith('/**') ? `${p}/*.test.{ts,tsx}` : p)),
          globalSetup: ['tests/e2e/buildOnce.ts'],
        },
      },
    ],
  },
});
