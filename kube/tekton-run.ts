/**
 * The part of Tekton's PipelineRun and TaskRun objects (tekton.dev/v1) that `watch` reads: the
 * `Succeeded` condition, times, params, the labels Tekton puts on a pipeline's TaskRuns, and
 * the fields we set to stop a run. Plain JSON, as the API server sends it; every field optional
 * because the controller fills them in over time.
 */
import type { ObjectMetadata } from './argo-workflow.js';

/** A name/value param. Our params are strings; Tekton also allows arrays and objects. */
export interface TektonParam {
  readonly name: string;
  readonly value?: unknown;
}

/** A Knative condition; Tekton's runs carry one of type `Succeeded`. */
export interface TektonCondition {
  readonly type: string;
  /** True (succeeded), False (failed), Unknown (running, pending, stopping). */
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
}

/** A PipelineRun as read from the API server. */
export interface PipelineRun {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: ObjectMetadata;
  readonly spec?: {
    readonly params?: readonly TektonParam[];
    readonly pipelineRef?: { readonly name?: string };
    /** Cancelled, CancelledRunFinally, StoppedRunFinally or PipelineRunPending. */
    readonly status?: string;
    readonly [key: string]: unknown;
  };
  readonly status?: {
    readonly conditions?: readonly TektonCondition[];
    readonly startTime?: string;
    readonly completionTime?: string;
    /** The Pipeline as resolved for this run. */
    readonly pipelineSpec?: { readonly tasks?: readonly { readonly name: string }[]; readonly finally?: readonly { readonly name: string }[] };
    /** Tasks skipped (`when`, a stop, a timeout), with Tekton's reason. */
    readonly skippedTasks?: readonly { readonly name: string; readonly reason?: string }[];
  };
}

/** A TaskRun as read from the API server. */
export interface TaskRun {
  readonly metadata: ObjectMetadata;
  readonly spec?: {
    /** The params the pipeline task passed, with results already substituted. */
    readonly params?: readonly TektonParam[];
    readonly taskRef?: { readonly name?: string };
    /** TaskRunCancelled once cancelled. */
    readonly status?: string;
  };
  readonly status?: {
    readonly conditions?: readonly TektonCondition[];
    readonly startTime?: string;
    readonly completionTime?: string;
    readonly podName?: string;
  };
}

/** The label Tekton gives a TaskRun: the run it belongs to. */
export const PIPELINE_RUN_LABEL = 'tekton.dev/pipelineRun';
/** The label Tekton gives a TaskRun: its pipeline task (`inject`, `hold-2-r1`, `rollback`). */
export const PIPELINE_TASK_LABEL = 'tekton.dev/pipelineTask';

/** The `Succeeded` condition of a run, if the controller wrote one. */
export function succeededCondition(run: PipelineRun | TaskRun): TektonCondition | undefined {
  return run.status?.conditions?.find((c) => c.type === 'Succeeded');
}

/** True once the run has its final state (True or False), after its finally tasks. */
export function isDone(run: PipelineRun | TaskRun): boolean {
  const status = succeededCondition(run)?.status;
  return status === 'True' || status === 'False';
}

/** A param's value when it is a string. */
export function paramValue(params: readonly TektonParam[] | undefined, name: string): string | undefined {
  const value = params?.find((p) => p.name === name)?.value;
  return typeof value === 'string' ? value : undefined;
}
