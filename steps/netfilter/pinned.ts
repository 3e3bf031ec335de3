/**
 * Finding the launcher's network namespace among those the container runtime pins as files
 * (containerd and CRI-O: /var/run/netns/<id>): the one that carries the launcher pod's IP and
 * holds the VM's interfaces of the binding. Opening such a file needs the pin directory and
 * CAP_SYS_ADMIN, not the host's /proc nor ptrace access to the launcher's processes, so the node
 * steps run without SYS_PTRACE (locate.ts keeps the /proc way as the explicit fallback).
 */
import { readdirSync, statfsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { eachLimited } from '../../core/each-limited.js';
import type { FilterableBinding } from './binding.js';
import { parseAddresses } from './links.js';
import { launcherEvidence, LauncherNotFoundError, notALauncher, type Located } from './locate.js';
import { netnsAt, netnsId, NetnsGoneError, type NetnsId } from './netns.js';
import { findSocketRelay } from './socket-relay.js';
import { SpawnError } from './spawn.js';

/** The pin directory is missing, unreadable, or holds no namespace at all. */
export class PinDirError extends Error {}
PinDirError.prototype.name = 'PinDirError';

/** How many namespaces are read at once (one `ip` process each). */
const CONCURRENCY = 8;

const FALLBACK_HINT = 'if the container runtime does not pin network namespaces there, run the node steps with --proc-discovery';

/** An address as `ip` prints it: IPv6 in its RFC 5952 form (the URL parser canonicalizes). */
export function canonicalIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip.toLowerCase();
  }
}

/** statfs type of nsfs, the filesystem of namespace files (linux/magic.h NSFS_MAGIC). */
const NSFS_MAGIC = 0x6e736673;

function isNamespaceFile(path: string): boolean {
  try {
    return statfsSync(path).type === NSFS_MAGIC;
  } catch {
    return false; // removed meanwhile
  }
}

/**
 * The namespace files in `dir`, one path per namespace (a namespace pinned twice counts once);
 * a file left after its namespace was unpinned is skipped.
 */
export function pinnedNamespaces(dir: string): { readonly path: string; readonly id: NetnsId }[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new PinDirError(`${dir} is not a directory (${FALLBACK_HINT})`);
    names = readdirSync(dir).sort();
  } catch (e) {
    if (e instanceof PinDirError) throw e;
    throw new PinDirError(`cannot read ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (mount the node's /var/run/netns there; ${FALLBACK_HINT})`);
  }
  const seen = new Map<NetnsId, string>();
  for (const name of names) {
    const path = join(dir, name);
    const id = isNamespaceFile(path) ? netnsId(path) : undefined;
    if (id !== undefined && !seen.has(id)) seen.set(id, path);
  }
  return [...seen].map(([id, path]) => ({ path, id }));
}

/**
 * The pinned namespaces of `dir` with an address among `ips`: the pod's own namespace (and,
 * rarely, another that reuses the address, which the binding's check then rules out).
 * @throws PinDirError when `dir` is unusable or pins nothing at all.
 */
export async function namespacesWithIps(dir: string, ips: readonly string[]): Promise<{ readonly path: string; readonly id: NetnsId }[]> {
  const pinned = pinnedNamespaces(dir);
  if (pinned.length === 0) throw new PinDirError(`${dir} pins no network namespace (${FALLBACK_HINT})`);
  const wanted = new Set(ips.map(canonicalIp));
  const matching = new Set<NetnsId>();
  await eachLimited(pinned, CONCURRENCY, async ({ path, id }) => {
    try {
      const { stdout } = await netnsAt(path).run(['ip', '-j', 'addr', 'show']);
      if (parseAddresses(stdout).some((a) => wanted.has(canonicalIp(a)))) matching.add(id);
    } catch (e) {
      // A pod deleted meanwhile: not ours.
      if (!(e instanceof NetnsGoneError || e instanceof SpawnError)) throw e;
    }
  });
  return pinned.filter((n) => matching.has(n.id));
}

/** Options of {@link discoverPinned}. */
export interface PinnedOptions {
  readonly dir: string;
  /** The launcher pod's IPs (`status.podIPs`). */
  readonly podIps: readonly string[];
  readonly binding: FilterableBinding;
}

/**
 * The launcher namespace of the pod with `podIps` among those pinned in `dir`, or undefined when
 * none carries its IPs any more (the pod is gone).
 * @throws PinDirError; LauncherNotFoundError when no candidate, or more than one, holds the VM's
 *   interfaces of the binding.
 */
export async function discoverPinned(options: PinnedOptions): Promise<Located | undefined> {
  const { dir, podIps, binding } = options;
  const candidates = await namespacesWithIps(dir, podIps);
  if (candidates.length === 0) return undefined;
  const found: Located[] = [];
  const why: string[] = [];
  for (const { path, id } of candidates) {
    const netns = netnsAt(path);
    try {
      found.push({ netns, id, ...(await launcherEvidence(netns, binding, (b) => findSocketRelay(netns, b))) });
    } catch (e) {
      why.push(`${path}: ${notALauncher(e)}`);
    }
  }
  const ipList = podIps.join(', ');
  if (found.length === 1) return found[0];
  if (found.length > 1) {
    throw new LauncherNotFoundError(`${found.length} namespaces pinned in ${dir} carry pod IP ${ipList} and look like a ${binding} launcher (${found.map((f) => f.netns.path).join(', ')}); refusing to guess`);
  }
  throw new LauncherNotFoundError(`the namespaces pinned in ${dir} with pod IP ${ipList} hold no ${binding} launcher: ${why.join('; ')}`);
}
