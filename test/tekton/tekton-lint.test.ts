import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES_DIR, TEKTON_EXAMPLES, tektonExamplePath } from '../../generator/examples.js';
import { lintTekton } from '../../generator/tekton/lint.js';
import { renderTekton } from '../../generator/tekton/render.js';
import { fromYaml } from '../../generator/yaml.js';
import { loadScenarios, SCENARIO_KEYS } from '../../scenario/index.js';
import { tektonLint, type LintProblem } from './run-tekton-lint.js';

const example = (path: string): string => readFileSync(join(EXAMPLES_DIR, path), 'utf8');

// tekton-lint skips objects without metadata.name, which a PipelineRun made for `kubectl create`
// lacks (it has generateName): lint it under a fixed name so that its rules see it at all.
const named = (run: string): string => {
  const renamed = run.replace(/^ {2}generateName: (\S+)-$/m, '  name: $1-lint');
  if (renamed === run) throw new Error('no generateName to replace: the PipelineRun would not be linted');
  return renamed;
};

// The params carry the krkn scenario keys (snake_case, like the Argo parameters and krkn's own
// files); tekton-lint's style rule prefers kebab-case. That warning, on those names, is the only
// one expected; anything else fails the test.
const SNAKE_KEYS: readonly string[] = SCENARIO_KEYS.map((k) => k.key).filter((k) => k.includes('_'));
const unexpected = (problems: readonly LintProblem[]): LintProblem[] =>
  problems.filter((p) => {
    if (p.level !== 'warning' || p.rule !== 'prefer-kebab-case') return true;
    const name = /^Invalid name for '([^']+)'/.exec(p.message)?.[1] ?? '';
    return !SNAKE_KEYS.includes(name.replace(/-\d+$/, ''));
  });

describe('tekton-lint on the generated resources', () => {
  const pipelines = TEKTON_EXAMPLES.filter((e) => e.kind === 'Pipeline');

  it('should pass the generic Tasks with no problem but the snake_case key warnings', () => {
    const problems = tektonLint({ 'tasks.yaml': example(tektonExamplePath({ kind: 'Tasks' })) });
    expect(unexpected(problems)).toEqual([]);
  });

  it.each(pipelines.map((e) => [e.scenario!]))('should pass %s: Tasks, Pipeline and PipelineRun, with no error', (scenario) => {
    const problems = tektonLint({
      'pipeline.yaml': example(tektonExamplePath({ scenario, kind: 'Pipeline' })),
      'pipelinerun.yaml': named(example(tektonExamplePath({ scenario, kind: 'PipelineRun' }))),
    });
    expect(problems.filter((p) => p.level === 'error')).toEqual([]);
    expect(unexpected(problems)).toEqual([]);
    expect(problems.length).toBeGreaterThan(0); // the kebab-case warnings: the linter did read the files
  });

  it('should pass the variants no example covers: privileged, many serial rounds, parallel, taints', () => {
    const scenarios = loadScenarios({ flags: { namespace: 'demo', execution: 'parallel', taints: 'gpu=a100:NoSchedule,maintenance:NoExecute', 'service_account': 'chaos' } });
    const pipeline = renderTekton(scenarios, { kind: 'Pipeline', version: '1', privileged: true, serialRounds: 7 }).yaml;
    const run = renderTekton(scenarios, { kind: 'PipelineRun', version: '1', serialRounds: 7 }).yaml;
    const problems = tektonLint({ 'pipeline.yaml': pipeline, 'pipelinerun.yaml': named(run) });
    expect(unexpected(problems)).toEqual([]);
  });
});

describe('the corrected tekton-lint rules (they must still catch what the originals catch)', () => {
  const pipeline = example(tektonExamplePath({ scenario: 'full-isolation', kind: 'Pipeline' }));
  const tasks = example(tektonExamplePath({ kind: 'Tasks' }));
  const errors = (files: Record<string, string>) => tektonLint(files).filter((p) => p.level === 'error').map((p) => [p.rule, p.message]);

  // A matrix no generated Pipeline has any more: the corrected rules still support one.
  // `per-node` requires `node`, given only through the matrix over list-nodes' array result.
  const matrixFiles = (matrix: string) => ({
    'tasks.yaml': `apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: list-nodes
spec:
  results:
  - name: nodes
    type: array
  steps:
  - name: list
    image: registry.example.com/tools:1.0
    command: ["list-nodes"]
---
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: per-node
spec:
  params:
  - name: node
    type: string
  steps:
  - name: run
    image: registry.example.com/tools:1.0
    command: ["run", "$(params.node)"]
`,
    'pipeline.yaml': `apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: fan
spec:
  tasks:
  - name: list
    taskRef:
      name: list-nodes
  - name: each
    taskRef:
      name: per-node
${matrix}`,
  });

  it('should report a required param that a pipeline task leaves out', () => {
    // The finally rollback loses pipeline-run (required: the PipelineRun owning the node pods).
    const broken = pipeline.replace(/(\n( +)- name: record\n +value: exit-rollback\n +- name: run-id\n +value: \S+\n)\2- name: pipeline-run\n +value: \S+\n/, '$1');
    expect(broken).not.toBe(pipeline);
    expect(errors({ 'pipeline.yaml': broken })).toEqual([
      [
        'v1#no-missing-param',
        "Pipeline 'full-isolation' references task 'vmi-network-filter-rollback' (as 'rollback'), but parameter 'pipeline-run' is not supplied (it's a required param in 'vmi-network-filter-rollback')",
      ],
    ]);
  });

  it('should take a required param given through a matrix as supplied, and report it once the matrix is gone', () => {
    expect(errors(matrixFiles('    matrix:\n      params:\n      - name: node\n        value: $(tasks.list.results.nodes[*])\n'))).toEqual([]);
    expect(errors(matrixFiles(''))).toEqual([
      ['v1#no-missing-param', "Pipeline 'fan' references task 'per-node' (as 'each'), but parameter 'node' is not supplied (it's a required param in 'per-node')"],
    ]);
  });

  it('should report a reference to an indexed array result the Task does not declare', () => {
    // The first one: inject-r1's index param (tasks[5], after the 16 scenario keys and node).
    const broken = pipeline.replace('$(tasks.select.results.serial-indexes[0])', '$(tasks.select.results.serial-indexez[0])');
    expect(broken).not.toBe(pipeline);
    expect(errors({ 'pipeline.yaml': broken })).toEqual([
      [
        'v1#no-undefined-result',
        "In Pipeline 'full-isolation' the value on path '.spec.tasks.5.params.19.value' refers to an undefined output result (as '$(tasks.select.results.serial-indexez[0])' - 'serial-indexez' is not a result in Task 'select')",
      ],
    ]);
  });

  it("should report a whole array result the Task does not declare: a matrix over select's nodes, which select no longer gives", () => {
    const pipelineOverOldNodes = `apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: old-drop-in
spec:
  tasks:
  - name: pick
    taskRef:
      name: vmi-network-filter-select
    params:
    - {name: namespace, value: shop}
    - {name: run-id, value: $(context.pipelineRun.uid)}
    - {name: pipeline-run, value: $(context.pipelineRun.name)}
  - name: cut
    taskRef:
      name: vmi-network-filter-inject
    matrix:
      params:
      - {name: node, value: "$(tasks.pick.results.nodes[*])"}
    params:
    - {name: namespace, value: shop}
    - {name: run-id, value: $(context.pipelineRun.uid)}
    - {name: pipeline-run, value: $(context.pipelineRun.name)}
`;
    expect(errors({ 'tasks.yaml': tasks, 'pipeline.yaml': pipelineOverOldNodes })).toEqual([
      [
        'v1#no-undefined-result',
        "In Pipeline 'old-drop-in' the value on path '.spec.tasks.1.matrix.params.0.value' refers to an undefined output result (as '$(tasks.pick.results.nodes[*])' - 'nodes' is not a result in Task 'pick')",
      ],
    ]);
    expect(errors(matrixFiles('    matrix:\n      params:\n      - name: node\n        value: $(tasks.list.results.nodez[*])\n'))).toEqual([
      [
        'v1#no-undefined-result',
        "In Pipeline 'fan' the value on path '.spec.tasks.1.matrix.params.0.value' refers to an undefined output result (as '$(tasks.list.results.nodez[*])' - 'nodez' is not a result in Task 'list')",
      ],
    ]);
  });
});

describe('the drop-in example of docs/tekton.md', () => {
  const doc = readFileSync(new URL('../../docs/tekton.md', import.meta.url), 'utf8');
  const example = /## Dropping inject and rollback[^]*?```yaml\n([^]*?)```/.exec(doc)?.[1] ?? '';
  // The user's own test Task the example runs while DNS is cut.
  const runE2e = 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: run-e2e\nspec:\n  steps:\n  - name: test\n    image: registry.example.com/e2e:1.0\n    command: ["run-e2e"]\n';

  it('should lint clean with the generated Tasks', () => {
    expect(example).toContain('kind: Pipeline');
    const problems = tektonLint({
      'tasks.yaml': readFileSync(join(EXAMPLES_DIR, tektonExamplePath({ kind: 'Tasks' })), 'utf8'),
      'e2e.yaml': runE2e,
      'example.yaml': named(example),
    });
    expect(unexpected(problems)).toEqual([]);
    expect(lintTekton([...fromYaml(readFileSync(join(EXAMPLES_DIR, tektonExamplePath({ kind: 'Tasks' })), 'utf8')), ...fromYaml(runE2e), ...fromYaml(example)])).toEqual([]);
  });

  it('should fan out without a matrix or node pinning: the node tasks name the PipelineRun that owns the node pods', () => {
    const [pipeline, run] = fromYaml(example) as any[];
    const nodeTasks = [...pipeline.spec.tasks, ...pipeline.spec.finally].filter((t: any) => /^vmi-network-filter-(inject|verify|rollback)$/.test(t.taskRef.name));
    expect(nodeTasks.map((t: any) => t.name)).toEqual(['cut-dns', 'restore-dns']);
    for (const t of nodeTasks) {
      expect(t.matrix, t.name).toBeUndefined();
      expect(t.params, t.name).toContainEqual({ name: 'run-id', value: '$(context.pipelineRun.uid)' });
      expect(t.params, t.name).toContainEqual({ name: 'pipeline-run', value: '$(context.pipelineRun.name)' });
      expect(t.params.map((p: any) => p.name), t.name).not.toContain('node');
    }
    // inject reads the ledger select writes: it runs after it.
    expect(pipeline.spec.tasks.find((t: any) => t.name === 'cut-dns').runAfter).toEqual(['pick-db']);
    expect(run.spec.taskRunSpecs).toBeUndefined();
    expect(example).not.toMatch(/\.results\.nodes\b|podTemplate|matrix/);
  });
});
