/**
 * A local Kubernetes API server for tests and the benchmark: the subset of the REST API this tool
 * calls, over real HTTP(S) on 127.0.0.1 (port 0), driven through the real client.
 *
 *   GET /apis/kubevirt.io/v1[/namespaces/{ns}]/virtualmachineinstances[/{name}]
 *   GET /api/v1[/namespaces/{ns}]/pods[/{name}]
 *
 * Lists honour labelSelector (parsed and matched as the API server does) and limit/continue
 * (items in etcd key order: namespace, then name). Injectable: RBAC denials with the API server's
 * 403 text, bearer-token authentication (401), and one-shot faults (any status with Retry-After,
 * dropped connections, requests that never get an answer). Every request is recorded.
 */
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { parseLabelSelector, type Requirement } from '../../scenario/index.js';
import { ObjectStore, type Resource } from './fake-object-store.js';

/** A request as the server saw it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly verb: 'get' | 'list' | 'other';
  readonly resource?: 'pods' | 'virtualmachineinstances';
  readonly namespace?: string;
  readonly name?: string;
}

/** What a fault does to a request. */
export type Fault =
  | { readonly status: number; readonly reason?: string; readonly message?: string; readonly retryAfter?: string }
  | { readonly drop: true }
  | { readonly hang: true };

/** An RBAC denial: requests it matches get the API server's 403. */
export interface Denial {
  readonly verb: 'get' | 'list';
  readonly resource: 'pods' | 'virtualmachineinstances';
  /** 'cluster': cluster-wide lists only; a name: that namespace only; absent: everywhere. */
  readonly scope?: string;
}

/**
 * A resource served by a separate module (e.g. fake-workflows.ts): it answers the requests it
 * claims (returns true) after faults and authentication apply, before the built-in routes.
 */
export type ApiExtension = (req: http.IncomingMessage, res: http.ServerResponse, request: RecordedRequest) => boolean;

interface Rule {
  readonly matches: (request: RecordedRequest) => boolean;
  readonly fault: Fault;
  remaining: number;
}

const GROUPS = { pods: { group: '', list: 'PodList', apiVersion: 'v1' }, virtualmachineinstances: { group: 'kubevirt.io', list: 'VirtualMachineInstanceList', apiVersion: 'kubevirt.io/v1' } } as const;
const SERVICE_ACCOUNT = 'system:serviceaccount:chaos:vmi-network-filter';

/** Options of FakeKubeApi.start. */
export interface FakeKubeApiOptions {
  /** Require `Authorization: Bearer <token>`; others get 401. @default no authentication */
  readonly token?: string;
  /** Serve HTTPS with this key and certificate. @default plain HTTP */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** The server's clock (Unix ms) for its Date header, e.g. a skewed one. @default Node's (the real clock) */
  readonly clock?: () => number;
}

/** The server. Start with FakeKubeApi.start(); close() after each test. */
export class FakeKubeApi {
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  private readonly store = new ObjectStore();
  private readonly rules: Rule[] = [];
  private readonly denials: Denial[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly extensions: ApiExtension[] = [];
  private resourceVersion = 1000;

  private constructor(
    private readonly server: http.Server,
    private readonly options: FakeKubeApiOptions,
  ) {}

  /** Starts a server on 127.0.0.1, port 0. */
  static async start(options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
    let api: FakeKubeApi | undefined;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => api!.handle(req, res);
    const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler) : http.createServer(handler);
    api = new FakeKubeApi(server, options);
    server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
      api!.sockets.add(socket);
      socket.on('close', () => api!.sockets.delete(socket));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return api;
  }

  /** Base URL, e.g. http://127.0.0.1:40123. */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  }

  /** Adds or replaces objects (VMIs or pods, by their kind). */
  put(...objects: readonly Record<string, unknown>[]): this {
    for (const object of objects) {
      const resource: Resource = object.kind === 'Pod' ? 'pods' : 'virtualmachineinstances';
      const metadata = object.metadata as { namespace: string; name: string; labels?: Record<string, string> };
      // The API server leaves kind and apiVersion out of the items of built-in lists.
      const { kind, apiVersion, ...rest } = object;
      const json = JSON.stringify(resource === 'pods' ? rest : { apiVersion, kind, ...rest });
      const nodeName = (object as { spec?: { nodeName?: string } }).spec?.nodeName;
      this.store.put(resource, { namespace: metadata.namespace, name: metadata.name, labels: metadata.labels ?? {}, json, ...(resource === 'pods' && nodeName ? { fields: { 'spec.nodeName': nodeName } } : {}) });
      this.resourceVersion++;
    }
    return this;
  }

  /** Deletes an object. */
  remove(resource: Resource, namespace: string, name: string): this {
    this.store.remove(resource, namespace, name);
    return this;
  }

  /** Denies a verb on a resource, as a missing RBAC rule would. */
  deny(denial: Denial): this {
    this.denials.push(denial);
    return this;
  }

  /** Applies `fault` to the next `times` requests that `matches` (default: every request). */
  fault(fault: Fault, options: { readonly times?: number; readonly matches?: (request: RecordedRequest) => boolean } = {}): this {
    this.rules.push({ fault, remaining: options.times ?? 1, matches: options.matches ?? (() => true) });
    return this;
  }

  /** Serves another resource through `extension` (see ApiExtension). */
  extend(extension: ApiExtension): this {
    this.extensions.push(extension);
    return this;
  }

  /** Stops the server, cutting open connections (hung requests included). */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.close();
    await once(this.server, 'close');
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const request = route(req.method ?? 'GET', url);
    this.requests.push(request);

    const rule = this.rules.find((r) => r.remaining > 0 && r.matches(request));
    if (rule) {
      rule.remaining--;
      if ('drop' in rule.fault) return void req.socket.destroy();
      if ('hang' in rule.fault) return;
      const { status, reason, message, retryAfter } = rule.fault;
      return this.status(res, status, reason ?? defaultReason(status), message ?? `injected fault: HTTP ${status}`, retryAfter === undefined ? {} : { 'retry-after': retryAfter });
    }
    if (this.options.token !== undefined && req.headers.authorization !== `Bearer ${this.options.token}`) {
      return this.status(res, 401, 'Unauthorized', 'Unauthorized');
    }
    if (this.extensions.some((extension) => extension(req, res, request))) return;
    if (request.verb === 'other' || !request.resource) {
      return this.status(res, request.method === 'GET' ? 404 : 405, request.method === 'GET' ? 'NotFound' : 'MethodNotAllowed', 'the server could not find the requested resource');
    }
    const denial = this.denials.find(
      (d) => d.verb === request.verb && d.resource === request.resource && (d.scope === undefined || (d.scope === 'cluster' ? request.namespace === undefined : d.scope === request.namespace)),
    );
    if (denial) return this.status(res, 403, 'Forbidden', forbiddenMessage(request));
    return request.verb === 'get' ? this.get(res, request) : this.list(res, request);
  }

  private get(res: http.ServerResponse, request: RecordedRequest): void {
    const stored = this.store.get(request.resource!, request.namespace!, request.name!);
    if (!stored) {
      const group = GROUPS[request.resource!].group;
      return this.status(res, 404, 'NotFound', `${request.resource}${group ? `.${group}` : ''} "${request.name}" not found`);
    }
    const body = request.resource === 'pods' ? `{"kind":"Pod","apiVersion":"v1",${stored.json.slice(1)}` : stored.json;
    this.send(res, 200, body);
  }

  private list(res: http.ServerResponse, request: RecordedRequest): void {
    const resource = request.resource!;
    let requirements: Requirement[];
    try {
      requirements = parseLabelSelector(request.query.labelSelector ?? '');
    } catch (e) {
      return this.status(res, 400, 'BadRequest', `unable to parse requirement: ${(e as Error).message}`);
    }
    const limit = Number(request.query.limit ?? 0);
    let after: string | undefined;
    if (request.query.continue) {
      try {
        after = (JSON.parse(Buffer.from(request.query.continue, 'base64').toString()) as { start: string }).start;
      } catch {
        return this.status(res, 400, 'BadRequest', 'continue key is not valid: illegal base64 data at input byte 0');
      }
    }
    // Field selectors: `spec.nodeName=NODE` terms (what the cluster check sends), as equalities.
    const fields = Object.fromEntries((request.query.fieldSelector ?? '').split(',').filter(Boolean).map((t) => t.split('=') as [string, string]));
    const page = this.store.list(resource, { ...(request.namespace === undefined ? {} : { namespace: request.namespace }), requirements, fields, limit, ...(after === undefined ? {} : { after }) });
    const token = page.nextAfter ? Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: this.resourceVersion, start: page.nextAfter })).toString('base64') : undefined;
    const { apiVersion, list } = GROUPS[resource];
    const metadata = JSON.stringify({ resourceVersion: String(this.resourceVersion), ...(token ? { continue: token } : {}) });
    this.send(res, 200, `{"apiVersion":"${apiVersion}","items":[${page.items.join(',')}],"kind":"${list}","metadata":${metadata}}`);
  }

  private status(res: http.ServerResponse, code: number, reason: string, message: string, headers: Record<string, string> = {}): void {
    const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
    this.send(res, code, body, headers);
  }

  private send(res: http.ServerResponse, code: number, body: string, headers: Record<string, string> = {}): void {
    const date = this.options.clock ? { date: new Date(this.options.clock()).toUTCString() } : {};
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...date, ...headers });
    res.end(body);
  }
}

function route(method: string, url: URL): RecordedRequest {
  const query = Object.fromEntries(url.searchParams);
  const base = { method, path: url.pathname, query };
  const m = /^\/(?:api\/v1|apis\/kubevirt\.io\/v1)(?:\/namespaces\/([^/]+))?\/(pods|virtualmachineinstances)(?:\/([^/]+))?$/.exec(url.pathname);
  if (!m || method !== 'GET') return { ...base, verb: 'other' };
  const resource = m[2] as 'pods' | 'virtualmachineinstances';
  if ((resource === 'pods') !== url.pathname.startsWith('/api/v1/')) return { ...base, verb: 'other' };
  const namespace = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
  const name = m[3] === undefined ? undefined : decodeURIComponent(m[3]);
  if (name !== undefined && namespace === undefined) return { ...base, verb: 'other' };
  return { ...base, verb: name === undefined ? 'list' : 'get', resource, ...(namespace === undefined ? {} : { namespace }), ...(name === undefined ? {} : { name }) };
}

function forbiddenMessage(r: RecordedRequest): string {
  const group = GROUPS[r.resource!].group;
  const object = `${r.resource}${group ? `.${group}` : ''}${r.name ? ` "${r.name}"` : ''}`;
  const where = r.namespace === undefined ? 'at the cluster scope' : `in the namespace "${r.namespace}"`;
  return `${object} is forbidden: User "${SERVICE_ACCOUNT}" cannot ${r.verb} resource "${r.resource}" in API group "${group}" ${where}`;
}

function defaultReason(status: number): string {
  return { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 410: 'Expired', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout' }[status] ?? 'Unknown';
}
