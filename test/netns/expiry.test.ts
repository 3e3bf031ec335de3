/**
 * Kernel-enforced expiry (issue 8): once a run's deadline passes, its rules stop matching by
 * themselves (nft set element timeouts; iptables `-m time --datestop`), with no process of ours
 * involved. Driven through the engine's API to get a deadline of seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan, netnsAt, planRules, removeRun, unixNow, type BackendName } from '../../steps/netfilter/index.js';
import { matrixMismatches, type FilterConfig } from './helpers/flows.js';
import { rulesetSnapshot } from './helpers/ruleset.js';
import { uniqueRunId } from './helpers/scenario-case.js';
import { buildTopology, type Topology } from './helpers/topology.js';

describe('kernel-enforced expiry', () => {
  let t: Topology;
  beforeAll(async () => {
    t = await buildTopology({ binding: 'masquerade' });
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('should stop blocking at the deadline with both backends, with no step running', async () => {
    const netns = netnsAt(t.path('launcher'));
    const before = rulesetSnapshot(t.path('launcher'));
    const now = unixNow();
    const expiresAt = now + 2;
    const runs: [BackendName, FilterConfig, string][] = [
      ['nftables', { ingress: true, egress: true, ports: [53], protocols: ['tcp', 'udp'] }, uniqueRunId('exp-nft')],
      ['iptables', { ingress: true, egress: true, ports: [80, 443], protocols: ['tcp', 'udp'] }, uniqueRunId('exp-ipt')],
    ];
    const plans = runs.map(([, c, runId]) =>
      planRules({
        binding: 'masquerade',
        attachments: [{ podIface: 'eth0', bridge: 'k6t-eth0', tap: 'tap0' }],
        ...c,
        tag: { runId, expiresAt, vmi: 'vnft/vm-a' },
      }),
    );
    await Promise.all(plans.map((plan, i) => applyPlan(netns, plan, runs[i]![0], now)));
    expect(await matrixMismatches(t, { ingress: true, egress: true, ports: [53, 80, 443], protocols: ['tcp', 'udp'] })).toEqual([]);

    // xt_time has second resolution: wait until a full second past the deadline.
    await new Promise((r) => setTimeout(r, Math.max(0, (expiresAt + 1) * 1000 - Date.now()) + 200));
    expect(await matrixMismatches(t, undefined)).toEqual([]);

    for (const plan of plans) expect((await removeRun(netns, plan.names)).removed.length).toBeGreaterThan(0);
    expect(rulesetSnapshot(t.path('launcher'))).toBe(before);
  });
});
