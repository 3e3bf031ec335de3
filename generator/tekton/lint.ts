/**
 * Semantic lint of emitted Tekton objects (pure), so that a broken override template is refused
 * rather than printed: every `$(…)` names something that exists where it is used, pipeline
 * tasks reference Tasks that exist with exactly the params they declare (matrix params
 * included), `runAfter` only names earlier tasks (so the graph is acyclic), and step volume
 * mounts name declared volumes. It checks what the objects given hold: a PipelineRun alone is
 * checked without its Pipeline.
 */

interface Param {
  readonly name: string;
  readonly default?: unknown;
}
interface Step {
  readonly name?: string;
  readonly volumeMounts?: readonly { readonly name: string }[];
}
interface TaskSpec {
  readonly params?: readonly Param[];
  readonly results?: readonly { readonly name: string }[];
  readonly volumes?: readonly { readonly name: string }[];
  readonly steps?: readonly Step[];
}
interface PipelineTask {
  readonly name: string;
  readonly taskRef?: { readonly name: string };
  readonly runAfter?: readonly string[];
  readonly params?: readonly { readonly name: string }[];
  readonly matrix?: { readonly params?: readonly { readonly name: string }[] };
}
interface TektonObject {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly generateName?: string };
  readonly spec?: TaskSpec & {
    readonly tasks?: readonly PipelineTask[];
    readonly finally?: readonly PipelineTask[];
    readonly taskRunSpecs?: readonly unknown[];
  };
}

const EXPRESSION = /\$\(([^)]*)\)/g;
const CONTEXT = new Set(['context.pipelineRun.uid', 'context.pipelineRun.name', 'context.pipelineRun.namespace']);
/** Context variables a Task's steps may use (Tekton substitutes them per TaskRun). */
const TASK_CONTEXT = new Set(['context.taskRun.name', 'context.taskRun.namespace', 'context.taskRun.uid']);

/** Every string in `value` with its path, for finding expressions. */
function strings(value: unknown, path: string, out: [string, string][] = []): [string, string][] {
  if (typeof value === 'string') out.push([path, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${path}[${i}]`, out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) strings(v, `${path}.${k}`, out);
  return out;
}

function expressions(value: unknown, path: string): { path: string; expression: string }[] {
  return strings(value, path).flatMap(([p, text]) => [...text.matchAll(EXPRESSION)].map((m) => ({ path: p, expression: m[1]! })));
}

const names = (list: readonly { readonly name: string }[] | undefined): Set<string> => new Set((list ?? []).map((x) => x.name));

function lintTask(task: TektonObject, where: string): string[] {
  const spec = task.spec ?? {};
  const params = names(spec.params);
  const results = names(spec.results);
  const volumes = names(spec.volumes);
  const problems: string[] = [];
  for (const { path, expression } of expressions(spec.steps, `${where}.steps`)) {
    const param = /^params\.([A-Za-z0-9_-]+)$/.exec(expression);
    const result = /^results\.([A-Za-z0-9_-]+)\.path$/.exec(expression);
    if (param && params.has(param[1]!)) continue;
    if (result && results.has(result[1]!)) continue;
    if (TASK_CONTEXT.has(expression)) continue;
    problems.push(`${path}: $(${expression}) names no param or result of the Task`);
  }
  (spec.steps ?? []).forEach((step, i) => {
    for (const mount of step.volumeMounts ?? []) {
      if (!volumes.has(mount.name)) problems.push(`${where}.steps[${i}] mounts volume "${mount.name}", which the Task does not declare`);
    }
  });
  return problems;
}

function lintPipeline(pipeline: TektonObject, tasks: ReadonlyMap<string, TektonObject>, where: string): string[] {
  const spec = pipeline.spec ?? {};
  const params = names(spec.params);
  const main = spec.tasks ?? [];
  const all = [...main, ...(spec.finally ?? [])];
  const byName = new Map(all.map((t) => [t.name, t]));
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [section, list] of [['tasks', main], ['finally', spec.finally ?? []]] as const) {
    list.forEach((pt, i) => {
      const at = `${where}.${section}[${i}](${pt.name})`;
      for (const after of pt.runAfter ?? []) {
        if (!seen.has(after)) problems.push(`${at}: runAfter "${after}" is not an earlier task`);
      }
      if (section === 'tasks') seen.add(pt.name);
      const task = pt.taskRef ? tasks.get(pt.taskRef.name) : undefined;
      if (pt.taskRef && tasks.size > 0 && !task) problems.push(`${at}: Task "${pt.taskRef.name}" does not exist`);
      if (task) {
        const declared = task.spec?.params ?? [];
        const given = [...(pt.params ?? []), ...(pt.matrix?.params ?? [])].map((p) => p.name);
        for (const name of given) if (!declared.some((d) => d.name === name)) problems.push(`${at}: param "${name}" is not a param of Task "${pt.taskRef!.name}"`);
        for (const d of declared) if (d.default === undefined && !given.includes(d.name)) problems.push(`${at}: required param "${d.name}" of Task "${pt.taskRef!.name}" is not given`);
      }
      for (const { path, expression } of expressions({ params: pt.params, matrix: pt.matrix, when: (pt as { when?: unknown }).when }, at)) {
        const problem = pipelineExpressionProblem(expression, params, byName, tasks, section === 'finally');
        if (problem) problems.push(`${path}: $(${expression}) ${problem}`);
      }
    });
  }
  return problems;
}

function pipelineExpressionProblem(
  expression: string,
  params: ReadonlySet<string>,
  byName: ReadonlyMap<string, PipelineTask>,
  tasks: ReadonlyMap<string, TektonObject>,
  inFinally: boolean,
): string | undefined {
  if (CONTEXT.has(expression)) return undefined;
  if (expression === 'tasks.status') return inFinally ? undefined : 'is only available in finally';
  const status = /^tasks\.([a-z0-9-]+)\.status$/.exec(expression);
  if (status) {
    if (!inFinally) return 'is only available in finally';
    return byName.has(status[1]!) ? undefined : `names task "${status[1]}", which the Pipeline does not have`;
  }
  const param = /^params\.([A-Za-z0-9_-]+)$/.exec(expression);
  if (param) return params.has(param[1]!) ? undefined : 'names no param of the Pipeline';
  const result = /^tasks\.([a-z0-9-]+)\.results\.([A-Za-z0-9_-]+)(\[(\*|\d+)\])?$/.exec(expression);
  if (!result) return 'is not a param, result or context reference';
  const producer = byName.get(result[1]!);
  if (!producer) return `names task "${result[1]}", which the Pipeline does not have`;
  const task = producer.taskRef ? tasks.get(producer.taskRef.name) : undefined;
  if (task && !(task.spec?.results ?? []).some((r) => r.name === result[2])) return `names result "${result[2]}", which Task "${producer.taskRef!.name}" does not declare`;
  return undefined;
}

/**
 * Problems of `objects`, one line each with a path; empty when they are consistent.
 */
export function lintTekton(objects: readonly unknown[]): string[] {
  const list = objects as readonly TektonObject[];
  const tasks = new Map(list.filter((o) => o.kind === 'Task').map((o) => [o.metadata?.name ?? '', o]));
  return list.flatMap((o, i) => {
    const where = `${o.kind ?? 'object'}[${i}](${o.metadata?.name ?? o.metadata?.generateName ?? ''})`;
    if (o.kind === 'Task') return lintTask(o, where);
    if (o.kind === 'Pipeline') return lintPipeline(o, tasks, where);
    if (o.kind === 'PipelineRun') {
      // Only the TaskRun's own `node` param may appear (in taskRunSpecs' pod templates).
      return expressions(o.spec, where)
        .filter(({ path, expression }) => !(expression === 'params.node' && path.includes('.taskRunSpecs[')))
        .map(({ path, expression }) => `${path}: $(${expression}) is not allowed in a PipelineRun`);
    }
    return [];
  });
}
