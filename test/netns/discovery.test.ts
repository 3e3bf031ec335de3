/**
 * Finding the launcher namespace from a proc tree (what the workflow does with --proc
 * /host/proc), and sweeping every launcher of a node. The proc tree is recorded-style files
 * whose ns/net links point at the real topology namespaces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, scenarioJson, targetJson } from './helpers/cli.js';
import { cgroupfsCgroup, fakeProc, removeFakeProc, systemdCgroup } from './helpers/fake-proc.js';
import { matrixMismatches, type FilterConfig } from './helpers/flows.js';
import { rulesetSnapshot } from './helpers/ruleset.js';
import { uniqueRunId } from './helpers/scenario-case.js';
import { buildTopology, RELAY_UID, type Topology } from './helpers/topology.js';

const POD = '0b6c2f9e-5d4a-4c1b-9e8f-7a6b5c4d3e2f';
const OTHER_VMI_POD = '1c7d3a0f-6e5b-4d2c-8f9a-8b7c6d5e4f3a';
const PLAIN_POD = '2d8e4b1a-7f6c-4e3d-9a0b-9c8d7e6f5a4b';
const DNS: FilterConfig = { ingress: true, egress: true, ports: [53], protocols: ['tcp', 'udp'] };

function step(name: string, runId: string, proc: string, binding: string, podUid: string, scenario?: string): string[] {
  return ['step', name, `--target=${targetJson(binding, { launcherPodUid: podUid })}`, `--run-id=${runId}`, `--proc=${proc}`, ...(scenario ? [`--scenario=${scenario}`] : [])];
}

describe('launcher discovery by pod UID (masquerade)', () => {
  let t: Topology;
  let proc: string;
  beforeAll(async () => {
    t = await buildTopology({ binding: 'masquerade' });
    proc = fakeProc([
      // A process of the pod seen in the host's namespace must not be chosen.
      { pid: 90, cgroup: systemdCgroup(POD), netns: '/proc/1/ns/net', comm: 'pause' },
      { pid: 120, cgroup: systemdCgroup(POD), netns: t.path('launcher'), comm: 'virt-launcher' },
      { pid: 121, cgroup: systemdCgroup(POD), netns: t.path('launcher'), comm: 'qemu-kvm', uid: 107 },
      { pid: 220, cgroup: cgroupfsCgroup(OTHER_VMI_POD), netns: t.path('launcher2'), comm: 'virt-launcher' },
      { pid: 320, cgroup: cgroupfsCgroup(PLAIN_POD), netns: t.path('other'), comm: 'nginx' },
    ]);
  });
  afterAll(async () => {
    removeFakeProc(proc);
    await t?.destroy();
  });

  it('should find the pod\'s launcher namespace, block only its VM, and roll back by pod UID', async () => {
    const before = rulesetSnapshot(t.path('launcher'));
    const before2 = rulesetSnapshot(t.path('launcher2'));
    const runId = uniqueRunId('discover');
    const inject = await runCli(step('inject', runId, proc, 'masquerade', POD, scenarioJson(DNS)));
    expect(inject.stderr).toBe('');
    expect(inject.result).toMatchObject({ ok: true, netns: `${proc}/120/ns/net`, interfaces: [{ podIface: 'eth0', bridge: 'k6t-eth0', tap: 'tap0' }] });
    expect(await matrixMismatches(t, DNS)).toEqual([]);
    expect(rulesetSnapshot(t.path('launcher2'))).toBe(before2);
    expect((await runCli(step('verify', runId, proc, 'masquerade', POD, scenarioJson(DNS)))).code).toBe(0);
    const rollback = await runCli(step('rollback', runId, proc, 'masquerade', POD));
    expect(rollback.result).toMatchObject({ ok: true, netns: [`${proc}/120/ns/net`], gone: false });
    expect(rulesetSnapshot(t.path('launcher'))).toBe(before);
  });

  it('should refuse a pod whose namespace holds no VM interface, and say which pids it looked at', async () => {
    const run = await runCli(step('inject', uniqueRunId('plain'), proc, 'masquerade', PLAIN_POD, scenarioJson(DNS)));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: pod 2d8e4b1a-7f6c-4e3d-9a0b-9c8d7e6f5a4b has processes, but none in a masquerade launcher namespace: pids 320: found no k6t-\* bridge/);
  });

  it('should fail inject but succeed rollback when the pod has no process left', async () => {
    const gone = '3e9f5c2b-8a7d-4f4e-a1b2-c3d4e5f6a7b8';
    const inject = await runCli(step('inject', uniqueRunId('gone'), proc, 'masquerade', gone, scenarioJson(DNS)));
    expect(inject.code).toBe(1);
    expect(inject.stderr).toBe(`error: the launcher of vnft/vm-a has no network namespace (pod ${gone} has no process in ${proc})\n`);
    const rollback = await runCli(step('rollback', uniqueRunId('gone'), proc, 'masquerade', gone));
    expect(rollback.code).toBe(0);
    expect(rollback.result).toMatchObject({ ok: true, gone: true, removed: [] });
  });

  it('should refuse a proc root without process 1 instead of reading "the pod is gone"', async () => {
    const run = await runCli(step('rollback', uniqueRunId('noproc'), '/nonexistent-proc', 'masquerade', POD));
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('error: /nonexistent-proc is not a usable proc tree: ENOENT (mount the host\'s /proc there, e.g. --proc /host/proc)\n');
  });

  it('should sweep only expired runs of every launcher on the node, and nothing foreign', async () => {
    const [expiring, lasting, other] = [uniqueRunId('exp'), uniqueRunId('last'), uniqueRunId('vm2')];
    const l1 = t.path('launcher');
    const l2 = t.path('launcher2');
    const inject = (netns: string, runId: string, duration: number, backend: string) =>
      runCli(['step', 'inject', `--target=${targetJson('masquerade')}`, `--run-id=${runId}`, `--netns=${netns}`, `--backend=${backend}`, `--scenario=${scenarioJson(DNS, duration)}`]);
    const before1 = rulesetSnapshot(l1);
    const a = await inject(l1, expiring, 10, 'iptables');
    const b = await inject(l1, lasting, 5000, 'nftables');
    const c = await inject(l2, other, 10, 'nftables');
    expect([a.code, b.code, c.code]).toEqual([0, 0, 0]);
    t.exec('launcher', ['nft', 'add', 'table', 'inet', 'vnf_foreign']); // our prefix, but no tag of ours
    const expiresA = a.result?.expiresAt as number;
    expect(c.result?.expiresAt as number).toBeGreaterThanOrEqual(expiresA);

    const early = await runCli(['step', 'sweep', '--all-launchers', `--proc=${proc}`, `--now=${expiresA - 1}`]);
    expect(early.code).toBe(0);
    expect(JSON.stringify(early.result)).not.toContain('"removed":[{');

    const late = await runCli(['step', 'sweep', '--all-launchers', `--proc=${proc}`, `--now=${(c.result?.expiresAt as number) + 1}`]);
    expect(late.code).toBe(0);
    const byNetns = Object.fromEntries((late.result?.namespaces as { netns: string; removed: { runId: string }[]; kept: { runId: string }[]; untagged: string[] }[]).map((n) => [n.netns, n]));
    expect(Object.keys(byNetns).sort()).toEqual([`${proc}/120/ns/net`, `${proc}/220/ns/net`]);
    expect(byNetns[`${proc}/120/ns/net`]).toMatchObject({ removed: [{ runId: expiring }], kept: [{ runId: lasting }], untagged: ['inet vnf_foreign'] });
    expect(byNetns[`${proc}/220/ns/net`]).toMatchObject({ removed: [{ runId: other }], kept: [] });

    expect((await runCli(['step', 'verify', `--target=${targetJson('masquerade')}`, `--run-id=${lasting}`, `--netns=${l1}`, `--scenario=${scenarioJson(DNS, 5000)}`])).code).toBe(0);
    expect(t.exec('launcher', ['nft', 'list', 'tables'])).toContain('table inet vnf_foreign');
    t.exec('launcher', ['nft', 'delete', 'table', 'inet', 'vnf_foreign']);
    expect((await runCli(['step', 'rollback', `--target=${targetJson('masquerade')}`, `--run-id=${lasting}`, `--netns=${l1}`])).code).toBe(0);
    expect(rulesetSnapshot(l1)).toBe(before1);
  });
});

describe('launcher discovery by pod UID (passt: the relay process marks the namespace)', () => {
  let t: Topology;
  let proc: string;
  beforeAll(async () => {
    t = await buildTopology({ binding: 'passt' });
    proc = fakeProc([
      { pid: 120, cgroup: systemdCgroup(POD), netns: t.path('launcher'), comm: 'virt-launcher', uid: 107 },
      { pid: 122, cgroup: systemdCgroup(POD), netns: t.path('launcher'), comm: 'passt.avx2', uid: RELAY_UID },
      { pid: 220, cgroup: systemdCgroup(OTHER_VMI_POD), netns: t.path('launcher2'), comm: 'virt-launcher', uid: 107 },
    ]);
  });
  afterAll(async () => {
    removeFakeProc(proc);
    await t?.destroy();
  });

  it('should scope the rules to the relay\'s uid and spare the launcher\'s own traffic', async () => {
    const before = rulesetSnapshot(t.path('launcher'));
    const runId = uniqueRunId('passt');
    const config: FilterConfig = { ingress: true, egress: true, ports: [], protocols: ['tcp', 'udp'] };
    const inject = await runCli(step('inject', runId, proc, 'passt', POD, scenarioJson(config)));
    expect(inject.stderr).toBe('');
    expect(inject.result).toMatchObject({ ok: true, relayUid: RELAY_UID, interfaces: [{ podIface: 'eth0' }] });
    expect(await matrixMismatches(t, config)).toEqual([]);
    expect((await runCli(step('rollback', runId, proc, 'passt', POD))).code).toBe(0);
    expect(rulesetSnapshot(t.path('launcher'))).toBe(before);
  });

  it('should refuse a passt VMI whose namespace has no relay process', async () => {
    const run = await runCli(step('inject', uniqueRunId('norelay'), proc, 'passt', OTHER_VMI_POD, scenarioJson(DNS)));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('has processes, but none in a passt launcher namespace: pids 220: no passt process in this network namespace');
  });
});
