/**
 * Semantic lint of an Argo Workflow, WorkflowTemplate or CronWorkflow: what the JSON schema
 * cannot see (it allows unknown fields and cannot follow references).
 *  - entrypoint, onExit and every task's template exist; template and task names are unique;
 *  - DAG `depends`/`dependencies` name tasks of the same DAG, with valid results, and are acyclic;
 *  - a task passes every input the called template requires, and no argument it does not declare;
 *  - no parameter is declared or passed twice;
 *  - every `{{inputs.parameters.X}}` is declared by its template; every `{{tasks.X…}}` names a
 *    task the referencing task depends on (directly or transitively); `{{item…}}` appears only in
 *    a looping task; `{{workflow.parameters.X}}` is a workflow argument and
 *    `{{workflow.outputs.parameters.X}}` some output's globalName; no unknown variables;
 *  - the one expression tag the generator emits, `{{=asInt(workflow.parameters['X']) + N}}`
 *    (a timeout from a parameter), with X a workflow argument; any other `{{=…}}` is refused.
 */

type Json = Record<string, unknown>;

interface Parameter {
  name?: string;
  value?: unknown;
  default?: unknown;
  valueFrom?: unknown;
  globalName?: string;
}
interface Task {
  name?: string;
  template?: string;
  templateRef?: unknown;
  depends?: string;
  dependencies?: string[];
  arguments?: { parameters?: Parameter[] };
  withParam?: unknown;
  withItems?: unknown;
  withSequence?: unknown;
}
interface Template {
  name?: string;
  inputs?: { parameters?: Parameter[] };
  outputs?: { parameters?: Parameter[] };
  dag?: { tasks?: Task[] };
  steps?: Task[][];
}

const TASK_RESULTS = new Set(['Succeeded', 'Failed', 'Errored', 'Skipped', 'Omitted', 'Daemoned', 'AnySucceeded', 'AllFailed']);
const WORKFLOW_VARIABLES = new Set([
  'workflow.name', 'workflow.namespace', 'workflow.uid', 'workflow.status', 'workflow.failures', 'workflow.duration',
  'workflow.mainEntrypoint', 'workflow.serviceAccountName', 'workflow.creationTimestamp', 'workflow.priority',
  'workflow.scheduledTime', 'workflow.parameters', 'workflow.parameters.json',
]);
const TEMPLATE_VARIABLES = new Set(['pod.name', 'retries', 'node.name', 'inputs.parameters']);

/** Every `{{…}}` expression in the strings under `value`, with the JSON path where it stands. */
function expressions(value: unknown, path: string, out: { path: string; expr: string }[] = []): { path: string; expr: string }[] {
  if (typeof value === 'string') {
    for (const m of value.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) out.push({ path, expr: m[1]! });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => expressions(v, `${path}[${i}]`, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) expressions(v, `${path}.${k}`, out);
  }
  return out;
}

/** Task names a `depends` expression mentions, each with its result suffix if any. */
function dependsTerms(depends: string): { task: string; result?: string }[] {
  return [...depends.matchAll(/([A-Za-z0-9][A-Za-z0-9_-]*)(?:\.([A-Za-z]+))?/g)].map((m) => ({
    task: m[1]!,
    ...(m[2] ? { result: m[2] } : {}),
  }));
}

function taskDependencies(task: Task): string[] {
  return [...(task.dependencies ?? []), ...(task.depends ? dependsTerms(task.depends).map((t) => t.task) : [])];
}

/**
 * Lints one Argo object.
 * @returns problems as "where: what" lines; empty when the object is sound.
 */
export function lintArgo(object: unknown): string[] {
  const problems: string[] = [];
  const root = object as Json;
  const spec = (root.kind === 'CronWorkflow' ? (root.spec as Json | undefined)?.workflowSpec : root.spec) as Json | undefined;
  if (!spec) return ['spec: missing'];
  const templates = (spec.templates ?? []) as Template[];
  const byName = new Map<string, Template>();
  for (const t of templates) {
    if (!t.name) problems.push('templates: a template has no name');
    else if (byName.has(t.name)) problems.push(`templates: duplicate template name "${t.name}"`);
    else byName.set(t.name, t);
  }
  const workflowParams = new Set(((spec.arguments as Json | undefined)?.parameters as Parameter[] | undefined ?? []).map((p) => p.name));
  const globalNames = new Set(templates.flatMap((t) => (t.outputs?.parameters ?? []).map((p) => p.globalName).filter(Boolean)));

  for (const field of ['entrypoint', 'onExit'] as const) {
    const name = spec[field];
    if (field === 'entrypoint' && typeof name !== 'string') problems.push('spec.entrypoint: missing');
    if (typeof name === 'string' && !byName.has(name)) problems.push(`spec.${field}: template "${name}" does not exist`);
  }

  const checkExpression = (where: string, expr: string, template: Template, task?: Task, ancestors?: Set<string>, dagTasks?: Set<string>): void => {
    if (expr.startsWith('=')) {
      // The one expression tag we emit: an integer workflow parameter plus a number (a timeout).
      const sum = /^=asInt\(workflow\.parameters\['([^']+)'\]\) \+ \d+$/.exec(expr);
      if (!sum) problems.push(`${where}: {{${expr}}}: not an expression tag the generator emits`);
      else if (!workflowParams.has(sum[1]!)) problems.push(`${where}: {{${expr}}}: no workflow parameter "${sum[1]}"`);
      return;
    }
    const inputs = new Set((template.inputs?.parameters ?? []).map((p) => p.name));
    let m: RegExpMatchArray | null;
    if ((m = expr.match(/^inputs\.parameters\.(.+)$/))) {
      if (!inputs.has(m[1]!)) problems.push(`${where}: {{${expr}}}: template "${template.name}" declares no input parameter "${m[1]}"`);
    } else if ((m = expr.match(/^tasks\.([^.]+)\./))) {
      const name = m[1]!;
      if (!dagTasks?.has(name)) problems.push(`${where}: {{${expr}}}: no task "${name}" in this DAG`);
      else if (task && !ancestors?.has(name)) problems.push(`${where}: {{${expr}}}: task "${task.name}" does not depend on "${name}"`);
    } else if ((m = expr.match(/^workflow\.parameters\.(.+)$/)) && expr !== 'workflow.parameters.json') {
      if (!workflowParams.has(m[1]!)) problems.push(`${where}: {{${expr}}}: no workflow parameter "${m[1]}"`);
    } else if ((m = expr.match(/^workflow\.outputs\.parameters\.(.+)$/))) {
      if (!globalNames.has(m[1]!)) problems.push(`${where}: {{${expr}}}: no output parameter has globalName "${m[1]}"`);
    } else if (expr === 'item' || expr.startsWith('item.')) {
      if (!task || !(task.withParam || task.withItems || task.withSequence)) problems.push(`${where}: {{${expr}}} outside a looping task`);
    } else if (!WORKFLOW_VARIABLES.has(expr) && !TEMPLATE_VARIABLES.has(expr) && !expr.startsWith('workflow.labels.') && !expr.startsWith('workflow.annotations.')) {
      problems.push(`${where}: {{${expr}}}: unknown variable`);
    }
  };

  const duplicates = (names: (string | undefined)[]): string[] => names.filter((n, i) => n !== undefined && names.indexOf(n) !== i) as string[];
  for (const template of templates) {
    const where = `template ${template.name}`;
    for (const name of duplicates((template.inputs?.parameters ?? []).map((p) => p.name))) problems.push(`${where}: input parameter "${name}" is declared twice`);
    for (const name of duplicates((template.outputs?.parameters ?? []).map((p) => p.name))) problems.push(`${where}: output parameter "${name}" is declared twice`);
    const tasks = template.dag?.tasks ?? template.steps?.flat() ?? [];
    const taskNames = new Set<string>();
    for (const task of tasks) {
      if (!task.name) problems.push(`${where}: a task has no name`);
      else if (taskNames.has(task.name)) problems.push(`${where}: duplicate task "${task.name}"`);
      else taskNames.add(task.name);
    }
    const deps = new Map(tasks.map((t) => [t.name ?? '', taskDependencies(t)]));
    const ancestorsOf = (name: string): Set<string> => {
      const seen = new Set<string>();
      const stack = [...(deps.get(name) ?? [])];
      while (stack.length > 0) {
        const next = stack.pop()!;
        if (seen.has(next)) continue;
        seen.add(next);
        stack.push(...(deps.get(next) ?? []));
      }
      return seen;
    };
    for (const task of tasks) {
      const at = `${where}, task ${task.name}`;
      for (const name of duplicates((task.arguments?.parameters ?? []).map((p) => p.name))) problems.push(`${at}: argument "${name}" is passed twice`);
      for (const term of task.depends ? dependsTerms(task.depends) : []) {
        if (term.result && !TASK_RESULTS.has(term.result)) problems.push(`${at}: depends: "${term.task}.${term.result}" is not a task result`);
      }
      for (const dep of taskDependencies(task)) {
        if (!taskNames.has(dep)) problems.push(`${at}: depends on "${dep}", which is not a task of this DAG`);
      }
      if (task.name && ancestorsOf(task.name).has(task.name)) problems.push(`${at}: dependency cycle through "${task.name}"`);
      if (task.template !== undefined) {
        const called = byName.get(task.template);
        if (!called) {
          problems.push(`${at}: template "${task.template}" does not exist`);
        } else {
          const given = new Set((task.arguments?.parameters ?? []).map((p) => p.name));
          for (const input of called.inputs?.parameters ?? []) {
            if (input.value === undefined && input.default === undefined && !given.has(input.name)) {
              problems.push(`${at}: does not pass input "${input.name}" that template "${called.name}" requires`);
            }
          }
          const declared = new Set((called.inputs?.parameters ?? []).map((p) => p.name));
          for (const name of given) if (!declared.has(name)) problems.push(`${at}: passes "${name}", which template "${called.name}" does not declare`);
        }
      } else if (task.templateRef === undefined) {
        problems.push(`${at}: names no template`);
      }
      const ancestors = task.name ? ancestorsOf(task.name) : new Set<string>();
      for (const { path, expr } of expressions(task, at)) checkExpression(path, expr, template, task, ancestors, taskNames);
    }
    const { dag: _dag, steps: _steps, ...rest } = template as Template & Json;
    for (const { path, expr } of expressions(rest, where)) checkExpression(path, expr, template, undefined, undefined, taskNames);
  }
  for (const { path, expr } of expressions({ arguments: spec.arguments, volumes: spec.volumes, serviceAccountName: spec.serviceAccountName }, 'spec')) {
    if (!expr.startsWith('workflow.')) problems.push(`${path}: {{${expr}}}: only workflow variables are available here`);
  }
  return problems;
}
