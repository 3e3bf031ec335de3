/**
 * What a namespace shows of itself: links, default routes, and whether bridged frames reach
 * iptables (bridge-nf-call-*). Read with a few parallel `ip`/`cat` runs inside it.
 */
import type { Netns } from './netns.js';
import { parseDefaultRouteDevices, parseLinks, type LinkRecord } from './links.js';
import { SpawnError } from './spawn.js';

/** The facts detection and backend choice work from. */
export interface NetnsFacts {
  readonly links: readonly LinkRecord[];
  /** Devices of the IPv4 and IPv6 default routes, IPv4 first. */
  readonly defaultDevices: readonly string[];
  /**
   * net.bridge.bridge-nf-call-ip(6)tables in this namespace: whether bridged IPv4/IPv6 frames
   * traverse iptables at all. False when br_netfilter is absent.
   */
  readonly bridgeNfCall: { readonly ipv4: boolean; readonly ipv6: boolean };
}

async function bridgeNfCall(netns: Netns, family: 'iptables' | 'ip6tables'): Promise<boolean> {
  try {
    // /proc/sys/net shows the namespace of the reader, hence read from inside.
    const { stdout } = await netns.run(['cat', `/proc/sys/net/bridge/bridge-nf-call-${family}`]);
    return stdout.trim() === '1';
  } catch (e) {
    if (e instanceof SpawnError) return false; // no br_netfilter: iptables never sees bridged frames
    throw e;
  }
}

/**
 * Reads the facts of `netns`.
 * @throws NetnsGoneError, SpawnError, IpOutputError.
 */
export async function readNetnsFacts(netns: Netns): Promise<NetnsFacts> {
  const [links, v4, v6, ipv4, ipv6] = await Promise.all([
    netns.run(['ip', '-j', '-d', 'link', 'show']),
    netns.run(['ip', '-j', 'route', 'show', 'default']),
    netns.run(['ip', '-j', '-6', 'route', 'show', 'default']),
    bridgeNfCall(netns, 'iptables'),
    bridgeNfCall(netns, 'ip6tables'),
  ]);
  return {
    links: parseLinks(links.stdout),
    defaultDevices: [...parseDefaultRouteDevices(v4.stdout), ...parseDefaultRouteDevices(v6.stdout)],
    bridgeNfCall: { ipv4, ipv6 },
  };
}
