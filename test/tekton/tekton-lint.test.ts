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

  it('should report a required param that is given neither as param nor through the matrix', () => {
    // The finally rollback loses its matrix: `node` (required) is then not supplied.
    const broken = pipeline.replace(/(- name: rollback\n)( {6}matrix:\n( {8}.*\n)+?)( {6}params:)/, '$1$4');
    expect(broken).not.toBe(pipeline);
    const problems = tektonLint({ 'pipeline.yaml': broken }).filter((p) => p.level === 'error');
    expect(problems.map((p) => [p.rule, p.message])).toEqual([
      [
        'v1#no-missing-param',
        "Pipeline 'vmi-network-filter-4b7e3fe1' references task 'vmi-network-filter-rollback' (as 'rollback'), but parameter 'node' is not supplied (it's a required param in 'vmi-network-filter-rollback')",
      ],
    ]);
  });

  it('should report a reference to an array result the Task does not declare', () => {
    const broken = pipeline.replace('$(tasks.select.results.nodes[*])', '$(tasks.select.results.nodez[*])');
    const problems = tektonLint({ 'pipeline.yaml': broken }).filter((p) => p.level === 'error');
    expect(problems.map((p) => [p.rule, p.message])).toEqual([
      [
        'v1#no-undefined-result',
        "In Pipeline 'vmi-network-filter-4b7e3fe1' the value on path '.spec.finally.0.matrix.params.0.value' refers to an undefined output result (as '$(tasks.select.results.nodez[*])' - 'nodez' is not a result in Task 'select')",
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
});
