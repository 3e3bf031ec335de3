/**
 * Faults end by themselves (issue 8), proved with real packets: the real CLI injects with
 * test_duration 3 and expiry_grace 2, then nothing of ours runs (the step has exited; whatever
 * might be left is killed), and the kernel alone ends the fault: the flows are blocked before
 * the deadline and pass again within 1 s after it. Every binding, both backends side by side in
 * one namespace (nftables on port 53, iptables on 80 and 443, so a leak of either shows), IPv4
 * and IPv6 flows in every probe. `sweep` then leaves the namespace as it was before inject.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeKubeApi } from '../kube/fake-api-server.js';
import { writeKubeconfig } from '../kube/harness.js';
import { runCli, scenarioJson, stepArgs } from './helpers/cli.js';
import { matrixMismatches, type FilterConfig } from './helpers/flows.js';
import { killOurProcesses, ourProcesses } from './helpers/processes.js';
import { rulesetSnapshot } from './helpers/ruleset.js';
import { uniqueRunId } from './helpers/scenario-case.js';
import { buildTopology, type TestBinding, type Topology } from './helpers/topology.js';

const BINDINGS: readonly TestBinding[] = ['masquerade', 'bridge', 'passt'];
const NFT: FilterConfig = { ingress: true, egress: true, ports: [53], protocols: ['tcp', 'udp'] };
const IPT: FilterConfig = { ingress: true, egress: true, ports: [80, 443], protocols: ['tcp', 'udp'] };
const BOTH: FilterConfig = { ...NFT, ports: [53, 80, 443] };
const RUNS = [['nftables', NFT], ['iptables', IPT]] as const;
/** test_duration 3 + expiry_grace `grace` (2: the deadline is 5 s after inject). */
const short = (c: FilterConfig, grace = 2): string => scenarioJson(c, 3, { expiry_grace: grace });

/** verify of the netfilter side alone: the cluster check has no API here (and its client costs ≈ 1 s to load). */
const verifyArgs = (netns: string, runId: string, binding: string, scenario: string, backend: string): string[] => [...stepArgs('verify', netns, runId, binding, scenario, backend), '--cluster-check=off'];
const iso = (epoch: number): string => `${new Date(epoch * 1000).toISOString().slice(0, 19)}Z`;

interface Injected {
  readonly runIds: string[];
  /** Each run's deadline, Unix seconds. */
  readonly deadlines: number[];
  /** Each run's objects ("inet vnf_…", "ipv4 VNF-…-FWD"). */
  readonly objects: string[][];
}

/** Injects both runs into `t`'s launcher with the real CLI and checks what inject reports. */
async function injectBoth(t: Topology, label: string, grace = 2): Promise<Injected> {
  const netns = t.path('launcher');
  const runIds = RUNS.map(([backend]) => uniqueRunId(`${label}-${t.binding}-${backend}`));
  const injects = await Promise.all(RUNS.map(([backend, c], i) => runCli(stepArgs('inject', netns, runIds[i]!, t.binding, short(c, grace), backend))));
  for (const [i, run] of injects.entries()) {
    expect(run.stderr).toBe('');
    expect(run.result).toMatchObject({ step: 'inject', ok: true, backend: RUNS[i]![0], expiryGrace: grace });
    const expiresAt = run.result?.expiresAt as number;
    expect(run.logs.some((l) => l.msg === `the kernel ends this fault by itself at ${iso(expiresAt)} (test_duration 3 s + expiry_grace ${grace} s), whatever runs or not`)).toBe(true);
  }
  return { runIds, deadlines: injects.map((r) => r.result?.expiresAt as number), objects: injects.map((r) => r.result?.objects as string[]) };
}

describe('faults that end by themselves (kernel-enforced deadline)', () => {
  const topologies = new Map<TestBinding, Topology>();
  beforeAll(async () => {
    for (const t of await Promise.all(BINDINGS.map((binding) => buildTopology({ binding })))) topologies.set(t.binding, t);
  });
  afterAll(async () => {
    await Promise.all([...topologies.values()].map((t) => t.destroy()));
  });

  describe.concurrent('no process of ours after inject', () => {
    for (const binding of BINDINGS) {
      it(`should block until the deadline and pass again within 1 s after it (${binding}, nftables and iptables, IPv4 and IPv6), then sweep to the state before inject`, async () => {
        const t = topologies.get(binding)!;
        const netns = t.path('launcher');
        const before = rulesetSnapshot(netns);
        const { runIds, deadlines } = await injectBoth(t, 'expire');
        const [first, last] = [Math.min(...deadlines), Math.max(...deadlines)];

        // The steps have exited; whatever of ours might be left is killed. From here on only
        // the kernel acts.
        killOurProcesses(t, runIds);
        expect(ourProcesses(t, runIds)).toEqual([]);

        // The intended flows (the VM's own, both directions). Both probes start now and send on
        // time, whatever the machine's load does to process start-up. Blocked through the last
        // second before the deadline: sent 1.3 s before it, every blocked flow's 1 s timeout
        // runs out before it. Passing again within 1 s after it: sent 0.2 s after it, every
        // answer in before +1 s.
        const kinds = ['egress', 'ingress'] as const;
        const [blocked, passing] = await Promise.all([
          matrixMismatches(t, BOTH, { kinds, startAt: first * 1000 - 1300, observedBy: first * 1000 }),
          matrixMismatches(t, undefined, { kinds, startAt: last * 1000 + 200, observedBy: last * 1000 + 1000 }),
        ]);
        expect(blocked).toEqual([]);
        expect(passing).toEqual([]);
        expect(ourProcesses(t, runIds)).toEqual([]);

        // verify now tells that the fault is over; the inert objects stay until sweep.
        const verifies = await Promise.all(RUNS.map(([backend, c], i) => runCli(verifyArgs(netns, runIds[i]!, binding, short(c), backend))));
        for (const [i, run] of verifies.entries()) {
          expect(run.code).toBe(1);
          expect(run.stderr).toMatch(
            new RegExp(`^error: verification failed: netfilter: the deadline of run ${runIds[i]} passed \\d+ s ago \\(${iso(deadlines[i]!)}\\): the kernel no longer applies its rules, the fault is over\n$`),
          );
        }

        const sweep = await runCli(['step', 'sweep', `--netns=${netns}`]);
        expect(sweep.code).toBe(0);
        const report = (sweep.result?.namespaces as { removed: { runId: string; expiresAt: number }[]; kept: unknown[] }[])[0]!;
        expect(report.removed.map((r) => r.runId).sort()).toEqual([...runIds].sort());
        expect(report.kept).toEqual([]);
        expect(rulesetSnapshot(netns)).toBe(before);
      });
    }
  });

  // The rollback case (masquerade) and the unanswered clock check (passt, mostly waiting) side by
  // side, once the proofs are done (a suite of its own: concurrent tests of one suite run
  // together); the skew case alone after them, its client's load and request within the 2 s budget.
  describe('a rollback before the deadline, beside a clock check that gets no answer', () => {
    it.concurrent('should still roll back before the deadline, after verify reported the time left', async () => {
      const t = topologies.get('masquerade')!;
      const netns = t.path('launcher');
      const before = rulesetSnapshot(netns);
      const { runIds, deadlines, objects } = await injectBoth(t, 'early', 30);
      expect(await matrixMismatches(t, BOTH)).toEqual([]);

      const verifies = await Promise.all(RUNS.map(([backend, c], i) => runCli(verifyArgs(netns, runIds[i]!, 'masquerade', short(c, 30), backend))));
      for (const [i, run] of verifies.entries()) {
        expect(run.code).toBe(0);
        const data = (run.result?.checks as { name: string; data: { expiresAt: number; secondsLeft: number; kernelSecondsLeft?: number } }[])[0]!.data;
        expect(data.expiresAt).toBe(deadlines[i]);
        expect(data.secondsLeft).toBeGreaterThanOrEqual(20);
        expect(data.secondsLeft).toBeLessThanOrEqual(33);
        // nftables: the kernel's own count agrees with the recorded deadline; iptables keeps none.
        // Both are whole seconds, each rounded on its own and read a moment apart (a loaded
        // machine stretches that moment): 2 s apart at most.
        if (RUNS[i]![0] === 'nftables') expect(Math.abs(data.kernelSecondsLeft! - data.secondsLeft)).toBeLessThanOrEqual(2);
        else expect(data.kernelSecondsLeft).toBeUndefined();
        expect(run.logs.some((l) => l.msg === `netfilter: 2 rules of run ${runIds[i]} intact (${RUNS[i]![0]}); the kernel ends them by itself at ${iso(deadlines[i]!)}, in ${data.secondsLeft} s`)).toBe(true);
      }

      const rollbacks = await Promise.all(runIds.map((runId) => runCli(stepArgs('rollback', netns, runId, 'masquerade'))));
      expect(Date.now(), 'rolled back before the deadline').toBeLessThan(Math.min(...deadlines) * 1000);
      for (const [i, run] of rollbacks.entries()) {
        expect(run.result).toMatchObject({ ok: true, gone: false });
        expect([...(run.result?.removed as string[])].sort()).toEqual([...objects[i]!].sort());
      }
      expect(await matrixMismatches(t, undefined)).toEqual([]);
      expect(rulesetSnapshot(netns)).toBe(before);
    });

    it.concurrent('should inject without the clock comparison, after at most 2 s, when the API server never answers', async () => {
      const t = topologies.get('passt')!;
      const api = await FakeKubeApi.start();
      try {
        api.fault({ hang: true });
        const kubeconfig = writeKubeconfig(api.url);
        const runId = uniqueRunId('noclock');
        const inject = await runCli(stepArgs('inject', t.path('launcher'), runId, 'passt', short(NFT, 30), 'nftables'), true, { KUBECONFIG: kubeconfig });
        expect(inject.code).toBe(0);
        expect(inject.result).toMatchObject({ ok: true });
        expect(inject.result).not.toHaveProperty('clockSkew');
        const debug = inject.logs.filter((l) => l.level === 'debug');
        expect(debug.map((l) => l.msg)).toEqual([
          `asking the Kubernetes API server for its clock (KUBECONFIG ${kubeconfig}), for at most 2000 ms`,
          `the node's clock was not compared with the Kubernetes API server's: no answer within 2000 ms (KUBECONFIG ${kubeconfig})`,
        ]);
        // It gave up after its 2 s (plus a timer's slack on a busy machine).
        const waited = Date.parse(debug[1]!.time as string) - Date.parse(debug[0]!.time as string);
        expect(waited).toBeGreaterThanOrEqual(1990);
        expect(waited).toBeLessThanOrEqual(2500);
        expect((await runCli(stepArgs('rollback', t.path('launcher'), runId, 'passt'))).code).toBe(0);
      } finally {
        await api.close();
      }
    });
  });

  it('should warn, and still inject, when the node\'s clock is an hour ahead of the API server\'s', async () => {
    const t = topologies.get('bridge')!;
    const api = await FakeKubeApi.start({ clock: () => Date.now() - 3_600_000 });
    try {
      const runId = uniqueRunId('skew');
      const inject = await runCli(stepArgs('inject', t.path('launcher'), runId, 'bridge', short(NFT, 30), 'nftables'), true, { KUBECONFIG: writeKubeconfig(api.url) });
      expect(inject.code).toBe(0);
      expect(inject.result).toMatchObject({ ok: true, clockSkew: { verdict: 'ahead' } });
      const deadline = iso(inject.result?.expiresAt as number);
      const warnings = inject.logs.filter((l) => l.level === 'warn').map((l) => l.msg);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(
        new RegExp(`^the node's clock is 3600 s ahead of the Kubernetes API server's \\(±\\d+(\\.\\d)? s, from its Date header\\): the deadline ${deadline} counts on the node's clock; if the clock is set back during the run, iptables rules \\(--datestop follows the wall clock\\) last up to 3600 s longer \\(nftables timeouts do not follow the clock\\)$`),
      );
      expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /version']);
      expect((await runCli(stepArgs('rollback', t.path('launcher'), runId, 'bridge'))).code).toBe(0);
    } finally {
      await api.close();
    }
  });
});
