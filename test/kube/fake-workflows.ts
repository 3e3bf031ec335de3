/**
 * Argo's `workflows` resource for the local API server (plugged in with FakeKubeApi.extend):
 *
 *   POST  /apis/argoproj.io/v1alpha1/namespaces/{ns}/workflows[?dryRun=All]   (generateName)
 *   GET   /apis/argoproj.io/v1alpha1/namespaces/{ns}/workflows/{name}
 *   PATCH /apis/argoproj.io/v1alpha1/namespaces/{ns}/workflows/{name}          (merge patch only)
 *   GET   /apis/argoproj.io/v1alpha1/namespaces/{ns}/workflows?watch=true&fieldSelector=metadata.name={name}
 *         &resourceVersion=RV[&allowWatchBookmarks=true]
 *
 * Watches stream JSON lines (ADDED/MODIFIED/DELETED, BOOKMARK, ERROR) from the event history
 * after RV; an RV older than the history (see compact()) gets an ERROR event with a 410 Status,
 * as the API server sends it. Tests write the status as Argo's controller would (update()),
 * drop open watch connections (dropWatches()), deny verbs with the API server's 403 text, and
 * react to patches (onPatch).
 */
import type http from 'node:http';
import type { ArgoWorkflow } from '../../kube/argo-workflow.js';
import type { FakeKubeApi, RecordedRequest } from './fake-api-server.js';

const PATH = /^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/([^/]+)\/workflows(?:\/([^/]+))?$/;
const USER = 'alice@example.com';

/** A request to the workflows resource, as recorded. */
export interface WorkflowRequest {
  readonly verb: 'create' | 'get' | 'patch' | 'watch' | 'other';
  readonly namespace: string;
  readonly name?: string;
  readonly query: Readonly<Record<string, string>>;
  readonly contentType?: string;
  readonly body?: unknown;
}

interface Event {
  readonly rv: number;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: ArgoWorkflow;
}

/** The workflows of the fake API server. */
export class FakeWorkflows {
  /** Every workflows request, in order. */
  readonly requests: WorkflowRequest[] = [];
  /** Called after every merge patch with the patched workflow. */
  onPatch: (workflow: ArgoWorkflow, patch: unknown) => void = () => undefined;
  private readonly objects = new Map<string, ArgoWorkflow>();
  private readonly history: Event[] = [];
  private readonly watchers = new Set<{ readonly key: string; readonly res: http.ServerResponse; readonly bookmarks: boolean }>();
  private readonly denied = new Set<string>();
  private rv = 5000;
  private oldest = 0;
  private names = 0;

  /** Serves workflows on `api`. */
  static on(api: FakeKubeApi): FakeWorkflows {
    const workflows = new FakeWorkflows();
    api.extend((req, res, request) => workflows.handle(req, res, request));
    return workflows;
  }

  /** Refuses `verb` on workflows with the API server's 403. */
  deny(verb: 'create' | 'get' | 'patch' | 'watch'): this {
    this.denied.add(verb);
    return this;
  }

  /** The stored workflow. */
  get(namespace: string, name: string): ArgoWorkflow | undefined {
    return this.objects.get(`${namespace}/${name}`);
  }

  /** Replaces the workflow's status (and optionally more), as the controller's update would. */
  update(namespace: string, name: string, next: (current: ArgoWorkflow) => ArgoWorkflow): ArgoWorkflow {
    const current = this.get(namespace, name);
    if (!current) throw new Error(`no workflow ${namespace}/${name}`);
    return this.store(next(current), 'MODIFIED');
  }

  /** Forgets the event history: a watch from an older resourceVersion now gets 410 Gone. */
  compact(): void {
    this.history.length = 0;
    this.oldest = this.rv;
  }

  /** Cuts every open watch connection (a dropped connection, not a clean end). */
  dropWatches(): void {
    for (const w of this.watchers) w.res.socket?.destroy();
    this.watchers.clear();
  }

  /** Sends a BOOKMARK with the current resourceVersion to watches that asked for bookmarks. */
  bookmark(): void {
    for (const w of this.watchers) if (w.bookmarks) this.write(w.res, { type: 'BOOKMARK', object: { kind: 'Workflow', apiVersion: 'argoproj.io/v1alpha1', metadata: { resourceVersion: String(this.rv) } } });
  }

  /** Open watch connections. */
  get openWatches(): number {
    return this.watchers.size;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, recorded: RecordedRequest): boolean {
    const m = PATH.exec(recorded.path);
    if (!m) return false;
    const namespace = decodeURIComponent(m[1]!);
    const name = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
    const verb = req.method === 'POST' && !name ? 'create' : req.method === 'PATCH' && name ? 'patch' : req.method === 'GET' && name ? 'get' : req.method === 'GET' && recorded.query.watch === 'true' ? 'watch' : 'other';
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      const request: WorkflowRequest = { verb, namespace, ...(name ? { name } : {}), query: recorded.query, ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}), ...(text ? { body: JSON.parse(text) as unknown } : {}) };
      this.requests.push(request);
      if (verb !== 'other' && this.denied.has(verb)) {
        const where = `in the namespace "${namespace}"`;
        return status(res, 403, 'Forbidden', `workflows.argoproj.io${name ? ` "${name}"` : ''} is forbidden: User "${USER}" cannot ${verb === 'watch' ? 'watch' : verb} resource "workflows" in API group "argoproj.io" ${where}`);
      }
      if (verb === 'create') return this.create(res, namespace, request);
      if (verb === 'watch') return this.watch(res, namespace, recorded.query);
      const key = `${namespace}/${name}`;
      const stored = this.objects.get(key);
      if (verb === 'other') return status(res, 405, 'MethodNotAllowed', `${req.method} is not supported here`);
      if (!stored) return status(res, 404, 'NotFound', `workflows.argoproj.io "${name}" not found`);
      if (verb === 'get') return send(res, 200, stored);
      if (request.contentType !== 'application/merge-patch+json') return status(res, 415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json (test server)`);
      const patched = this.store(mergePatch(stored, request.body) as ArgoWorkflow, 'MODIFIED');
      send(res, 200, patched);
      this.onPatch(patched, request.body);
    });
    return true;
  }

  private create(res: http.ServerResponse, namespace: string, request: WorkflowRequest): void {
    const body = request.body as ArgoWorkflow;
    const generated = body.metadata.generateName ? `${body.metadata.generateName}${['abcde', 'fghij', 'klmno', 'pqrst'][this.names++ % 4]}` : undefined;
    const name = body.metadata.name ?? generated;
    if (!name) return status(res, 422, 'Invalid', 'Workflow.argoproj.io "" is invalid: metadata.name: Required value: name or generateName is required');
    if (this.objects.has(`${namespace}/${name}`)) return status(res, 409, 'AlreadyExists', `workflows.argoproj.io "${name}" already exists`);
    const object: ArgoWorkflow = { ...body, metadata: { ...body.metadata, name, namespace, uid: `uid-${name}`, creationTimestamp: '2025-01-01T10:00:00Z' } };
    if (request.query.dryRun === 'All') return send(res, 201, object);
    send(res, 201, this.store(object, 'ADDED'));
  }

  private watch(res: http.ServerResponse, namespace: string, query: Readonly<Record<string, string>>): void {
    const name = /^metadata\.name=(.+)$/.exec(query.fieldSelector ?? '')?.[1];
    const key = `${namespace}/${name}`;
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const from = Number(query.resourceVersion ?? '0');
    if (from < this.oldest) {
      // The API server answers an expired resourceVersion with an ERROR event, then ends the watch.
      this.write(res, { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${from} (${this.oldest})`, reason: 'Expired', code: 410 } });
      return void res.end();
    }
    for (const e of this.history) if (e.rv > from && objectKey(e.object) === key) this.write(res, { type: e.type, object: e.object });
    const watcher = { key, res, bookmarks: query.allowWatchBookmarks === 'true' };
    this.watchers.add(watcher);
    res.on('close', () => this.watchers.delete(watcher));
  }

  private store(object: ArgoWorkflow, type: Event['type']): ArgoWorkflow {
    const stored: ArgoWorkflow = { ...object, metadata: { ...object.metadata, resourceVersion: String(++this.rv) } };
    const key = objectKey(stored);
    this.objects.set(key, stored);
    this.history.push({ rv: this.rv, type, object: stored });
    for (const w of this.watchers) if (w.key === key) this.write(w.res, { type, object: stored });
    return stored;
  }

  private write(res: http.ServerResponse, event: unknown): void {
    res.write(`${JSON.stringify(event)}\n`);
  }
}

function objectKey(object: ArgoWorkflow): string {
  return `${object.metadata.namespace}/${object.metadata.name}`;
}

/** JSON merge patch (RFC 7386). */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function send(res: http.ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function status(res: http.ServerResponse, code: number, reason: string, message: string): void {
  send(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}
