/**
 * State is exactly restored and exit codes say what is in the kernel (issue 18, part 4): sweep
 * never touches nor claims objects we did not create, a half-installed iptables run cannot go
 * unnoticed and a retried inject completes it, SIGTERM at any moment of inject leaves a status
 * matching the ruleset, and rollback leaves the ruleset byte-for-byte as before (tables and
 * chains counted). Real CLI processes against a masquerade launcher.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iptablesSave } from '../../steps/netfilter/backend-iptables.js';
import { netnsAt, runNames, type IpFamily } from '../../steps/netfilter/index.js';
import { runCli, scenarioJson, startCli, stepArgs } from './helpers/cli.js';
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

  for (const [kept, lost] of [['ipv4', 'ipv6'], ['ipv6', 'ipv4']] as const satisfies readonly (readonly [IpFamily, IpFamily])[]) {
    it(`should fail verify naming the family that is missing when only ${kept} is installed, and complete it when inject is retried`, async () => {
      const before = rawRuleset(netns);
      const runId = uniqueRunId(`half-${kept}`);
      const scenario = scenarioJson(DNS);
      // The exact transactions inject runs, learnt from a first inject (then rolled back).
      const first = await runCli(stepArgs('inject', netns, runId, 'masquerade', scenario, 'iptables'));
      expect(first.code).toBe(0);
      expect((await runCli(stepArgs('rollback', netns, runId, 'masquerade'))).code).toBe(0);
      expect(rawRuleset(netns)).toBe(before);
      // What a SIGKILL between the two restores leaves: one family's transaction, not the other's.
      const ns = netnsAt(netns);
      const kernelText = `*filter\n-N ${runNames(runId).chain('forward')}\n${(first.result?.texts as Record<IpFamily, string>)[kept]}\nCOMMIT\n`;
      await ns.run([kept === 'ipv4' ? 'iptables-restore' : 'ip6tables-restore', '--noflush'], { input: kernelText });
      const inRun = (r: { chain: string }): boolean => r.chain === runNames(runId).chain('forward');
      const keptBefore = (await iptablesSave(ns, kept)).rules.filter(inRun).map((r) => r.spec);
      expect(keptBefore.length).toBe(4);

      const verify = await runCli([...stepArgs('verify', netns, runId, 'masquerade', scenario, 'iptables'), '--cluster-check=off']);
      expect(verify.code).toBe(1);
      const name = lost === 'ipv4' ? 'IPv4' : 'IPv6';
      expect(verify.stderr).toBe(
        `error: verification failed: netfilter: ${name} is not filtered: no rule of this run in ${lost} (half installed: an inject ended between iptables-restore and ip6tables-restore); re-run inject with the same run id to complete it\n`,
      );

      const retry = await runCli(stepArgs('inject', netns, runId, 'masquerade', scenario, 'iptables'));
      expect(retry.code).toBe(0);
      const chain = runNames(runId).chain('forward');
      expect(retry.result).toMatchObject({ ok: true, replaced: true, objects: [`ipv4 ${chain}`, `ipv6 ${chain}`] });
      // The present family holds the same rules (replaced in one transaction, never absent).
      expect((await iptablesSave(ns, kept)).rules.filter(inRun).map((r) => r.spec)).toEqual(keptBefore);
      expect((await runCli([...stepArgs('verify', netns, runId, 'masquerade', scenario, 'iptables'), '--cluster-check=off'])).code).toBe(0);
      expect((await runCli(stepArgs('rollback', netns, runId, 'masquerade'))).code).toBe(0);
      expect(rawRuleset(netns)).toBe(before);
    });
  }

  for (const backend of ['iptables', 'nftables'] as const) {
    it(`should exit with a status that says what is in the kernel whenever SIGTERM arrives during inject (${backend})`, async () => {
      const before = rawRuleset(netns);
      const outcomes: string[] = [];
      // Spread over the whole step, then packed around the end of the apply and the exit.
      const attempts = [
        ...Array.from({ length: 4 }, () => ({ after: undefined, delayMs: Math.floor(Math.random() * 900) })),
        ...Array.from({ length: 6 }, () => ({ after: '"msg":"the kernel ends this fault', delayMs: Math.floor(Math.random() * 15) })),
        ...Array.from({ length: 4 }, () => ({ after: '"msg":"backend ', delayMs: Math.floor(Math.random() * 40) })),
      ];
      for (const { after, delayMs } of attempts) {
        const runId = uniqueRunId('term');
        const proc = startCli(stepArgs('inject', netns, runId, 'masquerade', scenarioJson(DNS), backend));
        const kill = (): void => void setTimeout(() => proc.child.kill('SIGTERM'), delayMs);
        if (after === undefined) kill();
        else {
          let sent = false;
          proc.child.stdout!.on('data', (d: Buffer) => {
            if (!sent && d.toString().includes(after)) {
              sent = true;
              kill();
            }
          });
        }
        const run = await proc.done;
        const installed = rawRuleset(netns) !== before;
        const detail = `${after ?? 'start'} + ${delayMs} ms: exit ${run.code} ${run.signal}, ${installed ? 'installed' : 'nothing'}: ${run.stderr}`;
        outcomes.push(`${run.code ?? run.signal}/${installed ? 'installed' : 'nothing'}`);
        if (installed) {
          // Installed: exit 0, the log says so, and the whole rule set is there.
          expect(run.code, detail).toBe(0);
          expect(run.result, detail).toMatchObject({ ok: true });
          expect(run.logs.some((l) => String(l.msg).startsWith('applied ')), detail).toBe(true);
          expect((await runCli([...stepArgs('verify', netns, runId, 'masquerade', scenarioJson(DNS), backend), '--cluster-check=off'])).code, detail).toBe(0);
          expect((await runCli(stepArgs('rollback', netns, runId, 'masquerade'))).code).toBe(0);
        } else if (run.code === 143) {
          expect(run.stderr, detail).toMatch(/^error: stopped by SIGTERM: (nothing was applied|the rules applied meanwhile were removed again)\n$/);
        } else {
          // Killed by the default handler before the step guarded itself: nothing was applied.
          expect(run.signal, detail).toBe('SIGTERM');
          expect(run.logs.some((l) => l.msg === 'launcher namespace'), detail).toBe(false);
        }
        expect(rawRuleset(netns), detail).toBe(before);
      }
      console.log(`SIGTERM during inject (${backend}): ${outcomes.join(' ')}`);
    }, 120_000);
  }

  describe('rollback of iptables runs in a namespace without any ruleset', () => {
    let fresh: Topology;
    let path: string;
    beforeAll(async () => {
      fresh = await buildTopology({ binding: 'masquerade' });
      path = fresh.path('launcher');
    });
    afterAll(async () => {
      await fresh?.destroy();
    });

    it('should leave the ruleset byte-for-byte as before over 10 inject/rollback cycles, the tables and chains iptables-nft created included', async () => {
      const before = rawRuleset(path);
      const sizes: number[] = [];
      for (let cycle = 0; cycle < 10; cycle++) {
        const runId = uniqueRunId(`cycle${cycle}`);
        expect((await runCli(stepArgs('inject', path, runId, 'masquerade', scenarioJson(DNS), 'iptables'))).code).toBe(0);
        expect(rawRuleset(path)).toContain('table ip6 filter');
        expect((await runCli(stepArgs('rollback', path, runId, 'masquerade'))).code).toBe(0);
        const after = rawRuleset(path);
        expect(after, `cycle ${cycle}`).toBe(before);
        sizes.push(after.length);
      }
      expect(sizes).toEqual(Array.from({ length: 10 }, () => before.length));
    });

    it('should keep a built-in chain that existed before inject, or that holds a foreign rule at rollback', async () => {
      // Existed before: an INPUT rule of someone else makes ip filter and INPUT theirs.
      fresh.exec('launcher', ['iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '9', '-j', 'ACCEPT']);
      const before = rawRuleset(path);
      const runId = uniqueRunId('kept');
      expect((await runCli(stepArgs('inject', path, runId, 'masquerade', scenarioJson(DNS), 'iptables'))).code).toBe(0);
      // Created for our jump, but holding a foreign rule by rollback time.
      fresh.exec('launcher', ['ip6tables', '-A', 'FORWARD', '-p', 'tcp', '--dport', '9', '-j', 'ACCEPT']);
      expect((await runCli(stepArgs('rollback', path, runId, 'masquerade'))).code).toBe(0);
      const after = rawRuleset(path);
      // IPv4: FORWARD (ours) gone, the foreign INPUT and its table kept; IPv6: FORWARD kept for the foreign rule.
      expect(after).toBe(`${before}table ip6 filter {\n\tchain FORWARD {\n\t\ttype filter hook forward priority filter; policy accept;\n\t\ttcp dport 9 counter accept\n\t}\n}\n`);
      fresh.exec('launcher', ['iptables', '-D', 'INPUT', '-p', 'tcp', '--dport', '9', '-j', 'ACCEPT']);
      fresh.exec('launcher', ['ip6tables', '-D', 'FORWARD', '-p', 'tcp', '--dport', '9', '-j', 'ACCEPT']);
    });
  });
});
