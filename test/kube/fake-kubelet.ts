/**
 * Pods created through the local API server (plugged in with FakeKubeApi.extend) and a scripted
 * kubelet for them: POST stores the pod Pending (409 when it exists), DELETE removes it (404 when
 * absent), and `kubelet(pod)` decides what becomes of it: stay Pending with a reason, or run
 * (e.g. its container's argv through the built CLI) and end Succeeded or Failed with an exit code.
 * Lists and gets are the server's own (label selectors and paging as the API server does them).
 */
import type http from 'node:http';
import type { FakeKubeApi } from './fake-api-server.js';

/** A pod as created (the fields read here). */
export interface CreatedPod {
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec: {
    readonly containers: readonly { readonly args?: readonly string[]; readonly env?: readonly { readonly name: string; readonly value?: string }[] }[];
    readonly [key: string]: unknown;
  };
}

/** What the kubelet makes of a pod. */
export type PodFate =
  | { readonly phase: 'Succeeded' | 'Failed'; readonly exitCode: number; readonly message?: string }
  | { readonly phase: 'Pending'; readonly reason: string; readonly message?: string };

export class FakeKubelet {
  /** Every pod created, in order. */
  readonly created: CreatedPod[] = [];
  /** Every delete: pod name and grace period ('' when none was given). */
  readonly deleted: { readonly name: string; readonly grace: string }[] = [];
  readonly counts = { create: 0, delete: 0 };

  private constructor(
    private readonly api: FakeKubeApi,
    private readonly kubelet: (pod: CreatedPod) => Promise<PodFate> | PodFate,
  ) {}

  static on(api: FakeKubeApi, kubelet: (pod: CreatedPod) => Promise<PodFate> | PodFate): FakeKubelet {
    const fake = new FakeKubelet(api, kubelet);
    api.extend((req, res) => fake.handle(req, res));
    return fake;
  }

  private readonly live = new Set<string>();

  private handle(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m || (req.method !== 'POST' && req.method !== 'DELETE')) return false;
    const namespace = decodeURIComponent(m[1]!);
    const name = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
    const send = (code: number, body: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const status = (code: number, reason: string, message: string): void => send(code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code });
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.method === 'POST' && name === undefined) {
        this.counts.create++;
        const pod = JSON.parse(body) as CreatedPod;
        const key = `${namespace}/${pod.metadata.name}`;
        if (this.live.has(key)) return status(409, 'AlreadyExists', `pods "${pod.metadata.name}" already exists`);
        this.live.add(key);
        this.created.push(pod);
        this.store(namespace, pod, { phase: 'Pending' });
        send(201, pod);
        void Promise.resolve(this.kubelet(pod)).then((fate) => {
          if (!this.live.has(key)) return;
          if (fate.phase === 'Pending') {
            this.store(namespace, pod, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: fate.reason, ...(fate.message ? { message: fate.message } : {}) }] });
          } else {
            this.store(namespace, pod, { phase: fate.phase, containerStatuses: [{ state: { terminated: { exitCode: fate.exitCode, reason: fate.exitCode === 0 ? 'Completed' : 'Error', ...(fate.message ? { message: fate.message } : {}) } } }] });
          }
        });
        return;
      }
      if (req.method === 'DELETE' && name !== undefined) {
        this.counts.delete++;
        const key = `${namespace}/${name}`;
        if (!this.live.delete(key)) return status(404, 'NotFound', `pods "${name}" not found`);
        this.deleted.push({ name, grace: url.searchParams.get('gracePeriodSeconds') ?? '' });
        this.api.remove('pods', namespace, name);
        return send(200, { kind: 'Status', apiVersion: 'v1', status: 'Success' });
      }
      status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    });
    return true;
  }

  private store(namespace: string, pod: CreatedPod, status: Record<string, unknown>): void {
    this.api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { ...pod.metadata, namespace, labels: pod.metadata.labels ?? {} }, spec: pod.spec, status });
  }
}
