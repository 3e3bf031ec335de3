import { defineConfig } from 'vitest/config';

// `npm run test:engines`: the real-engine tests. One cluster (test/engines/setup/global-setup.ts)
// serves every file, so files run one after the other; each test waits on real controllers.
export default defineConfig({
  test: {
    include: ['test/engines/**/*.test.ts'],
    globalSetup: ['test/engines/setup/global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default'],
  },
});
