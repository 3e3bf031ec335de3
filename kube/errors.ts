/**
 * The errors of the Kubernetes API boundary. Each carries the request it failed and the data the
 * message is built from; callers branch on the class and fields (status, code), never on text.
 * None of them is a usage error: the CLI exits 1 for all of them.
 */
import { describeRequest, resourceName, scopeOf, type ApiRequest } from './api-request.js';

/** No usable API configuration: no KUBECONFIG, no in-cluster service account, or a broken file. */
export class KubeConfigError extends Error {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`no usable Kubernetes API configuration: ${reason}`, options);
  }
}
KubeConfigError.prototype.name = 'KubeConfigError';

/** What the API server said in its `Status` body, when it sent one. */
export interface ServerStatus {
  /** `Status.reason`, e.g. "Forbidden", "NotFound", "TooManyRequests", "Expired". */
  readonly reason?: string;
  /** `Status.message`. */
  readonly message?: string;
}

/** The API server answered with an error status (after the retries, for retryable ones). */
export class KubeApiError extends Error {
  constructor(
    readonly request: ApiRequest,
    readonly status: number,
    /** The `Status` the server sent with the error code. */
    readonly serverStatus: ServerStatus,
    /** Requests sent, retries included. */
    readonly attempts: number,
    message?: string,
  ) {
    super(message ?? describeFailure(request, status, serverStatus, attempts));
  }
}
KubeApiError.prototype.name = 'KubeApiError';

/**
 * 401 or 403: the credentials are rejected, or RBAC does not grant the verb on the resource.
 * The message names the missing permission, so an operator can fix the Role without reading code.
 */
export class KubeAccessError extends KubeApiError {
  constructor(request: ApiRequest, status: 401 | 403, server: ServerStatus, attempts: number) {
    super(request, status, server, attempts, describeAccess(request, status, server));
  }
}
KubeAccessError.prototype.name = 'KubeAccessError';

function describeFailure(request: ApiRequest, status: number, server: ServerStatus, attempts: number): string {
  const reason = server.reason ? ` ${server.reason}` : '';
  const said = server.message ? `: ${server.message}` : '';
  const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
  return `cannot ${describeRequest(request)}: HTTP ${status}${reason}${said}${tries}`;
}

/** A 403 message of admission, not of the authorizer. */
const ADMISSION_DENIAL = /violates PodSecurity|admission webhook|denied request|ValidatingAdmissionPolicy/;

function describeAccess(request: ApiRequest, status: 401 | 403, server: ServerStatus): string {
  if (status === 401) {
    // The server's 401 body says no more than "Unauthorized".
    return `unauthorized (HTTP 401) to ${describeRequest(request)}: the API server rejected the credentials (an expired or invalid service account token, or a wrong KUBECONFIG user).`;
  }
  const said = server.message ? ` API server: ${server.message}` : '';
  const resource = resourceName(request.resource);
  // Admission (Pod Security, a policy webhook) also answers 403: its own words, not RBAC's.
  if (server.message && ADMISSION_DENIAL.test(server.message)) return `refused by admission (HTTP 403) to ${describeRequest(request)}: ${server.message}`;
  return `forbidden (HTTP 403): RBAC does not allow ${request.verb} ${resource} ${scopeOf(request)}; grant verb "${request.verb}" on "${resource}" to the step's service account (the ClusterRole of "vmi-network-filter generate rbac" does).${said}`;
}

/** 404: the object (or, for a list, the resource type) does not exist. */
export class KubeNotFoundError extends KubeApiError {}
KubeNotFoundError.prototype.name = 'KubeNotFoundError';

/** The API server could not be reached, did not answer in time, or its TLS identity failed. */
export class KubeConnectionError extends Error {
  constructor(
    readonly request: ApiRequest,
    /** The server URL the request went to. */
    readonly server: string,
    /** Node's error code (ECONNREFUSED, ECONNRESET, a TLS code…) or ETIMEDOUT for our request timeout. */
    readonly code: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
    const what = isTlsErrorCode(code)
      ? `the TLS certificate of the Kubernetes API at ${server} is not trusted (${code}): check certificate-authority in KUBECONFIG, or the service account's ca.crt`
      : `no answer from the Kubernetes API at ${server}: ${code}`;
    super(`cannot ${describeRequest(request)}: ${what}${tries}`, options);
  }
}
KubeConnectionError.prototype.name = 'KubeConnectionError';

/** True for Node's TLS and certificate error codes: a configuration problem, not a transient one. */
export function isTlsErrorCode(code: string): boolean {
  return /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH|ERR_TLS/.test(code);
}

/**
 * The API server (or a proxy in its place) answered, but the answer cannot be used: larger than
 * the bound of one answer, not JSON, or a list that does not end. The message names the request
 * twice over: as RBAC says it and as the server saw it (method and path). Never retried.
 */
export class KubeAnswerError extends Error {
  constructor(
    readonly request: ApiRequest,
    /** HTTP method, e.g. GET. */
    readonly method: string,
    /** URL path, without the query. */
    readonly path: string,
    /** What is wrong with the answer, in words. */
    readonly reason: string,
  ) {
    super(`cannot ${describeRequest(request)} (${method} ${path}): ${reason}`);
  }
}
KubeAnswerError.prototype.name = 'KubeAnswerError';
