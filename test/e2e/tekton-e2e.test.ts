/**
 * End to end, Tekton: the Tasks, Pipeline and PipelineRun `generate tekton` renders for a
 * scenario, executed by the test's Tekton executor (runAfter, when, matrix over nodes, finally)
 * with every step's command, script and env as generated, against the emulated cluster. Real
 * traffic is probed during every hold; afterwards all traffic passes and every launcher's ruleset
 * equals its state before the run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { renderTekton } from '../../generator/tekton/render.js';
import { loadScenarios } from '../../scenario/index.js';
import { filterOf, overlaps, allOverlap, scenarioFile, snapshotLaunchers, type E2eScenario } from './e2e-harness.js';
import { useEmulatedCluster } from './cluster-fixture.js';
import { vmiKey, vmiObjectOf, type EmulatedCluster } from './emulated-cluster.js';
import { HoldObserver, type HoldContext } from './hold-observer.js';
import { TektonExecutor, type PipelineRunResult, type TaskRunRecord } from './tekton-executor.js';
import { clusterMismatches } from './vmi-flows.js';

const fixture = useEmulatedCluster();
let cluster: EmulatedCluster;
let initial: Map<string, string>;
beforeAll(() => ({ cluster, initial } = fixture));

interface Target {
  readonly namespace: string;
  readonly name: string;
}

async function runTekton(scenario: E2eScenario, options: { execution?: string; concurrent: number; afterProbe?: (holds: readonly HoldContext[]) => void }): Promise<{ run: PipelineRunResult; observer: HoldObserver }> {
  const scenarios = loadScenarios({ file: { path: 'e2e.yaml', text: scenarioFile([scenario]) } });
  const name = `e2e-${process.pid}`;
  const objects = renderTekton(scenarios, { kind: 'Pipeline', version: '0.1.0', name }).objects as any[];
  const run = renderTekton(scenarios, { kind: 'PipelineRun', version: '0.1.0', name }).objects[0] as any;
  // Editing the run's params is how one run gets other values (docs/tekton.md).
  if (options.execution) run.spec.params.find((p: any) => p.name === 'execution').value = options.execution;
  const observer = new HoldObserver(cluster, { concurrent: () => options.concurrent, config: () => filterOf(scenario), initial, ...(options.afterProbe ? { afterProbe: options.afterProbe } : {}) });
  const executor = new TektonExecutor(
    objects.filter((o) => o.kind === 'Task'),
    objects.find((o) => o.kind === 'Pipeline'),
    run,
    {
      nodes: cluster.nodes,
      environment: cluster.environment,
      onTaskRun: (task, results) => {
        const round = /^hold(?:-r(\d+))?$/.exec(task);
        if (!round) return undefined;
        const targets = JSON.parse(results('select', 'targets') as string) as Target[];
        const held = round[1] === undefined ? targets : [targets[Number(round[1]) - 1]!];
        return Promise.all(held.map((target) => observer.onHold({ path: `tekton.scenario-1.${task}`, target }))).then(() => undefined);
      },
    },
  );
  return { run: await executor.execute(), observer };
}

const runs = (run: PipelineRunResult, task: string): TaskRunRecord[] => run.taskRuns.filter((r) => r.pipelineTask === task);
const ran = (run: PipelineRunResult): string[] => run.taskRuns.filter((r) => r.phase !== 'Skipped').map((r) => `${r.pipelineTask}${r.node ? `@${r.node}` : ''} ${r.phase}`).sort();

async function expectRestored(): Promise<void> {
  expect(await clusterMismatches(cluster, new Map())).toEqual([]);
  expect(snapshotLaunchers(cluster)).toEqual(initial);
}

describe('the generated Tekton Pipeline, run task by task against the emulated cluster', () => {
  it('should fault the selected VMIs in serial rounds, block exactly their flows, and restore everything', async () => {
    const scenario: E2eScenario = { namespace: 'shop', target: 'web-(masq|bridge)', execution: 'serial', ingress: true, egress: true, ports: [53, 443], protocols: ['tcp', 'udp'] };
    const { run, observer } = await runTekton(scenario, { concurrent: 1 });
    expect(run.status).toBe('Completed');
    const order = ['inject-r1', 'inject-r2'].map((t) => runs(run, t)[0]!.node);
    expect(ran(run)).toEqual(
      [
        'select Succeeded',
        ...['inject', 'hold', 'verify', 'rollback'].flatMap((s) => [`${s}-r1${s === 'hold' ? '' : `@${order[0]}`} Succeeded`, `${s}-r2${s === 'hold' ? '' : `@${order[1]}`} Succeeded`]),
        'rollback@worker-bridge Succeeded',
        'rollback@worker-masquerade Succeeded',
        'report Succeeded',
      ].sort(),
    );
    expect(runs(run, 'inject-r3')[0]!.phase).toBe('Skipped');
    expect(observer.probes.map((p) => p.held)).toEqual(order.map((n) => [n === 'worker-bridge' ? 'shop/web-bridge' : 'shop/web-masq']));
    for (const p of observer.probes) expect([p.mismatches, p.changedLaunchers.length]).toEqual([[], 1]);
    const round = (i: number) => ({ vmi: String(i), start: runs(run, `inject-r${i}`)[0]!.startedAt, end: runs(run, `rollback-r${i}`)[0]!.finishedAt });
    expect(overlaps([round(1), round(2)])).toBe(false);
    expect(runs(run, 'report')[0]!.steps[0]!.stdout).toContain('"status":"Succeeded"');
    await expectRestored();
  });

  it('should fault every VMI at once when parallel, fail on a VMI that migrated during the hold, and let finally alone restore everything', async () => {
    const scenario: E2eScenario = { namespace: 'ops', execution: 'serial', ingress: false, egress: true, ports: [], protocols: ['tcp', 'udp'] };
    const { run, observer } = await runTekton(scenario, {
      execution: 'parallel',
      concurrent: 3,
      afterProbe: () => void cluster.api.put(vmiObjectOf(cluster.vmis.find((v) => vmiKey(v) === 'ops/db-passt')!, 'worker-elsewhere')),
    });
    expect(run.status).toBe('Failed');
    expect(observer.probes.map((p) => [p.held, p.mismatches])).toEqual([[['ops/db-bridge', 'ops/db-masq', 'ops/db-passt'], []]]);
    expect(observer.probes[0]!.changedLaunchers).toHaveLength(3);
    const nodes = ['worker-bridge', 'worker-masquerade', 'worker-passt'];
    expect(ran(run)).toEqual(
      [
        'select Succeeded',
        ...nodes.map((n) => `inject@${n} Succeeded`),
        'hold Succeeded',
        ...nodes.map((n) => `verify@${n} ${n === 'worker-passt' ? 'Failed' : 'Succeeded'}`),
        // The parallel path has no rollback of its own: finally's is the only one.
        ...nodes.map((n) => `rollback@${n} Succeeded`),
        'report Succeeded',
      ].sort(),
    );
    expect(runs(run, 'verify').find((r) => r.node === 'worker-passt')!.steps[0]!.stdout).toContain('vmi-moved');
    expect(allOverlap(runs(run, 'inject').map((r) => ({ vmi: r.node!, start: r.startedAt, end: runs(run, 'rollback').find((x) => x.node === r.node)!.finishedAt })))).toBe(true);
    expect(runs(run, 'report')[0]!.steps[0]!.stdout).toContain('"status":"Failed"');
    await expectRestored();
  });
});
