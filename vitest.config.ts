import { defineConfig } from 'vitest/config';

/**
 * Test tiers, told apart by file name:
 * - unit: `*.test.ts` beside the source (pure rules, milliseconds)
 * - integration: `*.int.test.ts` (services and repositories on a real database: PGlite, or
 *   PostgreSQL when DATABASE_URL is set)
 * - e2e: `e2e/**` (a running server driven over HTTP)
 * - external: `*.external.test.ts` (reads ../shared/data/external; run by .ci/run, not by `npm test`)
 * - browser: `e2e/browser/**` (the dashboard in Debian's Chromium through playwright-core)
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.external.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['packages/*/src/**/*.int.test.ts'],
          globalSetup: ['packages/db/src/testing/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'external',
          include: ['packages/*/src/**/*.external.test.ts', 'e2e/**/*.external.test.ts'],
          globalSetup: ['packages/db/src/testing/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          exclude: ['e2e/**/*.external.test.ts', 'e2e/browser/**'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['e2e/browser/**/*.test.ts'],
          globalSetup: ['e2e/browser/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
