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
import { fromYaml } from '../../generator/yaml.js';
import { loadScenarios, SCENARIO_KEYS, type Scenario } from '../../scenario/index.js';

const scenario = (flags: Record<string, string>): Scenario[] => loadScenarios({ flags: { namespace: 'demo', ...flags } });
const render = (scenarios: Scenario[], kind: 'Workflow' | 'WorkflowTemplate' | 'CronWorkflow' = 'Workflow') =>
  renderArgo(scenarios, { kind, version: '9.9.9', ...(kind === 'CronWorkflow' ? { schedule: '0 3 * * *' } : {}) }).objects[0] as any;
const template = (wf: any, name: string) => {
  const spec = wf.kind === 'CronWorkflow' ? wf.spec.workflowSpec : wf.spec;
  const t = spec.templates.find((x: any) => x.name === name);
  if (!t) throw new Error(`no template ${name}`);
  return t;
};
const task = (t: any, name: string) => t.dag.tasks.find((x: any) => x.name === name);

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
  it('should run select, then one branch per VMI when serial: inject, hold, verify, rollback', () => {
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
    // The engine carries the serial keys and the node names, never the target list.
    expect(task(s1, 'serial').arguments.parameters[0]).toEqual({ name: 'keys', value: '{{tasks.select.outputs.parameters.serial}}' });
    expect(task(s1, 'parallel').arguments.parameters[0]).toEqual({ name: 'nodes', value: '{{tasks.select.outputs.parameters.nodes}}' });
    const vmi = template(wf, 'vmi-1');
    expect(vmi.dag.tasks.map((t: any) => [t.name, t.depends ?? null])).toEqual([
      ['inject', null],
      ['hold', 'inject'],
      ['verify', 'hold'],
      ['rollback', 'verify.Succeeded || verify.Failed || verify.Errored || hold.Failed || hold.Errored || inject.Failed || inject.Errored'],
      ['verdict', 'rollback'],
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
    // One VMI by its key: its node and its index in the node's ledger.
    expect(task(vmi, 'verify').arguments.parameters).toEqual([
      { name: 'step', value: 'verify' },
      { name: 'node', value: '{{inputs.parameters.node}}' },
      { name: 'index', value: '{{inputs.parameters.index}}' },
      { name: 'record', value: 'verify' },
      { name: 'tolerations', value: '{{inputs.parameters.tolerations}}' },
    ]);
    expect(vmi.synchronization).toEqual({ mutexes: [{ name: 'vmi-network-filter-{{inputs.parameters.uid}}' }] });
  });

  it('should fault the VMIs one at a time when serial, and node by node, all at once, when parallel', () => {
    const wf = render(scenario({}));
    const serial = template(wf, 'vmis-serial-1');
    expect(serial.parallelism).toBe(1);
    expect(serial.dag.tasks[0].withParam).toBe('{{inputs.parameters.keys}}');
    expect(serial.dag.tasks[0].arguments.parameters.slice(0, 4)).toEqual([
      { name: 'vmi', value: '{{item.vmi}}' },
      { name: 'node', value: '{{item.node}}' },
      { name: 'index', value: '{{item.index}}' },
      { name: 'uid', value: '{{item.uid}}' },
    ]);
    const parallel = template(wf, 'nodes-parallel-1');
    expect(parallel.parallelism).toBeUndefined();
    expect(parallel.dag.tasks.map((t: any) => [t.name, t.template, t.withParam ?? null, t.depends ?? null])).toEqual([
      ['inject', 'node-step-1', '{{inputs.parameters.nodes}}', null],
      ['hold', 'hold', null, 'inject.Succeeded || inject.Failed || inject.Errored'],
      ['verify', 'node-step-1', '{{inputs.parameters.nodes}}', 'hold'],
      ['rollback', 'node-step-1', '{{inputs.parameters.nodes}}', 'verify.Succeeded || verify.Failed || verify.Errored || hold.Failed || hold.Errored'],
      ['verdict', 'ledger-verdict-1', null, 'rollback.Succeeded || rollback.Failed || rollback.Errored'],
    ]);
    // One pod per node and step, for all of that node's VMIs (index empty).
    expect(task(parallel, 'inject').arguments.parameters).toEqual([
      { name: 'step', value: 'inject' },
      { name: 'node', value: '{{item}}' },
      { name: 'index', value: '' },
      { name: 'record', value: 'inject' },
      { name: 'tolerations', value: '{{inputs.parameters.tolerations}}' },
    ]);
    expect(template(wf, 'ledger-verdict-1').container.args).toEqual(['step', 'verdict', '--run-id={{workflow.uid}}', '--scenario-number=1']);
  });

  it('should roll back every selected VMI in the exit handler, one pod per node of the global node list', () => {
    const wf = render(scenario({}));
    expect(wf.spec.onExit).toBe('cleanup');
    expect(template(wf, 'select-1').outputs.parameters.map((p: any) => [p.name, p.globalName ?? null])).toEqual([
      ['nodes', 'nodes-1'],
      ['serial', null],
      ['tolerations', 'tolerations-1'],
    ]);
    expect(template(wf, 'select-1').container.args.slice(0, 8)).toEqual([
      'step',
      'select',
      '--run-id={{workflow.uid}}',
      '--owner=Workflow/{{workflow.name}}',
      '--scenario-number=1',
      '--nodes-out=/tmp/nodes.json',
      '--serial-out=/tmp/serial.json',
      '--tolerations-out=/tmp/tolerations.json',
    ]);
    // A steps template (a DAG exit handler is failed at once by `argo stop` before Argo v3.7.17),
    // reading the global list as [] when select never ran (the step is then skipped, not failed).
    const cleanup = template(wf, 'cleanup');
    expect(cleanup.dag).toBeUndefined();
    expect(cleanup.steps.map((group: any[]) => group.map((s) => s.name))).toEqual([['rollback-1'], ['report']]);
    const rollback = cleanup.steps[0][0];
    // Each rollback in its own steps template: a timed-out child fails only that wrapper, not
    // the step group (which would end the exit handler before the other rollbacks and the report).
    expect(rollback.template).toBe('exit-rollback-1');
    expect(rollback.withParam).toBe("{{=(workflow?.outputs?.parameters?.['nodes-1'] ?? '') == '' ? '[]' : workflow?.outputs?.parameters?.['nodes-1']}}");
    expect(rollback.continueOn).toEqual({ failed: true, error: true });
    expect(rollback.arguments.parameters).toEqual([
      { name: 'node', value: '{{item}}' },
      { name: 'tolerations', value: "{{=(workflow?.outputs?.parameters?.['tolerations-1'] ?? '') == '' ? '[]' : workflow?.outputs?.parameters?.['tolerations-1']}}" },
    ]);
    const wrapper = template(wf, 'exit-rollback-1');
    expect(wrapper.timeout).toBeUndefined();
    expect(wrapper.steps).toEqual([
      [
        {
          name: 'rollback',
          template: 'node-step-1',
          arguments: {
            parameters: [
              { name: 'step', value: 'rollback' },
              { name: 'node', value: '{{inputs.parameters.node}}' },
              { name: 'index', value: '' },
              { name: 'record', value: 'exit-rollback' },
              { name: 'tolerations', value: '{{inputs.parameters.tolerations}}' },
            ],
          },
        },
      ],
    ]);
  });

  it('should start no further VMI after a failed one when serial, and bound every step in time', () => {
    const wf = render(scenario({}));
    expect(template(wf, 'vmis-serial-1')).toMatchObject({ parallelism: 1, failFast: true });
    expect(template(wf, 'nodes-parallel-1').failFast).toBeUndefined();
    expect(template(wf, 'node-step-1').timeout).toBe('{{workflow.parameters.expiry_grace}}s');
    expect(template(wf, 'select-1').timeout).toBe('300s');
    expect([template(wf, 'verdict').timeout, template(wf, 'report').timeout]).toEqual(['120s', '120s']);
  });

  it('should pin node steps to the VMI node with host /proc and only NET_ADMIN, SYS_ADMIN, SYS_PTRACE', () => {
    const wf = render(scenario({}));
    const step = template(wf, 'node-step-1');
    expect(step.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['{{inputs.parameters.node}}'] }] },
    ]);
    expect(step.podSpecPatch).toBe('{"tolerations": {{inputs.parameters.tolerations}} }');
    expect(step.container.securityContext).toEqual({
      runAsUser: 0,
      runAsNonRoot: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: ['NET_ADMIN', 'SYS_ADMIN', 'SYS_PTRACE'] },
    });
    expect(step.container.volumeMounts).toContainEqual({ name: 'host-proc', mountPath: '/host/proc', readOnly: true });
    expect(wf.spec.volumes).toContainEqual({ name: 'host-proc', hostPath: { path: '/proc', type: 'Directory' } });
    expect(step.container.args).toEqual([
      'step',
      '{{inputs.parameters.step}}',
      '--node={{inputs.parameters.node}}',
      '--index={{inputs.parameters.index}}',
      '--record-as={{inputs.parameters.record}}',
      '--scenario-number=1',
      '--run-id={{workflow.uid}}',
      '--proc=/host/proc',
    ]);
    // Outcomes go to the run ledger, not to the workflow's status.
    expect(step.outputs).toBeUndefined();
    const select = template(wf, 'select-1');
    expect(select.container.securityContext.runAsNonRoot).toBe(true);
    expect(select.container.securityContext.capabilities).toEqual({ drop: ['ALL'] });
    expect(select.container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  });

  it('should give every step the whole scenario as krkn-hub environment variables', () => {
    const wf = render(scenario({}));
    const expected = SCENARIO_KEYS.map((k) => ({ name: k.env, value: `{{workflow.parameters.${k.key}}}` }));
    // The node steps find the run ledger in their own namespace.
    const podNamespace = { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } };
    expect(template(wf, 'node-step-1').container.env).toEqual([...expected, podNamespace]);
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

  it('should run the scenarios of a file in order with wait_duration between them', () => {
    const scenarios = loadScenarios({ file: { path: 'two.yaml', text: readFileSync(join(EXAMPLES_DIR, 'scenarios/dns-then-web.yaml'), 'utf8') } });
    const wf = render(scenarios);
    expect(template(wf, 'main').dag.tasks.map((t: any) => [t.name, t.template, t.depends ?? null])).toEqual([
      ['scenario-1', 'scenario-1', null],
      ['wait-2', 'wait', 'scenario-1'],
      ['scenario-2', 'scenario-2', 'wait-2'],
    ]);
    expect(task(template(wf, 'main'), 'wait-2').arguments.parameters).toEqual([{ name: 'seconds', value: '{{workflow.parameters.wait_duration-1}}' }]);
    const params = Object.fromEntries(wf.spec.arguments.parameters.map((p: any) => [p.name, p.value]));
    expect([params['ports-1'], params['ports-2'], params['wait_duration-1'], params['execution-2']]).toEqual(['53', '80,443', '60', 'parallel']);
    expect(template(wf, 'cleanup').steps.map((group: any[]) => group.map((t) => t.name))).toEqual([['rollback-1', 'rollback-2'], ['report']]);
    expect(template(wf, 'node-step-2').container.env).toContainEqual({ name: 'PORTS', value: '{{workflow.parameters.ports-2}}' });
    expect(task(template(wf, 'vmi-2'), 'hold').arguments.parameters[0].value).toBe('{{workflow.parameters.test_duration-2}}');
    expect(task(template(wf, 'scenario-2'), 'serial').when).toBe("'{{workflow.parameters.execution-2}}' == 'serial'");
  });

  it('should emit valid WorkflowTemplate and CronWorkflow objects', () => {
    const cron = render(scenario({}), 'CronWorkflow');
    expect(cron.spec.schedules).toEqual(['0 3 * * *']);
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    expect(argoSchemaProblems(cron)).toEqual([]);
    expect(lintArgo(cron)).toEqual([]);
    expect(argoSchemaProblems(render(scenario({}), 'WorkflowTemplate'))).toEqual([]);
  });

  it('should run node steps privileged only when asked', () => {
    const wf = renderArgo(scenario({}), { version: '1', privileged: true }).objects[0] as any;
    expect(template(wf, 'node-step-1').container.securityContext).toEqual({ privileged: true, runAsUser: 0 });
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
    const dir = overrideDir({ 'argo/partials/node-step.hbs': readFileSync(new URL('../../templates/argo/partials/node-step.hbs', import.meta.url), 'utf8').replace('cpu: 50m', 'cpu: 75m') });
    const wf = renderArgo(scenario({}), { version: '1', overrideDir: dir }).objects[0] as any;
    expect(template(wf, 'node-step-1').container.resources.requests.cpu).toBe('75m');
    expect(template(wf, 'select-1').container.resources.requests.cpu).toBe('50m');
  });
});

describe('RBAC', () => {
  it('should grant exactly what the steps and the Argo executor use, the executor in the workflows\' namespace only', () => {
    const [sa, role, binding, namespaced] = renderRbac({ namespace: 'chaos' }).objects as any[];
    expect(sa).toMatchObject({ kind: 'ServiceAccount', metadata: { name: 'vmi-network-filter', namespace: 'chaos' } });
    // The same ClusterRole as Tekton's: applying both engines' RBAC keeps each whole.
    expect(role.rules).toEqual([
      { apiGroups: ['kubevirt.io'], resources: ['virtualmachineinstances'], verbs: ['list'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
    ]);
    expect(role).toEqual(renderRbac({ namespace: 'other', engine: 'tekton' }).objects[1]);
    expect(namespaced).toMatchObject({ kind: 'Role', metadata: { namespace: 'chaos' } });
    expect(namespaced.rules).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'get', 'list', 'patch'] },
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
