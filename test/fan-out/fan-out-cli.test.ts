/**
 * `step fan-out` through the built CLI against the local API server: select writes the ledger,
 * the fan-out creates one pod per node, and a scripted kubelet runs each pod's container (its
 * argv and environment, as the pod says them) through the built CLI, adding `--simulate` (no
 * network namespace here): the node steps read and write the same ledger. What a pod that never ran leaves is recorded by the
 * fan-out; the verdict reads it all.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeKubeApi } from '../kube/fake-api-server.js';
import { FakeKubelet, type CreatedPod, type PodFate } from '../kube/fake-kubelet.js';
import { FakeConfigMaps } from '../kube/fake-ledger.js';
import { parseLines, populate, runCli, writeKubeconfig } from '../kube/harness.js';

const RUN = '3f2c9a10-1b2c-4d5e-8f90-0a1b2c3d4e5f';
const OWNER = ['--owner', 'Workflow/chaos-x7k2p'];
let api: FakeKubeApi;
let ledger: FakeConfigMaps;
let env: Record<string, string>;
beforeEach(async () => {
  api = await FakeKubeApi.start();
  ledger = FakeConfigMaps.on(api);
  // 12 VMIs on 4 nodes (worker-0 … worker-3), three per node.
  populate(api, { vmis: 12, namespaces: 3, nodes: 4 });
  env = { KUBECONFIG: writeKubeconfig(api.url), NAMESPACE: 'ns-', INSTANCE_COUNT: '0', EXECUTION: 'parallel', POD_NAMESPACE: 'argo', POD_SERVICE_ACCOUNT: 'vnf-steps', EXPIRY_GRACE: '30', TAINTS: 'dedicated=chaos:NoSchedule' };
});
afterEach(async () => api.close());

/** The kubelet: runs the pod's container through the CLI, as the pod's spec says (nodes in `stuck` stay Pending). */
function cliKubelet(stuck: ReadonlySet<string> = new Set()) {
  return async (pod: CreatedPod): Promise<PodFate> => {
    const node = pod.metadata.annotations?.['vmi-network-filter.io/node'] ?? '';
    if (stuck.has(node)) return { phase: 'Pending', reason: 'Unschedulable', message: `node ${node} is NotReady` };
    const container = pod.spec.containers[0]!;
    const podEnv = Object.fromEntries((container.env ?? []).flatMap((e) => (e.value === undefined ? [] : [[e.name, e.value]])));
    const run = await runCli([...(container.args ?? []), '--simulate'], { ...podEnv, KUBECONFIG: env.KUBECONFIG!, POD_NAMESPACE: 'argo' });
    return run.code === 0 ? { phase: 'Succeeded', exitCode: 0 } : { phase: 'Failed', exitCode: run.code, message: run.stderr.trim() };
  };
}

const fanOut = (step: string, more: string[] = [], extraEnv: Record<string, string> = {}) => runCli(['step', 'fan-out', step, '--run-id', RUN, ...OWNER, '--poll-seconds', '0.1', ...more], { ...env, ...extraEnv });

describe('step fan-out through the CLI', () => {
  it("should run each step as one pod per node from the ledger, every VMI recorded, and pass the verdict", async () => {
    const kubelet = FakeKubelet.on(api, cliKubelet());
    expect((await runCli(['step', 'select', '--run-id', RUN, ...OWNER, '--seed=1'], env)).code).toBe(0);
    for (const step of ['inject', 'verify', 'rollback']) {
      const r = await fanOut(step);
      expect(r.code, `${step}: ${r.stderr}`).toBe(0);
      expect(parseLines(r.stdout).at(-1)).toMatchObject({ level: 'info', msg: `${step}: 4 of 4 node pods succeeded` });
    }
    // One pod per node and step, each carrying the scenario's variables, tolerations and account.
    expect(kubelet.created).toHaveLength(12);
    const pod = kubelet.created[0]!;
    expect(pod.spec).toMatchObject({ serviceAccountName: 'vnf-steps', activeDeadlineSeconds: 30, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'chaos', effect: 'NoSchedule' }] });
    expect(pod.spec.containers[0]!.env).toEqual(expect.arrayContaining([{ name: 'NAMESPACE', value: 'ns-' }, { name: 'TAINTS', value: 'dedicated=chaos:NoSchedule' }]));
    // Every pod deleted once it succeeded: nothing left behind.
    expect(kubelet.counts.delete).toBe(12);
    const verdict = await runCli(['step', 'verdict', '--run-id', RUN], env);
    expect(verdict.code, verdict.stderr).toBe(0);
  });

  it('should arm every node for the window select fixed, verify once it is open, roll back once it is over, and let the exit rollback act at once', async () => {
    const kubelet = FakeKubelet.on(api, cliKubelet());
    // A 15 s window 20 s after select: arming and the exit rollback take well under that even on
    // a loaded machine (each CLI run 1–5 s), and the release (7 s + the 30 s verify lead before
    // the start) is past once arming is done; verify takes well under 15 s (8 s was not always:
    // 9 s once beside a real-engine run), so rollback waits.
    const sync = { ONSET: 'synchronized', ARM_BUDGET: '20', TOTAL_CHAOS_DURATION: '15' };
    const selected = Date.now();
    expect((await runCli(['step', 'select', '--run-id', RUN, ...OWNER, '--seed=1'], { ...env, ...sync })).code).toBe(0);
    const selectEnded = Date.now();
    const index = [...ledger.objects.values()].find((o) => o.data.window !== undefined)!;
    const window = JSON.parse(index.data.window!) as { start: number; end: number };
    expect(window.end - window.start).toBe(15);
    // ceil(select's clock) + 20 s, select's clock being read between `selected` and `selectEnded`.
    expect(window.start - 20).toBeGreaterThanOrEqual(Math.ceil(selected / 1000));
    expect(window.start - 20).toBeLessThanOrEqual(Math.ceil(selectEnded / 1000));
    const inject = await fanOut('inject', [], sync);
    expect(inject.code, inject.stderr).toBe(0);
    expect(kubelet.created.map((p) => p.spec.containers[0]!.args!.filter((a) => a.startsWith('--window-start=')))).toEqual(Array(4).fill([`--window-start=${window.start}`]));
    expect(parseLines(inject.stdout).some((l) => String(l.msg).startsWith('every node pod ended; the fault starts on every node at '))).toBe(true);
    expect(Date.now(), 'inject released the engine before the start').toBeLessThan(window.start * 1000);

    // The exit handler's rollback (an abort) acts at once.
    const exit = await fanOut('rollback', ['--record-as', 'exit-rollback'], sync);
    expect(exit.code, exit.stderr).toBe(0);
    expect(parseLines(exit.stdout).filter((l) => String(l.msg).includes(' waits ')), 'the exit rollback did not wait').toEqual([]);

    // Verify waits for the fault to be live; its pods get no window (theirs is read from the rules' tags).
    const verify = await fanOut('verify', [], sync);
    expect(verify.code, verify.stderr).toBe(0);
    expect(parseLines(verify.stdout).map((l) => String(l.msg)).find((m) => m.startsWith('verify waits '))).toMatch(/^verify waits \d+\.\d s, until \S+: the fault window is \[\S+, \S+\)$/);
    // It created its node pods once the window was open (the log line before the creates).
    const creating = parseLines(verify.stdout).find((l) => String(l.msg).startsWith('verify: one pod on each of '))!;
    expect(Date.parse(String(creating.time)), 'verify acted inside the window').toBeGreaterThanOrEqual(window.start * 1000);
    expect(kubelet.created.slice(8).flatMap((p) => p.spec.containers[0]!.args!.filter((a) => a.startsWith('--window-start')))).toEqual([]);

    // The main path's rollback waits for the end: it would otherwise cut the fault short.
    const rollback = await fanOut('rollback', [], sync);
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(Date.now(), 'rollback acted after the end').toBeGreaterThanOrEqual(window.end * 1000);
    expect(parseLines(rollback.stdout).some((l) => String(l.msg).startsWith('rollback waits '))).toBe(true);
  });

  it('should hand the node pods the scenario it resolved, when it came from --scenario and not from variables', async () => {
    const kubelet = FakeKubelet.on(api, cliKubelet());
    expect((await runCli(['step', 'select', '--run-id', RUN, ...OWNER, '--seed=1'], env)).code).toBe(0);
    const { NAMESPACE: _ns, INSTANCE_COUNT: _count, EXECUTION: _exec, TAINTS: _taints, EXPIRY_GRACE: _grace, ...bare } = env;
    const scenario = JSON.stringify({ id: 'vmi_network_filter', namespace: 'ns-', ports: [53], expiry_grace: 30 });
    const r = await runCli(['step', 'fan-out', 'inject', '--scenario', scenario, '--run-id', RUN, ...OWNER, '--poll-seconds', '0.1'], bare);
    expect(r.code, r.stderr).toBe(0);
    const podEnv = kubelet.created[0]!.spec.containers[0]!.env!;
    expect(podEnv).toEqual(expect.arrayContaining([{ name: 'NAMESPACE', value: 'ns-' }, { name: 'PORTS', value: '53' }, { name: 'EXPIRY_GRACE', value: '30' }]));
  });

  it('should record, for the VMIs of a node whose pod never ran, why, and fail naming that node; the verdict names its VMIs', async () => {
    FakeKubelet.on(api, cliKubelet(new Set(['worker-3'])));
    expect((await runCli(['step', 'select', '--run-id', RUN, ...OWNER, '--seed=1'], env)).code).toBe(0);
    // Deadline: expiry_grace (here 6 s) from each create: the others end well within it.
    const r = await fanOut('inject', [], { EXPIRY_GRACE: '6' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error: inject failed on 1 of 4 nodes: worker-3 (TimedOut); each VMI's outcome is in the run ledger\n");
    const part = [...ledger.objects.values()].find((o) => o.data.node === 'worker-3')!;
    const records = [0, 1, 2].map((i) => JSON.parse(part.data[`inject.${i}`]!) as { ok: boolean; detail: string });
    expect(records.every((x) => !x.ok && /^node pod TimedOut: not ended within 6 s \(Pending: Unschedulable: node worker-3 is NotReady\); deleted$/.test(x.detail))).toBe(true);
    const verdict = await runCli(['step', 'verdict', '--run-id', RUN], env);
    expect(verdict.code).toBe(1);
    // (No verify or rollback ran: every VMI lacks those; worker-3's also say why inject failed.)
    const problems = parseLines(verdict.stdout).filter((l) => l.level === 'error' && l.node === 'worker-3' && /inject/.test(String(l.msg))).map((l) => l.msg);
    expect(problems).toHaveLength(3);
    expect(problems.every((m) => /on node worker-3: inject failed: node pod TimedOut: not ended within 6 s/.test(String(m)))).toBe(true);
  });

  it('should have nothing to roll back when select wrote no ledger, but refuse to inject without one', async () => {
    FakeKubelet.on(api, cliKubelet());
    const rollback = await fanOut('rollback', ['--record-as', 'exit-rollback']);
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(parseLines(rollback.stdout).map((l) => l.msg)).toContain('no run ledger for scenario 1 (select did not write one): nothing to rollback');
    const inject = await fanOut('inject');
    expect([inject.code, inject.stderr]).toEqual([1, expect.stringMatching(/configmaps "vnf-[0-9a-f-]+-1" in namespace "argo"/)]);
  });

  it('should refuse unusable flags before creating anything', async () => {
    const kubelet = FakeKubelet.on(api, cliKubelet());
    const cases: [string[], string][] = [
      [['inject', '--record-as', 'exit-rollback'], 'error: --record-as exit-rollback: inject writes the "inject" record\n'],
      [['inject', '--index', '1'], 'error: --index needs --node\n'],
      [['inject', '--node', 'Worker_1'], 'error: --node must be a node name (a DNS subdomain), not "Worker_1"\n'],
      [['inject', '--poll-seconds', '0'], 'error: --poll-seconds must be between 0.1 and 60, not "0"\n'],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['step', 'fan-out', ...args, '--run-id', RUN, ...OWNER], env);
      expect([r.code, r.stderr], args.join(' ')).toEqual([2, message]);
    }
    const noAccount = await runCli(['step', 'fan-out', 'inject', '--run-id', RUN, ...OWNER], { ...env, POD_SERVICE_ACCOUNT: '' });
    expect([noAccount.code, noAccount.stderr]).toEqual([2, "error: the node pods' service account is unknown: give --service-account, or $POD_SERVICE_ACCOUNT (the downward API)\n"]);
    expect(kubelet.counts.create).toBe(0);
  });
});
