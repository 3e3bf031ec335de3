/**
 * Argo Workflows through the Kubernetes API (`argoproj.io/v1alpha1` `workflows`), for `submit`
 * and `watch`: create (optionally as a server-side dry run), get, and the merge patch that asks
 * Argo to stop a run (`spec.shutdown: Stop`, so the exit handler still rolls back).
 */
import type { ArgoWorkflow } from './argo-workflow.js';
import { CONFIG_MAP_RESOURCE, NAMESPACE_RESOURCE } from './api-request.js';
import type { KubeClientOptions } from './client.js';
import { CustomObjectClient, type CustomResource } from './custom-objects.js';

/** Argo's Workflow resource. */
export const WORKFLOW_RESOURCE: CustomResource = { group: 'argoproj.io', version: 'v1alpha1', plural: 'workflows' };

/**
 * What a user of `submit --watch` needs in the workflow namespace (README, "Submit and watch").
 * `get namespaces` is submit's Pod Security check: namespaces are cluster-scoped, but the API
 * server authorizes the get of one namespace as a request in that namespace, so a Role there
 * grants reading that namespace and no other.
 */
export const ARGO_SUBMITTER_GRANTS = [
  { resource: WORKFLOW_RESOURCE, verbs: ['create', 'get', 'watch', 'patch'] },
  { resource: CONFIG_MAP_RESOURCE, verbs: ['list'] },
  { resource: NAMESPACE_RESOURCE, verbs: ['get'] },
] as const;

/** Create, read and stop Argo Workflows. */
export class WorkflowClient extends CustomObjectClient {
  /** @throws KubeConfigError when no usable configuration is found (nothing is sent yet). */
  constructor(options: KubeClientOptions) {
    super(options, ARGO_SUBMITTER_GRANTS);
  }

  /**
   * Creates `workflow` in `namespace` (sent once, see CustomObjectClient.create).
   * @throws RunAccessError (403), KubeApiError, KubeConnectionError.
   */
  async createWorkflow(namespace: string, workflow: ArgoWorkflow, options: { readonly dryRun?: boolean } = {}): Promise<ArgoWorkflow> {
    return this.create<ArgoWorkflow>(WORKFLOW_RESOURCE, namespace, workflow, options);
  }

  /** The workflow. @throws KubeNotFoundError when absent; RunAccessError on 403. */
  async getWorkflow(namespace: string, name: string): Promise<ArgoWorkflow> {
    return this.get<ArgoWorkflow>(WORKFLOW_RESOURCE, namespace, name);
  }

  /**
   * Asks Argo to stop the workflow: `spec.shutdown: Stop`. Stop, never Terminate: Terminate
   * skips the exit handler, which is what rolls the VMIs back.
   * @throws RunAccessError (403), KubeNotFoundError, KubeApiError, KubeConnectionError.
   */
  async requestStop(namespace: string, name: string): Promise<ArgoWorkflow> {
    return this.mergePatch<ArgoWorkflow>(WORKFLOW_RESOURCE, namespace, name, { spec: { shutdown: 'Stop' } });
  }
}
