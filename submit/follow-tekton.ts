/**
 * Following a Tekton PipelineRun: the PipelineRun is watched (its status changes whenever a
 * TaskRun starts or ends), and its TaskRuns, which say what each step does, are listed on every
 * refresh. Stopping is Tekton's graceful stop plus cancelling the holds: `StoppedRunFinally`
 * starts no new task and lets running ones end, so a hold would keep the fault for the rest of
 * `test_duration`; a hold only sleeps, so cancelling it is safe, unlike cancelling an inject
 * whose node pods are still writing rules (engine-audit: a cancelled TaskRun is marked done
 * before its pod exits).
 */
import { followObject } from '../kube/object-watch.js';
import { PIPELINE_RUNS, type PipelineRunClient } from '../kube/pipeline-runs.js';
import { isDone, type PipelineRun, type TaskRun } from '../kube/tekton-run.js';
import type { FollowedRun } from './followed-run.js';
import type { EngineRun } from './run-state.js';
import { runningHolds, tektonRunOf } from './tekton-run.js';

/** The PipelineRun `name` in `namespace`. */
export function followedPipelineRun(client: PipelineRunClient, namespace: string, name: string): FollowedRun {
  let pipelineRun: PipelineRun | undefined;
  let taskRuns: readonly TaskRun[] = [];
  let run: EngineRun | undefined;
  let stopRequested = false;
  const cancelled = new Set<string>();
  const update = (): void => {
    run = pipelineRun ? tektonRunOf(pipelineRun, taskRuns) : undefined;
  };
  const readTaskRuns = async (): Promise<void> => {
    taskRuns = await client.taskRunsOf(namespace, name);
    update();
  };
  // After the stop request, every hold that runs is cancelled, including one the controller
  // started before it saw the request.
  const cancelHolds = async (): Promise<void> => {
    for (const hold of runningHolds(taskRuns).filter((h) => !cancelled.has(h))) {
      await client.cancelTaskRun(namespace, hold);
      cancelled.add(hold);
    }
  };
  return {
    kind: 'PipelineRun',
    words: {
      engine: 'Tekton',
      stopHow: 'spec.status: StoppedRunFinally, holds cancelled',
      inspect: `tkn pipelinerun describe -n ${namespace} ${name}`,
      stop: `tkn pipelinerun cancel -n ${namespace} ${name} --grace StoppedRunFinally`,
      follow: `tkn pipelinerun logs -n ${namespace} ${name} -f`,
    },
    current: () => run,
    async follow(signal, onChange) {
      await followObject<PipelineRun>(client, {
        resource: PIPELINE_RUNS,
        kind: 'PipelineRun',
        namespace,
        name,
        signal,
        onUpdate: (object) => {
          pipelineRun = object;
          update();
          onChange();
          return isDone(object);
        },
      });
    },
    async refresh() {
      await readTaskRuns();
      if (stopRequested && !(pipelineRun && isDone(pipelineRun))) await cancelHolds();
    },
    async requestStop() {
      await client.requestStop(namespace, name);
      stopRequested = true;
      await readTaskRuns();
      await cancelHolds();
    },
  };
}
