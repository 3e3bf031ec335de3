import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutputValidationError } from '../../generator/render.js';
import { lintTekton } from '../../generator/tekton/lint.js';
import { renderTekton } from '../../generator/tekton/render.js';
import { TemplateError } from '../../generator/template-engine.js';
import { loadScenarios, type Scenario } from '../../scenario/index.js';

const scenario = (flags: Record<string, string>): Scenario[] => loadScenarios({ flags: { namespace: 'demo', ...flags } });
const EXPRESSION = /\$\(([^)]*)\)/g;
const expressionsIn = (yaml: string): string[] => [...new Set([...yaml.matchAll(EXPRESSION)].map((m) => m[1]!))].sort();

describe('expressions in the Tekton output', () => {
  // Values that are awkward in YAML, shells and Tekton alike, yet valid scenario values.
  const awkward = scenario({
    namespace: "shop-(prod|stage)'; echo \\) $HOME",
    target: '^db-[0-9]+$',
    label_selector: 'app in (db, cache),tier!=front',
    ports: '53,443',
    image: 'registry.example.com:5000/chaos/vnf@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    taints: 'node-role.kubernetes.io/control-plane:NoSchedule',
  });

  it('should only hold the references the templates build, whatever the scenario values', () => {
    const all = ['Tasks', 'Pipeline', 'PipelineRun'].map((kind) => renderTekton(awkward, { kind: kind as 'Pipeline', version: '1', serialRounds: 2 }).yaml).join('\n');
    expect(expressionsIn(all)).toEqual([
      'context.pipelineRun.name',
      'context.pipelineRun.uid',
      'context.taskRun.namespace',
      'params.arm_budget',
      'params.egress',
      'params.execution',
      'params.expiry_grace',
      'params.image',
      'params.index',
      'params.ingress',
      'params.instance_count',
      'params.interfaces',
      'params.label_selector',
      'params.namespace',
      'params.node',
      'params.onset',
      'params.pipeline-run',
      'params.ports',
      'params.protocols',
      'params.record',
      'params.run-id',
      'params.scenario-number',
      'params.seconds',
      'params.serial-rounds',
      'params.service_account',
      'params.status',
      'params.taints',
      'params.target',
      'params.test_duration',
      'params.wait_duration',
      'results.serial-indexes.path',
      'results.serial-nodes.path',
      'tasks.select.results.serial-indexes[0]',
      'tasks.select.results.serial-indexes[1]',
      'tasks.select.results.serial-nodes[0]',
      'tasks.select.results.serial-nodes[1]',
      'tasks.status',
    ]);
  });

  it('should carry the awkward values only as values, unchanged', () => {
    const pipeline = renderTekton(awkward, { kind: 'Pipeline', version: '1' }).objects.find((o: any) => o.kind === 'Pipeline') as any;
    const defaults = Object.fromEntries(pipeline.spec.params.map((p: any) => [p.name, p.default]));
    expect([defaults.namespace, defaults.label_selector, defaults.image]).toEqual([
      "shop-(prod|stage)'; echo \\) $HOME",
      'app in (db, cache),tier!=front',
      'registry.example.com:5000/chaos/vnf@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    ]);
  });

  it('should refuse to emit a value carrying a Tekton or Argo expression even if validation were bypassed', () => {
    const [s] = scenario({});
    expect(() => renderTekton([{ ...s!, namespace: 'x$(params.namespace)' }], { version: '1' })).toThrow(
      new TemplateError('refusing to emit a value that contains "$(", which Tekton would evaluate as a variable reference: "x$(params.namespace)"'),
    );
    expect(() => renderTekton([{ ...s!, ports: [53], label_selector: '{{workflow.name}}' }], { kind: 'PipelineRun', version: '1' })).toThrow(TemplateError);
  });
});

describe('the Tekton lint of the CLI', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const overrideDir = (files: Record<string, string>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'vnf-tekton-templates-'));
    dirs.push(dir);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  };
  const builtin = (path: string): string => readFileSync(new URL(`../../templates/tekton/${path}`, import.meta.url), 'utf8');

  it('should refuse to print Tekton objects with a dangling reference (a broken override template)', () => {
    const dir = overrideDir({
      'tekton/partials/node-task.hbs': builtin('partials/node-task.hbs').replace("{{tekton 'params.run-id'}}", "{{tekton 'params.runid'}}"),
      'tekton/partials/pipeline-scenario.hbs': builtin('partials/pipeline-scenario.hbs').replace('    - {{names.inject}}\n', '    - {{names.verify}}\n'),
    });
    try {
      renderTekton(scenario({}), { version: '1', overrideDir: dir });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(OutputValidationError);
      // args[7]: step, fan-out, STEP, --node, --index, --record-as, --scenario-number, --run-id
      expect((e as OutputValidationError).problems).toEqual([
        'lint: Task[1](vmi-network-filter-inject).steps[0].args[7]: $(params.runid) names no param or result of the Task',
        'lint: Task[2](vmi-network-filter-verify).steps[0].args[7]: $(params.runid) names no param or result of the Task',
        'lint: Task[3](vmi-network-filter-rollback).steps[0].args[7]: $(params.runid) names no param or result of the Task',
        'lint: Pipeline[6](vmi-network-filter-55b8a74e).tasks[2](hold): runAfter "verify" is not an earlier task',
      ]);
    }
  });

  it("should refuse an override template from before the fan-out: a matrix over select's nodes result, which is gone", () => {
    const parallel = '      - parallel\n    params:\n';
    const oldInject = builtin('partials/pipeline-scenario.hbs').replace(
      parallel,
      `      - parallel\n    matrix:\n      params:\n      - name: node\n        value: "{{tekton 'tasks.' names.select '.results.nodes[*]'}}"\n    params:\n`,
    );
    expect(oldInject).not.toBe(builtin('partials/pipeline-scenario.hbs'));
    const dir = overrideDir({ 'tekton/partials/pipeline-scenario.hbs': oldInject });
    try {
      renderTekton(scenario({}), { version: '1', overrideDir: dir });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(OutputValidationError);
      expect((e as OutputValidationError).problems).toEqual([
        'lint: Pipeline[6](vmi-network-filter-55b8a74e).tasks[1](inject).matrix.params[0].value: $(tasks.select.results.nodes[*]) names result "nodes", which Task "vmi-network-filter-select" does not declare',
      ]);
    }
  });

  it('should name a Task param that a pipeline task leaves out or invents', () => {
    const [task, pipeline] = [
      { kind: 'Task', metadata: { name: 't' }, spec: { params: [{ name: 'a' }, { name: 'b', default: '' }], steps: [] } },
      { kind: 'Pipeline', metadata: { name: 'p' }, spec: { tasks: [{ name: 'x', taskRef: { name: 't' }, params: [{ name: 'c', value: '1' }] }, { name: 'y', taskRef: { name: 'u' } }] } },
    ];
    expect(lintTekton([task, pipeline])).toEqual([
      'Pipeline[1](p).tasks[0](x): param "c" is not a param of Task "t"',
      'Pipeline[1](p).tasks[0](x): required param "a" of Task "t" is not given',
      'Pipeline[1](p).tasks[1](y): Task "u" does not exist',
    ]);
  });

  it('should allow only the node param of the TaskRun in a PipelineRun', () => {
    // The generated PipelineRuns hold no expression any more (no pod template): this is the lint's own allowance.
    const run = { kind: 'PipelineRun', metadata: { generateName: 'r-' }, spec: { params: [{ name: 'a', value: '$(params.b)' }], taskRunSpecs: [{ podTemplate: { nodeSelector: { n: '$(params.node)' } } }] } };
    expect(lintTekton([run])).toEqual(['PipelineRun[0](r-).params[0].value: $(params.b) is not allowed in a PipelineRun']);
  });
});
