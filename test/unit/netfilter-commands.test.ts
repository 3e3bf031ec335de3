/**
 * The node-engine commands' input handling, in process through the root CLI (no namespace is
 * touched: every case fails, or prints, before any netns access).
 */
import { describe, expect, it } from 'vitest';
import { run } from '../../cli/main.js';
import type { Io } from '../../core/io.js';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), env: {} };
  const code = await run(args, io);
  return { code, out, err };
}

const target = (extra: Record<string, unknown> = {}): string =>
  `--target=${JSON.stringify({ namespace: 'ns', name: 'vm', uid: 'a1b2', node: 'n1', launcherPod: 'virt-launcher-vm-x', launcherPodUid: 'c3d4', binding: 'masquerade', ...extra })}`;

describe('node step input', () => {
  it.each([
    ['sriov', "the VM owns a virtual function of the node's NIC (PCI passthrough)"],
    ['macvtap', "the guest's macvtap device hangs off a host interface"],
  ])('should refuse the %s binding with exit 2, saying why', async (binding, why) => {
    const r = await cli(['step', 'inject', target({ binding }), '--run-id=r1', '--netns=/nonexistent', '--scenario={"namespace":"ns"}']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^error: binding ${binding} is refused: ${why.replace(/[()]/g, '\\$&')}`));
    expect(JSON.parse(r.out.trim().split('\n').at(-1)!)).toMatchObject({ level: 'error', step: 'inject', error: 'BindingRefusedError' });
  });

  it('should reject a target that is not one of select\'s, naming every bad field', async () => {
    const r = await cli(['step', 'verify', target({ binding: 'tap', node: 'Bad Node' }), '--run-id=r1']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('error: --target: node: must be a DNS-1123 name; binding: ');
  });

  it('should need a launcher pod UID or --netns', async () => {
    const r = await cli(['step', 'rollback', target({ launcherPodUid: undefined }), '--run-id=r1']);
    expect(r).toMatchObject({ code: 2, err: 'error: --target has no launcherPodUid, so the launcher cannot be found; give it, or --netns\n' });
  });

  it('should reject a run id that could carry syntax into rules', async () => {
    const r = await cli(['step', 'rollback', target(), '--run-id=a b"c', '--netns=/nonexistent']);
    expect(r).toMatchObject({ code: 2, err: 'error: --run-id: run id "a b"c" must be 1-63 letters, digits, \'-\', \'_\' or \'.\', starting with a letter or digit\n' });
  });

  it('should reject an unknown backend', async () => {
    const r = await cli(['step', 'inject', target(), '--run-id=r1', '--backend=ebtables']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("error: option '--backend <backend>' argument 'ebtables' is invalid. Allowed choices are auto, iptables, nftables.");
  });

  it('should need something to sweep, and a Unix time for --now', async () => {
    expect(await cli(['step', 'sweep'])).toMatchObject({ code: 2, err: 'error: sweep needs --netns PATH (repeatable), --netns-dir DIR or --all-launchers\n' });
    expect(await cli(['step', 'sweep', '--netns=/nonexistent', '--now=yesterday'])).toMatchObject({ code: 2, err: 'error: --now must be a Unix time in seconds, not "yesterday"\n' });
  });

  it('should refuse an inject whose deadline (--now + test_duration + expiry_grace) is past, before touching anything', async () => {
    const r = await cli(['step', 'inject', target(), '--run-id=r1', '--netns=/nonexistent', '--now=1000000000', '--scenario={"namespace":"ns","test_duration":3,"expiry_grace":2}']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^error: the deadline 2001-09-09T01:46:45Z \(inject time 2001-09-09T01:46:40Z \+ test_duration 3 s \+ expiry_grace 2 s\) is \d+ s in the past by the node's clock \(20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ\): the kernel would never apply the rules; check --now and the node's clock\n$/,
    );
    expect(JSON.parse(r.out.trim().split('\n').at(-1)!)).toMatchObject({ level: 'error', step: 'inject', error: 'DeadlinePassedError' });
  });

  it('should take --now of inject only as a Unix time', async () => {
    expect(await cli(['step', 'inject', target(), '--run-id=r1', '--netns=/nonexistent', '--now=soon', '--scenario={"namespace":"ns"}'])).toMatchObject({ code: 2, err: 'error: --now must be a Unix time in seconds, not "soon"\n' });
  });

  it('should report a vanished --netns as swept, with nothing removed', async () => {
    const r = await cli(['step', 'sweep', '--netns=/nonexistent-netns', '--now=1']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out.trim().split('\n').at(-1)!)).toMatchObject({ msg: 'swept 1 namespaces', removed: 0 });
  });
});

describe('plan', () => {
  it('should print both backends\' rules for a binding without touching anything', async () => {
    const r = await cli(['plan', '--namespace=ns', '--binding=bridge', '--ports=53', '--egress=false', '--run-id=demo']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('# bridge: k6t-eth0 / tap0 / eth0-nic; ingress=true egress=false ports=53 protocols=tcp,udp\n# nftables: nft -f -\ncreate table bridge vnf_');
    expect(r.out).toContain('\t\toifname "tap0" meta l4proto @protocols th dport 53 add @first_drop { meta l4proto } update @last_drop { meta l4proto } counter drop comment "ingress tap0"\n');
    expect(r.out).toContain('# iptables (ipv6): ip6tables-restore --noflush (sees bridged frames only with bridge-nf-call-iptables=1)\n*filter\n');
    expect(r.out).toContain('-m physdev --physdev-is-bridged --physdev-out tap0 -p udp --dport 53 -m comment --comment "ingress tap0" -j DROP');
  });

  it('should print one backend when asked, and the relay uid for passt', async () => {
    const r = await cli(['plan', '--namespace=ns', '--binding=passt', '--backend=iptables', '--relay-uid=107']);
    expect(r.out).not.toContain('nft -f');
    expect(r.out).toContain('-o eth0 -m owner --uid-owner 107 -p tcp -m comment --comment "egress eth0" -j DROP');
  });

  it('should time the rules out after test_duration + expiry_grace', async () => {
    const r = await cli(['plan', '--namespace=ns', '--binding=masquerade', '--backend=nftables', '--chaos-duration=10', '--expiry-grace=5']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('\t\telements = { tcp timeout 15s, udp timeout 15s }\n');
  });

  it('should refuse sriov and a bad relay uid with exit 2', async () => {
    expect((await cli(['plan', '--namespace=ns', '--binding=sriov'])).code).toBe(2);
    expect(await cli(['plan', '--namespace=ns', '--binding=passt', '--relay-uid=qemu'])).toMatchObject({ code: 2, err: 'error: --relay-uid must be a uid, not "qemu"\n' });
  });
});
