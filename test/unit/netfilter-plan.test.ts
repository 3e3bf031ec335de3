import { describe, expect, it } from 'vitest';
import { planRules, PlanError, runNames, type PlanInput } from '../../steps/netfilter/index.js';

const tag = { runId: 'run-1', expiresAt: 1_800_000_000, vmi: 'ns/vm' };
const masq = { podIface: 'eth0', bridge: 'k6t-eth0', tap: 'tap0' };
const base: PlanInput = { binding: 'masquerade', attachments: [masq], ingress: true, egress: true, ports: [80, 53, 53], protocols: ['udp', 'tcp'], tag };

describe('planRules', () => {
  it('should drop masquerade traffic in FORWARD between the k6t bridge and the pod interface', () => {
    const plan = planRules(base);
    expect(plan.layer).toBe('routed');
    expect(plan.names.table).toBe(runNames('run-1').table);
    expect(plan.rules).toEqual([
      { kind: 'drop', id: 'egress eth0', direction: 'egress', hook: 'forward', iif: 'k6t-eth0', oif: 'eth0', protocols: ['tcp', 'udp'], ports: [53, 80] },
      { kind: 'drop', id: 'ingress eth0', direction: 'ingress', hook: 'forward', iif: 'eth0', oif: 'k6t-eth0', protocols: ['tcp', 'udp'], ports: [53, 80] },
    ]);
  });

  it('should match the bridge binding on the tap as a bridge port, at L2', () => {
    const plan = planRules({ ...base, binding: 'bridge', attachments: [{ podIface: 'eth0-nic', bridge: 'k6t-eth0', tap: 'tap0' }], egress: false, ports: [] });
    expect(plan.layer).toBe('bridged');
    expect(plan.rules).toEqual([{ kind: 'drop', id: 'ingress tap0', direction: 'ingress', hook: 'forward', oif: 'tap0', protocols: ['tcp', 'udp'], ports: [] }]);
  });

  it('should scope passt egress to the relay uid and spare launcher-local replies on all-ports ingress', () => {
    const plan = planRules({ ...base, binding: 'passt', attachments: [{ podIface: 'eth0' }], relayUid: 107, ports: [], protocols: ['tcp'] });
    expect(plan.rules).toEqual([
      { kind: 'mark-local', id: 'mark-local eth0', hook: 'output', oif: 'eth0', relayUid: 107 },
      { kind: 'drop', id: 'ingress eth0', direction: 'ingress', hook: 'input', iif: 'eth0', spareLocal: true, protocols: ['tcp'], ports: [] },
      { kind: 'drop', id: 'egress eth0', direction: 'egress', hook: 'output', oif: 'eth0', ownerUid: 107, protocols: ['tcp'], ports: [] },
    ]);
  });

  it('should need no connection mark for port-scoped passt ingress', () => {
    const plan = planRules({ ...base, binding: 'slirp', attachments: [{ podIface: 'eth0' }], relayUid: 0, egress: false });
    expect(plan.rules).toEqual([{ kind: 'drop', id: 'ingress eth0', direction: 'ingress', hook: 'input', iif: 'eth0', protocols: ['tcp', 'udp'], ports: [53, 80] }]);
  });

  it('should plan every named interface', () => {
    const plan = planRules({ ...base, binding: 'bridge', ingress: false, attachments: [{ podIface: 'eth0-nic', bridge: 'k6t-eth0', tap: 'tap0' }, { podIface: 'net1-nic', bridge: 'k6t-net1', tap: 'tap1' }] });
    expect(plan.rules.map((r) => r.id)).toEqual(['egress tap0', 'egress tap1']);
  });

  it.each([
    [{ ingress: false, egress: false }, 'ingress and egress are both false: nothing to block'],
    [{ attachments: [] }, 'no interface to filter'],
    [{ protocols: [] }, 'protocols must be tcp and/or udp, not '],
    [{ protocols: ['tcp', 'icmp'] }, 'protocols must be tcp and/or udp, not tcp,icmp'],
    [{ ports: [0] }, '0 is not a port (1-65535)'],
    [{ ports: [65536] }, '65536 is not a port (1-65535)'],
    [{ binding: 'passt' }, "binding passt needs the uid of its relay process; without it the rules would also cut the launcher's own traffic"],
    [{ attachments: [{ podIface: 'eth0' }] }, 'masquerade interface eth0 has no k6t bridge'],
    [{ attachments: [{ podIface: 'eth0', bridge: 'k6t-eth0', tap: 'tap0" accept' }] }, 'interface: "tap0" accept" is not a valid interface name (letters, digits, \'-\', \'_\' and \'.\' only, starting with a letter or digit)'],
  ] as [Partial<PlanInput>, string][])('should refuse %j: %s', (change, message) => {
    expect(() => planRules({ ...base, ...change } as PlanInput)).toThrow(new PlanError(message));
  });

  it('should exit 2 on a plan error (bad input)', () => {
    expect(new PlanError('x').exitCode).toBe(2);
  });
});
