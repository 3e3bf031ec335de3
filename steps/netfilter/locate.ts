/**
 * Finding the virt-launcher's network namespace from the node: a process of the launcher pod
 * (by pod UID in its cgroup), in a namespace that is not the host's and that holds the VM's
 * interfaces (or its relay process). `--netns PATH` skips all this.
 */
import { findAttachments, DetectionError } from './attachments.js';
import { isRelayBinding, type FilterableBinding } from './binding.js';
import { normalizePodUid } from './cgroup.js';
import { readNetnsFacts, type NetnsFacts } from './facts.js';
import { netnsAt, netnsId, type Netns, type NetnsId } from './netns.js';
import { listPids, podUidOf, processInfo } from './proc.js';
import { findRelay, RelayError, type Relay } from './relay.js';

/** The pod has processes, but none in a namespace that looks like its launcher's. */
export class LauncherNotFoundError extends Error {}
LauncherNotFoundError.prototype.name = 'LauncherNotFoundError';

/** A located launcher namespace. */
export interface Located {
  readonly netns: Netns;
  readonly id: NetnsId;
  /** The pid whose namespace we enter, when found by discovery. */
  readonly pid?: number;
  /** The facts read while checking the candidate (saves reading them again). */
  readonly facts?: NetnsFacts;
  /** The relay found while checking the candidate (passt, slirp). */
  readonly relay?: Relay;
}

/** Options of {@link discoverLauncher}. */
export interface DiscoverOptions {
  /** Proc root: /proc, or the host's /proc mounted elsewhere (/host/proc). */
  readonly proc: string;
  readonly podUid: string;
  readonly binding: FilterableBinding;
}

/**
 * What makes `netns` a launcher of `binding`: its relay (passt, slirp: found by `relayOf`), or
 * its facts holding the VM's attachments. Both discoveries check their candidates with it.
 * @throws DetectionError, RelayError when it is not one.
 */
export async function launcherEvidence(
  netns: Netns,
  binding: FilterableBinding,
  relayOf: (binding: 'passt' | 'slirp') => Relay | Promise<Relay>,
): Promise<Pick<Located, 'facts' | 'relay'>> {
  if (isRelayBinding(binding)) return { relay: await relayOf(binding) };
  const facts = await readNetnsFacts(netns);
  findAttachments(binding, facts.links, facts.defaultDevices);
  return { facts };
}

/** Why a candidate is not a launcher (its DetectionError or RelayError); anything else is rethrown. */
export function notALauncher(e: unknown): string {
  if (!(e instanceof DetectionError || e instanceof RelayError)) throw e;
  return e.message;
}

/**
 * The launcher namespace of pod `podUid`, or undefined when the pod has no process any more.
 * @throws ProcTreeError when `proc` is unusable; LauncherNotFoundError when the pod's
 *   namespaces hold no VM interface of the binding.
 */
export async function discoverLauncher(options: DiscoverOptions): Promise<Located | undefined> {
  const { proc, binding } = options;
  const byNetns = podNamespaces(proc, options.podUid);
  if (byNetns.size === 0) return undefined;
  const why: string[] = [];
  for (const [id, pids] of byNetns) {
    const pid = pids[0]!;
    const netns = netnsAt(`${proc}/${pid}/ns/net`);
    try {
      return { netns, id, pid, ...(await launcherEvidence(netns, binding, (b) => findRelay(proc, id, b))) };
    } catch (e) {
      why.push(`pids ${pids.join(',')}: ${notALauncher(e)}`);
    }
  }
  throw new LauncherNotFoundError(`pod ${normalizePodUid(options.podUid)} has processes, but none in a ${binding} launcher namespace: ${why.join('; ')}`);
}

/**
 * The network namespaces of pod `podUid` other than the host's, each with the pids in it (in
 * pid order). Usually one: every container of a pod shares the sandbox's namespace.
 * @throws ProcTreeError when `proc` is unusable.
 */
export function podNamespaces(proc: string, podUid: string): Map<NetnsId, number[]> {
  const uid = normalizePodUid(podUid);
  const host = netnsId(`${proc}/1/ns/net`);
  const byNetns = new Map<NetnsId, number[]>();
  for (const pid of listPids(proc)) {
    if (podUidOf(proc, pid) !== uid) continue;
    const info = processInfo(proc, pid);
    // A host-network pod, or a process that exited meanwhile: not a launcher namespace.
    if (info.netns === undefined || info.netns === host) continue;
    byNetns.set(info.netns, [...(byNetns.get(info.netns) ?? []), pid]);
  }
  return byNetns;
}

/** The namespace at an explicit path (`--netns`), or undefined when it does not exist. */
export function locateAt(path: string): Located | undefined {
  const id = netnsId(path);
  return id === undefined ? undefined : { netns: netnsAt(path), id };
}
