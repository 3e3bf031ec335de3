/**
 * Rule planning, pure: scenario × binding × attachments → the rules that block exactly what the
 * scenario asks, independent of the backend that will express them. The hook choices are the
 * lab's verified designs (../shared/lab/rules.py, results/summary.md):
 *   masquerade  the guest is routed: FORWARD between the k6t bridge and the pod interface.
 *               Guest↔launcher traffic (DHCP, DNS proxy) is deliberately left alone.
 *   bridge      the guest is bridged: the L2 forward hook, matched on the tap as bridge port.
 *   passt/slirp a user-space relay uses the launcher's own sockets: OUTPUT/INPUT of the pod
 *               interface, scoped to the relay's uid so the launcher's own traffic is spared.
 * Ingress = packets entering the guest, egress = packets leaving it; ports are destination
 * ports (all when empty). Rules are family-neutral: every backend applies them to IPv4 and IPv6.
 */
import { ifnameProblem, type Protocol } from '../../scenario/index.js';
import type { Attachment } from './attachments.js';
import { isRelayBinding, type FilterableBinding } from './binding.js';
import { runNames, type Hook, type RunNames, type RunTag } from './naming.js';

/** Relative to the guest: ingress enters it, egress leaves it. */
export type Direction = 'ingress' | 'egress';

/**
 * The conntrack mark bit that flags connections of launcher-local (non-relay) processes, so
 * that their replies survive an all-ports ingress block (passt, slirp). One bit, set with OR and
 * tested with a mask, so ct marks other software keeps in the namespace are left untouched.
 */
export const LOCAL_CONNECTION_MARK = 0x20000000;

/** Drop matching TCP/UDP packets. */
export interface DropRule {
  readonly kind: 'drop';
  /** Unique within the plan; the rule's comment, how verify finds it and reads its counters. */
  readonly id: string;
  readonly direction: Direction;
  readonly hook: Hook;
  /** Input interface (routed) or input bridge port (bridged). */
  readonly iif?: string;
  /** Output interface (routed) or output bridge port (bridged). */
  readonly oif?: string;
  /** Only packets of sockets owned by this uid (the relay's egress). */
  readonly ownerUid?: number;
  /** Spare connections flagged with LOCAL_CONNECTION_MARK. */
  readonly spareLocal?: boolean;
  readonly protocols: readonly Protocol[];
  /** Destination ports; empty = all. */
  readonly ports: readonly number[];
}

/** Flag the connections of launcher-local processes (everything but the relay) leaving `oif`. */
export interface MarkLocalRule {
  readonly kind: 'mark-local';
  readonly id: string;
  readonly hook: 'output';
  readonly oif: string;
  readonly relayUid: number;
}

/** Any rule of a plan. */
export type PlannedRule = DropRule | MarkLocalRule;

/** One run's rules. */
export interface RulePlan {
  readonly binding: FilterableBinding;
  /** routed: IP hooks (inet); bridged: the bridge's L2 hooks, iif/oif are bridge ports. */
  readonly layer: 'routed' | 'bridged';
  readonly rules: readonly PlannedRule[];
  readonly names: RunNames;
  readonly tag: RunTag;
}

/** What a plan is made from. */
export interface PlanInput {
  readonly binding: FilterableBinding;
  /** The VM interfaces to filter (at least one). */
  readonly attachments: readonly Attachment[];
  /** fsuid of the relay process (passt, slirp); required for those bindings. */
  readonly relayUid?: number;
  readonly ingress: boolean;
  readonly egress: boolean;
  readonly ports: readonly number[];
  readonly protocols: readonly Protocol[];
  readonly tag: RunTag;
}

/** The input cannot be planned safely. */
export class PlanError extends Error {
  /** Bad input: exit status 2. */
  readonly exitCode = 2;
}
PlanError.prototype.name = 'PlanError';

/**
 * The rules for `input`.
 * @throws PlanError when nothing would be blocked, a port or protocol is invalid, or a relay
 *   binding lacks the relay uid (without it the rules would hit the launcher's own traffic).
 */
export function planRules(input: PlanInput): RulePlan {
  const { binding, ingress, egress } = input;
  const ports = [...new Set(input.ports)].sort((a, b) => a - b);
  const protocols = (['tcp', 'udp'] as const).filter((p) => input.protocols.includes(p));
  if (!ingress && !egress) throw new PlanError('ingress and egress are both false: nothing to block');
  if (input.attachments.length === 0) throw new PlanError('no interface to filter');
  if (protocols.length === 0 || protocols.length !== new Set(input.protocols).size) throw new PlanError(`protocols must be tcp and/or udp, not ${input.protocols.join(',')}`);
  const window = input.tag.window;
  if (window && !(Number.isInteger(window.start) && Number.isInteger(window.end) && window.start < window.end && window.end <= input.tag.expiresAt)) {
    throw new PlanError(`the fault window ${window.start}-${window.end} must be whole Unix seconds, start before end, ending by the deadline ${input.tag.expiresAt}`);
  }
  const badPort = ports.find((p) => !Number.isInteger(p) || p < 1 || p > 65535);
  if (badPort !== undefined) throw new PlanError(`${badPort} is not a port (1-65535)`);
  // Names end up inside rule text: only plain interface names, whatever a namespace holds.
  for (const name of input.attachments.flatMap((a) => [a.podIface, a.bridge, a.tap])) {
    const problem = name === undefined ? undefined : ifnameProblem(name);
    if (problem) throw new PlanError(`interface: ${problem}`);
  }
  const relayUid = input.relayUid;
  if (isRelayBinding(binding) && (relayUid === undefined || !Number.isInteger(relayUid) || relayUid < 0)) {
    // Not reachable from the steps (detection refuses first, exit 1); guards direct callers.
    throw new PlanError(`binding ${binding} needs the uid of its relay process; without it the rules would also cut the launcher's own traffic`);
  }

  const rules: PlannedRule[] = [];
  const drop = (direction: Direction, hook: Hook, where: Partial<DropRule>, name: string): void => {
    rules.push({ kind: 'drop', id: `${direction} ${name}`, direction, hook, ...where, protocols, ports });
  };
  for (const a of input.attachments) {
    if (binding === 'masquerade') {
      const bridge = a.bridge;
      if (bridge === undefined) throw new PlanError(`masquerade interface ${a.podIface} has no k6t bridge`);
      if (egress) drop('egress', 'forward', { iif: bridge, oif: a.podIface }, a.podIface);
      if (ingress) drop('ingress', 'forward', { iif: a.podIface, oif: bridge }, a.podIface);
    } else if (binding === 'bridge') {
      const tap = a.tap;
      if (tap === undefined) throw new PlanError(`bridge interface ${a.podIface} has no tap`);
      if (egress) drop('egress', 'forward', { iif: tap }, tap);
      if (ingress) drop('ingress', 'forward', { oif: tap }, tap);
    } else {
      const uid = relayUid!;
      if (ingress && ports.length === 0) {
        // All ports inbound: drop everything entering except replies to connections the
        // launcher's own processes opened (flagged on their way out).
        rules.push({ kind: 'mark-local', id: `mark-local ${a.podIface}`, hook: 'output', oif: a.podIface, relayUid: uid });
        drop('ingress', 'input', { iif: a.podIface, spareLocal: true }, a.podIface);
      } else if (ingress) {
        drop('ingress', 'input', { iif: a.podIface }, a.podIface);
      }
      if (egress) drop('egress', 'output', { oif: a.podIface, ownerUid: uid }, a.podIface);
    }
  }
  return { binding, layer: binding === 'bridge' ? 'bridged' : 'routed', rules, names: runNames(input.tag.runId), tag: input.tag };
}
