import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lintArgo } from '../../generator/argo/lint.js';
import { EXAMPLES, EXAMPLES_DIR, examplePath, renderExamples } from '../../generator/examples.js';
import { OutputValidationError, renderArgo, renderRbac } from '../../generator/render.js';
import { argoSchemaProblems } from '../../generator/schema-validate.js';
import { TemplateError } from '../../generator/template-engine.js';
import { VERSION } from '../../core/version.js';
import { MAX_ARM_BUDGET } from '../../scenario/index.js';
import { fromYaml } from '../../generator/yaml.js';
import { loadScenarios, SCENARIO_KEYS, type Scenario } from '../../scenario/index.js';

const scenario = (flags: Record<string, string>): Scenario[] => loadScenarios({ flags: { namespace: 'demo', ...flags } });
const render = (scenarios: Scenario[], kind: 'Workflow' | 'WorkflowTemplate' | 'CronWorkflow' = 'Workflow') =>
  renderArgo(scenarios, { kind, version: '9.9.9', ...(kind === 'CronWorkflow' ? { schedule: '0 3 * * *' } : {}) }).objects[0] as any;
const templates = (wf: any): any[] => (wf.kind === 'CronWorkflow' ? wf.spec.workflowSpec : wf.spec).templates;
const template = (wf: any, name: string) => {
  const t = templates(wf).find((x: any) => x.name === name);
  if (!t) throw new Error(`no template ${name}`);
  return t;
};
const task = (t: any, name: string) => t.dag.tasks.find((x: any) => x.name === name);
/** Templates that run a pod (a container or a script). */
const podTemplates = (wf: any): any[] => templates(wf).filter((t) => t.container || t.script);
/** Every DAG task and step of the workflow, with the template holding it. */
const allTasks = (wf: any): { in: string; task: any }[] =>
  templates(wf).flatMap((t) => [...(t.dag?.tasks ?? []), ...(t.steps ?? []).flat()].map((x: any) => ({ in: t.name, task: x })));
const twoScenarios = (): Scenario[] =>
  loadScenarios({ file: { path: 'two.yaml', text: readFileSync(join(EXAMPLES_DIR, 'scenarios/dns-then-web.yaml'), 'utf8') } });
/**
 * The fan-out's timeout: each node pod ends within expiry_grace of its create (pending included);
 * the margin is for the fan-out pod itself (its own scheduling, the creates, the clean-up).
 */
const FAN_OUT_MARGIN = 180 + MAX_ARM_BUDGET; // its own start and end, and a synchronized inject's wait
const fanOutTimeout = (param: string) => `{{=asInt(workflow.parameters['${param}']) + ${FAN_OUT_MARGIN}}}s`;
const RUNTIME_DEFAULT = { type: 'RuntimeDefault' };
const UNPRIVILEGED = {
  runAsNonRoot: true,
  runAsUser: 65532,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: RUNTIME_DEFAULT,
};

describe('examples in workflows/', () => {
  it('should be up to date with the generator (run `npm run examples` when this fails)', () => {
    for (const [path, text] of renderExamples(VERSION)) {
      expect(readFileSync(join(EXAMPLES_DIR, path), 'utf8'), `workflows/${path} is stale`).toBe(text);
    }
  });

  it.each(EXAMPLES.map((e) => [examplePath(e)]))('should keep %s valid against the Argo schema and the lint', (path) => {
    const objects = fromYaml(readFileSync(join(EXAMPLES_DIR, path), 'utf8'));
    expect(objects).toHaveLength(1);
    expect(argoSchemaProblems(objects[0])).toEqual([]);
    expect(lintArgo(objects[0])).toEqual([]);
  });
});

describe('the Argo workflow', () => {
  it('should run select, then one branch per VMI when serial: inject, hold, verify, rollback, each one fan-out for that VMI', () => {
    const wf = render(scenario({}));
    expect(wf.spec.entrypoint).toBe('main');
    const s1 = template(wf, 'scenario-1');
    expect(s1.dag.tasks.map((t: any) => [t.name, t.template, t.depends ?? null])).toEqual([
      ['select', 'select-1', null],
      ['serial', 'vmis-serial-1', 'select'],
      ['parallel', 'nodes-parallel-1', 'select'],
    ]);
    expect(task(s1, 'serial').when).toBe("'{{workflow.parameters.execution}}' == 'serial'");
    expect(task(s1, 'parallel').when).toBe("'{{workflow.parameters.execution}}' == 'parallel'");
    // The engine carries the serial keys only, never the target list nor the nodes: a parallel
    // run's fan-outs read the nodes from the run ledger.
    expect(task(s1, 'serial').arguments).toEqual({ parameters: [{ name: 'keys', value: '{{tasks.select.outputs.parameters.serial}}' }] });
    expect(task(s1, 'parallel').arguments).toBeUndefined();
    const vmi = template(wf, 'vmi-1');
    expect(vmi.inputs.parameters).toEqual([{ name: 'vmi' }, { name: 'node' }, { name: 'index' }, { name: 'uid' }]);
    expect(vmi.dag.tasks.map((t: any) => [t.name, t.template, t.depends ?? null])).toEqual([
      ['inject', 'fan-out-1', null],
      ['hold', 'hold', 'inject'],
      ['verify', 'fan-out-1', 'hold'],
      ['rollback', 'fan-out-1', 'verify.Succeeded || verify.Failed || verify.Errored || hold.Failed || hold.Errored || inject.Failed || inject.Errored'],
      ['verdict', 'verdict', 'rollback'],
    ]);
    // Argo judges a DAG by its leaves: after a failed inject or verify, the successful rollback
    // would make the branch succeed; verdict (run only then) fails it.
    expect(task(vmi, 'verdict').when).toBe("'{{tasks.inject.status}}' != 'Succeeded' || '{{tasks.verify.status}}' != 'Succeeded'");
    expect(template(wf, 'verdict').container.args).toEqual([
      'step',
      'verdict',
      '--target={{inputs.parameters.vmi}}',
      '--inject={{inputs.parameters.inject}}',
      '--verify={{inputs.parameters.verify}}',
    ]);
    expect(template(wf, 'hold').suspend).toEqual({ duration: '{{inputs.parameters.seconds}}' });
    expect(task(vmi, 'hold').arguments.parameters).toEqual([{ name: 'seconds', value: '{{workflow.parameters.test_duration}}' }]);
    // One VMI by its key: the fan-out runs one node pod, on the VMI's node, for the VMI at its
    // index in the node's ledger; the record is the step's own.
    for (const step of ['inject', 'verify', 'rollback']) {
      expect(task(vmi, step).withParam, step).toBeUndefined();
      expect(task(vmi, step).arguments.parameters, step).toEqual([
        { name: 'step', value: step },
        { name: 'record', value: step },
        { name: 'node', value: '{{inputs.parameters.node}}' },
        { name: 'index', value: '{{inputs.parameters.index}}' },
      ]);
    }
    expect(vmi.synchronization).toEqual({ mutexes: [{ name: 'vmi-network-filter-{{inputs.parameters.uid}}' }] });
  });

  it('should fault the VMIs one at a time when serial, and all at once when parallel: one fan-out pod per step, no loop over nodes', () => {
    const wf = render(scenario({}));
    const serial = template(wf, 'vmis-serial-1');
    expect(serial.parallelism).toBe(1);
    expect(serial.inputs).toEqual({ parameters: [{ name: 'keys' }] });
    expect(serial.dag.tasks).toEqual([
      {
        name: 'vmi',
        template: 'vmi-1',
        withParam: '{{inputs.parameters.keys}}',
        arguments: {
          parameters: [
            { name: 'vmi', value: '{{item.vmi}}' },
            { name: 'node', value: '{{item.node}}' },
            { name: 'index', value: '{{item.index}}' },
            { name: 'uid', value: '{{item.uid}}' },
          ],
        },
      },
    ]);
    const parallel = template(wf, 'nodes-parallel-1');
    expect(parallel.inputs).toBeUndefined();
    expect(parallel.parallelism).toBeUndefined();
    expect(parallel.dag.tasks.map((t: any) => [t.name, t.template, t.withParam ?? null, t.depends ?? null])).toEqual([
      ['inject', 'fan-out-1', null, null],
      ['hold', 'hold', null, 'inject.Succeeded || inject.Failed || inject.Errored'],
      ['verify', 'fan-out-1', null, 'hold'],
      ['rollback', 'fan-out-1', null, 'verify.Succeeded || verify.Failed || verify.Errored || hold.Failed || hold.Errored'],
      ['verdict', 'ledger-verdict-1', null, 'rollback.Succeeded || rollback.Failed || rollback.Errored'],
    ]);
    // One fan-out per step for every node of the run ledger: no node, no index (both default to
    // "", which the fan-out reads as every node, all of its VMIs).
    for (const step of ['inject', 'verify', 'rollback']) {
      expect(task(parallel, step).arguments.parameters, step).toEqual([
        { name: 'step', value: step },
        { name: 'record', value: step },
      ]);
    }
    expect(template(wf, 'fan-out-1').inputs).toEqual({
      parameters: [{ name: 'step' }, { name: 'record' }, { name: 'node', default: '' }, { name: 'index', default: '' }],
    });
    // The one loop of the workflow is serial's, over the VMI keys: nothing loops over nodes.
    expect(allTasks(wf).filter(({ task: t }) => t.withParam || t.withItems || t.withSequence).map(({ in: at, task: t }) => [at, t.name, t.withParam])).toEqual([
      ['vmis-serial-1', 'vmi', '{{inputs.parameters.keys}}'],
    ]);
    expect(template(wf, 'ledger-verdict-1').container.args).toEqual(['step', 'verdict', '--run-id={{workflow.uid}}', '--scenario-number=1']);
  });

  it('should roll back every selected VMI in the exit handler: one fan-out per scenario, recorded as exit-rollback, whatever the others did', () => {
    const wf = render(scenario({}));
    expect(wf.spec.onExit).toBe('cleanup');
    // select gives the engine the serial keys only: no global output, nothing for the exit
    // handler to read (its fan-out reads the nodes from the run ledger, if select wrote one).
    expect(template(wf, 'select-1').outputs).toEqual({ parameters: [{ name: 'serial', valueFrom: { path: '/tmp/serial.json' } }] });
    expect(templates(wf).flatMap((t) => (t.outputs?.parameters ?? []).filter((p: any) => p.globalName !== undefined))).toEqual([]);
    expect(template(wf, 'select-1').container.args).toEqual([
      'step',
      'select',
      '--run-id={{workflow.uid}}',
      '--owner=Workflow/{{workflow.name}}',
      '--scenario-number=1',
      '--serial-out=/tmp/serial.json',
      '--engine=argo',
    ]);
    // A steps template (a DAG exit handler is failed at once by `argo stop` before Argo v3.7.17);
    // the rollback goes on to the report whether it failed or errored.
    const cleanup = template(wf, 'cleanup');
    expect(cleanup.dag).toBeUndefined();
    expect(cleanup.steps).toEqual([
      [{ name: 'rollback-1', template: 'exit-rollback-1', continueOn: { failed: true, error: true } }],
      [{ name: 'report', template: 'report' }],
    ]);
    // Each rollback in its own steps template: a timed-out fan-out fails only that wrapper, not
    // the step group (which would end the exit handler before the other rollbacks and the report).
    const wrapper = template(wf, 'exit-rollback-1');
    expect(wrapper.inputs).toBeUndefined();
    expect(wrapper.timeout).toBeUndefined();
    expect(wrapper.steps).toEqual([
      [
        {
          name: 'rollback',
          template: 'fan-out-1',
          arguments: {
            parameters: [
              { name: 'step', value: 'rollback' },
              { name: 'record', value: 'exit-rollback' },
            ],
          },
        },
      ],
    ]);
  });

  it('should start no further VMI after a failed one when serial, and bound every pod in time', () => {
    const wf = render(scenario({}));
    expect(template(wf, 'vmis-serial-1')).toMatchObject({ parallelism: 1, failFast: true });
    expect(template(wf, 'nodes-parallel-1').failFast).toBeUndefined();
    // The pods of the Workflow, whatever the number of VMIs and nodes; each has a timeout, and
    // none is retried (a retried template's timeout is never checked on its Pending attempt).
    // The fan-out's: its node pods' expiry_grace plus room to schedule them and itself.
    expect(Object.fromEntries(podTemplates(wf).map((t) => [t.name, t.timeout]))).toEqual({
      'select-1': '300s',
      'ledger-verdict-1': '120s',
      'fan-out-1': fanOutTimeout('expiry_grace'),
      verdict: '120s',
      report: '120s',
    });
    expect(podTemplates(wf).filter((t) => t.retryStrategy !== undefined).map((t) => t.name)).toEqual([]);
  });

  it('should run every pod of the workflow unprivileged: the fan-out creates the node pods, with their host /proc and capabilities', () => {
    const rendered = renderArgo(scenario({}), { version: '1' });
    const wf = rendered.objects[0] as any;
    for (const t of podTemplates(wf)) {
      expect(t.container.securityContext, t.name).toEqual(UNPRIVILEGED);
      // No pod of the workflow is pinned to a node nor patched: the node pods are the fan-out's.
      expect([t.affinity, t.nodeSelector, t.tolerations, t.podSpecPatch], t.name).toEqual([undefined, undefined, undefined, undefined]);
    }
    // No container mounts the host's /proc: select's /tmp is the one volume mounted.
    expect(podTemplates(wf).flatMap((t) => (t.container.volumeMounts ?? []).map((m: any) => [t.name, m.name, m.mountPath]))).toEqual([['select-1', 'tmp', '/tmp']]);
    expect(rendered.yaml).not.toMatch(/privileged: true|--privileged|NET_ADMIN|SYS_ADMIN|SYS_PTRACE|\/host\/proc|--proc=/);
    const fanOut = template(wf, 'fan-out-1');
    expect(fanOut.serviceAccountName).toBe('{{workflow.parameters.service_account}}');
    expect(fanOut.container.image).toBe('{{workflow.parameters.image}}');
    expect(fanOut.container.command).toEqual(['vmi-network-filter']);
    expect(fanOut.container.args).toEqual([
      'step',
      'fan-out',
      '{{inputs.parameters.step}}',
      '--node={{inputs.parameters.node}}',
      '--index={{inputs.parameters.index}}',
      '--record-as={{inputs.parameters.record}}',
      '--scenario-number=1',
      '--run-id={{workflow.uid}}',
      '--owner=Workflow/{{workflow.name}}',
    ]);
    // Outcomes go to the run ledger, not to the workflow's status.
    expect(fanOut.outputs).toBeUndefined();
  });

  it('should give every step the whole scenario as krkn-hub environment variables', () => {
    const wf = render(scenario({}));
    const expected = SCENARIO_KEYS.map((k) => ({ name: k.env, value: `{{workflow.parameters.${k.key}}}` }));
    // The fan-out builds its node pods from the scenario, in its own namespace (the run
    // ledger's), under its own service account.
    expect(template(wf, 'fan-out-1').container.env).toEqual([
      ...expected,
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'POD_SERVICE_ACCOUNT', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
    ]);
    // select also reads its own pod (--engine=argo: the executor image tells Argo's release).
    expect(template(wf, 'select-1').container.env).toEqual([
      ...expected,
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    ]);
    expect(template(wf, 'select-1').container.args).toContain('--engine=argo');
  });

  it('should make every scenario key a workflow parameter holding the scenario value', () => {
    const wf = render(scenario({ ports: '22,443', protocols: 'tcp', execution: 'parallel', taints: 'a=b:NoSchedule' }), 'WorkflowTemplate');
    const params = Object.fromEntries(wf.spec.arguments.parameters.map((p: any) => [p.name, p.value]));
    expect(Object.keys(params)).toEqual(SCENARIO_KEYS.map((k) => k.key));
    expect(params).toMatchObject({ ports: '22,443', protocols: 'tcp', execution: 'parallel', taints: 'a=b:NoSchedule', namespace: 'demo', test_duration: '120' });
    expect(wf.spec.arguments.parameters.find((p: any) => p.name === 'execution').enum).toEqual(['serial', 'parallel']);
    expect(wf.metadata.name).toMatch(/^vmi-network-filter-[0-9a-f]{8}$/);
  });

  it('should run the scenarios of a file in order with wait_duration between them, each with its own fan-out', () => {
    const wf = render(twoScenarios());
    expect(template(wf, 'main').dag.tasks.map((t: any) => [t.name, t.template, t.depends ?? null])).toEqual([
      ['scenario-1', 'scenario-1', null],
      ['wait-2', 'wait', 'scenario-1'],
      ['scenario-2', 'scenario-2', 'wait-2'],
    ]);
    expect(task(template(wf, 'main'), 'wait-2').arguments.parameters).toEqual([{ name: 'seconds', value: '{{workflow.parameters.wait_duration-1}}' }]);
    const params = Object.fromEntries(wf.spec.arguments.parameters.map((p: any) => [p.name, p.value]));
    expect([params['ports-1'], params['ports-2'], params['wait_duration-1'], params['execution-2']]).toEqual(['53', '80,443', '60', 'parallel']);
    // Both rollbacks in one step group, each going on whatever the other did.
    expect(template(wf, 'cleanup').steps).toEqual([
      [
        { name: 'rollback-1', template: 'exit-rollback-1', continueOn: { failed: true, error: true } },
        { name: 'rollback-2', template: 'exit-rollback-2', continueOn: { failed: true, error: true } },
      ],
      [{ name: 'report', template: 'report' }],
    ]);
    expect(template(wf, 'exit-rollback-2').steps[0][0]).toMatchObject({ name: 'rollback', template: 'fan-out-2' });
    for (const name of ['nodes-parallel-2', 'vmi-2']) {
      expect(template(wf, name).dag.tasks.filter((t: any) => t.name !== 'hold' && t.name !== 'verdict').map((t: any) => t.template), name).toEqual(['fan-out-2', 'fan-out-2', 'fan-out-2']);
    }
    const fanOut2 = template(wf, 'fan-out-2');
    expect(fanOut2.container.env).toContainEqual({ name: 'PORTS', value: '{{workflow.parameters.ports-2}}' });
    expect(fanOut2.container.args).toContain('--scenario-number=2');
    // Each fan-out's timeout follows its own scenario's expiry_grace.
    expect([template(wf, 'fan-out-1').timeout, fanOut2.timeout]).toEqual([fanOutTimeout('expiry_grace-1'), fanOutTimeout('expiry_grace-2')]);
    expect(task(template(wf, 'vmi-2'), 'hold').arguments.parameters[0].value).toBe('{{workflow.parameters.test_duration-2}}');
    expect(task(template(wf, 'scenario-2'), 'serial').when).toBe("'{{workflow.parameters.execution-2}}' == 'serial'");
  });

  it.each([
    ['a serial scenario', (): Scenario[] => scenario({}), ['select-1', 'ledger-verdict-1', 'fan-out-1', 'verdict', 'report']],
    ['a parallel scenario', (): Scenario[] => scenario({ execution: 'parallel' }), ['select-1', 'ledger-verdict-1', 'fan-out-1', 'verdict', 'report']],
    ['two scenarios', twoScenarios, ['select-1', 'ledger-verdict-1', 'fan-out-1', 'select-2', 'ledger-verdict-2', 'fan-out-2', 'verdict', 'report']],
  ] as const)('should run every pod and container of %s under the runtime default seccomp profile, as Workflow, WorkflowTemplate and CronWorkflow', (_, scenarios, pods) => {
    for (const kind of ['Workflow', 'WorkflowTemplate', 'CronWorkflow'] as const) {
      const wf = render(scenarios(), kind);
      const spec = kind === 'CronWorkflow' ? wf.spec.workflowSpec : wf.spec;
      // Pod level: every pod of the workflow, Argo's own init and wait containers included.
      expect(spec.securityContext, kind).toEqual({ seccompProfile: RUNTIME_DEFAULT });
      // Container level: every container of every template that runs a pod.
      const containers = (t: any): any[] => [t.container, t.script, ...(t.initContainers ?? []), ...(t.sidecars ?? []), ...(t.containerSet?.containers ?? [])].filter(Boolean);
      expect(templates(wf).filter((t) => containers(t).length > 0).map((t) => t.name), kind).toEqual(pods);
      for (const t of templates(wf)) {
        for (const c of containers(t)) expect(c.securityContext?.seccompProfile, `${kind} ${t.name}`).toEqual(RUNTIME_DEFAULT);
        // Any other template runs no pod of its own (a DAG, steps, a suspend).
        if (containers(t).length === 0) expect([t.dag, t.steps, t.suspend].filter(Boolean), `${kind} ${t.name}`).toHaveLength(1);
      }
    }
  });

  it('should emit valid WorkflowTemplate and CronWorkflow objects', () => {
    const cron = render(scenario({}), 'CronWorkflow');
    expect(cron.spec.schedules).toEqual(['0 3 * * *']);
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    expect(template(cron, 'fan-out-1').timeout).toBe(fanOutTimeout('expiry_grace'));
    expect(argoSchemaProblems(cron)).toEqual([]);
    expect(lintArgo(cron)).toEqual([]);
    expect(argoSchemaProblems(render(scenario({}), 'WorkflowTemplate'))).toEqual([]);
  });

  it('should make the node pods privileged only when asked: the one difference is --privileged at the end of each fan-out\'s args', () => {
    const plain = renderArgo(twoScenarios(), { version: '1' }).objects[0] as any;
    const privileged = renderArgo(twoScenarios(), { version: '1', privileged: true }).objects[0] as any;
    const fanOuts = templates(privileged).filter((t) => /^fan-out-\d+$/.test(t.name));
    expect(fanOuts.map((t) => t.name)).toEqual(['fan-out-1', 'fan-out-2']);
    for (const t of fanOuts) {
      expect(t.container.args, t.name).toEqual([...template(plain, t.name).container.args, '--privileged']);
      // The fan-out itself stays unprivileged: it only creates the node pods.
      expect(t.container.securityContext, t.name).toEqual(UNPRIVILEGED);
      t.container.args.pop();
    }
    expect(privileged).toEqual(plain);
  });
});

describe('output safety', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const overrideDir = (files: Record<string, string>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'vnf-templates-'));
    dirs.push(dir);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  };

  it('should refuse to emit a value carrying an Argo expression even if validation were bypassed', () => {
    const [s] = scenario({});
    expect(() => renderArgo([{ ...s!, namespace: '{{workflow.name}}' }], { version: '1' })).toThrow(TemplateError);
    expect(() => renderArgo([{ ...s!, ports: [53], namespace: 'x$(params.y)' }], { version: '1' })).toThrow(
      'refusing to emit a value that contains "$(", which Tekton would evaluate as a variable reference: "x$(params.y)"',
    );
  });

  it('should refuse to print a workflow that fails the schema or the lint (a broken override template)', () => {
    const dir = overrideDir({
      'argo/partials/vmi.hbs': readFileSync(new URL('../../templates/argo/partials/vmi.hbs', import.meta.url), 'utf8').replace('template: hold', 'template: hodl'),
      'argo/partials/cleanup.hbs': readFileSync(new URL('../../templates/argo/partials/cleanup.hbs', import.meta.url), 'utf8').replace('memory: 32Mi', 'memory: [32]'),
    });
    try {
      renderArgo(scenario({}), { version: '1', overrideDir: dir });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(OutputValidationError);
      expect((e as OutputValidationError).problems).toEqual([
        'schema: /spec/templates/12(verdict)/container/resources/requests/memory: must be string',
        'lint: template vmi-1, task hold: template "hodl" does not exist',
      ]);
    }
  });

  it('should use an override template when given, and the built-in ones for the rest', () => {
    const dir = overrideDir({ 'argo/partials/fan-out.hbs': readFileSync(new URL('../../templates/argo/partials/fan-out.hbs', import.meta.url), 'utf8').replace('cpu: 20m', 'cpu: 75m') });
    const wf = renderArgo(scenario({}), { version: '1', overrideDir: dir }).objects[0] as any;
    expect(template(wf, 'fan-out-1').container.resources.requests.cpu).toBe('75m');
    expect(template(wf, 'select-1').container.resources.requests.cpu).toBe('50m');
  });

  it('should refuse a fan-out timeout on a workflow parameter that does not exist, or adding anything but an integer', () => {
    const fanOut = readFileSync(new URL('../../templates/argo/partials/fan-out.hbs', import.meta.url), 'utf8');
    const timeout = `{{argoIntPlus 'workflow.parameters.' p.expiry_grace ${FAN_OUT_MARGIN}}}`;
    expect(fanOut).toContain(timeout);
    const misspelt = overrideDir({ 'argo/partials/fan-out.hbs': fanOut.replace(timeout, "{{argoIntPlus 'workflow.parameters.' 'expiry_grase' 240}}") });
    try {
      renderArgo(scenario({}), { version: '1', overrideDir: misspelt });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(OutputValidationError);
      expect((e as OutputValidationError).problems).toEqual([
        `lint: template fan-out-1.timeout: {{=asInt(workflow.parameters['expiry_grase']) + 240}}: no workflow parameter "expiry_grase"`,
      ]);
    }
    const quoted = overrideDir({ 'argo/partials/fan-out.hbs': fanOut.replace(timeout, "{{argoIntPlus 'workflow.parameters.' p.expiry_grace '240'}}") });
    expect(() => renderArgo(scenario({}), { version: '1', overrideDir: quoted })).toThrow(TemplateError);
    expect(() => renderArgo(scenario({}), { version: '1', overrideDir: quoted })).toThrow('helper argoIntPlus: the last argument must be an integer >= 0, not "240"');
  });
});

describe('RBAC', () => {
  it('should grant exactly what the steps, the fan-outs and the Argo executor use, the fan-outs and the executor in the workflows\' namespace only', () => {
    const [sa, role, binding, namespaced] = renderRbac({ namespace: 'chaos' }).objects as any[];
    expect(sa).toMatchObject({ kind: 'ServiceAccount', metadata: { name: 'vmi-network-filter', namespace: 'chaos' } });
    // The same ClusterRole as Tekton's: applying both engines' RBAC keeps each whole.
    expect(role.rules).toEqual([
      { apiGroups: ['kubevirt.io'], resources: ['virtualmachineinstances'], verbs: ['list'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
    ]);
    expect(role).toEqual(renderRbac({ namespace: 'other', engine: 'tekton' }).objects[1]);
    expect(namespaced).toMatchObject({ kind: 'Role', metadata: { namespace: 'chaos' } });
    // In the runs' namespace: the run ledger, the fan-outs' node pods (created and deleted; the
    // ClusterRole's list follows them), select's get of its own pod (the executor image says
    // Argo's version), and the outputs Argo's executor reports.
    expect(namespaced.rules).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'get', 'list', 'patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete', 'get'] },
      { apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['create', 'patch'] },
    ]);
    expect(binding).toMatchObject({
      kind: 'ClusterRoleBinding',
      metadata: { name: 'vmi-network-filter-chaos' },
      roleRef: { kind: 'ClusterRole', name: 'vmi-network-filter' },
      subjects: [{ kind: 'ServiceAccount', name: 'vmi-network-filter', namespace: 'chaos' }],
    });
  });
});
