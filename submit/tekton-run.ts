/**
 * A Tekton PipelineRun and its TaskRuns → the EngineRun of run-state.ts (pure), for the
 * Pipelines `generate tekton` emits: pipeline tasks `select`, `inject`, `hold`, `verify`,
 * `restore`, the serial rounds' `inject-rK` … `rollback-rK`, `wait`, each with `-N` when the file
 * has several scenarios, and in `finally` `rollback` (record exit-rollback) and `report`. What a
 * TaskRun acts on is read from its params (Tekton substitutes select's results into them): the
 * Task it runs, `scenario-number`, `record`, `node`, `index`.
 */
import { isDone, paramValue, PIPELINE_TASK_LABEL, succeededCondition, type PipelineRun, type TaskRun } from '../kube/tekton-run.js';
import { positiveInt, type StepPhase, type StepState } from './_node-read.js';
import { annotatedScenarioCount, stepKey, type EngineRun, type FailedStep, type RunPhase } from './run-state.js';

/** `spec.status` values that stop a run (ours is StoppedRunFinally). */
const STOPPING = new Set(['StoppedRunFinally', 'CancelledRunFinally', 'Cancelled', 'PipelineRunCancelled']);

/** The step a Task of `generate tekton` runs: `vmi-network-filter-inject` → `inject`. */
function taskStep(taskRun: TaskRun): string | undefined {
  return /-(select|inject|verify|rollback|hold|report)$/.exec(taskRun.spec?.taskRef?.name ?? '')?.[1];
}

/** The EngineRun of `run` and its TaskRuns. */
export function tektonRunOf(run: PipelineRun, taskRuns: readonly TaskRun[]): EngineRun {
  const pipelineTask = (tr: TaskRun): string => tr.metadata.labels?.[PIPELINE_TASK_LABEL] ?? '';
  const param = (tr: TaskRun, name: string): string => paramValue(tr.spec?.params, name) ?? '';
  const scenarioOf = (tr: TaskRun): number => positiveInt(param(tr, 'scenario-number')) ?? 1;
  const finallyTasks = new Set((run.status?.pipelineSpec?.finally ?? []).map((t) => t.name));
  const byTask = new Map(taskRuns.map((tr) => [pipelineTask(tr), tr]));

  const selections: EngineRun['selections'][number][] = [];
  const fanOuts: Record<string, StepState> = {};
  const holds: Record<string, { state: StepState; seconds?: number }> = {};
  const exitScenarios = new Set<number>();
  for (const tr of [...taskRuns].sort(byStart)) {
    const step = taskStep(tr);
    const state = stateOf(tr);
    if (step === 'select') selections.push({ scenario: scenarioOf(tr), state });
    else if (step === 'inject' || step === 'verify' || step === 'rollback') {
      const record = param(tr, 'record') || step;
      fanOuts[stepKey(scenarioOf(tr), record, param(tr, 'node'), param(tr, 'index'))] = state;
      if (record === 'exit-rollback') exitScenarios.add(scenarioOf(tr));
    } else if (step === 'hold') {
      // `hold-N` holds every VMI of scenario N; `hold-N-rK` round K's, which its inject names.
      const m = /^hold(?:-(\d+))?(-r\d+)?$/.exec(pipelineTask(tr));
      if (!m) continue; // `wait-N`: the pause between two scenarios
      const seconds = positiveInt(param(tr, 'seconds'));
      const value = { state, ...(seconds === undefined ? {} : { seconds }) };
      const inject = m[2] ? byTask.get(pipelineTask(tr).replace(/^hold/, 'inject')) : undefined;
      if (!m[2]) holds[stepKey(Number(m[1] ?? 1), 'hold')] = value;
      else if (inject) holds[stepKey(scenarioOf(inject), 'hold', param(inject, 'node'), param(inject, 'index'))] = value;
    }
  }

  const condition = succeededCondition(run);
  const finished = isDone(run);
  const finals = taskRuns.filter((tr) => finallyTasks.has(pipelineTask(tr)));
  const scenarioCount = annotatedScenarioCount(run.metadata.annotations);
  return {
    kind: 'PipelineRun',
    name: run.metadata.name ?? '',
    namespace: run.metadata.namespace ?? '',
    ...(run.metadata.uid ? { runId: run.metadata.uid } : {}),
    phase: phaseOf(run),
    ...(condition?.message ? { message: condition.message } : {}),
    ...(run.status?.startTime ? { startedAt: run.status.startTime } : {}),
    ...(run.status?.completionTime ? { finishedAt: run.status.completionTime } : {}),
    stopping: STOPPING.has(run.spec?.status ?? ''),
    finished,
    parameters: Object.fromEntries((run.spec?.params ?? []).flatMap((p) => (typeof p.value === 'string' ? [[p.name, p.value]] : []))),
    ...(scenarioCount === undefined ? {} : { scenarioCount }),
    selections,
    fanOuts,
    holds,
    exit: { phase: finallyPhase(finals, finished), rollbackScenarios: [...exitScenarios].sort((a, b) => a - b) },
    failedSteps: taskRuns.filter((tr) => stateOf(tr).phase === 'failed').map((tr) => failedStep(tr, taskStep(tr), pipelineTask(tr), param(tr, 'node'))),
  };
}

/** A TaskRun's state: Tekton's `Succeeded` condition (Unknown, or none yet: it runs). */
function stateOf(tr: TaskRun): StepState {
  const condition = succeededCondition(tr);
  const phase: StepPhase = condition?.status === 'True' ? 'succeeded' : condition?.status === 'False' ? 'failed' : 'running';
  return {
    phase,
    ...(tr.status?.startTime ? { startedAt: tr.status.startTime } : {}),
    ...(tr.status?.completionTime ? { finishedAt: tr.status.completionTime } : {}),
    ...(phase === 'failed' && condition?.message ? { message: condition.message } : {}),
  };
}

/** The run's phase in Argo's words: Pending until the controller started it. */
function phaseOf(run: PipelineRun): RunPhase {
  const condition = succeededCondition(run);
  if (!condition) return 'Pending';
  if (condition.status === 'True') return 'Succeeded';
  if (condition.status === 'False') return 'Failed';
  return condition.reason === 'PipelineRunPending' || condition.reason === 'Pending' ? 'Pending' : 'Running';
}

/** finally's phase: pending until one of its TaskRuns exists; final with the run. */
function finallyPhase(finals: readonly TaskRun[], finished: boolean): StepPhase {
  if (finals.length === 0) return finished ? 'skipped' : 'pending';
  if (!finished) return 'running';
  return finals.some((tr) => stateOf(tr).phase === 'failed') ? 'failed' : 'succeeded';
}

/** A failed TaskRun in the report's words, with where its logs are. */
function failedStep(tr: TaskRun, step: string | undefined, pipelineTask: string, node: string): FailedStep {
  const state = stateOf(tr);
  const logs = `logs: tkn taskrun logs ${tr.metadata.name ?? ''} -n ${tr.metadata.namespace ?? ''}`;
  const said = state.message ?? `TaskRun ${tr.metadata.name ?? pipelineTask} failed`;
  return {
    step: step === 'select' || step === 'inject' || step === 'verify' || step === 'rollback' ? step : pipelineTask,
    message: `${node ? `on node ${node}: ` : ''}${said} (${logs})`,
    at: tr.status?.completionTime ?? '',
  };
}

function byStart(a: TaskRun, b: TaskRun): number {
  return (a.status?.startTime ?? '').localeCompare(b.status?.startTime ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** The hold TaskRuns (holds and waits: they only sleep) not ended nor cancelled yet: the names. */
export function runningHolds(taskRuns: readonly TaskRun[]): string[] {
  return taskRuns.filter((tr) => taskStep(tr) === 'hold' && !isDone(tr) && tr.spec?.status !== 'TaskRunCancelled').map((tr) => tr.metadata.name ?? '').filter(Boolean);
}
