import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixMismatches } from './helpers/flows.js';
import { CASES, checkScenarioCase } from './helpers/scenario-case.js';
import { buildTopology, type Topology } from './helpers/topology.js';

describe('passt binding (a relay process with the launcher\'s own sockets: INPUT/OUTPUT, by uid)', () => {
  let t: Topology;
  beforeAll(async () => {
    t = await buildTopology({ binding: 'passt' });
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('should pass every flow before any rule (the topology works)', async () => {
    expect(await matrixMismatches(t, undefined)).toEqual([]);
  });

  for (const backend of ['nftables', 'iptables'] as const) {
    for (const c of CASES[backend]) {
      it(`should block exactly ${c.label} with ${backend}, sparing the launcher's own traffic, then restore everything`, async () => {
        await checkScenarioCase(t, backend, c);
      });
    }
  }
});
