/**
 * What the node steps read when they find a launcher among the pinned namespaces: socket owners
 * (`ss -e`), addresses (`ip -j addr`), the pod's IPs from the API, and the targets carrying them.
 * Recorded output of this machine's iproute2 6.1.
 */
import { describe, expect, it } from 'vitest';
import { canonicalIp, parseAddresses, parseSocketOwners } from '../../steps/netfilter/index.js';
import { checkTargets, InvalidApiValuesError, toLauncherPodRecord } from '../../kube/index.js';
import { targetSchema } from '../../kube/target.js';

const SS = `udp UNCONN 0      0              *:5353       *:* uid:107 ino:2528837 sk:1021 cgroup:/ v6only:0 <->
tcp LISTEN 0      511    127.0.0.1:9090 0.0.0.0:* ino:2529771 sk:1022 cgroup:/ <->
tcp LISTEN 0      511            *:8080       *:* uid:107 ino:2528836 sk:1023 cgroup:/ v6only:0 <->
Failed to find cgroup2 mount
`;

const TARGET = {
  namespace: 'prod',
  name: 'vm-1',
  uid: '6f1c1b7e-0000-4000-8000-00000000000a',
  node: 'worker-1',
  launcherPod: 'virt-launcher-vm-1-x7k2p',
  launcherPodUid: '0b6c2f9e-5d4a-4c1b-9e8f-7a6b5c4d3e2f',
  binding: 'passt',
};

describe('pinned-namespace discovery: parsing', () => {
  it("should read each socket's owner, root's sockets (no uid: field) as uid 0", () => {
    expect(parseSocketOwners(SS)).toEqual([
      { protocol: 'udp', state: 'UNCONN', local: '*:5353', uid: 107 },
      { protocol: 'tcp', state: 'LISTEN', local: '127.0.0.1:9090', uid: 0 },
      { protocol: 'tcp', state: 'LISTEN', local: '*:8080', uid: 107 },
    ]);
  });

  it('should read every local address of every device, both families', () => {
    const json = JSON.stringify([
      { ifindex: 1, ifname: 'lo', addr_info: [{ family: 'inet', local: '127.0.0.1' }, { family: 'inet6', local: '::1' }] },
      { ifindex: 2, ifname: 'eth0', addr_info: [{ family: 'inet', local: '10.244.0.10' }, { family: 'inet6', local: 'fd00:10:244::10' }] },
      { ifindex: 3, ifname: 'tap0', addr_info: [] },
    ]);
    expect(parseAddresses(json)).toEqual(['127.0.0.1', '::1', '10.244.0.10', 'fd00:10:244::10']);
    expect(parseAddresses('')).toEqual([]);
  });

  it('should compare IPv6 addresses in one form whatever their spelling', () => {
    expect(canonicalIp('FD00:0010:0244:0000:0000:0000:0000:0010')).toBe('fd00:10:244::10');
    expect(canonicalIp('fd00:10:244::10')).toBe('fd00:10:244::10');
    expect(canonicalIp('10.244.0.10')).toBe('10.244.0.10');
  });
});

describe('the launcher pod IPs a target carries', () => {
  const pod = (status: Record<string, unknown>) => ({
    metadata: { namespace: 'prod', name: 'virt-launcher-vm-1-x7k2p', uid: TARGET.launcherPodUid, labels: { 'kubevirt.io/created-by': TARGET.uid } },
    spec: { nodeName: 'worker-1' },
    status: { phase: 'Running', ...status },
  });

  it('should take status.podIPs (dual stack), status.podIP when alone, and nothing before the sandbox has a network', () => {
    expect(toLauncherPodRecord(pod({ podIP: '10.244.0.10', podIPs: [{ ip: '10.244.0.10' }, { ip: 'fd00:10:244::10' }] }))?.ips).toEqual(['10.244.0.10', 'fd00:10:244::10']);
    expect(toLauncherPodRecord(pod({ podIP: '10.244.0.10' }))?.ips).toEqual(['10.244.0.10']);
    expect(toLauncherPodRecord(pod({}))).not.toHaveProperty('ips');
  });

  it('should refuse a target whose pod IP is no IP address', () => {
    expect(targetSchema.safeParse({ ...TARGET, launcherPodIPs: ['10.244.0.10', 'fd00::1'] }).success).toBe(true);
    for (const bad of ['10.244.0.256', '$(id)', '{{workflow.uid}}', '10.0.0.1\n', 'host.example']) {
      expect(targetSchema.safeParse({ ...TARGET, launcherPodIPs: [bad] }).success, bad).toBe(false);
    }
    expect(targetSchema.safeParse({ ...TARGET, launcherPodIPs: [] }).success).toBe(false);
  });

  it('should stop select before it writes a forged pod IP, naming the VMI and the field', () => {
    const forged = { ...TARGET, binding: 'passt' as const, launcherPodIPs: ['{{workflow.uid}}'] };
    expect(() => checkTargets([forged])).toThrow(InvalidApiValuesError);
    expect(() => checkTargets([forged])).toThrow(/virtualmachineinstances.kubevirt.io "vm-1" in namespace "prod": its virt-launcher pod's status.podIPs "\{\{workflow.uid\}\}" must be an IP address/);
  });
});
