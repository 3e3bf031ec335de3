/**
 * Answers a broken or hostile API server (or a proxy in front of one) gives, as extensions of the
 * local API server (FakeKubeApi.extend): lists that never end, answers too large to hold, HTML
 * instead of JSON, JSON cut short. Each claims the lists of one resource only.
 */
import type http from 'node:http';
import type { ApiExtension, RecordedRequest } from './fake-api-server.js';

type Resource = NonNullable<RecordedRequest['resource']>;

const LIST_KIND = { virtualmachineinstances: 'VirtualMachineInstanceList', pods: 'PodList' } as const;

function claims(resource: Resource, request: RecordedRequest): boolean {
  return request.verb === 'list' && request.resource === resource;
}

function json(res: http.ServerResponse, body: string, contentType = 'application/json', status = 200): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Every list of `resource` answers an empty page with a continue token: the same one every time
 * (`repeat`), or a new one per request. `served` counts the pages sent.
 */
export function endlessList(resource: Resource, mode: 'repeat' | 'new'): { extension: ApiExtension; served: () => number } {
  let served = 0;
  const extension: ApiExtension = (_req, res, request) => {
    if (!claims(resource, request)) return false;
    served++;
    const token = mode === 'repeat' ? 'c2FtZQ==' : Buffer.from(`page-${served}`).toString('base64');
    json(res, JSON.stringify({ kind: LIST_KIND[resource], items: [], metadata: { continue: token } }));
    return true;
  };
  return { extension, served: () => served };
}

/**
 * A list of `resource` whose valid JSON answer is `bytes` long (an item list padded with
 * whitespace), streamed in 1 MiB chunks without content-length; `sent` counts the bytes the
 * server managed to write before the client hung up.
 */
export function hugeList(resource: Resource, bytes: number): { extension: ApiExtension; sent: () => number } {
  let sent = 0;
  const extension: ApiExtension = (_req, res, request) => {
    if (!claims(resource, request)) return false;
    const head = `{"kind":"${LIST_KIND[resource]}","metadata":{},"items":[`;
    const tail = ']}';
    const chunk = Buffer.alloc(1024 * 1024, ' ');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(head);
    let left = bytes - head.length - tail.length;
    const pump = (): void => {
      while (left > 0 && !res.destroyed) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        sent += piece.length;
        if (!res.write(piece)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end(tail);
    };
    pump();
    return true;
  };
  return { extension, sent: () => sent };
}

/**
 * Every list of `resource` answers `status` (200) with `body` as `contentType` (an HTML login
 * page, cut JSON, a proxy's error page).
 */
export function rawList(resource: Resource, body: string, contentType: string, status = 200): ApiExtension {
  return (_req, res, request) => {
    if (!claims(resource, request)) return false;
    json(res, body, contentType, status);
    return true;
  };
}
