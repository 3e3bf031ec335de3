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
    // Fails the run when a test leaves anything in the temporary directory.
    globalSetup: ['test/setup/tmp-leaks.ts'],
    setupFiles: ['test/setup/remove-temp-dirs.ts'],
    reporters: ['default'],
  },
});
