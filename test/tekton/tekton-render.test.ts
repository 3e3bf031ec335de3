import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES_DIR, renderExamples, TEKTON_EXAMPLES, tektonExamplePath } from '../../generator/examples.js';
import { TASK_NAMES } from '../../generator/tekton/task-context.js';
import { renderTekton } from '../../generator/tekton/render.js';
import { VERSION } from '../../core/version.js';
import { loadScenarios, SCENARIO_KEYS, type Scenario } from '../../scenario/index.js';

const scenario = (flags: Record<string, string>): Scenario[] => loadScenarios({ flags: { namespace: 'demo', ...flags } });
const objects = (scenarios: Scenario[], kind: 'Tasks' | 'Pipeline' | 'PipelineRun', extra: { serialRounds?: number; privileged?: boolean } = {}) =>
  renderTekton(scenarios, { kind, version: '9.9.9', ...extra }).objects as any[];
const pipelineOf = (scenarios: Scenario[], extra: { serialRounds?: number } = {}) => objects(scenarios, 'Pipeline', extra).find((o) => o.kind === 'Pipeline');
const taskOf = (name: string) => objects([], 'Tasks').find((o) => o.metadata.name === name);
const pipelineTask = (p: any, name: string) => [...p.spec.tasks, ...p.spec.finally].find((t: any) => t.name === name);
const paramValues = (t: any) => Object.fromEntries(t.params.map((p: any) => [p.name, p.value]));
const PASS_THROUGH = Object.fromEntries(SCENARIO_KEYS.map((k) => [k.key, `$(params.${k.key})`]));
/** Every Task pod's security (the Pod Security Standard `restricted`): the node pods are the fan-out's. */
const RUNTIME_DEFAULT = { type: 'RuntimeDefault' };
const RESTRICTED = { runAsNonRoot: true, runAsUser: 65532, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: RUNTIME_DEFAULT };
/** What every fan-out task of a Pipeline passes besides the scenario: the run it belongs to. */
const RUN = { 'run-id': '$(context.pipelineRun.uid)', 'pipeline-run': '$(context.pipelineRun.name)' };

/** A node Task's `step fan-out` arguments after the step's name: every one a param of the Task. */
const fanOutArgs = (step: string): string[] => [
  step,
  '--node=$(params.node)',
  '--index=$(params.index)',
  '--record-as=$(params.record)',
  '--scenario-number=$(params.scenario-number)',
  '--run-id=$(params.run-id)',
  '--owner=PipelineRun/$(params.pipeline-run)',
];

describe('examples in workflows/tekton/', () => {
  it('should be up to date with the generator (run `npm run examples` when this fails)', () => {
    const rendered = [...renderExamples(VERSION)].filter(([path]) => path.startsWith('tekton/'));
    expect(rendered.map(([path]) => path)).toEqual(TEKTON_EXAMPLES.map(tektonExamplePath));
    for (const [path, text] of rendered) expect(readFileSync(join(EXAMPLES_DIR, path), 'utf8'), `workflows/${path} is stale`).toBe(text);
  });

  it('should hold no file the generator does not write (a removed example)', () => {
    expect(readdirSync(join(EXAMPLES_DIR, 'tekton')).sort()).toEqual(TEKTON_EXAMPLES.map((e) => tektonExamplePath(e).replace('tekton/', '')).sort());
  });
});

describe('the Tekton Tasks', () => {
  it('should be six generic Tasks, the same whatever the scenario', () => {
    expect(objects([], 'Tasks').map((o) => [o.kind, o.metadata.name])).toEqual(Object.values(TASK_NAMES).map((n) => ['Task', n]));
    const fromPipeline = objects(scenario({ ports: '53', execution: 'parallel' }), 'Pipeline').filter((o) => o.kind === 'Task');
    expect(fromPipeline).toEqual(objects([], 'Tasks'));
  });

  it.each([TASK_NAMES.select, TASK_NAMES.inject, TASK_NAMES.verify, TASK_NAMES.rollback])('should take every scenario key as a param of %s', (name) => {
    const params = taskOf(name).spec.params;
    expect(params.slice(0, SCENARIO_KEYS.length).map((p: any) => [p.name, p.default])).toEqual([
      ['test_duration', '120'],
      ['namespace', undefined],
      ['target', '.*'],
      ['label_selector', ''],
      ['instance_count', '1'],
      ['execution', 'serial'],
      ['ingress', 'true'],
      ['egress', 'true'],
      ['interfaces', ''],
      ['ports', ''],
      ['protocols', 'tcp,udp'],
      ['image', 'ghcr.io/vmi-network-filter/vmi-network-filter:0.1.0'],
      ['taints', ''],
      ['service_account', ''],
      ['wait_duration', '300'],
      ['expiry_grace', '60'],
      ['onset', 'immediate'],
      ['arm_budget', '0'],
    ]);
  });

  it.each([TASK_NAMES.select, TASK_NAMES.inject, TASK_NAMES.verify, TASK_NAMES.rollback])('should give every step of %s the scenario as krkn-hub variables', (name) => {
    const expected = SCENARIO_KEYS.map((k) => ({ name: k.env, value: `$(params.${k.key})` }));
    for (const step of taskOf(name).spec.steps) {
      expect(step.env.slice(0, SCENARIO_KEYS.length), `${name} step ${step.name}`).toEqual(expected);
      expect(step.image).toBe('$(params.image)');
    }
  });

  it('should select unprivileged into the run ledger, with only the serial keys as results', () => {
    const select = taskOf(TASK_NAMES.select);
    // No `nodes` result: the fan-outs read the nodes from the run ledger.
    expect(select.spec.results.map((r: any) => [r.name, r.type])).toEqual([
      ['serial-nodes', 'array'],
      ['serial-indexes', 'array'],
    ]);
    expect(select.spec.params.slice(SCENARIO_KEYS.length).map((p: any) => [p.name, p.default])).toEqual([
      ['serial-rounds', '0'],
      ['run-id', undefined],
      ['pipeline-run', undefined],
      ['scenario-number', '1'],
    ]);
    const [step, results] = select.spec.steps;
    // select writes the ledger and the serial keys to a volume of the pod; the results step
    // checks their size and writes the results.
    expect([step.command, step.args]).toEqual([
      ['vmi-network-filter'],
      [
        'step',
        'select',
        '--run-id=$(params.run-id)',
        '--owner=PipelineRun/$(params.pipeline-run)',
        '--scenario-number=$(params.scenario-number)',
        '--serial-out=/vnf-selection/serial.json',
        '--engine=tekton',
      ],
    ]);
    // --engine=tekton reads Tekton's pipelines-info only, not select's own pod: no POD_NAME.
    expect(step.env.slice(SCENARIO_KEYS.length)).toEqual([{ name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }]);
    expect(select.spec.volumes).toEqual([{ name: 'selection', emptyDir: {} }]);
    for (const s of [step, results]) expect(s.volumeMounts).toEqual([{ name: 'selection', mountPath: '/vnf-selection' }]);
    expect(results.env.slice(SCENARIO_KEYS.length)).toEqual([
      { name: 'SERIAL_ROUNDS', value: '$(params.serial-rounds)' },
      { name: 'SELECTION_DIR', value: '/vnf-selection' },
      { name: 'SERIAL_NODES_FILE', value: '$(results.serial-nodes.path)' },
      { name: 'SERIAL_INDEXES_FILE', value: '$(results.serial-indexes.path)' },
    ]);
    for (const s of select.spec.steps) expect(s.securityContext).toEqual(RESTRICTED);
  });

  it.each(['inject', 'verify', 'rollback'] as const)('should run %s as one restricted pod that creates the node pods (step fan-out), with no host path', (step) => {
    const task = taskOf(TASK_NAMES[step]);
    // node and index are optional: empty, the fan-out covers every node of the run ledger; the
    // PipelineRun named by pipeline-run owns the node pods.
    expect(task.spec.params.slice(SCENARIO_KEYS.length).map((p: any) => [p.name, p.default])).toEqual([
      ['node', ''],
      ['index', ''],
      ['scenario-number', '1'],
      ['record', step],
      ['run-id', undefined],
      ['pipeline-run', undefined],
    ]);
    expect(task.spec.results).toBeUndefined();
    expect(task.spec.volumes).toBeUndefined();
    expect(task.spec.steps).toHaveLength(1);
    const [s] = task.spec.steps;
    expect(s.securityContext).toEqual(RESTRICTED);
    expect(s.volumeMounts).toBeUndefined();
    // The ledger and the node pods are in the pod's own namespace; the node pods run under the
    // TaskRun's own service account.
    expect(s.env.slice(SCENARIO_KEYS.length)).toEqual([
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'POD_SERVICE_ACCOUNT', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
    ]);
    expect([s.command, s.args, s.script]).toEqual([
      ['vmi-network-filter'],
      ['step', 'fan-out', ...fanOutArgs(step)],
      undefined,
    ]);
  });

  it('should ask the fan-out for privileged node pods only when generated with --privileged, the Task pod staying restricted', () => {
    const tasks = objects([], 'Tasks', { privileged: true });
    for (const step of ['inject', 'verify', 'rollback'] as const) {
      const [s] = tasks.find((o) => o.metadata.name === TASK_NAMES[step]).spec.steps;
      expect(s.args.slice(2)).toEqual([...fanOutArgs(step), '--privileged']);
      expect(s.securityContext).toEqual(RESTRICTED);
      expect(taskOf(TASK_NAMES[step]).spec.steps[0].args).not.toContain('--privileged');
    }
  });

  it('should hold no privilege, capability or host path in any Task, with or without --privileged (only the node pods have them)', () => {
    for (const privileged of [false, true]) {
      const tasks = objects([], 'Tasks', { privileged });
      for (const task of tasks) {
        for (const s of task.spec.steps) expect(s.securityContext, `${task.metadata.name} step ${s.name}`).toEqual(RESTRICTED);
        expect((task.spec.volumes ?? []).filter((v: any) => v.hostPath), task.metadata.name).toEqual([]);
        expect(task.spec.stepTemplate, task.metadata.name).toBeUndefined();
        expect(task.spec.sidecars, task.metadata.name).toBeUndefined();
      }
      const yaml = renderTekton([], { kind: 'Tasks', version: '9.9.9', privileged }).yaml;
      for (const word of ['privileged: true', 'runAsUser: 0', 'NET_ADMIN', 'SYS_ADMIN', 'SYS_PTRACE', 'hostPath', 'hostPID', 'hostNetwork']) expect(yaml).not.toContain(word);
    }
  });
});

describe('the Tekton Pipeline', () => {
  it('should select, then inject (one fan-out TaskRun for all the nodes), hold test_duration, verify and restore (parallel)', () => {
    const p = pipelineOf(scenario({ execution: 'parallel', instance_count: '0' }));
    // inject reads the run ledger select writes: it must run after select (no result reference
    // orders it any more).
    expect(p.spec.tasks.map((t: any) => [t.name, t.taskRef.name, t.runAfter ?? []])).toEqual([
      ['select', TASK_NAMES.select, []],
      ['inject', TASK_NAMES.inject, ['select']],
      ['hold', TASK_NAMES.hold, ['inject']],
      ['verify', TASK_NAMES.verify, ['hold']],
      ['restore', TASK_NAMES.rollback, ['verify']],
    ]);
    for (const name of ['inject', 'verify', 'restore']) {
      const t = pipelineTask(p, name);
      // One TaskRun whatever the number of nodes: no matrix, no node or index (every node of the ledger).
      expect(t.matrix).toBeUndefined();
      expect(t.when).toEqual([{ input: '$(params.execution)', operator: 'in', values: ['parallel'] }]);
      expect(paramValues(t)).toEqual({ ...PASS_THROUGH, 'scenario-number': '1', ...RUN });
    }
    expect(paramValues(pipelineTask(p, 'hold'))).toEqual({ seconds: '$(params.test_duration)', image: '$(params.image)' });
    // No timeout fixed at generation: a run may raise test_duration (the run's timeouts bound it).
    expect(pipelineTask(p, 'hold').timeout).toBeUndefined();
    expect(paramValues(pipelineTask(p, 'select'))).toEqual({
      ...PASS_THROUGH,
      'serial-rounds': '0',
      'run-id': '$(context.pipelineRun.uid)',
      'pipeline-run': '$(context.pipelineRun.name)',
      'scenario-number': '1',
    });
  });

  it('should have no matrix and no reference to a nodes result anywhere, whatever the execution and the number of scenarios', () => {
    const scenarios = loadScenarios({ file: { path: 'two.yaml', text: readFileSync(join(EXAMPLES_DIR, 'scenarios/dns-then-web.yaml'), 'utf8') } });
    for (const p of [pipelineOf(scenario({ execution: 'parallel' })), pipelineOf(scenario({ instance_count: '3' })), pipelineOf(scenarios)]) {
      for (const t of [...p.spec.tasks, ...p.spec.finally]) expect(t.matrix, t.name).toBeUndefined();
      expect(JSON.stringify(p)).not.toMatch(/\.results\.nodes\b/);
    }
  });

  it('should roll back every selected VMI in finally, always (without a ledger there is nothing to roll back), then report', () => {
    const p = pipelineOf(scenario({}));
    expect(p.spec.finally.map((t: any) => [t.name, t.taskRef.name])).toEqual([
      ['rollback', TASK_NAMES.rollback],
      ['report', TASK_NAMES.report],
    ]);
    const rollback = pipelineTask(p, 'rollback');
    // No `when` on select's status any more: the fan-out reads the ledger, and finds none when
    // select failed before writing it. No matrix: one TaskRun for every node.
    expect([rollback.matrix, rollback.retries, rollback.when]).toEqual([undefined, 3, undefined]);
    expect(paramValues(rollback)).toEqual({ ...PASS_THROUGH, 'scenario-number': '1', record: 'exit-rollback', ...RUN });
    expect(paramValues(pipelineTask(p, 'report'))).toEqual({
      status: '$(tasks.status)',
      'pipeline-run': '$(context.pipelineRun.name)',
      'run-id': '$(context.pipelineRun.uid)',
      image: '$(params.image)',
    });
  });

  it('should run serial scenarios in rounds, one target each for the whole duration, restored before the next', () => {
    const p = pipelineOf(scenario({ instance_count: '2' }));
    const rounds = p.spec.tasks.slice(5);
    expect(rounds.map((t: any) => [t.name, t.runAfter])).toEqual([
      ['inject-r1', ['select']],
      ['hold-r1', ['inject-r1']],
      ['verify-r1', ['hold-r1']],
      ['rollback-r1', ['verify-r1']],
      ['inject-r2', ['rollback-r1']],
      ['hold-r2', ['inject-r2']],
      ['verify-r2', ['hold-r2']],
      ['rollback-r2', ['verify-r2']],
    ]);
    expect(pipelineTask(p, 'verify-r2').when).toEqual([
      { input: '$(params.execution)', operator: 'in', values: ['serial'] },
      { input: '$(tasks.select.results.serial-nodes[1])', operator: 'notin', values: [''] },
    ]);
    // A round's fan-out creates one node pod, on the node of its target, for that VMI alone.
    for (const name of ['inject-r2', 'verify-r2', 'rollback-r2']) {
      expect(pipelineTask(p, name).matrix).toBeUndefined();
      expect(paramValues(pipelineTask(p, name))).toEqual({
        ...PASS_THROUGH,
        node: '$(tasks.select.results.serial-nodes[1])',
        index: '$(tasks.select.results.serial-indexes[1])',
        'scenario-number': '1',
        ...RUN,
      });
    }
    expect(pipelineTask(p, 'rollback-r1').taskRef.name).toBe(TASK_NAMES.rollback);
    expect(paramValues(pipelineTask(p, 'rollback-r1')).record).toBeUndefined(); // the Task's default: rollback
    expect(pipelineTask(p, 'hold-r1').timeout).toBeUndefined();
    expect(paramValues(pipelineTask(p, 'select'))['serial-rounds']).toBe('2');
  });

  it('should size the serial rounds from instance_count, or 5 for all VMIs in serial, or --serial-rounds', () => {
    const rounds = (flags: Record<string, string>, serialRounds?: number) =>
      paramValues(pipelineTask(pipelineOf(scenario(flags), serialRounds === undefined ? {} : { serialRounds }), 'select'))['serial-rounds'];
    expect([rounds({}), rounds({ instance_count: '3' }), rounds({ instance_count: '0' }), rounds({ instance_count: '0', execution: 'parallel' }), rounds({}, 9)]).toEqual([
      '1',
      '3',
      '5',
      '0',
      '9',
    ]);
  });

  it('should make every scenario key a Pipeline param holding the scenario value', () => {
    const p = pipelineOf(scenario({ ports: '22,443', protocols: 'tcp', execution: 'parallel', taints: 'a=b:NoSchedule' }));
    expect(p.spec.params.map((x: any) => x.name)).toEqual(SCENARIO_KEYS.map((k) => k.key));
    expect(Object.fromEntries(p.spec.params.map((x: any) => [x.name, x.default]))).toMatchObject({ ports: '22,443', protocols: 'tcp', execution: 'parallel', taints: 'a=b:NoSchedule', namespace: 'demo' });
    expect(p.metadata.name).toMatch(/^vmi-network-filter-[0-9a-f]{8}$/);
  });

  it('should run the scenarios of a file in order, with wait_duration between them', () => {
    const scenarios = loadScenarios({ file: { path: 'two.yaml', text: readFileSync(join(EXAMPLES_DIR, 'scenarios/dns-then-web.yaml'), 'utf8') } });
    const p = pipelineOf(scenarios);
    expect(pipelineTask(p, 'wait-2')).toMatchObject({ runAfter: ['restore-1', 'rollback-1-r1'], taskRef: { name: TASK_NAMES.hold } });
    expect(paramValues(pipelineTask(p, 'wait-2')).seconds).toBe('$(params.wait_duration-1)');
    expect(pipelineTask(p, 'select-2').runAfter).toEqual(['wait-2']);
    // Scenario 2's parallel inject starts after its own select, so after the wait, not with the run.
    expect(pipelineTask(p, 'inject-2').runAfter).toEqual(['select-2']);
    expect(paramValues(pipelineTask(p, 'inject-2'))).toMatchObject({ ports: '$(params.ports-2)', 'scenario-number': '2', ...RUN });
    expect(p.spec.finally.map((t: any) => t.name)).toEqual(['rollback-1', 'rollback-2', 'report']);
    // Each scenario's rollback reads its own part of the ledger (none when its select never ran).
    for (const n of [1, 2]) {
      const rollback = pipelineTask(p, `rollback-${n}`);
      expect([rollback.matrix, rollback.when]).toEqual([undefined, undefined]);
      expect(paramValues(rollback)).toMatchObject({ 'scenario-number': String(n), record: 'exit-rollback', ...RUN });
    }
  });
});

/** The shapes a Pipeline takes: serial rounds, parallel only, several scenarios. */
const SHAPES: readonly (readonly [string, () => Scenario[]])[] = [
  ['two serial rounds', () => scenario({ instance_count: '2' })],
  ['parallel', () => scenario({ execution: 'parallel' })],
  ['two scenarios', () => loadScenarios({ file: { path: 'two.yaml', text: readFileSync(join(EXAMPLES_DIR, 'scenarios/dns-then-web.yaml'), 'utf8') } })],
];

describe('seccomp and service-account tokens', () => {
  it.each(SHAPES)('should run every step of %s under the runtime default seccomp profile, and every TaskRun pod of its PipelineRun', (_, scenarios) => {
    const all = objects(scenarios(), 'Pipeline');
    const tasks = all.filter((o) => o.kind === 'Task');
    const pipeline = all.find((o) => o.kind === 'Pipeline');
    // Every pipeline task runs one of these Tasks (none embeds a taskSpec of its own)...
    const taskNames = tasks.map((t) => t.metadata.name);
    for (const pt of [...pipeline.spec.tasks, ...pipeline.spec.finally]) {
      expect(pt.taskSpec, pt.name).toBeUndefined();
      expect(taskNames, pt.name).toContain(pt.taskRef.name);
    }
    // ...and every step of every Task sets the profile (no sidecar or step template elsewhere).
    const steps = tasks.flatMap((t) => t.spec.steps.map((s: any) => [`${t.metadata.name} ${s.name}`, s.securityContext?.seccompProfile]));
    expect(steps).toEqual([
      [`${TASK_NAMES.select} select`, RUNTIME_DEFAULT],
      [`${TASK_NAMES.select} results`, RUNTIME_DEFAULT],
      [`${TASK_NAMES.inject} inject`, RUNTIME_DEFAULT],
      [`${TASK_NAMES.verify} verify`, RUNTIME_DEFAULT],
      [`${TASK_NAMES.rollback} rollback`, RUNTIME_DEFAULT],
      [`${TASK_NAMES.hold} hold`, RUNTIME_DEFAULT],
      [`${TASK_NAMES.report} report`, RUNTIME_DEFAULT],
    ]);
    for (const t of tasks) expect([t.spec.sidecars, t.spec.stepTemplate], t.metadata.name).toEqual([undefined, undefined]);
    // Pod level, for Tekton's own init containers: every TaskRun's pod template has it, and no
    // taskRunSpec replaces the security context (Tekton merges pod templates field by field).
    const [run] = objects(scenarios(), 'PipelineRun');
    expect(run.spec.taskRunTemplate.podTemplate).toEqual({ securityContext: { seccompProfile: RUNTIME_DEFAULT } });
    for (const spec of run.spec.taskRunSpecs) expect(spec.podTemplate?.securityContext, spec.pipelineTaskName).toBeUndefined();
  });

  it.each(SHAPES)('should mount no service-account token in the holds of %s (a sleep), and keep it everywhere else', (_, scenarios) => {
    const pipeline = objects(scenarios(), 'Pipeline').find((o) => o.kind === 'Pipeline');
    const [run] = objects(scenarios(), 'PipelineRun');
    const holds = [...pipeline.spec.tasks, ...pipeline.spec.finally].filter((t: any) => t.taskRef.name === TASK_NAMES.hold).map((t: any) => t.name);
    const tokenless = run.spec.taskRunSpecs.filter((s: any) => s.podTemplate?.automountServiceAccountToken === false).map((s: any) => s.pipelineTaskName);
    expect(tokenless.sort()).toEqual(holds.sort());
    // Only that field: the holds keep the run's service account and pod template.
    for (const s of run.spec.taskRunSpecs.filter((x: any) => tokenless.includes(x.pipelineTaskName))) {
      expect(s).toEqual({ pipelineTaskName: s.pipelineTaskName, podTemplate: { automountServiceAccountToken: false } });
    }
    expect(run.spec.taskRunTemplate.podTemplate.automountServiceAccountToken).toBeUndefined();
  });

  it('should name the holds of each shape: the parallel hold, each serial round\'s, and the wait before a later scenario', () => {
    const tokenless = (scenarios: Scenario[]): string[] =>
      objects(scenarios, 'PipelineRun')[0].spec.taskRunSpecs.filter((s: any) => s.podTemplate?.automountServiceAccountToken === false).map((s: any) => s.pipelineTaskName);
    expect(tokenless(SHAPES[0]![1]())).toEqual(['hold', 'hold-r1', 'hold-r2']);
    // A parallel scenario keeps its serial round (execution is a param a run may change).
    expect(tokenless(SHAPES[1]![1]())).toEqual(['hold', 'hold-r1']);
    expect(tokenless(SHAPES[2]![1]())).toEqual(['hold-1', 'hold-1-r1', 'wait-2', 'hold-2']);
  });
});

describe('the Tekton PipelineRun', () => {
  it('should give every node step the service account of its scenario, and no pod template (the fan-out pins the node pods)', () => {
    const flags = { instance_count: '1', taints: 'gpu=a100:NoSchedule,maintenance:NoExecute', service_account: 'chaos' };
    const [run] = objects(scenario(flags), 'PipelineRun');
    expect(run.spec.pipelineRef).toEqual({ name: pipelineOf(scenario(flags)).metadata.name });
    // The node pods run under the fan-out's own service account: the one given here. The holds
    // (a sleep) get no token.
    expect(run.spec.taskRunSpecs).toEqual([
      ...['inject', 'verify', 'restore', 'inject-r1', 'verify-r1', 'rollback-r1', 'rollback'].map((name) => ({ pipelineTaskName: name, serviceAccountName: 'chaos' })),
      ...['hold', 'hold-r1'].map((name) => ({ pipelineTaskName: name, podTemplate: { automountServiceAccountToken: false } })),
    ]);
    // The taints reach the fan-out as a param (TAINTS), which tolerates them in the node pods.
    expect(run.spec.params.find((p: any) => p.name === 'taints').value).toBe('gpu=a100:NoSchedule,maintenance:NoExecute');
    expect(run.spec.taskRunTemplate).toEqual({ serviceAccountName: 'chaos', podTemplate: { securityContext: { seccompProfile: RUNTIME_DEFAULT } } });
    expect(run.metadata.generateName).toBe(`${run.spec.pipelineRef.name}-`);
    // Nothing left for Tekton to substitute in a PipelineRun ($(params.node) was the pod template's).
    expect(renderTekton(scenario(flags), { kind: 'PipelineRun', version: '9.9.9' }).yaml).not.toContain('$(');
  });

  it('should pass every scenario value and bound the run by what it will do', () => {
    const [run] = objects(scenario({ test_duration: '60', instance_count: '2' }), 'PipelineRun');
    expect(run.spec.params.map((p: any) => [p.name, p.value])).toEqual(SCENARIO_KEYS.map((k) => [k.key, k.key === 'test_duration' ? '60' : k.key === 'instance_count' ? '2' : (k.key === 'namespace' ? 'demo' : expect.any(String))]));
    // select 600 s + 2 serial rounds × (60 s + 900 s); finally 900 s
    expect(run.spec.timeouts).toEqual({ pipeline: '3420s', tasks: '2520s', finally: '900s' });
    expect(run.spec.taskRunSpecs[0]).toEqual({ pipelineTaskName: 'inject', serviceAccountName: 'vmi-network-filter' });
  });
});
