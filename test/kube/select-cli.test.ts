/**
 * `vmi-network-filter step select` as the workflow runs it: the built CLI in its own process,
 * the scenario in krkn-hub environment variables, KUBECONFIG pointing at the local API server.
 * Needs `npm run build` first (npm test does it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeClient, selectVmis } from '../../kube/index.js';
import { FakeKubeApi } from './fake-api-server.js';
import { parseLines, populate, runCli, tempDir, writeKubeconfig } from './harness.js';
import { vmiObject } from './kubevirt-vmi.js';
import { launcherPodObject } from './virt-launcher-pod.js';

let api: FakeKubeApi;
let dir: string;
let kubeconfig: string;
beforeEach(async () => {
  api = await FakeKubeApi.start();
  dir = tempDir('vmi-cli-');
  kubeconfig = writeKubeconfig(api.url);
});
afterEach(async () => api.close());

const outFile = (): string => join(dir, 'targets.json');
const select = (env: Record<string, string>, ...flags: string[]) =>
  runCli(['step', 'select', `--out=${outFile()}`, ...flags], { KUBECONFIG: kubeconfig, ...env });

describe('step select (CLI)', () => {
  it('should write the targets and log JSON lines', async () => {
    populate(api, { vmis: 40, namespaces: 4 });
    const run = await select({ NAMESPACE: 'ns-00[12]', INSTANCE_COUNT: '3', TAINTS: 'node-role.kubernetes.io/infra:NoSchedule,dedicated=chaos:NoExecute' }, '--seed=42');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    // The same selection, made in this process with the same seed.
    const expected = await selectVmis(new KubeClient({ env: { KUBECONFIG: kubeconfig } }), {
      criteria: { namespace: 'ns-00[12]', target: '.*', labelSelector: '', instanceCount: 3, interfaces: [] },
      seed: 42,
      log: () => undefined,
    });
    expect(JSON.parse(readFileSync(outFile(), 'utf8'))).toEqual(expected.targets);
    expect(expected.targets).toHaveLength(3);

    const lines = parseLines(run.stdout);
    expect(lines.every((l) => l.step === 'select' && typeof l.time === 'string')).toBe(true);
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'selecting VMIs', server: api.url, namespace: 'ns-00[12]', target: '.*', instanceCount: 3, seed: 42 });
    expect(lines.filter((l) => String(l.msg).startsWith('selected ns-')).map((l) => l.target)).toEqual(expected.targets);
    expect(lines.find((l) => String(l.msg).startsWith('instance_count 3'))?.msg).toBe(
      'instance_count 3: chose 3 of 20 candidate VMIs uniformly at random (seed 42; rerun with --seed 42 for the same choice)',
    );
    expect(lines.at(-1)).toMatchObject({ level: 'info', msg: 'selected 3 VMIs', counts: { listed: 40, namespaceRegex: 20, candidates: 20, selected: 3, notChosen: 17 } });
  });

  it('should fail with exit 1 naming the selectors and per-filter counts when nothing is selected', async () => {
    populate(api, { vmis: 6, namespaces: 2 });
    api.put(vmiObject({ namespace: 'prod', name: 'fast', interfaces: [{ name: 'sriov', binding: 'sriov' }] }), launcherPodObject({ namespace: 'prod', vmiName: 'fast' }));
    const run = await select({ NAMESPACE: 'prod', LABEL_SELECTOR: 'app!=nothing' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'error: no VMI selected: namespace regex "prod", target regex ".*", label selector "app!=nothing": 7 VMIs listed at cluster scope; namespace regex removed 6, target regex removed 0, not Running on a node removed 0, live migration in progress removed 0, unsupported binding removed 1 (sriov 1), no Running virt-launcher pod removed 0. A run that injects nothing proves nothing: fix the selectors, or pass --allow-empty to accept an empty selection.\n',
    );
    expect(existsSync(outFile())).toBe(false);
    expect(parseLines(run.stdout).find((l) => l.level === 'warn')).toMatchObject({
      msg: 'left out prod/fast: primary interface "sriov" uses the sriov binding: its traffic bypasses the virt-launcher network namespace',
      vmi: 'prod/fast',
      reason: 'unsupported-binding',
    });
  });

  it('should match (a+)+$ against a 63-character VMI name promptly (RE2, linear time)', async () => {
    const long = `${'a'.repeat(62)}x`;
    api.put(vmiObject({ namespace: 'lab', name: long }), launcherPodObject({ namespace: 'lab', vmiName: long }));
    api.put(vmiObject({ namespace: 'lab', name: 'aaaa' }), launcherPodObject({ namespace: 'lab', vmiName: 'aaaa' }));
    const started = performance.now();
    const run = await select({ NAMESPACE: 'lab', VMI_NAME: '(a+)+$' }, '--seed=1');
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect((JSON.parse(readFileSync(outFile(), 'utf8')) as { name: string }[]).map((t) => t.name)).toEqual(['aaaa']);
    // JavaScript's and Python's backtracking never finished here; the CLI's start dominates now.
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('should stop with exit 2, naming the key, pattern and name, when a backtracking regex exhausts its budget', async () => {
    const long = `${'a'.repeat(62)}x`;
    api.put(vmiObject({ namespace: 'lab', name: long }), launcherPodObject({ namespace: 'lab', vmiName: long }));
    const run = await select({ NAMESPACE: 'lab', VMI_NAME: '(a+)+(?=b)' });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `error: target regex "(a+)+(?=b)" gave up on "${long}" after 1,000,000 backtracking steps: it uses a lookahead, which only a backtracking engine runs, so its time is bounded rather than linear; simplify the pattern (without backreferences, lookarounds, atomic groups or possessive repeats it runs in linear time)\n`,
    );
    expect(existsSync(outFile())).toBe(false);
  });

  it('should turn an empty selection into a warning and [] with --allow-empty', async () => {
    populate(api, { vmis: 2, namespaces: 1 });
    const run = await select({ NAMESPACE: 'nowhere', VMI_NAME: 'vm-' }, '--allow-empty');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(readFileSync(outFile(), 'utf8')).toBe('[]\n');
    expect(parseLines(run.stdout).find((l) => l.level === 'warn')?.msg).toBe(
      'no VMI selected: namespace regex "nowhere", target regex "vm-", label selector (none): 2 VMIs listed at cluster scope; namespace regex removed 2, target regex removed 0, not Running on a node removed 0, live migration in progress removed 0, unsupported binding removed 0, no Running virt-launcher pod removed 0; --allow-empty: continuing with no target',
    );
  });

  it('should fail with exit 1 and the missing permission when RBAC forbids the list', async () => {
    api.deny({ verb: 'list', resource: 'virtualmachineinstances', scope: 'cluster' });
    const run = await select({ NAMESPACE: 'team-.*' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'error: forbidden (HTTP 403): RBAC does not allow list virtualmachineinstances.kubevirt.io at cluster scope; grant verb "list" on "virtualmachineinstances.kubevirt.io" to the step\'s service account (the ClusterRole of "vmi-network-filter generate rbac" does). API server: virtualmachineinstances.kubevirt.io is forbidden: User "system:serviceaccount:chaos:vmi-network-filter" cannot list resource "virtualmachineinstances" in API group "kubevirt.io" at the cluster scope\n',
    );
    expect(parseLines(run.stdout).at(-1)).toMatchObject({ level: 'error', msg: 'cannot fall back to a namespaced list: namespace regex "team-.*" is not a plain namespace name' });
  });

  it('should list the one namespace a plain regex names when the cluster-wide list is forbidden', async () => {
    populate(api, { vmis: 10, namespaces: 2 });
    api.deny({ verb: 'list', resource: 'virtualmachineinstances', scope: 'cluster' }).deny({ verb: 'list', resource: 'pods', scope: 'cluster' });
    const run = await select({ NAMESPACE: '^ns-001$', INSTANCE_COUNT: '0' });
    expect(run.code).toBe(0);
    expect(JSON.parse(readFileSync(outFile(), 'utf8'))).toHaveLength(5);
    expect(parseLines(run.stdout).find((l) => l.level === 'warn')?.msg).toBe('list virtualmachineinstances.kubevirt.io at cluster scope is forbidden; listing namespace "ns-001" only');
  });

  it('should retry a throttled request and log the retry as a JSON line', async () => {
    populate(api, { vmis: 2, namespaces: 1 });
    api.fault({ status: 503 });
    const run = await select({ NAMESPACE: 'ns-' });
    expect(run.code).toBe(0);
    const retry = parseLines(run.stdout).find((l) => l.level === 'warn');
    expect(retry).toMatchObject({ step: 'select', request: 'list virtualmachineinstances.kubevirt.io at cluster scope', status: 503, attempt: 2, maxAttempts: 5 });
    expect(String(retry?.msg)).toMatch(/^retrying list virtualmachineinstances\.kubevirt\.io at cluster scope in \d+ ms after HTTP 503 \(attempt 2 of 5\)$/);
  });

  it('should read the scenario from --scenario inline JSON', async () => {
    populate(api, { vmis: 6, namespaces: 2 });
    const run = await select({}, '--scenario', '{"namespace": "ns-001", "instance_count": 0}');
    expect(run.code).toBe(0);
    expect(JSON.parse(readFileSync(outFile(), 'utf8')).map((t: { name: string }) => t.name)).toEqual(['vm-00001', 'vm-00003', 'vm-00005']);
  });

  it('should exit 2 for a bad seed or scenario, before any request', async () => {
    const badSeed = await select({ NAMESPACE: 'ns' }, '--seed=abc');
    expect(badSeed).toMatchObject({ code: 2, stderr: 'error: --seed must be an integer from 0 to 4294967295, not "abc"\n' });
    const noNamespace = await select({});
    expect(noNamespace.code).toBe(2);
    expect(noNamespace.stderr).toMatch(/namespace/);
    expect(api.requests).toHaveLength(0);
  });

  it('should exit 1 when no API configuration is found', async () => {
    const home = tempDir('vmi-home-');
    const run = await runCli(['step', 'select'], { NAMESPACE: 'ns', HOME: home });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: no usable Kubernetes API configuration: KUBECONFIG is not set, this is not a pod with a service account, and ${home}/.kube/config does not exist\n`);
  });
});
