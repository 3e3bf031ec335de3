/**
 * virt-launcher pods: the pod a VMI runs in, found in one list of all launcher pods (label
 * `kubevirt.io=virt-launcher`) rather than one request per VMI, and matched to its VMI by the
 * `kubevirt.io/created-by` label (the VMI's UID) or, failing that, the controller owner reference.
 */
import { asArray, asObject, asString, asStringMap } from './_json.js';
import type { VmiRecord } from './vmi-record.js';

/** Label selector of every virt-launcher pod. */
export const LAUNCHER_SELECTOR = 'kubevirt.io=virt-launcher';
/** Label KubeVirt sets on a launcher pod to the UID of its VMI. */
export const CREATED_BY_LABEL = 'kubevirt.io/created-by';

/** What we read of a launcher pod. */
export interface LauncherPodRecord {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** UID of the VMI it runs. */
  readonly vmiUid: string;
  /** `spec.nodeName`, once scheduled. */
  readonly node?: string;
  /** `status.phase`: Pending, Running, Succeeded (a migration source that handed over), Failed. */
  readonly phase: string;
  /** `status.podIPs` (or `status.podIP`), once the sandbox has its network. */
  readonly ips?: readonly string[];
}

/**
 * The record of a launcher pod (a JSON object, or the client's V1Pod: same field names), or
 * undefined when it names no VMI.
 */
export function toLauncherPodRecord(pod: unknown): LauncherPodRecord | undefined {
  const object = asObject(pod);
  const metadata = asObject(object?.metadata);
  const owner = asArray(metadata?.ownerReferences)
    .map(asObject)
    .find((r) => r?.kind === 'VirtualMachineInstance' && r.controller !== false);
  const vmiUid = asStringMap(metadata?.labels)[CREATED_BY_LABEL] || asString(owner?.uid);
  const namespace = asString(metadata?.namespace);
  const name = asString(metadata?.name);
  const uid = asString(metadata?.uid);
  if (!namespace || !name || !uid || !vmiUid) return undefined;
  const node = asString(asObject(object?.spec)?.nodeName);
  const status = asObject(object?.status);
  const listed = asArray(status?.podIPs).flatMap((entry) => asString(asObject(entry)?.ip) ?? []);
  const ips = listed.length > 0 ? listed : [asString(status?.podIP) ?? ''].filter(Boolean);
  return { namespace, name, uid, vmiUid, ...(node ? { node } : {}), phase: asString(status?.phase) ?? '', ...(ips.length > 0 ? { ips } : {}) };
}

/** The pod a VMI runs in, or why there is none to use. */
export type LauncherResolution = { readonly pod: LauncherPodRecord } | { readonly reason: string };

/**
 * The Running launcher pod of `vmi` among `pods` (that VMI's pods), on the VMI's node. A
 * migration leaves two pods (the source ends Succeeded), and for a moment two Running ones on
 * different nodes; `status.activePods` breaks a tie on one node.
 */
export function resolveLauncherPod(vmi: VmiRecord, pods: readonly LauncherPodRecord[]): LauncherResolution {
  const running = pods.filter((p) => p.phase === 'Running');
  if (running.length === 0) {
    if (pods.length === 0) return { reason: 'no virt-launcher pod found' };
    return { reason: `no Running virt-launcher pod (${pods.map((p) => `${p.name} is ${p.phase || 'without phase'}`).join(', ')})` };
  }
  let current = running.filter((p) => p.node === vmi.nodeName);
  if (current.length > 1) current = current.filter((p) => p.uid in vmi.activePods);
  if (current.length === 1) return { pod: current[0]! };
  const names = running.map((p) => `${p.name} on ${p.node ?? 'no node'}`).join(', ');
  return current.length === 0
    ? { reason: `no Running virt-launcher pod on the VMI's node ${vmi.nodeName ?? '(none)'} (${names})` }
    : { reason: `${current.length} Running virt-launcher pods on node ${vmi.nodeName ?? '(none)'} (${names}); cannot tell which one runs the VM` };
}
