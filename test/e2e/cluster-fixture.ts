/**
 * One emulated cluster per e2e test file: built before its tests, destroyed after them. After
 * each test, rule sets of ours left in any launcher are deleted and every VMI is reset, so a
 * failed test cannot make the next one fail too.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { sh } from '../netns/helpers/topology.js';
import { snapshotLaunchers } from './e2e-harness.js';
import { buildCluster, type EmulatedCluster } from './emulated-cluster.js';

export interface ClusterFixture {
  cluster: EmulatedCluster;
  /** Every launcher's ruleset before any run: what each test must leave behind. */
  initial: Map<string, string>;
}

/** Registers the hooks; the returned object is filled once the cluster is built. */
export function useEmulatedCluster(): ClusterFixture {
  const fixture = {} as ClusterFixture;
  beforeAll(async () => {
    fixture.cluster = await buildCluster();
    fixture.initial = snapshotLaunchers(fixture.cluster);
  });
  afterAll(async () => {
    await fixture.cluster?.destroy();
  });
  afterEach(() => {
    for (const path of fixture.cluster.launcherPaths) {
      for (const line of sh(['nsenter', `--net=${path}`, '--', 'nft', 'list', 'tables']).split('\n')) {
        const m = /^table (\w+) (vnf_\w+)$/.exec(line.trim());
        if (m) sh(['nsenter', `--net=${path}`, '--', 'nft', 'delete', 'table', m[1]!, m[2]!]);
      }
    }
    for (const v of fixture.cluster.vmis) fixture.cluster.resetVmi(v);
  });
  return fixture;
}
