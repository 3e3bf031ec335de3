/**
 * End to end, Argo: the Workflow `generate argo` renders for a scenario file, executed by the
 * test's Argo executor with every container's command, args and env exactly as generated,
 * against the emulated cluster (API server + three nodes of real network namespaces). Real
 * traffic is probed during every hold; after every run all traffic passes and every launcher's
 * ruleset equals its state before the run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { renderArgo } from '../../generator/render.js';
import { loadScenarios } from '../../scenario/index.js';
import { ArgoExecutor, type NodeRecord, type WorkflowRun } from './argo-executor.js';
import { goJson } from './argo-values.js';
import { filterOf, overlaps, allOverlap, scenarioFile, scenarioIndex, snapshotLaunchers, type E2eScenario, type FaultInterval } from './e2e-harness.js';
import { useEmulatedCluster } from './cluster-fixture.js';
import { vmiKey, vmiObjectOf, type EmulatedCluster } from './emulated-cluster.js';
import { HoldObserver, type HoldContext } from './hold-observer.js';
import { clusterMismatches } from './vmi-flows.js';

const fixture = useEmulatedCluster();
let cluster: EmulatedCluster;
let initial: Map<string, string>;
beforeAll(() => ({ cluster, initial } = fixture));

interface RunOptions {
  readonly parameters?: Record<string, string>;
  readonly concurrent: (path: string) => number;
  readonly afterProbe?: (holds: readonly HoldContext[], executor: ArgoExecutor) => void | Promise<void>;
}

async function runArgo(scenarios: readonly E2eScenario[], options: RunOptions): Promise<{ run: WorkflowRun; observer: HoldObserver; workflow: any }> {
  const workflow = renderArgo(loadScenarios({ file: { path: 'e2e.yaml', text: scenarioFile(scenarios) } }), { kind: 'Workflow', version: '0.1.0' }).objects[0] as any;
  let executor!: ArgoExecutor;
  const observer = new HoldObserver(cluster, {
    concurrent: options.concurrent,
    config: (path) => filterOf(scenarios[scenarioIndex(path) - 1]!),
    initial,
    ...(options.afterProbe ? { afterProbe: (holds) => options.afterProbe!(holds, executor) } : {}),
  });
  executor = new ArgoExecutor(workflow, {
    nodes: cluster.nodes,
    environment: cluster.environment,
    ...(options.parameters ? { parameters: options.parameters } : {}),
    onSuspend: (info) => (info.template === 'hold' ? observer.onHold({ path: info.path, target: JSON.parse(info.callerInputs.vmi!) }) : Promise.resolve()),
  });
  return { run: await executor.run(), observer, workflow };
}

const pods = (run: WorkflowRun, step: string): NodeRecord[] => run.nodes.filter((n) => n.type === 'Pod' && n.inputs.step === step);
const vmiOf = (n: NodeRecord): string => vmiKey(JSON.parse(n.inputs.vmi!));
const intervals = (run: WorkflowRun): FaultInterval[] =>
  run.nodes.filter((n) => n.type === 'DAG' && /^vmi-\d+$/.test(n.template)).map((n) => ({ vmi: vmiOf(n), start: n.startedAt, end: n.finishedAt! }));
const summary = (nodes: readonly NodeRecord[]): string[] => nodes.map((n) => `${vmiOf(n)} ${n.phase}`).sort();

async function expectRestored(): Promise<void> {
  expect(await clusterMismatches(cluster, new Map())).toEqual([]);
  expect(snapshotLaunchers(cluster)).toEqual(initial);
}

const DNS: E2eScenario = { namespace: 'shop', execution: 'serial', ingress: true, egress: true, ports: [53], protocols: ['tcp', 'udp'] };
const SHOP = ['shop/web-bridge', 'shop/web-masq', 'shop/web-passt'];

describe('the generated Argo Workflow, run step by step against the emulated cluster', () => {
  it('should pass every flow of the cluster before any run (the emulation works)', async () => {
    expect(await clusterMismatches(cluster, new Map())).toEqual([]);
  });

  it('should fault the selected VMIs one after the other when serial, block exactly their flows, and restore everything', async () => {
    const { run, observer, workflow } = await runArgo([DNS], { concurrent: () => 1 });
    expect(run.phase).toBe('Succeeded');
    expect(observer.probes.map((p) => p.held)).toHaveLength(3);
    expect(observer.probes.flatMap((p) => p.held).sort()).toEqual(SHOP);
    for (const p of observer.probes) expect(p.mismatches).toEqual([]);
    // During each hold exactly that VMI's launcher carried rules.
    for (const p of observer.probes) expect(p.changedLaunchers).toHaveLength(1);
    const faults = intervals(run);
    expect(faults.map((f) => f.vmi).sort()).toEqual(SHOP);
    expect(overlaps(faults)).toBe(false);
    expect(summary(pods(run, 'inject'))).toEqual(SHOP.map((v) => `${v} Succeeded`));
    expect(summary(pods(run, 'verify'))).toEqual(SHOP.map((v) => `${v} Succeeded`));
    // rollback: once in each VMI's branch, once more from the exit handler.
    expect(summary(pods(run, 'rollback'))).toEqual(SHOP.flatMap((v) => [`${v} Succeeded`, `${v} Succeeded`]));
    // The node step ran with the generated args; only /host/proc and /tmp point at their volumes.
    const inject = pods(run, 'inject').find((n) => vmiOf(n) === 'shop/web-passt')!;
    const node = cluster.nodes.find((n) => n.name === 'worker-passt')!;
    const template = workflow.spec.templates.find((t: any) => t.name === 'node-step-1');
    expect(template.container.args).toEqual(['step', '{{inputs.parameters.step}}', '--target={{inputs.parameters.vmi}}', '--run-id={{workflow.uid}}', '--proc=/host/proc', '--out=/tmp/result.json']);
    expect(inject.pod!.argv.slice(0, 6)).toEqual(['vmi-network-filter', 'step', 'inject', `--target=${goJson(JSON.parse(inject.inputs.vmi!))}`, `--run-id=${run.uid}`, `--proc=${node.hostPaths['/proc']}`]);
    expect(inject.pod!.argv[6]).toMatch(/^--out=\/tmp\/vnfe-empty-\w+\/result\.json$/);
    const report = run.nodes.find((n) => n.template === 'report')!;
    expect([report.phase, report.pod!.argv.slice(3)]).toEqual(['Succeeded', ['--status=Succeeded', `--workflow=${run.name}`, `--run-id=${run.uid}`]]);
    await expectRestored();
  });

  it('should fault every selected VMI at once when run with -p execution=parallel, and restore everything', async () => {
    const scenario: E2eScenario = { namespace: '(shop|ops)', target: '(web|db)-', execution: 'serial', ingress: true, egress: false, ports: [], protocols: ['tcp'] };
    const { run, observer } = await runArgo([scenario], { parameters: { execution: 'parallel' }, concurrent: () => 6 });
    expect(run.phase).toBe('Succeeded');
    const skipped = run.nodes.filter((n) => n.phase === 'Skipped').map((n) => n.path.split('.').slice(1).join('.'));
    // The serial branch, and every VMI's verdict (it runs only when inject or verify failed).
    expect(skipped.sort()).toEqual(['scenario-1.serial', ...[0, 1, 2, 3, 4, 5].map((i) => `scenario-1.parallel.vmi(${i}).verdict`)].sort());
    expect(observer.probes).toHaveLength(1);
    expect(observer.probes[0]!.held).toEqual(['ops/db-bridge', 'ops/db-masq', 'ops/db-passt', ...SHOP]);
    expect(observer.probes[0]!.mismatches).toEqual([]);
    expect(observer.probes[0]!.changedLaunchers).toEqual([...cluster.launcherPaths].sort());
    expect(allOverlap(intervals(run))).toBe(true);
    await expectRestored();
  });

  it('should let the exit handler alone restore every target when the workflow is stopped during the hold', async () => {
    const scenario: E2eScenario = { ...DNS, execution: 'parallel', ports: [], protocols: ['tcp', 'udp'] };
    const { run, observer } = await runArgo([scenario], {
      concurrent: () => 3,
      afterProbe: (_holds, executor) => executor.stop(),
    });
    expect([run.mainPhase, run.phase]).toEqual(['Failed', 'Failed']);
    expect(observer.probes[0]!.mismatches).toEqual([]);
    expect(observer.probes[0]!.changedLaunchers).toHaveLength(3);
    // No verify, no rollback in the branches: only the exit handler's rollbacks ran.
    expect(pods(run, 'verify')).toEqual([]);
    const rollbacks = pods(run, 'rollback');
    expect(rollbacks.every((n) => n.path.includes('.onExit.rollback-1.rollback('))).toBe(true);
    expect(summary(rollbacks)).toEqual(SHOP.map((v) => `${v} Succeeded`));
    for (const r of rollbacks) expect(JSON.parse(r.outputs!.result!)).toMatchObject({ ok: true, gone: false });
    expect(run.nodes.find((n) => n.template === 'report')!.pod!.argv).toContain('--status=Failed');
    await expectRestored();
  });

  it('should fail verify when a VMI migrated during the hold, roll it back in its branch, and still restore everything', async () => {
    const scenario: E2eScenario = { ...DNS, namespace: 'ops', target: 'db-(masq|passt)', execution: 'parallel' };
    let moved = '';
    const { run, observer } = await runArgo([scenario], {
      concurrent: () => 2,
      afterProbe: (holds) => {
        if (moved) return;
        const vmi = cluster.vmis.find((v) => vmiKey(v) === vmiKey(holds[0]!.target))!;
        moved = vmiKey(vmi);
        cluster.api.put(vmiObjectOf(vmi, 'worker-elsewhere'));
      },
    });
    expect(observer.probes.map((p) => p.mismatches)).toEqual([[]]);
    const verify = pods(run, 'verify');
    expect(summary(verify)).toEqual(['ops/db-masq', 'ops/db-passt'].map((v) => `${v} ${v === moved ? 'Failed' : 'Succeeded'}`));
    expect(verify.find((n) => vmiOf(n) === moved)!.pod!.code).toBe(1);
    expect(JSON.stringify(JSON.parse(verify.find((n) => vmiOf(n) === moved)!.outputs!.result!).checks)).toContain('vmi-moved');
    // Argo's DAG phase counts leaf tasks only, and the branch's rollback succeeded: the verdict
    // task (run only after a failed inject or verify) fails the branch and so the workflow.
    const verdicts = run.nodes.filter((n) => n.type === 'Pod' && n.template === 'verdict');
    expect(verdicts.map((n) => [vmiKey(JSON.parse(n.inputs.vmi!)), n.inputs.inject, n.inputs.verify, n.phase])).toEqual([[moved, 'Succeeded', 'Failed', 'Failed']]);
    expect(run.phase).toBe('Failed');
    await expectRestored();
  });

  it('should run the scenarios of one file in order, with the wait between them, and restore everything', async () => {
    const first: E2eScenario = { namespace: 'ops', target: 'db-bridge', execution: 'serial', ingress: true, egress: true, ports: [80], protocols: ['tcp'], waitDuration: 1 };
    const second: E2eScenario = { namespace: 'shop', target: 'web-(masq|passt)', execution: 'parallel', ingress: false, egress: true, ports: [53], protocols: ['udp', 'tcp'] };
    const { run, observer } = await runArgo([first, second], { concurrent: (path) => (scenarioIndex(path) === 1 ? 1 : 2) });
    expect(run.phase).toBe('Succeeded');
    expect(observer.probes.map((p) => [p.held, p.mismatches])).toEqual([
      [['ops/db-bridge'], []],
      [['shop/web-masq', 'shop/web-passt'], []],
    ]);
    const wait = run.nodes.find((n) => n.template === 'wait')!;
    const lastOfFirst = Math.max(...run.nodes.filter((n) => n.path.includes('.scenario-1.')).map((n) => n.finishedAt!));
    const firstOfSecond = Math.min(...run.nodes.filter((n) => n.path.includes('.scenario-2.')).map((n) => n.startedAt));
    expect(wait.finishedAt! - wait.startedAt).toBeGreaterThanOrEqual(1000);
    expect(lastOfFirst <= wait.startedAt && wait.finishedAt! <= firstOfSecond).toBe(true);
    expect(run.nodes.filter((n) => n.path.includes('.onExit.rollback-')).map((n) => n.path.split('.onExit.')[1] ?? '').filter((p) => p.includes('(')).sort()).toEqual([
      'rollback-1.rollback(0)',
      'rollback-2.rollback(0)',
      'rollback-2.rollback(1)',
    ]);
    await expectRestored();
  });
});
