/**
 * The run ledger through the built CLI against the local API server: select writes it, a node
 * step acts on the node's VMIs from it and records each outcome (a failing VMI does not stop the
 * next), verdict judges the scenario from it; with the requests each makes. (One VMI failing
 * next to one passing on the same pod: the migrated-VMI cases of test/engines.)
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeKubeApi } from './fake-api-server.js';
import { FakeConfigMaps } from './fake-ledger.js';
import { parseLines, populate, runCli, tempDir, writeKubeconfig } from './harness.js';

const RUN = '3f2c9a10-1b2c-4d5e-8f90-0a1b2c3d4e5f';
let api: FakeKubeApi;
let ledger: FakeConfigMaps;
let env: Record<string, string>;
beforeEach(async () => {
  api = await FakeKubeApi.start();
  ledger = FakeConfigMaps.on(api);
  // 40 VMIs on 20 nodes (worker-0 … worker-19), two per node.
  populate(api, { vmis: 40, namespaces: 4 });
  env = { KUBECONFIG: writeKubeconfig(api.url), NAMESPACE: 'ns-', INSTANCE_COUNT: '0', EXECUTION: 'parallel', POD_NAMESPACE: 'argo' };
});
afterEach(async () => api.close());

const ledgerFlags = ['--run-id', RUN];

describe('the run ledger through the CLI', () => {
  it('should write one object per node and an index, then record every VMI of a node from one pod, and judge the scenario', async () => {
    const dir = tempDir('vmi-ledger-');
    const out = (name: string): string => join(dir, name);
    const select = await runCli(['step', 'select', ...ledgerFlags, '--owner', 'Workflow/chaos-x7k2p', '--seed=1', `--serial-out=${out('serial')}`], env);
    expect(select.code, select.stderr).toBe(0);
    // No per-VMI key in a parallel run: its fan-outs read the nodes from the ledger.
    expect(JSON.parse(readFileSync(out('serial'), 'utf8'))).toEqual([]);
    const serial = await runCli(['step', 'select', ...ledgerFlags, '--owner', 'Workflow/chaos-x7k2p', '--seed=1', `--serial-out=${out('serial')}`], { ...env, EXECUTION: 'serial' });
    expect(serial.code, serial.stderr).toBe(0);
    expect(JSON.parse(readFileSync(out('serial'), 'utf8'))).toHaveLength(40);
    // Two selects: 21 creates, then (the objects exist) 21 merge patches.
    expect(ledger.counts).toEqual({ create: 42, get: 0, patch: 21, list: 0 });
    const index = ledger.objects.get(`argo/vnf-${RUN}-1`)!;
    expect(JSON.parse(index.data.nodes!)).toHaveLength(20);

    // inject (simulated: no network namespace here) then rollback of worker-0's two VMIs: one get
    // and one merge patch each, whatever the number of VMIs on the node.
    for (const step of ['inject', 'verify', 'rollback']) {
      const before = { ...ledger.counts };
      const r = await runCli(['step', step, ...ledgerFlags, '--node', 'worker-0', '--simulate'], env);
      expect(r.code, `${step}: ${r.stderr}`).toBe(0);
      expect([ledger.counts.get - before.get, ledger.counts.patch - before.patch]).toEqual([1, 1]);
    }
    const part = [...ledger.objects.values()].find((o) => o.data.node === 'worker-0')!;
    expect(Object.keys(part.data).sort()).toEqual(['inject.0', 'inject.1', 'node', 'rollback.0', 'rollback.1', 'scenario', 'targets', 'verify.0', 'verify.1']);
    expect(JSON.parse(part.data['inject.1']!)).toMatchObject({ ok: true, detail: 'simulated: no network namespace touched' });

    // The other 19 nodes have no record: the verdict names their VMIs, from one list request.
    const lists = ledger.counts.list;
    const verdict = await runCli(['step', 'verdict', ...ledgerFlags], env);
    expect(verdict.code).toBe(1);
    expect(ledger.counts.list - lists).toBe(1);
    expect(verdict.stderr).toMatch(/^error: scenario 1: 38 of 40 VMIs did not hold or were not rolled back; first: ns-\d+\/vm-\d+ on node worker-\d+: no inject record: its node's inject pod failed or never ran\n$/);
  });

  it("should record each VMI's failure, go on to the next VMI, and fail at the end", async () => {
    expect((await runCli(['step', 'select', ...ledgerFlags, '--owner', 'Workflow/chaos-x7k2p', '--seed=1'], env)).code).toBe(0);
    // No host /proc here: neither launcher is found; both are tried and recorded.
    const r = await runCli(['step', 'inject', ...ledgerFlags, '--node', 'worker-1', '--proc', '/nonexistent'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: inject failed for 2 of 2 VMIs on node worker-1; first: ns-\d+\/vm-\d+: /);
    const part = [...ledger.objects.values()].find((o) => o.data.node === 'worker-1')!;
    expect(['inject.0', 'inject.1'].map((k) => JSON.parse(part.data[k]!).ok)).toEqual([false, false]);
    expect(parseLines(r.stdout).filter((l) => l.level === 'error' && typeof l.vmi === 'string')).toHaveLength(2);
  });

  it("should fail only the VMI whose ledger entry is unusable, act on the next one, and record both", async () => {
    expect((await runCli(['step', 'select', ...ledgerFlags, '--owner', 'Workflow/chaos-x7k2p', '--seed=1'], env)).code).toBe(0);
    const part = [...ledger.objects.values()].find((o) => o.data.node === 'worker-2')!;
    const targets = JSON.parse(part.data.targets!) as Record<string, unknown>[];
    part.data.targets = JSON.stringify([{ ...targets[0], launcherPodUid: undefined }, targets[1]]);
    const r = await runCli(['step', 'inject', ...ledgerFlags, '--node', 'worker-2', '--simulate'], env);
    expect(r.code).toBe(1);
    expect(JSON.parse(part.data['inject.0']!)).toMatchObject({ ok: false, detail: '--target has no launcherPodUid, so the launcher cannot be found; give it, or --netns' });
    expect(JSON.parse(part.data['inject.1']!)).toMatchObject({ ok: true });
    expect(r.stderr).toMatch(/^error: inject failed for 1 of 2 VMIs on node worker-2; first: /);
  });

  it('should refuse a node step without a ledger to read, and --simulate with --target', async () => {
    const none = await runCli(['step', 'inject', ...ledgerFlags, '--node', 'worker-0', '--simulate'], env);
    expect([none.code, none.stderr]).toEqual([1, expect.stringMatching(/configmaps "vnf-[0-9a-f-]+-1-[0-9a-f]{12}" in namespace "argo"/)]);
    const both = await runCli(['step', 'inject', ...ledgerFlags, '--node', 'worker-0', '--target', '{}'], env);
    expect([both.code, both.stderr]).toEqual([2, "error: give exactly one of --target (one VMI) and --node (a node's VMIs in the run ledger)\n"]);
  });
});
