/**
 * The engine's run objects (Argo Workflows, Tekton PipelineRuns and their TaskRuns) through the
 * Kubernetes API, for `submit` and `watch`: create, get, paged list and JSON merge patch of a
 * custom resource, with the same configuration, transport (timeouts), retries and typed errors as
 * the steps' reads. These are a person's (or CI job's) requests, not a step's: a 403 names every
 * verb the submitting user needs (the Role of "Submit and watch" in the README).
 */
import { CustomObjectsApi, ServerConfiguration, createConfiguration, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { StepLogger } from '../core/log.js';
import { resourceName, scopeOf, type ApiRequest, type ApiResource } from './api-request.js';
import { callApi, type CallContext } from './call.js';
import type { KubeClientOptions } from './client.js';
import { KubeAccessError, KubeApiError, KubeConfigError } from './errors.js';
import { kubeConfigOptionsOf, loadKubeConfig } from './kube-config.js';
import { collectPages, PAGE_SIZE } from './paginate.js';
import { DEFAULT_RETRY } from './retry-policy.js';
import { timedHttpLibrary } from './transport.js';

/** A custom resource and the version we speak. */
export interface CustomResource extends ApiResource {
  readonly version: string;
}

/** What the submitting user needs: `verbs` on each resource, in the run's namespace. */
export type SubmitterGrants = readonly { readonly resource: ApiResource; readonly verbs: readonly string[] }[];

/**
 * 403 on a submit or watch request: the message names the verb, the namespace and every verb the
 * submitting user needs, since it is a person's (or CI job's) RBAC, not the step pods'.
 */
export class RunAccessError extends KubeApiError {
  constructor(request: ApiRequest, server: KubeAccessError['serverStatus'], attempts: number, grants: SubmitterGrants) {
    const said = server.message ? ` API server: ${server.message}` : '';
    const needs = grants.map((g) => `${g.verbs.join(', ')} on "${resourceName(g.resource)}"`).join('; ');
    super(
      request,
      403,
      server,
      attempts,
      `forbidden (HTTP 403): RBAC does not allow ${request.verb} ${resourceName(request.resource)} ${scopeOf(request)}; the submitting user needs ${needs} there (a Role and RoleBinding, see "Submit and watch" in the README).${said}`,
    );
  }
}
RunAccessError.prototype.name = 'RunAccessError';

/** Create, read, list and merge-patch custom objects as the submitting user. */
export class CustomObjectClient {
  /** The API server URL requests go to. */
  readonly server: string;
  /** The loaded configuration (a watch connects with it). */
  readonly kubeConfig: KubeConfig;
  private readonly custom: CustomObjectsApi;
  private readonly context: CallContext;

  /** @throws KubeConfigError when no usable configuration is found (nothing is sent yet). */
  constructor(
    options: KubeClientOptions,
    /** What a 403 says the user needs. */
    readonly grants: SubmitterGrants,
  ) {
    this.kubeConfig = options.kubeConfig ?? loadKubeConfig(kubeConfigOptionsOf(options));
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new KubeConfigError('the given configuration has no current context with a cluster');
    this.server = cluster.server;
    this.custom = new CustomObjectsApi(
      createConfiguration({ baseServer: new ServerConfiguration(this.server, {}), authMethods: { default: this.kubeConfig }, httpApi: timedHttpLibrary(options.timeoutMs ?? 30_000) }),
    );
    this.context = { log: options.log ?? (() => undefined), retry: { ...DEFAULT_RETRY, ...options.retry } };
  }

  /**
   * Creates `body`; with `dryRun` the API server validates and names it (admission,
   * generateName) without storing it. Sent once, never retried: a create whose answer was lost
   * may have been applied, and with generateName a second one would start a second chaos run.
   */
  async create<T>(resource: CustomResource, namespace: string, body: unknown, options: { readonly dryRun?: boolean } = {}): Promise<T> {
    return this.call<T>(
      { verb: 'create', resource, namespace },
      () => this.custom.createNamespacedCustomObject({ ...path(resource, namespace), body, ...(options.dryRun ? { dryRun: 'All' } : {}) }),
      { ...this.context, retry: { ...this.context.retry, maxAttempts: 1 } },
    );
  }

  /** The object. @throws KubeNotFoundError when absent; RunAccessError on 403. */
  async get<T>(resource: CustomResource, namespace: string, name: string): Promise<T> {
    return this.call<T>({ verb: 'get', resource, namespace, name }, () => this.custom.getNamespacedCustomObject({ ...path(resource, namespace), name }));
  }

  /** Every object of `namespace` matching `labelSelector`, page by page. */
  async list<T>(resource: CustomResource, namespace: string, labelSelector: string): Promise<T[]> {
    const request: ApiRequest = { verb: 'list', resource, namespace };
    const read = await collectPages<T, T>(
      async (token) => {
        const list = await this.call<{ items?: T[]; metadata?: { continue?: string } }>(request, () =>
          this.custom.listNamespacedCustomObject({ ...path(resource, namespace), labelSelector, limit: PAGE_SIZE, ...(token ? { _continue: token } : {}) }),
        );
        return { items: list?.items ?? [], ...(list?.metadata?.continue ? { continueToken: list.metadata.continue } : {}) };
      },
      (item) => item,
      this.context.log,
    );
    return read.items;
  }

  /** A JSON merge patch (RFC 7386). Retried like a read: every patch we send is idempotent. */
  async mergePatch<T>(resource: CustomResource, namespace: string, name: string, body: object): Promise<T> {
    return this.call<T>({ verb: 'patch', resource, namespace, name }, () =>
      this.custom.patchNamespacedCustomObject({ ...path(resource, namespace), name, body }, setHeaderOptions('Content-Type', 'application/merge-patch+json')),
    );
  }

  /** Logs through the client's log function (a watch's reconnects). */
  log(...args: Parameters<StepLogger['log']>): void {
    this.context.log(...args);
  }

  /** The 403 of `request` as a RunAccessError, naming what the user needs. */
  accessError(request: ApiRequest, server: KubeAccessError['serverStatus'] = {}, attempts = 1): RunAccessError {
    return new RunAccessError(request, server, attempts, this.grants);
  }

  private async call<T>(request: ApiRequest, send: () => Promise<unknown>, context: CallContext = this.context): Promise<T> {
    try {
      return (await callApi(request, send, context)) as T;
    } catch (e) {
      throw e instanceof KubeAccessError && e.status === 403 ? this.accessError(request, e.serverStatus, e.attempts) : e;
    }
  }
}

function path(resource: CustomResource, namespace: string) {
  return { group: resource.group, version: resource.version, plural: resource.plural, namespace };
}
