/**
 * Tekton PipelineRuns and their TaskRuns through the Kubernetes API (`tekton.dev/v1`), for
 * `submit` and `watch`: create, get, the run's TaskRuns, and a graceful stop.
 */
import { CONFIG_MAP_RESOURCE } from './api-request.js';
import type { KubeClientOptions } from './client.js';
import { CustomObjectClient, type CustomResource } from './custom-objects.js';
import { PIPELINE_RUN_LABEL, type PipelineRun, type TaskRun } from './tekton-run.js';

/** Tekton's PipelineRun resource. */
export const PIPELINE_RUNS: CustomResource = { group: 'tekton.dev', version: 'v1', plural: 'pipelineruns' };
/** Tekton's TaskRun resource. */
export const TASK_RUNS: CustomResource = { group: 'tekton.dev', version: 'v1', plural: 'taskruns' };

/** What a user of `submit --engine tekton --watch` needs in the runs' namespace (README, "Submit and watch"). */
export const TEKTON_SUBMITTER_GRANTS = [
  { resource: PIPELINE_RUNS, verbs: ['create', 'get', 'watch', 'patch'] },
  { resource: TASK_RUNS, verbs: ['list', 'patch'] },
  { resource: CONFIG_MAP_RESOURCE, verbs: ['list'] },
] as const;

/** Create, read and stop PipelineRuns; list and cancel their TaskRuns. */
export class PipelineRunClient extends CustomObjectClient {
  /** @throws KubeConfigError when no usable configuration is found (nothing is sent yet). */
  constructor(options: KubeClientOptions) {
    super(options, TEKTON_SUBMITTER_GRANTS);
  }

  /** Creates the PipelineRun (sent once, see CustomObjectClient.create). */
  async createRun(namespace: string, run: PipelineRun, options: { readonly dryRun?: boolean } = {}): Promise<PipelineRun> {
    return this.create<PipelineRun>(PIPELINE_RUNS, namespace, run, options);
  }

  /** The PipelineRun. @throws KubeNotFoundError when absent; RunAccessError on 403. */
  async getRun(namespace: string, name: string): Promise<PipelineRun> {
    return this.get<PipelineRun>(PIPELINE_RUNS, namespace, name);
  }

  /** The TaskRuns of PipelineRun `name` (Tekton labels them with it). */
  async taskRunsOf(namespace: string, name: string): Promise<TaskRun[]> {
    return this.list<TaskRun>(TASK_RUNS, namespace, `${PIPELINE_RUN_LABEL}=${name}`);
  }

  /**
   * Asks Tekton to stop the run gracefully: `spec.status: StoppedRunFinally` (no new task
   * starts; running ones end; then finally, which rolls every VMI back). Not `Cancelled`, which
   * skips finally; not `CancelledRunFinally`, whose cancelled TaskRuns are marked done before
   * their pods exit, so finally's rollback could overlap a dying inject (engine-audit).
   */
  async requestStop(namespace: string, name: string): Promise<PipelineRun> {
    return this.mergePatch<PipelineRun>(PIPELINE_RUNS, namespace, name, { spec: { status: 'StoppedRunFinally' } });
  }

  /** Cancels one TaskRun (`spec.status: TaskRunCancelled`): its pod is stopped. */
  async cancelTaskRun(namespace: string, name: string): Promise<TaskRun> {
    return this.mergePatch<TaskRun>(TASK_RUNS, namespace, name, { spec: { status: 'TaskRunCancelled' } });
  }
}
