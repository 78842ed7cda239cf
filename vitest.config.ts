import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['test/setup-fast-check.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
