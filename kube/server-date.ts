/**
 * The API server's clock as its `Date` header gives it: one `GET /version` through the step's
 * API configuration (authentication, TLS, proxy) and our timed transport, without retries. Any
 * answer carries the header (401 and 403 too), so no RBAC rule is needed for it.
 */
import { createConfiguration, ServerConfiguration, type KubeConfig } from '@kubernetes/client-node';
// The generated request factory (URL and authentication) without the typed response processor:
// the answer's headers are what counts, not its body.
import { VersionApiRequestFactory } from '@kubernetes/client-node/dist/gen/apis/VersionApi.js';
import { KubeConfigError } from './errors.js';
import { kubeConfigOptionsOf, loadKubeConfig } from './kube-config.js';
import { timedHttpLibrary } from './transport.js';

/** Where the API is and how long to wait for it. */
export interface ServerDateOptions {
  /** Environment the configuration is read from (see loadKubeConfig). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Limit for the answer, headers and body. */
  readonly timeoutMs: number;
  /** The mounted service account, for in-cluster configuration. @default SERVICE_ACCOUNT_DIR */
  readonly serviceAccountDir?: string;
  /** An already loaded configuration; skips loadKubeConfig. */
  readonly kubeConfig?: KubeConfig;
  /** A kubeconfig file replacing the search (`--kubeconfig`). @default the search */
  readonly kubeconfig?: string;
  /** The kubeconfig context to use (`--context`). @default the current-context */
  readonly context?: string;
}

/** The server's `Date` and when, by the local clock, the request went out and the answer came. */
export interface ServerDate {
  /** The API server URL asked. */
  readonly server: string;
  /** The answer's HTTP status (any status carries a Date). */
  readonly status: number;
  /** The `Date` header. */
  readonly date: string;
  /** Local clock (Unix ms) just before sending. */
  readonly sentAt: number;
  /** Local clock (Unix ms) when the answer was in. */
  readonly receivedAt: number;
}

/** The server answered without a `Date` header (RFC 9110 requires one from a server with a clock). */
export class NoDateHeaderError extends Error {
  constructor(
    readonly server: string,
    readonly status: number,
  ) {
    super(`the Kubernetes API at ${server} answered (HTTP ${status}) without a Date header`);
  }
}
NoDateHeaderError.prototype.name = 'NoDateHeaderError';

/**
 * Asks the API server once for the time.
 * @throws KubeConfigError (no usable configuration), TransportError (no answer within the
 *   timeout, refused, TLS), NoDateHeaderError.
 */
export async function readServerDate(options: ServerDateOptions): Promise<ServerDate> {
  const kc = options.kubeConfig ?? loadKubeConfig(kubeConfigOptionsOf(options));
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeConfigError('the given configuration has no current context with a cluster');
  const httpApi = timedHttpLibrary(options.timeoutMs);
  const configuration = createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: kc }, httpApi });
  const request = await new VersionApiRequestFactory(configuration).getCode();
  const sentAt = Date.now();
  const response = await httpApi.send(request).toPromise();
  const receivedAt = Date.now();
  const date = response.headers.date;
  if (date === undefined || date === '') throw new NoDateHeaderError(cluster.server, response.httpStatusCode);
  return { server: cluster.server, status: response.httpStatusCode, date, sentAt, receivedAt };
}
