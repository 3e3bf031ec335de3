/**
 * Following one object (an Argo Workflow, a Tekton PipelineRun) with a Kubernetes watch, as the
 * API conventions ask: get it, watch from its resourceVersion (with bookmarks, so a quiet watch still advances), reconnect from the last
 * resourceVersion seen after a dropped or ended connection, and get it again when the server
 * answers 410 Gone (that version has left the watch cache). Connections through the client's
 * `Watch`; the object is handed over as plain JSON.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Watch } from '@kubernetes/client-node';
import { resourceName } from './api-request.js';
import type { CustomObjectClient, CustomResource } from './custom-objects.js';
import { KubeAccessError, KubeApiError, KubeConnectionError } from './errors.js';

/** An object as the watch needs it. */
interface Watched {
  readonly metadata: { readonly resourceVersion?: string };
}

/** How to follow. */
export interface FollowOptions<T extends Watched> {
  readonly resource: CustomResource;
  /** Kind in messages: `workflow`, `PipelineRun`. */
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Called with every version of the object; return true to stop following. */
  readonly onUpdate: (object: T) => boolean;
  /** Ends the follow (resolves 'aborted'). */
  readonly signal?: AbortSignal;
  /** Server-side end of one watch request (`timeoutSeconds`). @default 300 */
  readonly watchSeconds?: number;
  /** A connection silent for this long is treated as dropped. @default (watchSeconds + 30) s */
  readonly idleMs?: number;
  /** First reconnect delay, doubled per failure up to 8 s. @default 250 */
  readonly reconnectDelayMs?: number;
  /** Connections in a row that fail without a word from the server before giving up. @default 8 */
  readonly maxFailures?: number;
}

/** The object was deleted while it was followed. */
export class RunDeletedError extends Error {
  constructor(readonly namespace: string, readonly kind: string, readonly object: string) {
    super(`${kind} ${object} in namespace "${namespace}" was deleted while it was being watched; its rollback (exit handler, finally) may not have run`);
  }
}
RunDeletedError.prototype.name = 'RunDeletedError';

type Outcome =
  | { readonly kind: 'done' }
  | { readonly kind: 'aborted' }
  | { readonly kind: 'expired' }
  | { readonly kind: 'deleted' }
  | { readonly kind: 'closed'; readonly reason: string; readonly healthy: boolean };

/**
 * Follows the object until `onUpdate` returns true ('done') or `signal` aborts ('aborted').
 * @throws RunAccessError (403 on get or watch), KubeNotFoundError, RunDeletedError,
 *   KubeConnectionError after maxFailures failed connections in a row.
 */
export async function followObject<T extends Watched>(client: CustomObjectClient, options: FollowOptions<T>): Promise<'done' | 'aborted'> {
  const { namespace, name, signal, resource, kind } = options;
  let resourceVersion = '';
  const read = async (): Promise<boolean> => {
    const object = await client.get<T>(resource, namespace, name);
    resourceVersion = object.metadata.resourceVersion ?? '';
    return options.onUpdate(object);
  };
  if (await read()) return 'done';
  let failures = 0;
  while (!signal?.aborted) {
    const outcome = await watchOnce(client, options, resourceVersion, (rv) => (resourceVersion = rv));
    if (outcome.kind === 'done' || outcome.kind === 'aborted') return outcome.kind;
    if (outcome.kind === 'deleted') throw new RunDeletedError(namespace, kind, name);
    if (outcome.kind === 'expired') {
      client.log('warn', `resourceVersion ${resourceVersion} of ${kind} ${name} is no longer in the watch history (HTTP 410 Gone); reading it again`, { resourceVersion });
      if (await read()) return 'done';
      continue;
    }
    failures = outcome.healthy ? 0 : failures + 1;
    if (failures >= (options.maxFailures ?? 8)) {
      throw new KubeConnectionError({ verb: 'watch', resource, namespace, name }, client.server, outcome.reason, failures);
    }
    const delay = Math.min(8000, (options.reconnectDelayMs ?? 250) * 2 ** Math.max(0, failures - 1));
    client.log('warn', `watch of ${kind} ${name} ended (${outcome.reason}); reconnecting from resourceVersion ${resourceVersion} in ${delay} ms`, { resourceVersion, delayMs: delay });
    try {
      await sleep(delay, undefined, signal ? { signal } : {});
    } catch {
      return 'aborted';
    }
  }
  return 'aborted';
}

/** One watch connection, until it ends for any reason. */
async function watchOnce<T extends Watched>(client: CustomObjectClient, options: FollowOptions<T>, resourceVersion: string, seen: (rv: string) => void): Promise<Outcome> {
  const { namespace, name, signal, resource } = options;
  const watchSeconds = options.watchSeconds ?? 300;
  const started = Date.now();
  let received = false;
  let fatal: unknown;
  let finish!: (outcome: Outcome) => void;
  const ended = new Promise<Outcome>((resolve) => (finish = resolve));
  let idle: NodeJS.Timeout | undefined;
  const touch = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => finish({ kind: 'closed', reason: 'no data within the idle limit', healthy: received }), options.idleMs ?? (watchSeconds + 30) * 1000);
  };
  const onAbort = (): void => finish({ kind: 'aborted' });
  signal?.addEventListener('abort', onAbort, { once: true });
  touch();
  const path = `/apis/${resource.group}/${resource.version}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}`;
  const query = { fieldSelector: `metadata.name=${name}`, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: watchSeconds };
  const controller = await new Watch(client.kubeConfig).watch(
    path,
    query,
    (type: string, object: unknown) => {
      received = true;
      touch();
      const obj = object as T & { code?: number; reason?: string; message?: string };
      if (type === 'ERROR') {
        // A watch reports 410 in the stream, as a Status object.
        finish(obj.code === 410 ? { kind: 'expired' } : { kind: 'closed', reason: `watch error ${obj.code ?? '?'} ${obj.reason ?? ''}: ${obj.message ?? ''}`.trim(), healthy: true });
        return;
      }
      if (obj.metadata?.resourceVersion) seen(obj.metadata.resourceVersion);
      if (type === 'DELETED') return finish({ kind: 'deleted' });
      if (type === 'ADDED' || type === 'MODIFIED') {
        try {
          if (options.onUpdate(obj)) finish({ kind: 'done' });
        } catch (e) {
          fatal = e;
          finish({ kind: 'done' });
        }
      }
    },
    (error: unknown) => {
      const status = (error as { statusCode?: number } | null)?.statusCode;
      if (status === 410) return finish({ kind: 'expired' });
      if (status === 401 || status === 403 || status === 404) {
        const request = { verb: 'watch' as const, resource, namespace };
        fatal = status === 403 ? client.accessError(request) : status === 401 ? new KubeAccessError(request, 401, {}, 1) : new KubeApiError(request, 404, { message: `is the ${resourceName(resource)} CRD installed?` }, 1);
        return finish({ kind: 'done' });
      }
      const reason = error ? ((error as NodeJS.ErrnoException).code ?? (error as Error).message ?? String(error)) : 'connection closed';
      // A connection that stayed open a while was fine; the server ends watches on its own.
      finish({ kind: 'closed', reason, healthy: received || Date.now() - started > 5000 });
    },
  );
  const outcome = await ended;
  clearTimeout(idle);
  signal?.removeEventListener('abort', onAbort);
  controller.abort();
  if (fatal) throw fatal;
  return outcome;
}
