import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BackendUnsuitableError,
  chooseBackend,
  DetectionError,
  findAttachments,
  parseDefaultRouteDevices,
  parseLinks,
  selectAttachments,
  type LinkRecord,
} from '../../steps/netfilter/index.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/netfilter/${name}`, import.meta.url), 'utf8');

describe('parsing ip -json output', () => {
  it('should read links, bridge ports and kinds from a bridge-binding launcher', () => {
    expect(parseLinks(fixture('ip-link-bridge-launcher.json'))).toEqual([
      { name: 'lo' },
      { name: 'k6t-eth0', kind: 'bridge' },
      { name: 'eth0-nic', master: 'k6t-eth0', kind: 'veth' },
      { name: 'tap0', master: 'k6t-eth0', kind: 'veth' },
      { name: 'eth0', kind: 'tun' },
    ]);
  });

  it('should read default route devices, and none from an empty table', () => {
    expect(parseDefaultRouteDevices(fixture('ip-route-default-masquerade.json'))).toEqual(['eth0']);
    expect(parseDefaultRouteDevices(fixture('ip-route-default-bridge-empty.json'))).toEqual([]);
    expect(parseDefaultRouteDevices('')).toEqual([]);
  });

  it('should reject output that is not the JSON asked for', () => {
    expect(() => parseLinks('Error: ...')).toThrow('unexpected output of ip -j -d link show: Error: ...');
  });
});

describe('findAttachments', () => {
  it('should find the masquerade bridge, its tap and the pod interface it is named after', () => {
    const links = parseLinks(fixture('ip-link-masquerade-launcher.json'));
    expect(findAttachments('masquerade', links, ['eth0', 'eth0'])).toEqual([{ podIface: 'eth0', bridge: 'k6t-eth0', tap: 'tap0' }]);
  });

  it('should find the bridge binding\'s tap and pod-network port, though the launcher has no default route', () => {
    const links = parseLinks(fixture('ip-link-bridge-launcher.json'));
    expect(findAttachments('bridge', links, [])).toEqual([{ podIface: 'eth0-nic', bridge: 'k6t-eth0', tap: 'tap0' }]);
  });

  it('should order several attachments primary first (eth0), then by name', () => {
    const links: LinkRecord[] = [
      { name: 'k6t-net1', kind: 'bridge' },
      { name: 'tap1', master: 'k6t-net1', kind: 'tun' },
      { name: 'net1-nic', master: 'k6t-net1', kind: 'veth' },
      { name: 'k6t-eth0', kind: 'bridge' },
      { name: 'tap0', master: 'k6t-eth0', kind: 'tun' },
      { name: 'eth0-nic', master: 'k6t-eth0', kind: 'veth' },
    ];
    const found = findAttachments('bridge', links, []);
    expect(found.map((a) => a.tap)).toEqual(['tap0', 'tap1']);
    expect(selectAttachments(found, [])).toEqual({ attachments: [found[0]], reason: 'primary interface (scenario names none)' });
    expect(selectAttachments(found, ['net1', 'tap0', 'k6t-eth0'])).toEqual({ attachments: [found[1], found[0]], reason: 'named by the scenario: net1, tap0, k6t-eth0' });
    expect(() => selectAttachments(found, ['eth9'])).toThrow(new DetectionError('interfaces eth9 are not VM interfaces in this namespace; available: eth0-nic/k6t-eth0/tap0, net1-nic/k6t-net1/tap1'));
  });

  it('should offer every pod interface to passt, the default route\'s first, else eth0', () => {
    const links: LinkRecord[] = [{ name: 'lo' }, { name: 'net1', kind: 'veth' }, { name: 'eth0', kind: 'veth' }];
    expect(findAttachments('passt', links, ['net1', 'net1'])).toEqual([{ podIface: 'net1' }, { podIface: 'eth0' }]);
    expect(findAttachments('slirp', links, [])).toEqual([{ podIface: 'eth0' }, { podIface: 'net1' }]);
  });

  it('should say why a namespace is not a launcher of the binding', () => {
    const links = parseLinks(fixture('ip-link-masquerade-launcher.json'));
    expect(() => findAttachments('bridge', links, ['eth0'])).toThrow(
      new DetectionError('found no k6t-* bridge with one tap port and one pod-network port (links: lo, eth0, k6t-eth0, tap0): this is not the network namespace of a running bridge VMI\'s virt-launcher'),
    );
    expect(() => findAttachments('passt', [{ name: 'lo' }], [])).toThrow('found no interface besides lo (links: lo)');
  });
});

describe('chooseBackend', () => {
  const both = { nft: true, iptables: true };
  const seen = { bridgeNfCall: { ipv4: true, ipv6: true } };
  const blind = { bridgeNfCall: { ipv4: false, ipv6: true } };
  const bridged = { layer: 'bridged', binding: 'bridge' } as const;
  const routed = { layer: 'routed', binding: 'masquerade' } as const;

  it('should prefer nftables on auto, and fall back to iptables where it sees the traffic', () => {
    expect(chooseBackend('auto', bridged, blind, both).backend).toBe('nftables');
    expect(chooseBackend('auto', routed, blind, { nft: false, iptables: true })).toEqual({ backend: 'iptables', reason: 'auto: nft is not installed; iptables sees this traffic' });
    expect(chooseBackend('iptables', bridged, seen, both)).toEqual({ backend: 'iptables', reason: 'requested' });
  });

  it('should refuse a backend that cannot see bridged frames instead of leaking', () => {
    expect(() => chooseBackend('iptables', bridged, blind, both)).toThrow(
      new BackendUnsuitableError("iptables cannot see the bridge guest's bridged frames here: net.bridge.bridge-nf-call-iptables is 0 (or br_netfilter is absent); rules there would leak everything. Use --backend nftables (the bridge family needs no br_netfilter)"),
    );
    expect(() => chooseBackend('auto', bridged, blind, { nft: false, iptables: true })).toThrow(/which is not installed$/);
  });

  it('should refuse a backend that is not installed', () => {
    expect(() => chooseBackend('nftables', routed, seen, { nft: false, iptables: true })).toThrow('--backend nftables: nft is not installed');
    expect(() => chooseBackend('auto', routed, seen, { nft: false, iptables: false })).toThrow('--backend auto: neither nft nor iptables-restore/ip6tables-restore are installed');
  });
});
