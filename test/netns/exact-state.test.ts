/**
 * State is exactly restored and exit codes say what is in the kernel (issue 18, part 4): sweep
 * never touches nor claims objects we did not create, a half-installed iptables run cannot go
 * unnoticed and a retried inject completes it, SIGTERM at any moment of inject leaves a status
 * matching the ruleset, and rollback leaves the ruleset byte-for-byte as before (tables and
 * chains counted). Real CLI processes against a masquerade launcher.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNames } from '../../steps/netfilter/index.js';
import { runCli, scenarioJson, stepArgs } from './helpers/cli.js';
import { rawRuleset } from './helpers/ruleset.js';
import { uniqueRunId } from './helpers/scenario-case.js';
import { buildTopology, type Topology } from './helpers/topology.js';

const DNS = { ingress: true, egress: true, ports: [53], protocols: ['tcp', 'udp'] };
const FAR_FUTURE = 4_000_000_000;

describe('exact state and honest exit codes', () => {
  let t: Topology;
  let netns: string;
  beforeAll(async () => {
    t = await buildTopology({ binding: 'masquerade' });
    netns = t.path('launcher');
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('should sweep only what it created and log only what it removed, leaving objects with a forged tag alone', async () => {
    const runId = uniqueRunId('sweep-real');
    expect((await runCli(stepArgs('inject', netns, runId, 'masquerade', scenarioJson(DNS), 'iptables'))).code).toBe(0);
    // Foreign objects named like ours, carrying a tag of ours that their names belie.
    const forged = 'vmi-network-filter run=forged expires=1 vmi=x/y';
    t.exec('launcher', ['nft', '-f', '-'], `table inet vnf_00000000beef {\n\tcomment "${forged}"\n\tchain c { }\n}\n`);
    t.exec('launcher', ['iptables', '-N', 'VNF-00000000beef-FWD']);
    t.exec('launcher', ['iptables', '-A', 'FORWARD', '-m', 'comment', '--comment', forged, '-j', 'VNF-00000000beef-FWD']);
    const withForged = rawRuleset(netns);

    const sweep = await runCli(['step', 'sweep', `--netns=${netns}`, `--now=${FAR_FUTURE}`]);
    expect(sweep.code).toBe(0);
    const chain = runNames(runId).chain('forward');
    expect(sweep.logs.filter((l) => String(l.msg).startsWith('removed')).map((l) => [l.msg, l.objects])).toEqual([[`removed expired run ${runId}`, [`ipv4 ${chain}`, `ipv6 ${chain}`]]]);
    expect(sweep.logs.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      `left inet vnf_00000000beef alone: not created by vmi-network-filter (its tag names run forged, whose table is ${runNames('forged').table})`,
      `left ipv4 VNF-00000000beef-FWD alone: not created by vmi-network-filter (its tag names run forged, whose chains are ${runNames('forged').chains.join(', ')})`,
    ]);
    const report = (sweep.result?.namespaces as Record<string, unknown>[])[0]!;
    expect(report.removed).toEqual([{ runId, expiresAt: expect.any(Number), objects: [`ipv4 ${chain}`, `ipv6 ${chain}`] }]);
    // The forged objects are exactly as they were; only our run is gone.
    const after = rawRuleset(netns);
    expect(after).toContain('table inet vnf_00000000beef');
    expect(after).toContain('chain VNF-00000000beef-FWD');
    expect(after).not.toContain(runNames(runId).hash);
    expect(withForged).toContain(runNames(runId).hash);

    t.exec('launcher', ['iptables', '-D', 'FORWARD', '-m', 'comment', '--comment', forged, '-j', 'VNF-00000000beef-FWD']);
    t.exec('launcher', ['iptables', '-X', 'VNF-00000000beef-FWD']);
    t.exec('launcher', ['nft', 'delete', 'table', 'inet', 'vnf_00000000beef']);
  });
});
