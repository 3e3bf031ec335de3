/**
 * Running a fan-out's node pods to their end (I/O): create them (a few at a time; one that exists
 * already is adopted: a retried fan-out), follow them with one paged list per poll, delete any
 * that has not ended by the deadline (Pending included: a pod that cannot be scheduled must not
 * hold the run), and delete the pods that succeeded. Failed pods stay for `kubectl logs`; they
 * are owned by the run and deleted with it. A stop (the signal) deletes every pod still running:
 * each node step then records what it did before it ends.
 *
 * Requests for N pods: N creates, ⌈N/500⌉ lists per poll, at most N deletes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { StepLogger } from '../../core/log.js';
import { collectPages, KubeAccessError, KubeApiError, PAGE_SIZE, type ListPage, type ListOptions } from '../../kube/index.js';
import { NODE_ANNOTATION, type NodePod } from './node-pod.js';
import { eachLimited } from '../../core/each-limited.js';

/** The calls a fan-out makes (KubeClient's). */
export interface PodApi {
  createPod(namespace: string, pod: NodePod): Promise<unknown>;
  deletePod(namespace: string, name: string, gracePeriodSeconds?: number): Promise<boolean>;
  listPods(options: ListOptions): Promise<ListPage<unknown>>;
}

/** How a node pod ended. */
export type NodePodEnd = 'Succeeded' | 'Failed' | 'TimedOut' | 'Stopped' | 'NotCreated';

/** One pod's outcome. */
export interface NodePodOutcome {
  readonly pod: string;
  readonly node: string;
  readonly end: NodePodEnd;
  /** Why, in one line (empty for Succeeded). */
  readonly detail: string;
}

/** What to run. */
export interface FanOutOptions {
  readonly namespace: string;
  readonly pods: readonly NodePod[];
  /** Selects exactly these pods (and a previous attempt's of the same fan-out). */
  readonly selector: string;
  /** A pod that has not ended this long after its create is deleted (TimedOut). */
  readonly deadlineMs: number;
  /** Time between two lists. @default 2000 */
  readonly pollMs?: number;
  /** Creates in flight at once. @default 16 */
  readonly concurrency?: number;
  /** Aborted: stop (every unfinished pod is deleted). */
  readonly signal?: AbortSignal;
  readonly log: StepLogger['log'];
  /** @default Date.now */
  readonly now?: () => number;
}

/** A pod's state as a list shows it (the fields read). */
interface PodView {
  readonly metadata?: { readonly name?: string };
  readonly status?: {
    readonly phase?: string;
    readonly reason?: string;
    readonly message?: string;
    readonly conditions?: readonly { readonly type?: string; readonly status?: string; readonly reason?: string; readonly message?: string }[];
    readonly containerStatuses?: readonly {
      readonly state?: {
        readonly waiting?: { readonly reason?: string; readonly message?: string };
        readonly terminated?: { readonly exitCode?: number; readonly reason?: string; readonly message?: string };
      };
    }[];
  };
}

/** Runs the pods to their end; one outcome per pod, in `pods` order. */
export async function fanOut(api: PodApi, options: FanOutOptions): Promise<NodePodOutcome[]> {
  const { namespace, log, signal } = options;
  const now = options.now ?? Date.now;
  const nodeOf = (pod: NodePod): string => pod.metadata.annotations[NODE_ANNOTATION] ?? '';
  const outcomes = new Map<string, NodePodOutcome>();
  const end = (pod: NodePod, how: NodePodEnd, detail: string): void => {
    outcomes.set(pod.metadata.name, { pod: pod.metadata.name, node: nodeOf(pod), end: how, detail });
  };
  /** Deadline of each created pod, by name. */
  const deadlines = new Map<string, number>();

  // Creates. A denial is the same for every pod: the others are not tried.
  let denied: string | undefined;
  await eachLimited(options.pods, options.concurrency ?? 16, async (pod) => {
    if (denied !== undefined || signal?.aborted) return end(pod, 'NotCreated', denied ?? 'not created: stopped');
    try {
      await api.createPod(namespace, pod);
    } catch (e) {
      if (!(e instanceof KubeApiError && e.status === 409)) {
        if (e instanceof KubeAccessError) denied = (e as Error).message;
        return end(pod, 'NotCreated', (e as Error).message);
      }
      log('info', `pod ${pod.metadata.name} exists (an earlier attempt of this step): following it`, { pod: pod.metadata.name, node: nodeOf(pod) });
    }
    deadlines.set(pod.metadata.name, now() + options.deadlineMs);
  });
  log('info', `created ${deadlines.size} of ${options.pods.length} node pods`, { created: deadlines.size, pods: options.pods.length });

  const waiting = (): NodePod[] => options.pods.filter((p) => !outcomes.has(p.metadata.name));
  const lastState = new Map<string, string>();
  while (waiting().length > 0 && !signal?.aborted) {
    await sleep(options.pollMs ?? 2000, undefined, signal ? { signal } : {}).catch(() => undefined);
    if (signal?.aborted) break;
    const seen = await listPods(api, namespace, options.selector, log);
    for (const pod of waiting()) {
      const name = pod.metadata.name;
      const view = seen.get(name);
      if (!view) {
        end(pod, 'Failed', `pod ${name} was deleted before it ended`);
        continue;
      }
      const phase = view.status?.phase ?? 'Pending';
      if (phase === 'Succeeded') end(pod, 'Succeeded', '');
      else if (phase === 'Failed') end(pod, 'Failed', describe(view));
      else if (now() >= deadlines.get(name)!) {
        // A pending pod has nothing to finish: deleted at once. A running one gets its grace
        // period, in which the node step records what it did.
        await api.deletePod(namespace, name, phase === 'Pending' ? 0 : undefined).catch((e: unknown) => log('warn', `could not delete pod ${name}: ${(e as Error).message}`, { pod: name }));
        end(pod, 'TimedOut', `not ended within ${Math.round(options.deadlineMs / 1000)} s (${describe(view)}); deleted`);
      } else {
        const state = describe(view);
        if (state !== lastState.get(name)) log('info', `pod ${name} on node ${nodeOf(pod)}: ${state}`, { pod: name, node: nodeOf(pod), phase });
        lastState.set(name, state);
      }
    }
  }
  if (signal?.aborted) {
    // Stopped: each pod still running gets its grace period to record what it did.
    await eachLimited(waiting(), 16, async (pod) => {
      await api.deletePod(namespace, pod.metadata.name).catch((e: unknown) => log('warn', `could not delete pod ${pod.metadata.name}: ${(e as Error).message}`, { pod: pod.metadata.name }));
      end(pod, 'Stopped', 'stopped: the fan-out was stopped; pod deleted');
    });
  }

  // Pods that succeeded have said everything in the ledger; failed ones keep their logs.
  const succeeded = [...outcomes.values()].filter((o) => o.end === 'Succeeded');
  await eachLimited(succeeded, 16, async (o) => {
    await api.deletePod(namespace, o.pod).catch((e: unknown) => log('warn', `could not delete pod ${o.pod}: ${(e as Error).message}`, { pod: o.pod }));
  });
  return options.pods.map((p) => outcomes.get(p.metadata.name)!);
}

/** The fan-out's pods by name, read with paged lists. */
async function listPods(api: PodApi, namespace: string, labelSelector: string, log: StepLogger['log']): Promise<Map<string, PodView>> {
  const collected = await collectPages(
    (continueToken) => api.listPods({ namespace, labelSelector, limit: PAGE_SIZE, ...(continueToken ? { continueToken } : {}) }),
    (item) => item as PodView,
    log,
  );
  return new Map(collected.items.map((p) => [p.metadata?.name ?? '', p]));
}

/** A pod's state in one line: phase, then the most telling reason and message. */
export function describe(view: PodView): string {
  const status = view.status ?? {};
  const container = status.containerStatuses?.[0]?.state;
  const terminated = container?.terminated;
  if (terminated) return `${status.phase ?? 'Failed'}: exit ${terminated.exitCode ?? '?'}${terminated.reason ? ` (${terminated.reason})` : ''}${terminated.message ? `: ${lastLine(terminated.message)}` : ''}`;
  const waiting = container?.waiting;
  if (waiting?.reason) return `${status.phase ?? 'Pending'}: ${waiting.reason}${waiting.message ? `: ${oneLine(waiting.message)}` : ''}`;
  const unscheduled = status.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unscheduled) return `${status.phase ?? 'Pending'}: ${unscheduled.reason ?? 'not scheduled'}${unscheduled.message ? `: ${oneLine(unscheduled.message)}` : ''}`;
  if (status.reason) return `${status.phase ?? 'Pending'}: ${status.reason}${status.message ? `: ${oneLine(status.message)}` : ''}`;
  return status.phase ?? 'Pending';
}

/**
 * The line of a termination message that says why (the tail of the step's log): its last
 * `error: ` line (stderr, which the log may interleave before stdout's last lines), else its
 * last line.
 */
function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return oneLine([...lines].reverse().find((l) => l.startsWith('error: ')) ?? lines.at(-1) ?? '');
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

