/**
 * verify's cluster side: is the target still where the fault was injected? A live migration or a
 * restart moves the VM to another virt-launcher pod (a fresh network namespace), and the fault is
 * silently gone; verify must then fail with the reason, not report a fault that no longer exists.
 * Two requests: get the VMI, get the launcher pod.
 */
import type { Target } from './target.js';
import type { KubeClient } from './client.js';
import { KubeNotFoundError } from './errors.js';
import { toVmiRecord } from './vmi-record.js';

/** Why a check failed (or `ok`). Callers branch on this, not on the message. */
export type ClusterCheckReason =
  | 'ok'
  | 'vmi-gone'
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
  const vmiName = `VMI ${target.namespace}/${target.name}`;
  const lost = 'the fault injected there is lost';
  const fail = (reason: ClusterCheckReason, message: string): ClusterCheckResult => ({ ok: false, reason, message });

  const vmi = toVmiRecord(await orNotFound(client.getVmi(target.namespace, target.name)));
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

  const pod = await orNotFound(client.getPod(target.namespace, target.launcherPod));
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
