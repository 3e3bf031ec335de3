import { expect, it } from 'vitest';
import { runCli, scenarioJson, stepArgs } from './helpers/cli.js';
import { rulesetSnapshot } from './helpers/ruleset.js';
import { describeMatrix, uniqueRunId } from './helpers/scenario-case.js';

describeMatrix('bridge binding, bridge-nf-call-iptables=1 (nftables bridge family; iptables physdev)', { binding: 'bridge', bridgeNfCall: 1 }, ['nftables', 'iptables']);

describeMatrix('bridge binding, bridge-nf-call-iptables=0 (iptables sees no bridged frame)', { binding: 'bridge', bridgeNfCall: 0 }, ['nftables'], (topology) => {
  const dns = scenarioJson({ ingress: true, egress: true, ports: [53], protocols: ['tcp', 'udp'] });

  it('should refuse --backend iptables, saying why, and apply nothing', async () => {
    const netns = topology().path('launcher');
    const before = rulesetSnapshot(netns);
    const run = await runCli(stepArgs('inject', netns, uniqueRunId('refuse'), 'bridge', dns, 'iptables'));
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "error: iptables cannot see the bridge guest's bridged frames here: net.bridge.bridge-nf-call-iptables is 0 (or br_netfilter is absent); net.bridge.bridge-nf-call-ip6tables is 0 (or br_netfilter is absent); rules there would leak everything. Use --backend nftables (the bridge family needs no br_netfilter)\n",
    );
    expect(run.result).toMatchObject({ step: 'inject', ok: false });
    expect(rulesetSnapshot(netns)).toBe(before);
  });

  it('should pick the nftables bridge family with --backend auto', async () => {
    const netns = topology().path('launcher');
    const runId = uniqueRunId('auto');
    const inject = await runCli(stepArgs('inject', netns, runId, 'bridge', dns, 'auto'));
    expect(inject.code).toBe(0);
    expect(inject.result).toMatchObject({ backend: 'nftables' });
    expect((inject.result?.objects as string[])[0]).toMatch(/^bridge vnf_[0-9a-f]{12}$/);
    expect((await runCli(stepArgs('rollback', netns, runId, 'bridge'))).code).toBe(0);
  });
});
