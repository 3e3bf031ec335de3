/**
 * ConfigMaps for the local API server (plugged in with FakeKubeApi.extend), as the run ledger's
 * writers and readers use them.
 */
import type { FakeKubeApi } from './fake-api-server.js';

/** An object of the ledger as the API server stores it. */
export interface ConfigMapObject {
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels: Readonly<Record<string, string>> };
  readonly data: Readonly<Record<string, string>>;
}

/**
 * ConfigMaps as the API server keeps them, for the run ledger's writers and readers: create
 * (409 when it exists), get (404), JSON merge patch of labels and data (404), and list by exact
 * label terms with limit/continue. Every request is counted by verb. With `sync`, the store is
 * what `sync()` returns at each request (e.g. the scripted controller's ledger as it is now).
 */
export class FakeConfigMaps {
  readonly objects = new Map<string, { metadata: { name: string; namespace: string; labels: Record<string, string> }; data: Record<string, string> }>();
  readonly counts: Record<'create' | 'get' | 'patch' | 'list', number> = { create: 0, get: 0, patch: 0, list: 0 };

  constructor(private readonly sync?: () => readonly ConfigMapObject[]) {}

  static on(api: FakeKubeApi, sync?: () => readonly ConfigMapObject[]): FakeConfigMaps {
    const store = new FakeConfigMaps(sync);
    api.extend((req, res) => store.handle(req, res));
    return store;
  }

  private load(objects: readonly ConfigMapObject[]): void {
    this.objects.clear();
    for (const o of objects) {
      const namespace = o.metadata.namespace ?? '';
      this.objects.set(`${namespace}/${o.metadata.name}`, structuredClone({ metadata: { name: o.metadata.name, namespace, labels: { ...o.metadata.labels } }, data: { ...o.data } }));
    }
  }

  private handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m) return false;
    const [, namespace, name] = m as unknown as [string, string, string | undefined];
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const status = (code: number, reason: string): void => send(code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code });
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (this.sync) this.load(this.sync());
      const key = `${namespace}/${name ?? ''}`;
      if (req.method === 'POST' && !name) {
        this.counts.create++;
        const object = JSON.parse(body) as { metadata: { name: string; labels?: Record<string, string> }; data?: Record<string, string> };
        const k = `${namespace}/${object.metadata.name}`;
        if (this.objects.has(k)) return status(409, 'AlreadyExists');
        this.objects.set(k, { metadata: { name: object.metadata.name, namespace, labels: object.metadata.labels ?? {} }, data: object.data ?? {} });
        return send(201, this.objects.get(k));
      }
      if (req.method === 'GET' && name) {
        this.counts.get++;
        const object = this.objects.get(key);
        return object ? send(200, object) : status(404, 'NotFound');
      }
      if (req.method === 'PATCH' && name) {
        this.counts.patch++;
        const object = this.objects.get(key);
        if (!object) return status(404, 'NotFound');
        const patch = JSON.parse(body) as { metadata?: { labels?: Record<string, string> }; data?: Record<string, string> };
        Object.assign(object.metadata.labels, patch.metadata?.labels ?? {});
        Object.assign(object.data, patch.data ?? {});
        return send(200, object);
      }
      if (req.method === 'GET' && !name) {
        this.counts.list++;
        const terms = (url.searchParams.get('labelSelector') ?? '').split(',').filter(Boolean).map((t) => t.split('='));
        const matching = [...this.objects.values()].filter((o) => o.metadata.namespace === namespace && terms.every(([k, v]) => o.metadata.labels[k!] === v));
        const start = Number(url.searchParams.get('continue') ?? 0);
        const limit = Number(url.searchParams.get('limit') ?? 0) || matching.length;
        const items = matching.slice(start, start + limit);
        const next = start + limit < matching.length ? String(start + limit) : undefined;
        return send(200, { kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '1', ...(next ? { continue: next } : {}) }, items });
      }
      return status(405, 'MethodNotAllowed');
    });
    return true;
  }
}
