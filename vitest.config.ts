import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The real-engine tests need the cluster of their own config (vitest.engines.config.ts).
    exclude: ['test/engines/**', '**/node_modules/**'],
    // Real processes, network namespaces and HTTP servers: generous timeouts, forked workers.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
