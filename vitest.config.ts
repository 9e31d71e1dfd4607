import { defineConfig } from 'vitest/config';

/**
 * Three tiers (see ARCHITECTURE.md §Tests):
 * - unit: `*.test.ts` beside the code, pure and fast;
 * - integration: `*.int.test.ts`, server in-process against PGlite and a real PostgreSQL;
 * - e2e: `e2e/*.e2e.test.ts`, the whole product in headless Chromium.
 * `scripts/test.mjs` prepares system packages and PostgreSQL, then runs them in that order.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['packages/*/src/**/*.int.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
