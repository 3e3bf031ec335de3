/**
 * The links of a virt-launcher network namespace as KubeVirt names them, for `plan`, which
 * runs nowhere near a node: the pod interface eth0 (primary), plus one VM interface per other
 * interface the scenario names. Masquerade: `<iface>` routed to bridge `k6t-<iface>` with tap
 * `tap<i>`; bridge: `<iface>-nic` and `tap<i>` ports of `k6t-<iface>`, no default route (the IP
 * moved to the VM); passt and slirp: `<iface>` only. Detection then reads these as it reads a real
 * namespace, so a name resolves in plan exactly as in inject (a tap names its VM interface).
 */
import type { FilterableBinding } from './binding.js';
import type { LinkRecord } from './links.js';

/** The pod interface a scenario name stands for; undefined for a tap (tap<i> is a VM interface's, not a new one). */
function podInterfaceOf(name: string): string | undefined {
  if (/^tap\d*$/.test(name)) return undefined;
  return name.replace(/^k6t-/, '').replace(/-nic$/, '');
}

/** Links and default-route devices of the launcher namespace of a VMI with these interfaces. */
export function assumedLauncherFacts(binding: FilterableBinding, names: readonly string[]): { links: LinkRecord[]; defaultDevices: string[] } {
  const pods = ['eth0'];
  for (const name of names) {
    const pod = podInterfaceOf(name);
    if (pod !== undefined && pod !== '' && !pods.includes(pod)) pods.push(pod);
  }
  const links: LinkRecord[] = [{ name: 'lo' }];
  pods.forEach((pod, i) => {
    if (binding === 'passt' || binding === 'slirp') links.push({ name: pod, kind: 'veth' });
    else if (binding === 'bridge') {
      links.push({ name: `k6t-${pod}`, kind: 'bridge' }, { name: `${pod}-nic`, kind: 'veth', master: `k6t-${pod}` }, { name: `tap${i}`, kind: 'tun', master: `k6t-${pod}` });
    } else {
      links.push({ name: pod, kind: 'veth' }, { name: `k6t-${pod}`, kind: 'bridge' }, { name: `tap${i}`, kind: 'tun', master: `k6t-${pod}` });
    }
  });
  return { links, defaultDevices: binding === 'bridge' ? [] : ['eth0'] };
}
