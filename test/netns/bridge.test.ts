import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, scenarioJson, stepArgs } from './helpers/cli.js';
import { matrixMismatches } from './helpers/flows.js';
import { rulesetSnapshot } from './helpers/ruleset.js';
import { CASES, checkScenarioCase, uniqueRunId } from './helpers/scenario-case.js';
import { buildTopology, type Topology } from './helpers/topology.js';

describe('bridge binding with bridge-nf-call-iptables=1 (bridged frames also reach iptables)', () => {
  let t: Topology;
  beforeAll(async () => {
    t = await buildTopology({ binding: 'bridge', bridgeNfCall: 1 });
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('should pass every flow before any rule (the topology works)', async () => {
    expect(await matrixMismatches(t, undefined)).toEqual([]);
  });

  for (const backend of ['nftables', 'iptables'] as const) {
    for (const c of CASES[backend]) {
      it(`should block exactly ${c.label} with ${backend} (${backend === 'nftables' ? 'bridge family' : 'physdev'}), IPv4 and IPv6, then restore everything`, async () => {
        await checkScenarioCase(t, backend, c);
      });
    }
  }
});

describe('bridge binding with bridge-nf-call-iptables=0 (iptables sees no bridged frame)', () => {
  let t: Topology;
  beforeAll(async () => {
    t = await buildTopology({ binding: 'bridge', bridgeNfCall: 0 });
  });
  afterAll(async () => {
    await t?.destroy();
  });

  for (const c of CASES.nftables) {
    it(`should block exactly ${c.label} with the nftables bridge family, then restore everything`, async () => {
      await checkScenarioCase(t, 'nftables', c);
    });
  }

  it('should refuse --backend iptables, saying why, and apply nothing', async () => {
    const netns = t.path('launcher');
    const before = rulesetSnapshot(netns);
    const scenario = scenarioJson({ ingress: true, egress: true, ports: [53], protocols: ['tcp', 'udp'] });
    const run = await runCli(stepArgs('inject', netns, uniqueRunId('refuse'), 'bridge', scenario, 'iptables'));
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'error: iptables cannot see the bridge guest\'s bridged frames here: net.bridge.bridge-nf-call-iptables is 0 (or br_netfilter is absent); net.bridge.bridge-nf-call-ip6tables is 0 (or br_netfilter is absent); rules there would leak everything. Use --backend nftables (the bridge family needs no br_netfilter)\n',
    );
    expect(run.result).toMatchObject({ step: 'inject', ok: false });
    expect(rulesetSnapshot(netns)).toBe(before);
  });

  it('should pick nftables with --backend auto', async () => {
    const netns = t.path('launcher');
    const runId = uniqueRunId('auto');
    const scenario = scenarioJson({ ingress: true, egress: true, ports: [53], protocols: ['tcp', 'udp'] });
    const inject = await runCli(stepArgs('inject', netns, runId, 'bridge', scenario, 'auto'));
    expect(inject.code).toBe(0);
    expect(inject.result).toMatchObject({ backend: 'nftables', objects: [`bridge vnf_${(inject.result?.objects as string[])[0]!.split('_')[1]}`] });
    expect((await runCli(stepArgs('rollback', netns, runId, 'bridge'))).code).toBe(0);
  });
});
