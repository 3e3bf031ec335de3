import { defineConfig } from 'vitest/config';

// `npm run bench:fleet`: the fleet benchmark on the engine-test cluster (the same global setup
// as `npm run test:engines`: Kubernetes, Argo, Tekton built from their modules, started here).
export default defineConfig({
  test: {
    include: ['bench/fleet/fleet.measure.ts'],
    globalSetup: ['test/engines/setup/global-setup.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default'],
  },
});
