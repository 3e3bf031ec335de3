/**
 * The calls this tool makes, through `@kubernetes/client-node` with our transport (timeouts) and
 * call policy (retries, typed errors): list VMIs, list pods (paged), get a VMI, get a pod; the
 * run ledger's ConfigMaps (create, merge-patch, get, list); the node pods (create, delete); under Tekton: Tekton's
 * pipelines-info ConfigMap, the report's own PipelineRun; for `submit`, the labels of the
 * workflow namespace (its Pod Security level).
 */
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  ServerConfiguration,
  createConfiguration,
  type HttpLibrary,
  type KubeConfig,
  type RequestContext,
  type ResponseContext,
  type V1ConfigMap,
  type V1Pod,
} from '@kubernetes/client-node';
// The generated request factory (URL, query, authentication) without the typed response
// processor: see listPods.
import { CoreV1ApiRequestFactory } from '@kubernetes/client-node/dist/gen/apis/CoreV1Api.js';
import { CustomObjectsApiRequestFactory } from '@kubernetes/client-node/dist/gen/apis/CustomObjectsApi.js';
import type { StepLogger } from '../core/log.js';
import { parseJsonAnswer, parseListBody, requestOrigin } from './answer.js';
import { CONFIG_MAP_RESOURCE, NAMESPACE_RESOURCE, PIPELINE_RUN_RESOURCE, POD_RESOURCE, VMI_RESOURCE, type ApiRequest } from './api-request.js';
import { callApi, type CallContext } from './call.js';
import { KubeApiError, KubeConfigError } from './errors.js';
import { kubeConfigOptionsOf, loadKubeConfig } from './kube-config.js';
import { DEFAULT_RETRY, type RetryOptions } from './retry-policy.js';
import { timedHttpLibrary } from './transport.js';

const VMI_VERSION = 'v1';

/** How to reach the API and how patient to be. */
export interface KubeClientOptions {
  /** Environment the configuration is read from (see loadKubeConfig). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where retries are logged. @default no logging */
  readonly log?: StepLogger['log'];
  /** Per-request limit for the whole answer, body included. @default 30000 */
  readonly timeoutMs?: number;
  /** Retry tuning. @default DEFAULT_RETRY */
  readonly retry?: Partial<RetryOptions>;
  /** The mounted service account, for in-cluster configuration. @default SERVICE_ACCOUNT_DIR */
  readonly serviceAccountDir?: string;
  /** An already loaded configuration; skips loadKubeConfig. */
  readonly kubeConfig?: KubeConfig;
  /** A kubeconfig file replacing the search (`--kubeconfig`). @default the search */
  readonly kubeconfig?: string;
  /** The kubeconfig context to use (`--context`). @default the current-context */
  readonly context?: string;
}

/** One list request: scope, server-side label selector and page. */
export interface ListOptions {
  /** List one namespace; absent = cluster-wide. */
  readonly namespace?: string;
  /** @default "" (everything) */
  readonly labelSelector?: string;
  /** Server-side field selector (pods: `spec.nodeName=…`). @default "" (everything) */
  readonly fieldSelector?: string;
  /** Page size (`limit`). */
  readonly limit: number;
  /** `continue` token of the previous page. */
  readonly continueToken?: string;
}

/** The request a list page answered, for messages about the list as a whole. */
export interface ListOrigin {
  readonly request: ApiRequest;
  /** HTTP method and URL path (without the query). */
  readonly method: string;
  readonly path: string;
  /** The page size asked for. */
  readonly limit: number;
}

/** One page of a list. */
export interface ListPage<T> {
  readonly items: readonly T[];
  /** Token of the next page; absent on the last one. */
  readonly continueToken?: string;
  /** The request it answered (absent: a page not read through KubeClient). */
  readonly origin?: ListOrigin;
  /** Items the answer held, when `items` holds only what a pick kept. @default items.length */
  readonly listed?: number;
}

/** What a list keeps of each item (a small record), or undefined to drop it. */
export type ItemPick<T> = (item: unknown) => T | undefined;

const keepAll: ItemPick<never> = (item) => item as never;

/** A ConfigMap of a list, as plain JSON. */
export interface ListedConfigMap {
  readonly metadata?: { readonly name?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly data?: Readonly<Record<string, string>>;
}

/** A client of the Kubernetes API with this tool's timeouts, retries and typed errors. */
export class KubeClient {
  /** The API server URL requests go to. */
  readonly server: string;
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly podRequests: CoreV1ApiRequestFactory;
  private readonly customRequests: CustomObjectsApiRequestFactory;
  private readonly httpApi: HttpLibrary;
  private readonly context: CallContext;

  /** @throws KubeConfigError when no usable configuration is found (nothing is sent yet). */
  constructor(options: KubeClientOptions) {
    const kc = options.kubeConfig ?? loadKubeConfig(kubeConfigOptionsOf(options));
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new KubeConfigError('the given configuration has no current context with a cluster');
    this.server = cluster.server;
    this.httpApi = timedHttpLibrary(options.timeoutMs ?? 30_000);
    const configuration = createConfiguration({
      baseServer: new ServerConfiguration(this.server, {}),
      authMethods: { default: kc },
      httpApi: this.httpApi,
    });
    this.core = new CoreV1Api(configuration);
    this.custom = new CustomObjectsApi(configuration);
    this.podRequests = new CoreV1ApiRequestFactory(configuration);
    this.customRequests = new CustomObjectsApiRequestFactory(configuration);
    this.context = { log: options.log ?? (() => undefined), retry: { ...DEFAULT_RETRY, ...options.retry } };
  }

  /**
   * One page of VirtualMachineInstances (kubevirt.io/v1), as plain JSON objects, read through our
   * own parse (see listPods) so that an answer that is not JSON is refused with its request.
   * `pick` runs on each item as it is parsed: only what it keeps stays in memory.
   */
  async listVmis<T = unknown>(options: ListOptions, pick: ItemPick<T> = keepAll): Promise<ListPage<T>> {
    const request: ApiRequest = { verb: 'list', resource: VMI_RESOURCE, ...scope(options) };
    const { labelSelector, limit, _continue } = page(options);
    const { group, plural } = VMI_RESOURCE;
    let origin: ListOrigin | undefined;
    const list = await callApi(
      request,
      async () => {
        const context =
          options.namespace === undefined
            ? await this.customRequests.listClusterCustomObject(group, VMI_VERSION, plural, undefined, undefined, _continue, undefined, labelSelector, limit)
            : await this.customRequests.listNamespacedCustomObject(group, VMI_VERSION, options.namespace, plural, undefined, undefined, _continue, undefined, labelSelector, limit);
        origin = { request, ...requestOrigin(context), limit };
        return readList(await this.httpApi.send(context).toPromise(), context, pick);
      },
      this.context,
    );
    return { ...list, ...(origin ? { origin } : {}) };
  }

  /**
   * One page of pods, as plain JSON objects. Read without the client's typed deserialization:
   * turning 500 pods into model classes per page took longer than the request and doubled the
   * memory of every page, for the five fields selection reads (see bench/select). `pick` as in
   * listVmis.
   */
  async listPods<T = unknown>(options: ListOptions, pick: ItemPick<T> = keepAll): Promise<ListPage<T>> {
    const request: ApiRequest = { verb: 'list', resource: POD_RESOURCE, ...scope(options) };
    const { labelSelector, limit, _continue } = page(options);
    const fieldSelector = options.fieldSelector || undefined;
    let origin: ListOrigin | undefined;
    const list = await callApi(
      request,
      async () => {
        const context =
          options.namespace === undefined
            ? await this.podRequests.listPodForAllNamespaces(undefined, _continue, fieldSelector, labelSelector, limit)
            : await this.podRequests.listNamespacedPod(options.namespace, undefined, undefined, _continue, fieldSelector, labelSelector, limit);
        origin = { request, ...requestOrigin(context), limit };
        return readList(await this.httpApi.send(context).toPromise(), context, pick);
      },
      this.context,
    );
    return { ...list, ...(origin ? { origin } : {}) };
  }

  /** A VirtualMachineInstance as a plain JSON object. @throws KubeNotFoundError when absent. */
  async getVmi(namespace: string, name: string): Promise<unknown> {
    return callApi(
      { verb: 'get', resource: VMI_RESOURCE, namespace, name },
      () => this.custom.getNamespacedCustomObject({ group: VMI_RESOURCE.group, version: VMI_VERSION, plural: VMI_RESOURCE.plural, namespace, name }),
      this.context,
    );
  }

  /** A pod. @throws KubeNotFoundError when absent. */
  async getPod(namespace: string, name: string): Promise<V1Pod> {
    return callApi({ verb: 'get', resource: POD_RESOURCE, namespace, name }, () => this.core.readNamespacedPod({ namespace, name }), this.context);
  }

  /** A ConfigMap's data. @throws KubeNotFoundError when absent. */
  async getConfigMapData(namespace: string, name: string): Promise<Readonly<Record<string, string>>> {
    const cm = await callApi({ verb: 'get', resource: CONFIG_MAP_RESOURCE, namespace, name }, () => this.core.readNamespacedConfigMap({ namespace, name }), this.context);
    return cm.data ?? {};
  }

  /**
   * The labels of a namespace (a cluster-scoped `get namespaces`), read as plain JSON; values
   * that are not strings are left out.
   * @throws KubeNotFoundError when absent; KubeAccessError on 401/403.
   */
  async getNamespaceLabels(name: string): Promise<Readonly<Record<string, string>>> {
    const namespace = (await callApi({ verb: 'get', resource: NAMESPACE_RESOURCE, name }, () => this.send(this.podRequests.readNamespace(name)), this.context)) as
      | { metadata?: { labels?: unknown } }
      | undefined;
    const labels = namespace?.metadata?.labels;
    if (typeof labels !== 'object' || labels === null) return {};
    return Object.fromEntries(Object.entries(labels).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  }

  /**
   * Creates a ConfigMap, or, when it exists (a retried select, or a create whose answer was lost),
   * merge-patches its labels and data to `object`'s: either way the object says what `object` says.
   */
  async putConfigMap(namespace: string, object: { metadata: { name: string; labels?: Readonly<Record<string, string>> }; data: Readonly<Record<string, string>> }): Promise<void> {
    const name = object.metadata.name;
    try {
      await callApi({ verb: 'create', resource: CONFIG_MAP_RESOURCE, namespace }, () => this.send(this.podRequests.createNamespacedConfigMap(namespace, object as V1ConfigMap)), this.context);
    } catch (e) {
      if (!(e instanceof KubeApiError) || e.status !== 409) throw e;
      await this.mergePatchConfigMap(namespace, name, { metadata: { labels: object.metadata.labels ?? {} }, data: object.data });
    }
  }

  /**
   * A JSON merge patch of a ConfigMap: only the keys given change, so writers of distinct keys
   * never lose each other's updates (the server applies each patch to the latest object).
   * @throws KubeNotFoundError when absent.
   */
  async mergePatchConfigMap(namespace: string, name: string, patch: Record<string, unknown>): Promise<void> {
    await callApi(
      { verb: 'patch', resource: CONFIG_MAP_RESOURCE, namespace, name },
      async () => {
        const request = await this.podRequests.patchNamespacedConfigMap(name, namespace, patch);
        request.setHeaderParam('Content-Type', 'application/merge-patch+json');
        request.setBody(JSON.stringify(patch));
        return this.sendContext(request);
      },
      this.context,
    );
  }

  /** One page of ConfigMaps of a namespace (plain JSON), by label selector. */
  async listConfigMaps(options: ListOptions & { readonly namespace: string }): Promise<ListPage<ListedConfigMap>> {
    const { labelSelector, limit, _continue } = page(options);
    const request: ApiRequest = { verb: 'list', resource: CONFIG_MAP_RESOURCE, namespace: options.namespace };
    let origin: ListOrigin | undefined;
    const list = (await callApi(
      request,
      async () => {
        const context = await this.podRequests.listNamespacedConfigMap(options.namespace, undefined, undefined, _continue, undefined, labelSelector, limit);
        origin = { request, ...requestOrigin(context), limit };
        return this.sendContext(context);
      },
      this.context,
    )) as { items?: ListedConfigMap[]; metadata?: { continue?: string } } | undefined;
    return pageOf(list?.items ?? [], list?.metadata?.continue, origin);
  }

  /**
   * Creates a pod from plain JSON; returns the created object as plain JSON.
   * @throws KubeApiError with status 409 when a pod of that name exists.
   */
  async createPod(namespace: string, pod: { readonly metadata: { readonly name: string } }): Promise<unknown> {
    return callApi({ verb: 'create', resource: POD_RESOURCE, namespace }, () => this.send(this.podRequests.createNamespacedPod(namespace, pod as V1Pod)), this.context);
  }

  /**
   * Deletes a pod (its containers get `gracePeriodSeconds` to stop, the pod's own when absent).
   * A pod already gone is not an error: deleting is idempotent. Returns false when it was gone.
   */
  async deletePod(namespace: string, name: string, gracePeriodSeconds?: number): Promise<boolean> {
    try {
      await callApi(
        { verb: 'delete', resource: POD_RESOURCE, namespace, name },
        () => this.send(this.podRequests.deleteNamespacedPod(name, namespace, undefined, undefined, gracePeriodSeconds)),
        this.context,
      );
      return true;
    } catch (e) {
      if (e instanceof KubeApiError && e.status === 404) return false;
      throw e;
    }
  }

  /** Sends a request the generated factory built, and reads its JSON answer. */
  private async send(request: Promise<RequestContext>): Promise<unknown> {
    return this.sendContext(await request);
  }

  private async sendContext(request: RequestContext): Promise<unknown> {
    return readJson(await this.httpApi.send(request).toPromise(), request);
  }

  /** A Tekton PipelineRun (tekton.dev/v1) as a plain JSON object. @throws KubeNotFoundError when absent. */
  async getPipelineRun(namespace: string, name: string): Promise<unknown> {
    return callApi(
      { verb: 'get', resource: PIPELINE_RUN_RESOURCE, namespace, name },
      () => this.custom.getNamespacedCustomObject({ group: PIPELINE_RUN_RESOURCE.group, version: 'v1', plural: PIPELINE_RUN_RESOURCE.plural, namespace, name }),
      this.context,
    );
  }
}

function scope(options: ListOptions): { namespace?: string } {
  return options.namespace === undefined ? {} : { namespace: options.namespace };
}

function page(options: ListOptions): { labelSelector?: string; limit: number; _continue?: string } {
  return {
    ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
    limit: options.limit,
    ...(options.continueToken ? { _continue: options.continueToken } : {}),
  };
}

/**
 * The JSON body of a 2xx answer; otherwise the ApiException the generated client would throw.
 * @throws UnreadableAnswerError when a 2xx body is not JSON.
 */
async function readJson(response: ResponseContext, request: RequestContext): Promise<unknown> {
  if (response.httpStatusCode < 200 || response.httpStatusCode > 299) {
    throw new ApiException(response.httpStatusCode, `HTTP ${response.httpStatusCode}`, await response.getBodyAsAny(), response.headers);
  }
  return parseJsonAnswer(response, request);
}

/**
 * A 2xx list answer parsed item by item through `pick`; otherwise the ApiException.
 * @throws UnreadableAnswerError when a 2xx body is not JSON.
 */
async function readList<T>(response: ResponseContext, request: RequestContext, pick: ItemPick<T>): Promise<ListPage<T>> {
  if (response.httpStatusCode < 200 || response.httpStatusCode > 299) {
    throw new ApiException(response.httpStatusCode, `HTTP ${response.httpStatusCode}`, await response.getBodyAsAny(), response.headers);
  }
  const { items, listed, continueToken } = await parseListBody(response, request, pick);
  return { items, listed, ...(continueToken ? { continueToken } : {}) };
}

function pageOf<T>(items: readonly T[], continueToken: string | undefined, origin: ListOrigin | undefined): ListPage<T> {
  // A server that sends something else than a string or an array here is not read further.
  const list = Array.isArray(items) ? items : [];
  const token = typeof continueToken === 'string' && continueToken !== '' ? continueToken : undefined;
  return { items: list, ...(token ? { continueToken: token } : {}), ...(origin ? { origin } : {}) };
}
