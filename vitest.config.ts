import { defineConfig } from 'vitest/config';

/**
 * unit: pure logic. Integration tests (*.int.test.ts) run once per database target: embedded
 * PostgreSQL always, and the server at TEST_DATABASE_URL when it is set. Each run works in
 * databases of its own, created and dropped by test/support.
 */
const integration = ['src/**/*.int.test.ts', 'test/**/*.int.test.ts', 'demo/**/*.int.test.ts'];
const target = (name: 'embedded' | 'server') => ({
  extends: true as const,
  test: {
    name,
    include: integration,
    globalSetup: ['test/support/global-setup.ts'],
    env: { MINGDE_TEST_TARGET: name },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'demo/**/*.test.ts'],
          exclude: [...integration, 'test/e2e/**', 'node_modules/**'],
          testTimeout: 60_000,
        },
      },
      target('embedded'),
      ...(process.env.TEST_DATABASE_URL ? [target('server')] : []),
      {
        // Browser journeys: the built console against the API on embedded PostgreSQL, in Debian's chromium.
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts', 'test/support/web-setup.ts'],
          env: { MINGDE_TEST_TARGET: 'embedded' },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
