/**
 * verify's cluster side: is the target still where the fault was injected? A live migration or a
 * restart moves the VM to another virt-launcher pod (a fresh network namespace), and the fault is
 * silently gone; verify must then fail with the reason, not report a fault that no longer exists.
 * One target: two requests (get the VMI, get the launcher pod). A node's targets (a per-node
 * verify pod): two list requests for all of them, whatever their number: the VMIs KubeVirt
 * labels with the node (`kubevirt.io/nodeName`) and the launcher pods bound to it. A target in
 * neither is no longer there (moved, re-created elsewhere or deleted): its fault is lost.
 */
import type { Target } from './target.js';
import type { KubeClient } from './client.js';
import { KubeNotFoundError } from './errors.js';
import { LAUNCHER_SELECTOR } from './launcher-pod.js';
import { PAGE_SIZE } from './paginate.js';
import { toVmiRecord, type VmiRecord } from './vmi-record.js';

/** Why a check failed (or `ok`). Callers branch on this, not on the message. */
export type ClusterCheckReason =
  | 'ok'
  | 'vmi-gone'
  | 'vmi-left-node'
  | 'vmi-replaced'
  | 'vmi-not-running'
  | 'vmi-moved'
  | 'vmi-migrating'
  | 'launcher-changed'
  | 'launcher-gone'
  | 'launcher-replaced'
  | 'launcher-not-running';

/** The verdict on one target. */
export interface ClusterCheckResult {
  readonly ok: boolean;
  readonly reason: ClusterCheckReason;
  /** One sentence naming the VMI and what changed. */
  readonly message: string;
}

/**
 * Checks that the target's VMI still exists with the same UID, is Running, is not migrating,
 * and runs on the same node in the same (Running) launcher pod as at inject.
 * @throws KubeAccessError, KubeApiError, KubeConnectionError when the API cannot answer: the check
 *   is then undecided, which is not the same as failed.
 */
export async function checkTargetInCluster(client: KubeClient, target: Target): Promise<ClusterCheckResult> {
  const vmi = toVmiRecord(await orNotFound(client.getVmi(target.namespace, target.name)));
  const pod = vmi ? ((await orNotFound(client.getPod(target.namespace, target.launcherPod))) as PodView | undefined) : undefined;
  return judgeTarget(target, vmi, pod);
}

/** Launcher pods of a node, as the check reads them. */
interface PodView {
  readonly metadata?: { readonly uid?: string; readonly name?: string; readonly namespace?: string };
  readonly spec?: { readonly nodeName?: string };
  readonly status?: { readonly phase?: string };
}

/** The cluster as one node's targets need it: read once (two lists), then judged per target. */
export class NodeClusterView {
  private lists: Promise<{ vmis: Map<string, VmiRecord>; pods: Map<string, PodView> }> | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly node: string,
  ) {}

  /** The verdict on `target` (one of this node's). @throws KubeAccessError, KubeApiError, KubeConnectionError. */
  async check(target: Target): Promise<ClusterCheckResult> {
    const { vmis, pods } = await (this.lists ??= this.read());
    const vmi = vmis.get(`${target.namespace}/${target.name}`);
    if (!vmi) {
      return { ok: false, reason: 'vmi-left-node', message: `VMI ${target.namespace}/${target.name} is no longer on node ${this.node} (moved, re-created elsewhere or deleted); the fault injected there is lost` };
    }
    const pod = pods.get(`${target.namespace}/${target.launcherPod}`);
    if (!pod && vmi.uid === target.uid && vmi.phase === 'Running' && vmi.nodeName === target.node && !vmi.migration) {
      return { ok: false, reason: 'launcher-gone', message: `virt-launcher pod ${target.namespace}/${target.launcherPod} of VMI ${target.namespace}/${target.name} no longer runs on node ${this.node}; the fault injected there is lost` };
    }
    return judgeTarget(target, vmi, pod);
  }

  private async read(): Promise<{ vmis: Map<string, VmiRecord>; pods: Map<string, PodView> }> {
    const vmis = new Map<string, VmiRecord>();
    const pods = new Map<string, PodView>();
    for (let token: string | undefined, first = true; first || token; first = false) {
      const page = await this.client.listVmis({ labelSelector: `${NODE_LABEL}=${this.node}`, limit: PAGE_SIZE, ...(token ? { continueToken: token } : {}) });
      for (const item of page.items) {
        const record = toVmiRecord(item);
        if (record) vmis.set(`${record.namespace}/${record.name}`, record);
      }
      token = page.continueToken;
    }
    for (let token: string | undefined, first = true; first || token; first = false) {
      const page = await this.client.listPods({ labelSelector: LAUNCHER_SELECTOR, fieldSelector: `spec.nodeName=${this.node}`, limit: PAGE_SIZE, ...(token ? { continueToken: token } : {}) });
      for (const item of page.items as PodView[]) pods.set(`${item.metadata?.namespace}/${item.metadata?.name}`, item);
      token = page.continueToken;
    }
    return { vmis, pods };
  }
}

/** The label KubeVirt puts on a VMI with the node it runs on. */
const NODE_LABEL = 'kubevirt.io/nodeName';

/** The verdict on `target` from its VMI and launcher pod as read now (undefined: gone). Pure. */
export function judgeTarget(target: Target, vmi: VmiRecord | undefined, pod: PodView | undefined): ClusterCheckResult {
  const vmiName = `VMI ${target.namespace}/${target.name}`;
  const lost = 'the fault injected there is lost';
  const fail = (reason: ClusterCheckReason, message: string): ClusterCheckResult => ({ ok: false, reason, message });

  if (!vmi) return fail('vmi-gone', `${vmiName} no longer exists; ${lost}`);
  if (vmi.uid !== target.uid) return fail('vmi-replaced', `${vmiName} was re-created (uid ${target.uid} at inject, now ${vmi.uid}); ${lost}`);
  if (vmi.phase !== 'Running') return fail('vmi-not-running', `${vmiName} is ${vmi.phase || 'without phase'}, not Running`);
  if (vmi.nodeName !== target.node) {
    return fail('vmi-moved', `${vmiName} now runs on node ${vmi.nodeName ?? '(none)'}, not on ${target.node} where the fault was injected (live migration or restart); ${lost}`);
  }
  if (vmi.migration) {
    return fail('vmi-migrating', `${vmiName} is live-migrating from ${target.node} to ${vmi.migration.targetNode ?? 'another node'}; the fault will be lost when the migration completes`);
  }
  const activePods = Object.keys(vmi.activePods);
  if (target.launcherPodUid && activePods.length > 0 && !activePods.includes(target.launcherPodUid)) {
    return fail('launcher-changed', `${vmiName} no longer runs in virt-launcher pod ${target.launcherPod} (uid ${target.launcherPodUid}); ${lost}`);
  }

  if (!pod) return fail('launcher-gone', `virt-launcher pod ${target.namespace}/${target.launcherPod} of ${vmiName} no longer exists; ${lost}`);
  const podUid = pod.metadata?.uid;
  if (target.launcherPodUid && podUid !== target.launcherPodUid) {
    return fail('launcher-replaced', `virt-launcher pod ${target.namespace}/${target.launcherPod} was re-created (uid ${target.launcherPodUid} at inject, now ${podUid ?? 'unknown'}); ${lost}`);
  }
  const phase = pod.status?.phase;
  if (phase !== 'Running') return fail('launcher-not-running', `virt-launcher pod ${target.namespace}/${target.launcherPod} of ${vmiName} is ${phase ?? 'without phase'}, not Running`);
  if (pod.spec?.nodeName !== target.node) {
    return fail('vmi-moved', `virt-launcher pod ${target.namespace}/${target.launcherPod} runs on node ${pod.spec?.nodeName ?? '(none)'}, not on ${target.node}; ${lost}`);
  }
  return { ok: true, reason: 'ok', message: `${vmiName} is Running on node ${target.node} in virt-launcher pod ${target.launcherPod}, as at inject` };
}

async function orNotFound<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (e) {
    if (e instanceof KubeNotFoundError) return undefined;
    throw e;
  }
}
