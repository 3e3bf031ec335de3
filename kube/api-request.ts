/**
 * What a request to the Kubernetes API asks for, in RBAC terms (verb, resource, scope). Every call
 * carries one, so that retries are logged and 401/403 are reported as the permission that is
 * missing, not as a bare status code.
 */

/**
 * The RBAC verbs this tool uses: get and list by the steps, create and patch of the run ledger's
 * ConfigMaps and create, list and delete of the node pods (`generate rbac` grants exactly these),
 * create, get, watch and patch of workflows by
 * `submit`/`watch` (the submitting user's), and submit's get of the workflow namespace.
 */
export type ApiVerb = 'get' | 'list' | 'create' | 'patch' | 'watch' | 'delete';

/** A resource as RBAC names it. */
export interface ApiResource {
  /** API group; "" is the core group. */
  readonly group: string;
  /** Plural resource name, e.g. "virtualmachineinstances". */
  readonly plural: string;
}

/** KubeVirt's VirtualMachineInstances. */
export const VMI_RESOURCE: ApiResource = { group: 'kubevirt.io', plural: 'virtualmachineinstances' };
/** Core pods (virt-launcher pods). */
export const POD_RESOURCE: ApiResource = { group: '', plural: 'pods' };
/** Core ConfigMaps (the run ledger; select reads Tekton's pipelines-info). */
export const CONFIG_MAP_RESOURCE: ApiResource = { group: '', plural: 'configmaps' };
/**
 * Core namespaces (submit reads the workflow namespace's Pod Security labels). Cluster-scoped, yet
 * the API server authorizes `get` of namespace N as a request in namespace N: a Role in N grants it.
 */
export const NAMESPACE_RESOURCE: ApiResource = { group: '', plural: 'namespaces' };
/** Tekton's PipelineRuns (the report reads its own run). */
export const PIPELINE_RUN_RESOURCE: ApiResource = { group: 'tekton.dev', plural: 'pipelineruns' };

/** One request to the API: verb, resource and scope. */
export interface ApiRequest {
  readonly verb: ApiVerb;
  readonly resource: ApiResource;
  /** Namespace of a namespaced request; absent for a cluster-wide list. */
  readonly namespace?: string;
  /** Object name of a get. */
  readonly name?: string;
}

/** `virtualmachineinstances.kubevirt.io`, `pods`: the spelling of kubectl and RBAC messages. */
export function resourceName(resource: ApiResource): string {
  return resource.group === '' ? resource.plural : `${resource.plural}.${resource.group}`;
}

/** Where a request applies: `at cluster scope` or `in namespace "prod"`. */
export function scopeOf(request: ApiRequest): string {
  return request.namespace === undefined ? 'at cluster scope' : `in namespace "${request.namespace}"`;
}

/**
 * The request in words, e.g. `list virtualmachineinstances.kubevirt.io at cluster scope` or
 * `get pods "virt-launcher-vm-1-x2x4z" in namespace "prod"`.
 */
export function describeRequest(request: ApiRequest): string {
  const name = request.name === undefined ? '' : ` "${request.name}"`;
  return `${request.verb} ${resourceName(request.resource)}${name} ${scopeOf(request)}`;
}
