/**
 * The relay of passt and slirp found by its sockets instead of its process: the kernel's socket
 * table of the namespace (sock_diag, `ss -e`) gives each socket's owner uid, which is exactly
 * what the rules match (`meta skuid`, `-m owner --uid-owner`). It needs nothing but the
 * namespace: no host /proc and no ptrace access to the launcher's processes, which is what
 * lets the node steps run without SYS_PTRACE.
 */
import type { Netns } from './netns.js';
import { RelayError, type Relay } from './relay.js';

/** One inet socket of a namespace as `ss -H -a -n -e -t -u` prints it. */
export interface SocketOwner {
  readonly protocol: 'tcp' | 'udp';
  readonly state: string;
  readonly local: string;
  /** sk_uid; ss omits it for root's sockets. */
  readonly uid: number;
}

/** The sockets in the output of `ss -H -a -n -e -t -u` (pure, for recorded output). */
export function parseSocketOwners(output: string): SocketOwner[] {
  return output.split('\n').flatMap((line) => {
    const fields = line.trim().split(/\s+/);
    const protocol = fields[0];
    if ((protocol !== 'tcp' && protocol !== 'udp') || fields.length < 5) return [];
    const uid = /(?:^|\s)uid:(\d+)(?:\s|$)/.exec(line);
    return [{ protocol, state: fields[1]!, local: fields[4]!, uid: uid ? Number(uid[1]) : 0 }];
  });
}

/**
 * The relay of `binding` in `netns`: the one non-root uid that owns inet sockets there (passt
 * binds the VM's forwarded ports, slirp's qemu its host forwards).
 * @throws RelayError when no non-root process owns a socket, or several uids do (a sidecar such
 *   as istio-proxy): the rules could not tell the guest's traffic apart, so nothing is applied.
 */
export async function findSocketRelay(netns: Netns, binding: 'passt' | 'slirp'): Promise<Relay> {
  const { stdout } = await netns.run(['ss', '-H', '-a', '-n', '-e', '-t', '-u']);
  const byUid = new Map<number, SocketOwner[]>();
  for (const socket of parseSocketOwners(stdout)) {
    if (socket.uid !== 0) byUid.set(socket.uid, [...(byUid.get(socket.uid) ?? []), socket]);
  }
  const relayName = binding === 'passt' ? 'passt' : 'qemu (slirp)';
  if (byUid.size === 0) {
    throw new RelayError(`no socket of a non-root process in this network namespace, so no ${relayName} relay to scope the rules to (it binds the VM's forwarded ports once running); nothing is applied`);
  }
  if (byUid.size > 1) {
    const owners = [...byUid].map(([uid, sockets]) => `uid ${uid} (${sockets.slice(0, 3).map((s) => `${s.protocol} ${s.local}`).join(', ')}${sockets.length > 3 ? ', …' : ''})`);
    throw new RelayError(`sockets of several non-root uids in this network namespace: ${owners.join('; ')}; cannot tell which is the ${relayName} relay (with --proc-discovery the relay is found by its process name)`);
  }
  const [[uid, sockets]] = [...byUid] as [[number, SocketOwner[]]];
  return { pids: [], comm: relayName, uid, sharingUid: [], foundBy: 'sockets', sockets: sockets.length };
}
