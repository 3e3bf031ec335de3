// Two rules of @ibm/tekton-lint 1.1.0, taught two Tekton v1 features they predate; the test
// turns the originals off and loads these instead (custom rules: `v1#<name>`). Same checks,
// same messages, plus:
//   no-missing-param     a param given through `matrix.params` is supplied (Tekton refuses a
//                        param given in both `params` and `matrix`, so the original can never
//                        pass a matrixed task with a required matrix param);
//   no-undefined-result  `$(tasks.T.results.R[*])` and `$(tasks.T.results.R[i])` (array results)
//                        name result R (the original looks for a result called "R[*]").

function walk(node, path, visit) {
  if (typeof node === 'string') visit(node, path);
  else if (Array.isArray(node)) node.forEach((item, i) => walk(item, [...path, i], visit));
  else if (node !== null && typeof node === 'object') for (const [key, value] of Object.entries(node)) walk(value, [...path, key], visit);
}

function pipelineTasks(pipeline) {
  return [...(pipeline.spec.tasks ?? []), ...(pipeline.spec.finally ?? [])];
}

function noMissingParam(docs, tekton, report) {
  for (const pipeline of Object.values(tekton.pipelines)) {
    for (const task of pipelineTasks(pipeline)) {
      const spec = task.taskRef ? tekton.tasks[task.taskRef.name]?.spec : task.taskSpec;
      if (!spec) continue;
      const provided = [...(task.params ?? []), ...(task.matrix?.params ?? [])].map((p) => p.name);
      for (const include of task.matrix?.include ?? []) provided.push(...(include.params ?? []).map((p) => p.name));
      const required = (spec.params ?? []).filter((p) => p.default === undefined).map((p) => p.name);
      for (const param of required.filter((p) => !provided.includes(p))) {
        report(
          `Pipeline '${pipeline.metadata.name}' references task '${task.taskRef?.name ?? task.name}' (as '${task.name}'), but parameter '${param}' is not supplied (it's a required param in '${task.taskRef?.name ?? task.name}')`,
          task,
        );
      }
    }
  }
}

const RESULT_REFERENCE = /\$\(tasks\.([^.)]+)\.results\.([^.)[\]]+)(\[(\*|\d+)\])?(\.[^)]*)?\)/g;

function noUndefinedResult(docs, tekton, report) {
  for (const pipeline of Object.values(tekton.pipelines)) {
    walk(pipeline.spec, ['spec'], (value, path) => {
      for (const [expression, taskName, resultName] of value.matchAll(RESULT_REFERENCE)) {
        const producer = (pipeline.spec.tasks ?? []).find((t) => t.name === taskName);
        if (!producer) {
          report(`In Pipeline '${pipeline.metadata.name}' the value on path '.${path.join('.')}' refers to task '${taskName}', which is not in the pipeline (as '${expression}')`, pipeline.spec);
          continue;
        }
        if (producer.taskRef && !tekton.tasks[producer.taskRef.name]) continue;
        const spec = producer.taskSpec ?? tekton.tasks[producer.taskRef.name].spec;
        if (!(spec.results ?? []).some((r) => r.name === resultName)) {
          report(
            `In Pipeline '${pipeline.metadata.name}' the value on path '.${path.join('.')}' refers to an undefined output result (as '${expression}' - '${resultName}' is not a result in Task '${taskName}')`,
            pipeline.spec,
          );
        }
      }
    });
  }
}

export default {
  rules: [
    { name: 'no-missing-param', ruleFn: noMissingParam, reportDefault: 'error' },
    { name: 'no-undefined-result', ruleFn: noUndefinedResult, reportDefault: 'error' },
  ],
};
