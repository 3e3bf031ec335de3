/**
 * ConfigMaps for the local API server (plugged in with FakeKubeApi.extend), enough for the run
 * ledger as the watcher reads it:
 *
 *   GET /api/v1/namespaces/{ns}/configmaps?labelSelector=…   (one page; labels matched exactly)
 *
 * The test supplies the objects (e.g. the scripted controller's ledger) through `source`.
 */
import type { FakeKubeApi } from './fake-api-server.js';

const PATH = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps$/;

/** An object of the ledger as the API server stores it. */
export interface ConfigMapObject {
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels: Readonly<Record<string, string>> };
  readonly data: Readonly<Record<string, string>>;
}

/** Serves `source()`'s ConfigMaps on `api`; returns the number of list requests served so far. */
export function serveConfigMaps(api: FakeKubeApi, source: () => readonly ConfigMapObject[]): { readonly lists: () => number } {
  let lists = 0;
  api.extend((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = PATH.exec(url.pathname);
    if (!m || req.method !== 'GET') return false;
    lists++;
    const wanted = (url.searchParams.get('labelSelector') ?? '').split(',').filter(Boolean).map((term) => term.split('='));
    const items = source().filter((o) => (o.metadata.namespace ?? m[1]) === m[1] && wanted.every(([k, v]) => o.metadata.labels[k!] === v));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items }));
    return true;
  });
  return { lists: () => lists };
}
