/**
 * Rendering Tekton resources in memory: scenarios → templates → objects → checks → YAML text.
 * Nothing here writes files or prints; the CLI command does that in one place.
 */
import type { Scenario } from '../../scenario/index.js';
import { OutputValidationError, type Rendered } from '../render.js';
import { compileTemplate, type TemplateSetOptions } from '../template-engine.js';
import { fromYaml, toYaml } from '../yaml.js';
import { buildTektonContext, type TektonKind, type TektonOptions } from './context.js';
import { lintTekton } from './lint.js';

const TEMPLATES: Record<TektonKind, readonly string[]> = {
  Tasks: ['tasks'],
  Pipeline: ['tasks', 'pipeline'],
  PipelineRun: ['pipelinerun'],
};

const EXPECTED_KINDS: Record<TektonKind, readonly string[]> = {
  Tasks: ['Task', 'Task', 'Task', 'Task', 'Task', 'Task'],
  Pipeline: ['Task', 'Task', 'Task', 'Task', 'Task', 'Task', 'Pipeline'],
  PipelineRun: ['PipelineRun'],
};

/**
 * Renders `options.kind` (default Pipeline: the Tasks and the Pipeline) for `scenarios`
 * (unused for kind Tasks), checked by the Tekton lint of this project.
 * @throws OutputValidationError when a check fails; TemplateError when a template is broken.
 */
export function renderTekton(scenarios: readonly Scenario[], options: TektonOptions & TemplateSetOptions): Rendered {
  const kind = options.kind ?? 'Pipeline';
  const context = buildTektonContext(scenarios, options);
  const objects = TEMPLATES[kind].flatMap((name) => fromYaml(compileTemplate('tekton', name, options)(context)));
  const problems: string[] = [];
  const kinds = objects.map((o) => (o as { kind?: unknown }).kind);
  if (JSON.stringify(kinds) !== JSON.stringify(EXPECTED_KINDS[kind])) {
    problems.push(`expected the objects ${EXPECTED_KINDS[kind].join(', ')}, the templates produced ${kinds.join(', ')}`);
  }
  problems.push(...lintTekton(objects).map((p) => `lint: ${p}`));
  if (problems.length > 0) throw new OutputValidationError(problems);
  return { objects, yaml: toYaml(objects) };
}
