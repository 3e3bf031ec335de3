/**
 * Argo Workflows through the Kubernetes API (`argoproj.io/v1alpha1` `workflows`), for `submit`
 * and `watch`: create (optionally as a server-side dry run), get, and the merge patch that asks
 * Argo to stop a run (`spec.shutdown: Stop`, so the exit handler still rolls back). Same
 * configuration, transport (timeouts), retries and typed errors as the steps' reads; a 403
 * names what the submitting user needs.
 */
import { CustomObjectsApi, ServerConfiguration, createConfiguration, setHeaderOptions, type HttpLibrary, type KubeConfig } from '@kubernetes/client-node';
import type { ArgoWorkflow } from './argo-workflow.js';
import type { StepLogger } from '../core/log.js';
import { describeRequest, resourceName, scopeOf, type ApiRequest, type ApiResource } from './api-request.js';
import { callApi, type CallContext } from './call.js';
import type { KubeClientOptions } from './client.js';
import { KubeAccessError, KubeApiError, KubeConfigError } from './errors.js';
import { loadKubeConfig } from './kube-config.js';
import { DEFAULT_RETRY } from './retry-policy.js';
import { timedHttpLibrary } from './transport.js';

/** Argo's Workflow resource. */
export const WORKFLOW_RESOURCE: ApiResource = { group: 'argoproj.io', plural: 'workflows' };
const WORKFLOW_VERSION = 'v1alpha1';

/** The verbs on workflows a user of `submit --watch` needs (README, "Submit and watch"). */
export const SUBMIT_VERBS = ['create', 'get', 'watch', 'patch'] as const;

/**
 * 403 on a workflow request: the message names the verb, the namespace and every verb the
 * submitting user needs, since it is a person's (or CI job's) RBAC, not the step pods'.
 */
export class WorkflowAccessError extends KubeApiError {
  constructor(request: ApiRequest, server: KubeAccessError['serverStatus'], attempts: number) {
    const said = server.message ? ` API server: ${server.message}` : '';
    const resource = resourceName(request.resource);
    super(
      request,
      403,
      server,
      attempts,
      `forbidden (HTTP 403): RBAC does not allow ${request.verb} ${resource} ${scopeOf(request)}; the submitting user needs the verbs ${SUBMIT_VERBS.join(', ')} on "${resource}" there (a Role and RoleBinding, see "Submit and watch" in the README).${said}`,
    );
  }
}
WorkflowAccessError.prototype.name = 'WorkflowAccessError';

/** Create, read and stop Argo Workflows. */
export class WorkflowClient {
  /** The API server URL requests go to. */
  readonly server: string;
  /** The loaded configuration (the watch connects with it). */
  readonly kubeConfig: KubeConfig;
  private readonly custom: CustomObjectsApi;
  private readonly context: CallContext;
  private readonly httpApi: HttpLibrary;

  /** @throws KubeConfigError when no usable configuration is found (nothing is sent yet). */
  constructor(options: KubeClientOptions) {
    this.kubeConfig = options.kubeConfig ?? loadKubeConfig({ env: options.env, ...(options.serviceAccountDir ? { serviceAccountDir: options.serviceAccountDir } : {}) });
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new KubeConfigError('the given configuration has no current context with a cluster');
    this.server = cluster.server;
    this.httpApi = timedHttpLibrary(options.timeoutMs ?? 30_000);
    this.custom = new CustomObjectsApi(
      createConfiguration({ baseServer: new ServerConfiguration(this.server, {}), authMethods: { default: this.kubeConfig }, httpApi: this.httpApi }),
    );
    this.context = { log: options.log ?? (() => undefined), retry: { ...DEFAULT_RETRY, ...options.retry } };
  }

  /**
   * Creates `workflow` in `namespace`; with `dryRun` the API server validates and names it
   * (admission, generateName) without storing it.
   * Sent once, never retried: a create whose answer was lost may have been applied, and with
   * generateName a second one would start a second chaos run.
   * @throws WorkflowAccessError (403), KubeApiError, KubeConnectionError.
   */
  async create(namespace: string, workflow: ArgoWorkflow, options: { readonly dryRun?: boolean } = {}): Promise<ArgoWorkflow> {
    const request: ApiRequest = { verb: 'create', resource: WORKFLOW_RESOURCE, namespace };
    return this.call(
      request,
      () =>
        this.custom.createNamespacedCustomObject({
          ...this.path(namespace),
          body: workflow,
          ...(options.dryRun ? { dryRun: 'All' } : {}),
        }),
      { ...this.context, retry: { ...this.context.retry, maxAttempts: 1 } },
    );
  }

  /** The workflow. @throws KubeNotFoundError when absent; WorkflowAccessError on 403. */
  async get(namespace: string, name: string): Promise<ArgoWorkflow> {
    return this.call({ verb: 'get', resource: WORKFLOW_RESOURCE, namespace, name }, () => this.custom.getNamespacedCustomObject({ ...this.path(namespace), name }));
  }

  /**
   * Asks Argo to stop the workflow: `spec.shutdown: Stop` as a JSON merge patch (RFC 7386).
   * Stop, never Terminate: Terminate skips the exit handler, which is what rolls the VMIs back.
   * Idempotent, so retried like a read.
   * @throws WorkflowAccessError (403), KubeNotFoundError, KubeApiError, KubeConnectionError.
   */
  async requestStop(namespace: string, name: string): Promise<ArgoWorkflow> {
    return this.call({ verb: 'patch', resource: WORKFLOW_RESOURCE, namespace, name }, () =>
      this.custom.patchNamespacedCustomObject({ ...this.path(namespace), name, body: { spec: { shutdown: 'Stop' } } }, setHeaderOptions('Content-Type', 'application/merge-patch+json')),
    );
  }

  /** Logs through the client's log function (the watch's reconnects). */
  log(...args: Parameters<StepLogger['log']>): void {
    this.context.log(...args);
  }

  private path(namespace: string) {
    return { group: WORKFLOW_RESOURCE.group, version: WORKFLOW_VERSION, plural: WORKFLOW_RESOURCE.plural, namespace };
  }

  private async call(request: ApiRequest, send: () => Promise<unknown>, context: CallContext = this.context): Promise<ArgoWorkflow> {
    try {
      return (await callApi(request, send, context)) as ArgoWorkflow;
    } catch (e) {
      throw e instanceof KubeAccessError && e.status === 403 ? new WorkflowAccessError(request, e.serverStatus, e.attempts) : e;
    }
  }
}

/** `create workflows.argoproj.io in namespace "argo"`: for messages. */
export function describeWorkflowRequest(verb: ApiRequest['verb'], namespace: string, name?: string): string {
  return describeRequest({ verb, resource: WORKFLOW_RESOURCE, namespace, ...(name ? { name } : {}) });
}
