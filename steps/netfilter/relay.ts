/**
 * The relay process of passt and slirp bindings: passt itself, or qemu (slirp runs inside qemu).
 * Its sockets carry the guest's traffic, so its uid is what scopes the rules to the guest.
 */
import type { NetnsId } from './netns.js';
import { commOf, fsUidOf, processesInNetns } from './proc.js';

/** The relay found in a namespace. */
export interface Relay {
  readonly pids: readonly number[];
  readonly comm: string;
  /** fsuid of the relay: the owner of its sockets. */
  readonly uid: number;
  /** Other processes of the namespace running with the same uid: their traffic is hit too. */
  readonly sharingUid: readonly number[];
  /** How it was found: its process (a proc tree) or its sockets (socket-relay.ts; no pids then). */
  readonly foundBy: 'process' | 'sockets';
  /** With foundBy sockets: how many inet sockets the uid owns. */
  readonly sockets?: number;
}

/** No relay process, or relays of different uids. */
export class RelayError extends Error {}
RelayError.prototype.name = 'RelayError';

const RELAY_COMM: Record<'passt' | 'slirp', RegExp> = { passt: /^passt/, slirp: /^qemu/ };

/**
 * The relay of `binding` among the processes of `proc` in namespace `netns`.
 * @throws RelayError when there is none (refusing is safer than rules that cannot tell the
 *   guest's traffic from the launcher's), or several with different uids.
 */
export function findRelay(proc: string, netns: NetnsId, binding: 'passt' | 'slirp'): Relay {
  const processes = processesInNetns(proc, netns).map((p) => ({ pid: p.pid, comm: commOf(proc, p.pid) ?? '', uid: fsUidOf(proc, p.pid) }));
  const relays = processes.filter((p) => RELAY_COMM[binding].test(p.comm) && p.uid !== undefined);
  if (relays.length === 0) {
    throw new RelayError(`no ${binding === 'passt' ? 'passt' : 'qemu (slirp)'} process in this network namespace (looked in ${proc}); without the relay's uid the rules cannot tell the guest's traffic from the launcher's, so nothing is applied`);
  }
  const uids = [...new Set(relays.map((r) => r.uid!))];
  if (uids.length > 1) throw new RelayError(`${binding} relay processes run with different uids (${uids.join(', ')}); cannot scope the rules to one`);
  const uid = uids[0]!;
  return {
    pids: relays.map((r) => r.pid),
    comm: relays[0]!.comm,
    uid,
    sharingUid: processes.filter((p) => p.uid === uid && !relays.includes(p)).map((p) => p.pid),
    foundBy: 'process',
  };
}
