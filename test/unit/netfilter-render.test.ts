import { describe, expect, it } from 'vitest';
import { createText, formatTag, parseTag, planRules, removeText, renderIptables, renderNft, replaceText, runNames, type PlanInput } from '../../steps/netfilter/index.js';

const tag = { runId: 'run-1', expiresAt: 1_800_000_420, vmi: 'ns/vm' };
const NOW = 1_800_000_000;
const H = runNames('run-1').hash;
const TAG = `vmi-network-filter run=run-1 expires=1800000420 vmi=ns/vm`;
const masquerade: PlanInput = { binding: 'masquerade', attachments: [{ podIface: 'eth0', bridge: 'k6t-eth0', tap: 'tap0' }], ingress: true, egress: true, ports: [53], protocols: ['tcp', 'udp'], tag };

describe('renderNft', () => {
  it('should render one inet table whose protocol set times out at the expiry', () => {
    const r = renderNft(planRules(masquerade), NOW);
    expect(r.family).toBe('inet');
    expect(r.table).toBe(`vnf_${H}`);
    expect(r.create).toBe(
      [
        `create table inet vnf_${H} { comment "${TAG}"; }`,
        `table inet vnf_${H} {`,
        '\tset protocols {',
        '\t\ttype inet_proto',
        '\t\tflags timeout',
        '\t\telements = { tcp timeout 420s, udp timeout 420s }',
        '\t}',
        '\tset first_drop {',
        '\t\ttype inet_proto',
        '\t\tflags dynamic,timeout',
        '\t\ttimeout 420s',
        '\t}',
        '\tset last_drop {',
        '\t\ttype inet_proto',
        '\t\tflags dynamic,timeout',
        '\t\ttimeout 420s',
        '\t}',
        '\tchain forward {',
        '\t\ttype filter hook forward priority filter; policy accept;',
        '\t\tiifname "k6t-eth0" oifname "eth0" meta l4proto @protocols th dport 53 add @first_drop { meta l4proto } update @last_drop { meta l4proto } counter drop comment "egress eth0"',
        '\t\tiifname "eth0" oifname "k6t-eth0" meta l4proto @protocols th dport 53 add @first_drop { meta l4proto } update @last_drop { meta l4proto } counter drop comment "ingress eth0"',
        '\t}',
        '}',
        '',
      ].join('\n'),
    );
    expect(r.replace.split('\n').slice(0, 4)).toEqual([`table inet vnf_${H}`, `delete table inet vnf_${H}`, `table inet vnf_${H} {`, `\tcomment "${TAG}"`]);
    expect(r.expected).toEqual({ forward: ['egress eth0', 'ingress eth0'] });
  });

  it('should use the bridge family for bridged guests, all ports', () => {
    const r = renderNft(planRules({ ...masquerade, binding: 'bridge', attachments: [{ podIface: 'eth0-nic', bridge: 'k6t-eth0', tap: 'tap0' }], ports: [], protocols: ['udp'] }), NOW);
    expect(r.family).toBe('bridge');
    expect(r.create).toContain('\t\tiifname "tap0" meta l4proto @protocols add @first_drop { meta l4proto } update @last_drop { meta l4proto } counter drop comment "egress tap0"\n\t\toifname "tap0" meta l4proto @protocols add @first_drop { meta l4proto } update @last_drop { meta l4proto } counter drop comment "ingress tap0"\n');
    expect(r.create).toContain('elements = { udp timeout 420s }');
  });

  it('should record the first and last drop in two dynamic sets timing out with the protocols, bridge family too', () => {
    const r = renderNft(planRules({ ...masquerade, binding: 'bridge', attachments: [{ podIface: 'eth0-nic', bridge: 'k6t-eth0', tap: 'tap0' }], protocols: ['udp'] }), NOW + 0.7);
    expect(r.create).toContain(
      '\t\telements = { udp timeout 419300ms }\n\t}\n' +
        '\tset first_drop {\n\t\ttype inet_proto\n\t\tflags dynamic,timeout\n\t\ttimeout 419300ms\n\t}\n' +
        '\tset last_drop {\n\t\ttype inet_proto\n\t\tflags dynamic,timeout\n\t\ttimeout 419300ms\n\t}\n\tchain forward {\n',
    );
    expect(r.create).toContain('\t\tiifname "tap0" meta l4proto @protocols th dport 53 add @first_drop { meta l4proto } update @last_drop { meta l4proto } counter drop comment "egress tap0"\n');
    expect(r.replace).toContain('\tset last_drop {\n');
  });

  it('should mark launcher-local connections with one ct mark bit and spare them (passt, all ports)', () => {
    const r = renderNft(planRules({ ...masquerade, binding: 'passt', attachments: [{ podIface: 'eth0' }], relayUid: 107, ports: [80, 443] , egress: false }), NOW);
    expect(r.create).toContain('iifname "eth0" meta l4proto @protocols th dport { 80, 443 } add @first_drop { meta l4proto } update @last_drop { meta l4proto } counter drop comment "ingress eth0"');
    const all = renderNft(planRules({ ...masquerade, binding: 'passt', attachments: [{ podIface: 'eth0' }], relayUid: 107, ports: [] }), NOW);
    expect(all.create).toContain('\tchain output {\n\t\ttype filter hook output priority filter; policy accept;\n\t\toifname "eth0" meta skuid != 107 ct mark set ct mark | 0x20000000 comment "mark-local eth0"\n\t\toifname "eth0" meta skuid 107 meta l4proto @protocols add @first_drop { meta l4proto } update @last_drop { meta l4proto } counter drop comment "egress eth0"\n\t}');
    expect(all.create).toContain('\t\tiifname "eth0" ct mark & 0x20000000 != 0x20000000 meta l4proto @protocols add @first_drop { meta l4proto } update @last_drop { meta l4proto } counter drop comment "ingress eth0"');
  });

  it('should count the timeout to the millisecond, so the elements vanish at the deadline itself', () => {
    expect(renderNft(planRules(masquerade), NOW + 0.7).create).toContain('elements = { tcp timeout 419300ms, udp timeout 419300ms }');
  });

  it('should render a passed deadline as a 1 ms timeout, never 0 (which nft reads as no timeout)', () => {
    expect(renderNft(planRules(masquerade), tag.expiresAt + 60).create).toContain('elements = { tcp timeout 1ms, udp timeout 1ms }');
  });

  it('should bound each drop rule to the fault window in Unix seconds (no timezone), and record the window in the tag', () => {
    const windowed = { ...tag, window: { start: 1_800_000_300, end: 1_800_000_360 } };
    const r = renderNft(planRules({ ...masquerade, tag: windowed }), NOW);
    expect(r.create).toContain(
      '\t\tiifname "k6t-eth0" oifname "eth0" meta l4proto @protocols th dport 53 meta time >= 1800000300 meta time < 1800000360 add @first_drop { meta l4proto } update @last_drop { meta l4proto } counter drop comment "egress eth0"\n' +
        '\t\tiifname "eth0" oifname "k6t-eth0" meta l4proto @protocols th dport 53 meta time >= 1800000300 meta time < 1800000360 add @first_drop { meta l4proto } update @last_drop { meta l4proto } counter drop comment "ingress eth0"\n',
    );
    expect(r.create).toContain('comment "vmi-network-filter run=run-1 expires=1800000420 window=1800000300-1800000360 vmi=ns/vm"');
    // The deadline still bounds everything: the set's elements go at expiresAt, after the window.
    expect(r.create).toContain('elements = { tcp timeout 420s, udp timeout 420s }');
  });

  it('should leave the mark-local rule outside the window, so connections opened before it are spared in it (passt)', () => {
    const windowed = { ...tag, window: { start: 1_800_000_300, end: 1_800_000_360 } };
    const r = renderNft(planRules({ ...masquerade, binding: 'passt', attachments: [{ podIface: 'eth0' }], relayUid: 107, ports: [], tag: windowed }), NOW);
    expect(r.create).toContain('\t\toifname "eth0" meta skuid != 107 ct mark set ct mark | 0x20000000 comment "mark-local eth0"\n');
    expect(r.create).toContain('\t\tiifname "eth0" ct mark & 0x20000000 != 0x20000000 meta l4proto @protocols meta time >= 1800000300 meta time < 1800000360 add @first_drop { meta l4proto } update @last_drop { meta l4proto } counter drop comment "ingress eth0"');
  });
});

describe('renderIptables', () => {
  it('should put the rules in a run chain reached by a tagged jump whose last second is the one before the deadline', () => {
    const r = renderIptables(planRules(masquerade), 'ipv6');
    expect(createText(r)).toBe(
      [
        '*filter',
        `-N VNF-${H}-FWD`,
        `-A VNF-${H}-FWD -i k6t-eth0 -o eth0 -p tcp --dport 53 -m comment --comment "egress eth0" -j DROP`,
        `-A VNF-${H}-FWD -i k6t-eth0 -o eth0 -p udp --dport 53 -m comment --comment "egress eth0" -j DROP`,
        `-A VNF-${H}-FWD -i eth0 -o k6t-eth0 -p tcp --dport 53 -m comment --comment "ingress eth0" -j DROP`,
        `-A VNF-${H}-FWD -i eth0 -o k6t-eth0 -p udp --dport 53 -m comment --comment "ingress eth0" -j DROP`,
        `-I FORWARD 1 -m comment --comment "${TAG}" -m time --datestop 2027-01-15T08:06:59 -j VNF-${H}-FWD`,
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  it('should match bridged frames with physdev and split more than 15 ports over multiport rules', () => {
    const ports = Array.from({ length: 17 }, (_, i) => 1000 + i);
    const r = renderIptables(planRules({ ...masquerade, binding: 'bridge', attachments: [{ podIface: 'eth0-nic', bridge: 'k6t-eth0', tap: 'tap0' }], ports, protocols: ['tcp'] }), 'ipv4');
    expect(r.rules.map((x) => x.spec)).toEqual([
      `-m physdev --physdev-in tap0 -p tcp -m multiport --dports ${ports.slice(0, 15).join(',')} -m comment --comment "egress tap0" -j DROP`,
      '-m physdev --physdev-in tap0 -p tcp -m multiport --dports 1015,1016 -m comment --comment "egress tap0" -j DROP',
      `-m physdev --physdev-is-bridged --physdev-out tap0 -p tcp -m multiport --dports ${ports.slice(0, 15).join(',')} -m comment --comment "ingress tap0" -j DROP`,
      '-m physdev --physdev-is-bridged --physdev-out tap0 -p tcp -m multiport --dports 1015,1016 -m comment --comment "ingress tap0" -j DROP',
    ]);
  });

  it('should scope passt rules by owner and connmark, with a chain per hook', () => {
    const r = renderIptables(planRules({ ...masquerade, binding: 'passt', attachments: [{ podIface: 'eth0' }], relayUid: 107, ports: [], protocols: ['udp'] }), 'ipv4');
    expect(r.chains).toEqual([`VNF-${H}-OUT`, `VNF-${H}-IN`]);
    expect(r.rules.map((x) => `${x.chain} ${x.spec}`)).toEqual([
      `VNF-${H}-OUT -o eth0 -m owner ! --uid-owner 107 -m comment --comment "mark-local eth0" -j CONNMARK --or-mark 0x20000000`,
      `VNF-${H}-IN -i eth0 -m connmark ! --mark 0x20000000/0x20000000 -p udp -m comment --comment "ingress eth0" -j DROP`,
      `VNF-${H}-OUT -o eth0 -m owner --uid-owner 107 -p udp -m comment --comment "egress eth0" -j DROP`,
    ]);
    expect(r.jumps.map((j) => j.builtin)).toEqual(['OUTPUT', 'INPUT']);
  });

  it('should replace an earlier set of the run and remove exactly what exists, jumps first', () => {
    const r = renderIptables(planRules(masquerade), 'ipv4');
    const existing = {
      chains: [`VNF-${H}-FWD`, `VNF-${H}-IN`],
      jumps: [
        { chain: 'FORWARD', spec: `-m comment --comment "old" -j VNF-${H}-FWD`, packets: 0, bytes: 0 },
        { chain: 'INPUT', spec: `-j VNF-${H}-IN`, packets: 0, bytes: 0 },
      ],
    };
    expect(replaceText(r, existing).split('\n').slice(0, 6)).toEqual([
      '*filter',
      `-D FORWARD -m comment --comment "old" -j VNF-${H}-FWD`,
      `-D INPUT -j VNF-${H}-IN`,
      `-F VNF-${H}-FWD`,
      `-F VNF-${H}-IN`,
      `-X VNF-${H}-IN`,
    ]);
    expect(replaceText(r, existing)).not.toContain(`-N VNF-${H}-FWD`);
    expect(removeText(existing)).toBe(['*filter', `-D FORWARD -m comment --comment "old" -j VNF-${H}-FWD`, `-D INPUT -j VNF-${H}-IN`, `-F VNF-${H}-FWD`, `-F VNF-${H}-IN`, `-X VNF-${H}-FWD`, `-X VNF-${H}-IN`, 'COMMIT', ''].join('\n'));
    expect(removeText({ chains: [], jumps: [] })).toBeUndefined();
  });
});

describe('renderIptables with a fault window', () => {
  it('should bound each drop rule to the window in UTC whole seconds, through the second before its end', () => {
    const windowed = { ...tag, window: { start: 1_800_000_000, end: 1_800_000_060 } };
    const r = renderIptables(planRules({ ...masquerade, tag: windowed, protocols: ['udp'] }), 'ipv4');
    expect(r.rules.map((x) => x.spec)).toEqual([
      '-i k6t-eth0 -o eth0 -p udp --dport 53 -m time --datestart 2027-01-15T08:00:00 --datestop 2027-01-15T08:00:59 -m comment --comment "egress eth0" -j DROP',
      '-i eth0 -o k6t-eth0 -p udp --dport 53 -m time --datestart 2027-01-15T08:00:00 --datestop 2027-01-15T08:00:59 -m comment --comment "ingress eth0" -j DROP',
    ]);
    // The jump keeps the deadline: the run's chain is reached until expiresAt, whatever the window.
    expect(r.jumps[0]!.spec).toBe(`-m comment --comment "vmi-network-filter run=run-1 expires=1800000420 window=1800000000-1800000060 vmi=ns/vm" -m time --datestop 2027-01-15T08:06:59 -j VNF-${H}-FWD`);
  });

  it('should refuse a window that is not whole seconds, is empty or ends after the deadline', () => {
    for (const window of [{ start: 1_800_000_000.5, end: 1_800_000_060 }, { start: 1_800_000_060, end: 1_800_000_060 }, { start: 1_800_000_000, end: 1_800_000_421 }]) {
      expect(() => planRules({ ...masquerade, tag: { ...tag, window } })).toThrow(/^the fault window .* must be whole Unix seconds, start before end, ending by the deadline 1800000420$/);
    }
  });
});

describe('tags', () => {
  it('should round-trip a window, and still read tags written without one', () => {
    const windowed = { ...tag, window: { start: 1_800_000_300, end: 1_800_000_360 } };
    expect(parseTag(formatTag(windowed))).toEqual(windowed);
    const made = { ...windowed, made: 'table' as const };
    expect(formatTag(made)).toContain(' made=table vmi=');
    expect(parseTag(formatTag(made))).toEqual(made);
    expect(parseTag('vmi-network-filter run=old expires=1700000000 vmi=ns/vm')).toEqual({ runId: 'old', expiresAt: 1_700_000_000, vmi: 'ns/vm' });
  });

  it('should round-trip, keeping only name characters of the VMI', () => {
    expect(formatTag({ runId: 'r', expiresAt: 5, vmi: 'ns/vm"; drop' })).toBe('vmi-network-filter run=r expires=5 vmi=ns/vm___drop');
    expect(parseTag(formatTag(tag))).toEqual(tag);
    expect(parseTag('foreign rule')).toBeUndefined();
  });

  it('should cut long VMI names, never the run id or expiry', () => {
    const text = formatTag({ runId: 'a'.repeat(63), expiresAt: 1_800_000_000, vmi: `${'n'.repeat(63)}/${'v'.repeat(200)}` });
    expect(text.length).toBe(128);
    expect(parseTag(text)).toMatchObject({ runId: 'a'.repeat(63), expiresAt: 1_800_000_000 });
  });

  it('should derive stable names that fit iptables\' 28 characters', () => {
    const names = runNames('0f9c3e4a-7b1d-4c2e-9f8a-6b5c4d3e2f1a');
    expect(names.chains.every((c) => c.length <= 28)).toBe(true);
    expect(names.table).toMatch(/^vnf_[0-9a-f]{12}$/);
    expect(runNames('0f9c3e4a-7b1d-4c2e-9f8a-6b5c4d3e2f1a').hash).toBe(names.hash);
    expect(runNames('other').hash).not.toBe(names.hash);
  });
});
