/**
 * Core namespaces for the local API server (plugged in with FakeKubeApi.extend), as submit's Pod
 * Security check reads them:
 *
 *   GET /api/v1/namespaces/{name}
 *
 * A namespace not put() is absent (404, the API server's Status); deny() answers 403 with the API
 * server's text (for namespaces it says "in the namespace NAME": the object is its own namespace).
 */
import type http from 'node:http';
import type { FakeKubeApi } from './fake-api-server.js';

const PATH = /^\/api\/v1\/namespaces\/([^/]+)$/;
const USER = 'alice@example.com';

/** The namespaces of the fake API server. */
export class FakeNamespaces {
  /** The names of every GET received, in order. */
  readonly gets: string[] = [];
  private readonly labels = new Map<string, Record<string, string>>();
  private denied = false;

  /** Serves namespaces on `api`. */
  static on(api: FakeKubeApi): FakeNamespaces {
    const namespaces = new FakeNamespaces();
    api.extend((req, res) => namespaces.handle(req, res));
    return namespaces;
  }

  /** Adds or replaces a namespace with these labels. */
  put(name: string, labels: Record<string, string> = {}): this {
    this.labels.set(name, labels);
    return this;
  }

  /** Refuses `get namespaces` with the API server's 403, as a Role without it would. */
  deny(): this {
    this.denied = true;
    return this;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const m = PATH.exec(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (!m || req.method !== 'GET') return false;
    const name = decodeURIComponent(m[1]!);
    this.gets.push(name);
    const labels = this.labels.get(name);
    if (this.denied) {
      send(res, 403, status(403, 'Forbidden', `namespaces "${name}" is forbidden: User "${USER}" cannot get resource "namespaces" in API group "" in the namespace "${name}"`));
    } else if (!labels) {
      send(res, 404, status(404, 'NotFound', `namespaces "${name}" not found`));
    } else {
      const object = { kind: 'Namespace', apiVersion: 'v1', metadata: { name, uid: `uid-${name}`, resourceVersion: '42', labels: { 'kubernetes.io/metadata.name': name, ...labels } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
      send(res, 200, object);
    }
    return true;
  }
}

function status(code: number, reason: string, message: string): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details: { kind: 'namespaces' }, code };
}

function send(res: http.ServerResponse, code: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
