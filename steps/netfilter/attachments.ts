/**
 * A VM interface as the launcher namespace shows it (an "attachment"), found from its links and
 * default routes, and which attachments a run filters. Pure, so it is unit-tested on records.
 *
 * KubeVirt's names: bridge `k6t-<pod iface>` (or `k6t-<hash>`), tap `tap0` (or `tap<hash>`);
 * with the bridge binding the pod interface is renamed `<name>-nic` and made a bridge port.
 */
import { isRelayBinding, type FilterableBinding } from './binding.js';
import type { LinkRecord } from './links.js';

/** One VM interface: where its packets enter and leave the launcher namespace. */
export interface Attachment {
  /**
   * The pod-network side: the routed interface (masquerade, passt, slirp) or the bridge port
   * towards the pod network (bridge binding).
   */
  readonly podIface: string;
  /** The `k6t-*` bridge (masquerade, bridge). */
  readonly bridge?: string;
  /** The tap the VM is attached to (masquerade, bridge). */
  readonly tap?: string;
}

/** The namespace does not look like the launcher of a VM with this binding. */
export class DetectionError extends Error {}
DetectionError.prototype.name = 'DetectionError';

const isTap = (l: LinkRecord): boolean => l.kind === 'tun' || /^tap/.test(l.name);

/** The names a user may call an attachment by: the pod side ("eth0" for "eth0-nic" too), bridge, tap. */
function namesOf(a: Attachment): string[] {
  return [a.podIface, a.podIface.replace(/-nic$/, ''), a.bridge ?? '', a.tap ?? ''].filter((n) => n !== '');
}

/**
 * Every attachment of `binding` in a namespace with these links and default-route devices,
 * sorted so the primary one (the pod's default route, else eth0) comes first.
 * @throws DetectionError when there is none.
 */
export function findAttachments(binding: FilterableBinding, links: readonly LinkRecord[], defaultDevices: readonly string[]): Attachment[] {
  const names = new Set(links.map((l) => l.name));
  const found: Attachment[] = [];
  if (isRelayBinding(binding)) {
    // The relay's sockets may use any interface of the pod; the default route's comes first.
    for (const l of links) if (l.name !== 'lo' && l.kind !== 'bridge') found.push({ podIface: l.name });
  } else {
    for (const bridge of links.filter((l) => l.kind === 'bridge' && l.name.startsWith('k6t-'))) {
      const ports = links.filter((l) => l.master === bridge.name);
      const taps = ports.filter(isTap);
      const nics = ports.filter((l) => !isTap(l));
      if (taps.length !== 1) continue; // not (yet) a VM's bridge
      const tap = taps[0]!.name;
      if (binding === 'bridge') {
        if (nics.length !== 1) continue;
        found.push({ podIface: nics[0]!.name, bridge: bridge.name, tap });
      } else {
        // masquerade routes between the bridge and the pod interface k6t-<it> is named after.
        const named = bridge.name.slice('k6t-'.length);
        const podIface = names.has(named) ? named : defaultDevices.find((d) => names.has(d));
        if (podIface !== undefined && nics.length === 0) found.push({ podIface, bridge: bridge.name, tap });
      }
    }
  }
  if (found.length === 0) {
    const what = isRelayBinding(binding)
      ? 'no interface besides lo'
      : binding === 'bridge'
        ? 'no k6t-* bridge with one tap port and one pod-network port'
        : 'no k6t-* bridge with one tap port next to the pod interface';
    throw new DetectionError(`found ${what} (links: ${[...names].join(', ') || 'none'}): this is not the network namespace of a running ${binding} VMI's virt-launcher`);
  }
  const rank = (a: Attachment): number => (defaultDevices.includes(a.podIface) ? 0 : namesOf(a).includes('eth0') ? 1 : 2);
  return found.sort((a, b) => rank(a) - rank(b) || a.podIface.localeCompare(b.podIface));
}

/** The attachments a run filters, and why those. */
export interface Selection {
  readonly attachments: readonly Attachment[];
  readonly reason: string;
}

/**
 * The attachments named in `names` (a pod interface, bridge or tap name each), or the primary
 * attachment when `names` is empty.
 * @throws DetectionError naming the available interfaces when a name matches none.
 */
export function selectAttachments(found: readonly Attachment[], names: readonly string[]): Selection {
  if (names.length === 0) return { attachments: found.slice(0, 1), reason: 'primary interface (scenario names none)' };
  const chosen: Attachment[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    const match = found.find((a) => namesOf(a).includes(name));
    if (match === undefined) unknown.push(name);
    else if (!chosen.includes(match)) chosen.push(match);
  }
  if (unknown.length > 0) {
    const available = found.map((a) => [a.podIface, a.bridge, a.tap].filter(Boolean).join('/')).join(', ');
    throw new DetectionError(`interfaces ${unknown.join(', ')} are not VM interfaces in this namespace; available: ${available}`);
  }
  return { attachments: chosen, reason: `named by the scenario: ${names.join(', ')}` };
}

/**
 * What a run filters in a namespace with these links and default-route devices: every
 * attachment (primary first) and the ones `names` select. The one resolution inject, verify and
 * `plan` share, so that plan prints what inject installs.
 * @throws DetectionError when there is no attachment, or a name matches none.
 */
export function resolveAttachments(
  binding: FilterableBinding,
  links: readonly LinkRecord[],
  defaultDevices: readonly string[],
  names: readonly string[],
): { readonly found: readonly Attachment[]; readonly selection: Selection } {
  const found = findAttachments(binding, links, defaultDevices);
  return { found, selection: selectAttachments(found, names) };
}
