/**
 * One scenario, end to end against a topology, with the real CLI: inject, real traffic, verify
 * (counters), rollback, real traffic again, and the namespace's ruleset back to its state
 * before inject. The matrix tests run a few of these per binding and backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, scenarioJson, stepArgs } from './cli.js';
import { matrixMismatches, type FilterConfig } from './flows.js';
import { rulesetSnapshot } from './ruleset.js';
import { buildTopology, type Topology, type TopologyOptions } from './topology.js';

export interface ScenarioCase extends FilterConfig {
  readonly label: string;
}

/**
 * Cases chosen pairwise: per backend, each direction (both, egress only, ingress only) once,
 * specific and all ports, one and both protocols; across the two backends every direction
 * meets both port modes.
 */
export const CASES: Record<'nftables' | 'iptables', readonly ScenarioCase[]> = {
  nftables: [
    { label: 'both directions, port 53, tcp+udp', ingress: true, egress: true, ports: [53], protocols: ['tcp', 'udp'] },
    { label: 'egress only, all ports, tcp+udp', ingress: false, egress: true, ports: [], protocols: ['tcp', 'udp'] },
    { label: 'ingress only, ports 53+80, tcp', ingress: true, egress: false, ports: [53, 80], protocols: ['tcp'] },
  ],
  iptables: [
    { label: 'both directions, all ports, tcp+udp', ingress: true, egress: true, ports: [], protocols: ['tcp', 'udp'] },
    { label: 'egress only, ports 53+443, tcp+udp', ingress: false, egress: true, ports: [53, 443], protocols: ['tcp', 'udp'] },
    { label: 'ingress only, all ports, udp', ingress: true, egress: false, ports: [], protocols: ['udp'] },
  ],
};

let runs = 0;
/** A run id unique to this test process. */
export function uniqueRunId(label: string): string {
  return `${label}-${process.pid}-${runs++}`;
}

/** Runs `c` against `t`'s launcher with `backend` and asserts every step of the lifecycle. */
export async function checkScenarioCase(t: Topology, backend: 'nftables' | 'iptables', c: ScenarioCase): Promise<void> {
  const netns = t.path('launcher');
  const before = rulesetSnapshot(netns);
  const runId = uniqueRunId(`${t.binding}-${backend}`);
  const scenario = scenarioJson(c);

  const inject = await runCli(stepArgs('inject', netns, runId, t.binding, scenario, backend));
  expect(inject.stderr).toBe('');
  expect(inject.code).toBe(0);
  expect(inject.result).toMatchObject({ step: 'inject', ok: true, backend, runId });

  expect(await matrixMismatches(t, c)).toEqual([]);

  const verify = await runCli(stepArgs('verify', netns, runId, t.binding, scenario, backend));
  expect(verify.code).toBe(0);
  const check = (verify.result?.checks as { name: string; ok: boolean; data: { counters: { id: string; packets: number }[] } }[])[0]!;
  expect(check).toMatchObject({ name: 'netfilter', ok: true });
  // The probes just ran into these rules: their counters must show it.
  for (const direction of ['ingress', 'egress'] as const) {
    if (!c[direction]) continue;
    const packets = check.data.counters.filter((x) => x.id.startsWith(direction)).reduce((s, x) => s + x.packets, 0);
    expect(packets, `${direction} counters`).toBeGreaterThan(0);
  }

  const rollback = await runCli(stepArgs('rollback', netns, runId, t.binding));
  expect(rollback.code).toBe(0);
  expect((rollback.result?.removed as string[]).length).toBeGreaterThan(0);

  expect(await matrixMismatches(t, undefined)).toEqual([]);
  expect(rulesetSnapshot(netns)).toBe(before);
}

/**
 * A suite on one topology: the baseline (every flow passes before any rule), then `CASES` of
 * each backend, then `more` (tests of their own, given the topology).
 */
export function describeMatrix(title: string, options: TopologyOptions, backends: readonly ('nftables' | 'iptables')[], more?: (topology: () => Topology) => void): void {
  describe(title, () => {
    let t: Topology;
    beforeAll(async () => {
      t = await buildTopology(options);
    });
    afterAll(async () => {
      await t?.destroy();
    });

    it('should pass every flow before any rule (the topology works)', async () => {
      expect(await matrixMismatches(t, undefined)).toEqual([]);
    });

    for (const backend of backends) {
      for (const c of CASES[backend]) {
        it(`should block exactly ${c.label} with ${backend}, IPv4 and IPv6, sparing every other flow, then restore everything`, async () => {
          await checkScenarioCase(t, backend, c);
        });
      }
    }
    more?.(() => t);
  });
}
