/**
 * End to end on the real Argo controller (newest supported, v4.1.x): the Workflow our CLI renders
 * runs on the test cluster (real API server, scheduler, kubelet, containerd, Argo's executor),
 * with our step image, against VMIs whose launchers are real pods, authenticating as the service
 * account `generate rbac` creates. During every hold the fleet's real traffic is probed: exactly
 * the held VMIs' asked flows are blocked; after every run everything passes and every launcher's
 * ruleset is what it was before.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { parse } from 'yaml';
import { REPO_ROOT } from '../kube/harness.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, cli, currentCli, follow, inputOf, ledgerRecords, nodePods, nodesNamed, submit, vmiOfNode, nodesOf } from './fixtures/argo-run.js';
import { ghostVmi } from './fixtures/launchers.js';
import { buildFleet, e2eVmis, fleetMismatches, launcherRulesets, SHOP, vmiKey, type Fleet } from './fixtures/fleet.js';
import { engines, kubeAs, kubeconfigFile } from './setup/context.js';
import type { FilterConfig } from '../netns/helpers/flows.js';

const kube = kubeAs();
let fleet: Fleet;
let initial: Map<string, string>;
const NS = 'argo';
/** The namespace of the oldest Argo we support (v3.6). */
const OLDEST = (): string => engines().argo.at(-1)!.namespace;

beforeAll(async () => {
  const node = engines().nodes[0]!;
  fleet = await buildFleet(kube, node, [
    ...e2eVmis(node),
    // Launchers without the VM's interfaces: inject fails on them.
    { namespace: 'broken', name: 'vm-a', binding: 'bridge', node, broken: true },
    { namespace: 'broken', name: 'vm-b', binding: 'bridge', node, broken: true },
  ]);
  initial = launcherRulesets(fleet);
  // This checkout's RBAC also when VNF_ENGINES_CLI runs older code (whose shared binding name
  // let the second namespace take the first one's rights away).
  for (const version of engines().argo) await kube.applyYaml(currentCli(['generate', 'rbac', '--namespace-of-workflow', version.namespace]));
});
afterAll(async () => fleet?.destroy());

/** The workflow of a scenario given as CLI flags, on our step image. */
const workflowYaml = (...flags: string[]): string => cli(['generate', 'argo', '--image', engines().stepImage, ...flags]);

/** The run ledger as sorted lines `<scenario> <ns/name> <record>=<ok>…`. */
async function ledgerLines(wf: Record<string, any>): Promise<string[]> {
  const records = await ledgerRecords(kube, wf.metadata.namespace, wf.metadata.uid);
  return [...records].map(([key, r]) => `${key} ${Object.keys(r).sort().map((k) => `${k}=${r[k]}`).join(' ')}`).sort();
}

/** The node pods of a run still in the cluster, as `<record> <node> <phase>`. */
async function expectRestored(): Promise<void> {
  expect(await fleetMismatches(fleet, new Map())).toEqual([]);
  expect(launcherRulesets(fleet)).toEqual(initial);
}

describe('the generated Argo Workflow on the real Argo controller', () => {
  it('should pass every flow of the fleet before any run', async () => {
    expect(await fleetMismatches(fleet, new Map())).toEqual([]);
  });

  it('should fault the selected VMIs one after the other when serial, block exactly their flows, and restore everything', async () => {
    const dns: FilterConfig = { ingress: true, egress: true, ports: [53], protocols: ['tcp', 'udp'] };
    const created = await submit(kube, NS, workflowYaml('--namespace', 'shop', '--instance-count', '0', '--ports', '53', '--chaos-duration', '6'));
    const probes: { held: readonly string[]; mismatches: string[] }[] = [];
    const wf = await follow(kube, NS, created.metadata.name, {
      onHolds: async (held) => void probes.push({ held, mismatches: await fleetMismatches(fleet, new Map(held.map((v) => [v, dns]))) }),
    });
    expect(wf.status.phase).toBe('Succeeded');
    expect(probes.map((p) => p.held)).toEqual([[expect.any(String)], [expect.any(String)], [expect.any(String)]]);
    expect(probes.flatMap((p) => p.held).sort()).toEqual(SHOP);
    for (const p of probes) expect(p.mismatches).toEqual([]);
    const nodes = nodesOf(wf);
    const summary = (template: string, step: string): string[] =>
      nodesNamed(wf, template).filter((n) => n.type === 'Pod' && n.inputs?.parameters?.find((p: any) => p.name === 'step')?.value === step).map((n) => `${vmiOfNode(nodes, n)} ${n.phase}`).sort();
    expect(summary('fan-out-1', 'inject')).toEqual(SHOP.map((v) => `${v} Succeeded`));
    expect(summary('fan-out-1', 'verify')).toEqual(SHOP.map((v) => `${v} Succeeded`));
    // Each VMI's branch and the exit handler recorded their outcome in the run ledger.
    expect(await ledgerLines(wf)).toEqual(SHOP.map((v) => `1 ${v} exit-rollback=true inject=true rollback=true verify=true`));
    // Every node pod succeeded, so every one was deleted by its fan-out: nothing left behind.
    expect(await nodePods(kube, wf)).toEqual([]);
    await expectRestored();
    // The ledger is garbage-collected with its Workflow.
    await kube.delete('Workflow', wf.metadata.name, NS);
    await kube.waitFor('the ledger to go with its Workflow', () => kube.list('ConfigMap', NS, `vmi-network-filter.io/run=${wf.metadata.uid}`), (l) => l.length === 0, 60_000, 1000);
    expect(vmiKey(fleet.vmis[0]!)).toBe('shop/web-masq');
  });

  it('should stop at the first failed VMI when serial: no other VMI is faulted after it (failFast)', async () => {
    // Both VMIs of `broken` fail at inject; Argo's default (no failFast) would go on to the second.
    const created = await submit(kube, NS, workflowYaml('--namespace', 'broken', '--instance-count', '0', '--chaos-duration', '2'));
    const wf = await follow(kube, NS, created.metadata.name);
    expect(wf.status.phase).toBe('Failed');
    const injects = nodesNamed(wf, 'fan-out-1').filter((n) => n.type === 'Pod' && n.displayName?.startsWith('inject'));
    expect(new Set(injects.map((n) => vmiOfNode(nodesOf(wf), n))).size).toBe(1);
    expect(Object.values(nodesOf(wf)).find((n) => n.templateName === 'vmis-serial-1')?.message).toMatch(/failFast/);
    await expectRestored();
  });

  it('should run the exit handler to its report when a select failed and a later scenario never reached select, on the oldest Argo we support', async () => {
    // Scenario 1 selects nothing (select fails), so scenario 2 never runs.
    const file = `- id: vmi_network_filter\n  namespace: nothing-here-.*\n  test_duration: 2\n- id: vmi_network_filter\n  namespace: shop\n  test_duration: 2\n  wait_duration: 1\n`;
    const dir = mkdtempSync(join(tmpdir(), 'vnfe-scenario-'));
    writeFileSync(join(dir, 'two.yaml'), file);
    const yaml = cli(['generate', 'argo', '--image', engines().stepImage, '--scenario', join(dir, 'two.yaml')]);
    rmSync(dir, { recursive: true, force: true });
    // Two scenarios' templates are ≈ 23 kB: past the newest version's test-sized MAX_WORKFLOW_SIZE.
    const created = await submit(kube, OLDEST(), yaml);
    const wf = await follow(kube, OLDEST(), created.metadata.name);
    expect(wf.status.phase).toBe('Failed');
    const nodes = Object.values(nodesOf(wf));
    // Neither scenario has a run ledger (select-1 failed before writing one, scenario 2 never
    // ran): each exit rollback finds nothing to roll back and succeeds; the report runs.
    const exit = nodes.filter((n) => ['rollback-1', 'rollback-2', 'report'].includes(n.displayName));
    expect(exit.map((n) => `${n.displayName} ${n.phase}`).sort()).toEqual(['report Succeeded', 'rollback-1 Succeeded', 'rollback-2 Succeeded']);
    expect(nodes.filter((n) => n.phase === 'Error').map((n) => `${n.displayName}: ${n.message}`)).toEqual([]);
    expect(await nodePods(kube, wf)).toEqual([]);
  });

  it("should end a run whose VMI sits on a NotReady node by the node pods' deadline, record why, and still run the exit handler", async () => {
    const ghost = await ghostVmi(kube, { namespace: 'ghost', name: 'vm-ghost', node: 'node-gone' });
    try {
      const started = Date.now();
      const created = await submit(kube, NS, workflowYaml('--namespace', 'ghost', '--chaos-duration', '2', '--expiry-grace', '15'));
      const wf = await follow(kube, NS, created.metadata.name, { timeoutMs: 300_000 });
      expect(wf.status.phase).toBe('Failed');
      const pods = Object.values(nodesOf(wf)).filter((n) => n.type === 'Pod');
      // inject, the branch's rollback and the exit handler's rollback: each fan-out's node pod
      // stayed Pending (the node is unreachable) and was deleted at its 15 s deadline; each
      // fan-out failed; the exit handler goes on to the report all the same.
      expect(pods.map((n) => `${n.displayName} ${n.phase}`).sort()).toEqual(['inject Failed', 'report Succeeded', 'rollback Failed', 'rollback Failed', 'select Succeeded']);
      for (const n of pods.filter((p) => p.phase === 'Failed')) expect(n.message).toMatch(/exit code 1/);
      // The ledger says why, for the VMI: its node pods never ran.
      expect(await ledgerLines(wf)).toEqual(['1 ghost/vm-ghost exit-rollback=false inject=false rollback=false']);
      const part = (await kube.list('ConfigMap', NS, `vmi-network-filter.io/run=${wf.metadata.uid},vmi-network-filter.io/ledger=node`))[0]!;
      // (The scheduler's words: a Node object without a kubelet reports no capacity, nor Ready;
      // every kubelet node is ruled out by the node pod's affinity to the VMI's node.)
      const n = engines().nodes.length;
      expect(JSON.parse(part.data['inject.0']).detail).toMatch(
        new RegExp(`^node pod TimedOut: not ended within 15 s \\(Pending: Unschedulable: 0/${n + 1} nodes are available: .*\\b${n} node\\(s\\) didn't satisfy plugin\\(s\\) \\[NodeAffinity\\].*\\); deleted$`),
      );
      expect(await nodePods(kube, wf)).toEqual([]);
      expect(Date.now() - started).toBeLessThan(180_000);
    } finally {
      await ghost.destroy();
    }
  });

  it('should run a WorkflowTemplate of two scenarios submitted with -p overrides, each faulting its own VMI with its own filter, on the oldest Argo we support', async () => {
    // v3.6.18: the newest runs with an 18 kB MAX_WORKFLOW_SIZE, which a run that stores its
    // template in status exceeds.
    const ns = OLDEST();
    const file = join(mkdtempSync(join(tmpdir(), 'vnfe-scenario-')), 'two.yaml');
    writeFileSync(file, '- id: vmi_network_filter\n  namespace: staging\n  ports: [80]\n  test_duration: 60\n  wait_duration: 1\n- id: vmi_network_filter\n  namespace: shop\n  target: web-passt\n  ports: [443]\n  test_duration: 60\n  wait_duration: 1\n');
    const template = cli(['generate', 'argo', '--image', engines().stepImage, '--scenario', file, '--kind', 'WorkflowTemplate', '--name', 'vnf-two']);
    rmSync(dirname(file), { recursive: true, force: true });
    await kube.apply({ ...parse(template), metadata: { ...parse(template).metadata, namespace: ns } });
    // As `argo submit --from workflowtemplate/vnf-two -p test_duration-1=5 -p test_duration-2=5`.
    const created = await kube.create({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { generateName: 'vnf-two-', namespace: ns },
      spec: { workflowTemplateRef: { name: 'vnf-two' }, arguments: { parameters: [{ name: 'test_duration-1', value: '5' }, { name: 'test_duration-2', value: '5' }] } },
    });
    const filters = new Map<string, FilterConfig>([
      ['staging/web-staging', { ingress: true, egress: true, ports: [80], protocols: ['tcp', 'udp'] }],
      ['shop/web-passt', { ingress: true, egress: true, ports: [443], protocols: ['tcp', 'udp'] }],
    ]);
    const probes: { held: readonly string[]; mismatches: string[] }[] = [];
    const wf = await follow(kube, ns, created.metadata.name, {
      onHolds: async (held) => void probes.push({ held, mismatches: await fleetMismatches(fleet, new Map(held.map((v) => [v, filters.get(v)!]))) }),
    });
    await kube.delete('WorkflowTemplate', 'vnf-two', ns);
    expect(wf.status.phase, wf.status.message).toBe('Succeeded');
    expect(probes.map((p) => p.held)).toEqual([['staging/web-staging'], ['shop/web-passt']]);
    for (const p of probes) expect(p.mismatches).toEqual([]);
    // The -p overrides reached the holds (the template says 60 s).
    expect(nodesNamed(wf, 'hold').map((n) => n.inputs.parameters.find((p: any) => p.name === 'seconds').value)).toEqual(['5', '5']);
    await expectRestored();
  });

  it('should run a CronWorkflow on its schedule: the Workflow it starts faults the VMI and restores it', async () => {
    const yaml = workflowYaml('--namespace', 'shop', '--target', 'web-masq2', '--ports', '80', '--chaos-duration', '5', '--kind', 'CronWorkflow', '--schedule', '* * * * *', '--name', 'vnf-cron');
    const cron = parse(yaml);
    cron.metadata.namespace = NS;
    await kube.create(cron);
    try {
      // The controller's cron starts a run at the next minute.
      const [run] = await kube.waitFor('the CronWorkflow to start a Workflow', () => kube.list('Workflow', NS, 'workflows.argoproj.io/cron-workflow=vnf-cron'), (wfs) => wfs.length > 0, 90_000, 1000);
      // One run is enough: no further one while this one is followed (deleting the
      // CronWorkflow would delete its Workflows with it).
      await kube.mergePatch('CronWorkflow', 'vnf-cron', NS, { spec: { suspend: true } });
      const http: FilterConfig = { ingress: true, egress: true, ports: [80], protocols: ['tcp', 'udp'] };
      const probes: { held: readonly string[]; mismatches: string[] }[] = [];
      const wf = await follow(kube, NS, run!.metadata.name, {
        onHolds: async (held) => void probes.push({ held, mismatches: await fleetMismatches(fleet, new Map(held.map((v) => [v, http]))) }),
      });
      expect(wf.status.phase, wf.status.message).toBe('Succeeded');
      expect(probes.map((p) => [p.held, p.mismatches])).toEqual([[['shop/web-masq2'], []]]);
      expect((await kube.list('Workflow', NS, 'workflows.argoproj.io/cron-workflow=vnf-cron')).length).toBe(1);
      await expectRestored();
    } finally {
      await kube.delete('CronWorkflow', 'vnf-cron', NS).catch(() => undefined);
    }
  });

  it('should keep only the held VMIs faulted when parallel, and fail the run when a VMI migrates during the hold', async () => {
    const ingress: FilterConfig = { ingress: true, egress: false, ports: [], protocols: ['tcp'] };
    const created = await submit(kube, NS, workflowYaml('--namespace', 'shop', '--instance-count', '0', '--execution', 'parallel', '--egress', 'false', '--protocols', 'tcp', '--chaos-duration', '8'));
    const probes: { held: readonly string[]; mismatches: string[] }[] = [];
    const wf = await follow(kube, NS, created.metadata.name, {
      onHolds: async (held) => {
        if (held.length < 3) return;
        probes.push({ held, mismatches: await fleetMismatches(fleet, new Map(held.map((v) => [v, ingress]))) });
        // virt-handler reports the VM on another node: its fault is lost; verify must say so.
        await kube.mergePatch('VirtualMachineInstance', 'web-masq', 'shop', { status: { nodeName: 'node-elsewhere' } });
      },
    });
    await kube.mergePatch('VirtualMachineInstance', 'web-masq', 'shop', { status: { nodeName: engines().nodes[0] } });
    expect(probes).toHaveLength(1);
    expect(probes[0]!.held).toEqual(SHOP);
    expect(probes[0]!.mismatches).toEqual([]);
    expect(wf.status.phase).toBe('Failed');
    // One fan-out pod per step (and one in the exit handler), whatever the number of VMIs and nodes.
    const pods = nodesNamed(wf, 'fan-out-1').filter((n) => n.type === 'Pod');
    expect(pods.map((n) => `${inputOf(n, 'record')} ${n.phase}`).sort()).toEqual(['exit-rollback Succeeded', 'inject Succeeded', 'rollback Succeeded', 'verify Failed']);
    // Of their node pods (one per step on the VMIs' node), only the failed verify's is left, for its logs.
    expect(await nodePods(kube, wf)).toEqual([`verify ${engines().nodes[0]} Failed`]);
    // The migrated VMI failed its verify, the others passed; the verdict read it in the ledger.
    expect(await ledgerLines(wf)).toEqual([
      '1 shop/web-masq exit-rollback=true inject=true rollback=true verify=false',
      '1 shop/web-masq2 exit-rollback=true inject=true rollback=true verify=true',
      '1 shop/web-passt exit-rollback=true inject=true rollback=true verify=true',
    ]);
    const verdict = nodesNamed(wf, 'ledger-verdict-1')[0]!;
    expect(`${verdict.phase} ${verdict.message}`).toMatch(/^Failed /);
    await expectRestored();
    // The node pod left behind is garbage-collected with its Workflow, as the ledger is.
    await kube.delete('Workflow', wf.metadata.name, NS);
    await kube.waitFor('the node pods to go with their Workflow', () => nodePods(kube, wf), (l) => l.length === 0, 60_000, 1000);
  });

  it('should restore every VMI from the exit handler alone when stopped during the hold, on the oldest Argo we support', async () => {
    const ns = OLDEST();
    const created = await submit(kube, ns, workflowYaml('--namespace', 'shop', '--instance-count', '0', '--execution', 'parallel', '--chaos-duration', '60'));
    let stoppedAt = 0;
    const wf = await follow(kube, ns, created.metadata.name, {
      onHolds: async (held) => {
        if (held.length < 3 || stoppedAt) return;
        stoppedAt = Date.now();
        await kube.mergePatch('Workflow', created.metadata.name, ns, { spec: { shutdown: 'Stop' } });
      },
    });
    expect(stoppedAt).toBeGreaterThan(0);
    expect(wf.status.phase).toBe('Failed');
    const nodes = nodesOf(wf);
    const exitRollbacks = Object.values(nodes).filter((n) => n.type === 'Pod' && nodes[n.boundaryID]?.templateName === 'exit-rollback-1');
    expect(exitRollbacks.map((n) => `${inputOf(n, 'record')} ${n.phase}`)).toEqual(['exit-rollback Succeeded']);
    // The branch never reached verify or rollback: the exit handler's rollback alone restored.
    expect(await ledgerLines(wf)).toEqual(SHOP.map((v) => `1 ${v} exit-rollback=true inject=true`));
    // Well before the 60 s hold (and the kernel deadline) would have ended it.
    expect(Date.now() - stoppedAt).toBeLessThan(50_000);
    await expectRestored();
  });

  it('should submit, watch and report a run as a user holding only the Role the README documents', async () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const role = parse(/```yaml\n(apiVersion: rbac[^`]*kind: Role\n[^`]*)```/.exec(readme)![1]!) as Record<string, any>;
    expect(role.metadata).toEqual({ name: 'vmi-network-filter-submitter', namespace: 'argo' });
    await kube.apply(role);
    await kube.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'submitter', namespace: NS }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'vnf-submitter' }] });
    const config = kubeconfigFile('submitter');
    const report = join(dirname(config), 'report.json');
    const r = spawnSync(process.execPath, [CLI_BIN, 'submit', '--namespace', 'shop', '--instance-count', '0', '--execution', 'parallel', '--ports', '443', '--chaos-duration', '4', '--image', engines().stepImage, '--namespace-of-workflow', NS, '--watch', '--report-json', report], { encoding: 'utf8', env: { PATH: process.env.PATH, KUBECONFIG: config }, timeout: 300_000 });
    try {
      expect(r.stderr).not.toMatch(/forbidden/i);
      // The Role's `get namespaces` let the Pod Security check read the (unlabelled) namespace.
      expect(r.stderr).toContain(`note: namespace "${NS}" has no pod-security.kubernetes.io/enforce label: the cluster's default Pod Security level applies`);
      expect(r.stderr).not.toMatch(/could not read the Pod Security level/);
      expect(r.status).toBe(0);
      const result = JSON.parse(readFileSync(report, 'utf8'));
      expect(result.vmis.map((v: any) => `${v.namespace}/${v.name} ${v.rollback.confirmed} ${v.rollback.by.join('+')}`).sort()).toEqual(SHOP.map((v) => `${v} true branch+exit handler`));
      // What watch and the report read was compressed by the controller (status.compressedNodes).
      const [wf] = (await kube.list('Workflow', NS)).sort((a, b) => String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)));
      expect(wf?.status.compressedNodes).toEqual(expect.any(String));
      expect(wf?.status.nodes).toBeUndefined();
      // Where Pod Security would refuse the node pods, submit stops before creating anything.
      await kube.mergePatch('Namespace', NS, undefined, { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } });
      const before = (await kube.list('Workflow', NS)).length;
      const refused = spawnSync(process.execPath, [CLI_BIN, 'submit', '--namespace', 'shop', '--image', engines().stepImage, '--namespace-of-workflow', NS], { encoding: 'utf8', env: { PATH: process.env.PATH, KUBECONFIG: config }, timeout: 60_000 });
      expect(refused.status).toBe(2);
      expect(refused.stderr).toContain(`error: the node pods would be refused in namespace "${NS}": its Pod Security level is "restricted" (label pod-security.kubernetes.io/enforce), and node pods mount a host path and add capabilities as root, which only "privileged" allows; nothing was created. Allow them with: kubectl label ns ${NS} pod-security.kubernetes.io/enforce=privileged --overwrite\n`);
      expect((await kube.list('Workflow', NS)).length).toBe(before);
    } finally {
      await kube.mergePatch('Namespace', NS, undefined, { metadata: { labels: { 'pod-security.kubernetes.io/enforce': null } } });
      rmSync(dirname(config), { recursive: true, force: true });
    }
    await expectRestored();
  });
});
