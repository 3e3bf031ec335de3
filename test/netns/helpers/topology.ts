/**
 * Emulated virt-launcher topologies in network namespaces (real veths, bridges, routing, NAT):
 * a node "switch" with a peer pod, an unrelated pod, and two VMIs of the same binding (the one
 * under test and another VMI's launcher on the same node). Namespaces are named
 * vnft-<unique tag>-<role>; nothing outside them is touched. Modelled on ../shared/lab.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

export type TestBinding = 'masquerade' | 'bridge' | 'passt';
export type Role = 'node' | 'peer' | 'other' | 'launcher' | 'guest' | 'launcher2' | 'guest2';

/** uid of the emulated passt process (its sockets carry the guest's traffic). */
export const RELAY_UID = 65534;
export const ECHO = join(dirname(fileURLToPath(import.meta.url)), 'echo.mjs');
export const ADDR = {
  gateway4: '10.244.0.1',
  pod4: '10.244.0.10',
  pod6: 'fd00:10:244::10',
  pod2v4: '10.244.0.11',
  pod2v6: 'fd00:10:244::11',
  peer4: '10.244.0.20',
  peer6: 'fd00:10:244::20',
  other4: '10.244.0.30',
  vmGateway4: '10.0.2.1',
} as const;
/** Ports every echo server listens on (TCP and UDP). */
export const SERVER_PORTS = [53, 80, 443];

let counter = 0;

/** Runs a command synchronously; throws with its stderr. */
export function sh(argv: readonly string[], input?: string): string {
  try {
    return execFileSync(argv[0]!, argv.slice(1), { input: input ?? '', stdio: ['pipe', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (e) {
    const err = e as { stderr?: string; status?: number };
    throw new Error(`${argv.join(' ')} failed (${err.status}): ${err.stderr ?? ''}`);
  }
}

export interface TopologyOptions {
  readonly binding: TestBinding;
  /** bridge only: net.bridge.bridge-nf-call-ip(6)tables in the launchers. @default 1 */
  readonly bridgeNfCall?: 0 | 1;
}

/** A built topology; always call destroy(). */
export interface Topology {
  readonly binding: TestBinding;
  readonly tag: string;
  readonly ns: (role: Role) => string;
  /** /run/netns/<name>: what --netns takes. */
  readonly path: (role: Role) => string;
  /** Runs argv inside `role`'s namespace. */
  readonly exec: (role: Role, argv: readonly string[], input?: string) => string;
  /** Pids of the emulated passt relays (passt binding), by launcher role. */
  readonly relayPids: Partial<Record<Role, number>>;
  readonly destroy: () => Promise<void>;
}

/** Builds the topology of `options.binding`. Tears down what it built when building fails. */
export async function buildTopology(options: TopologyOptions): Promise<Topology> {
  const tag = `${process.pid.toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 5)}`;
  const ns = (role: Role): string => `vnft-${tag}-${role}`;
  const created: Role[] = [];
  const servers: ChildProcess[] = [];
  const bin = mkdtempSync(join(tmpdir(), 'vnft-bin-'));
  chmodSync(bin, 0o755);
  // The relay must be *named* passt (its comm) for detection: a symlink named passt to node.
  symlinkSync(process.execPath, join(bin, 'passt'));
  const relayPids: Partial<Record<Role, number>> = {};
  const ip = (role: Role, ...args: string[]): string => sh(['ip', '-n', ns(role), ...args]);
  const exec = (role: Role, argv: readonly string[], input?: string): string => sh(['nsenter', `--net=/run/netns/${ns(role)}`, '--', ...argv], input);
  const destroy = async (): Promise<void> => {
    for (const s of servers) s.kill('SIGKILL');
    await Promise.all(servers.map((s) => (s.exitCode === null && s.signalCode === null ? new Promise((r) => s.once('exit', r)) : undefined)));
    for (const role of created) {
      try {
        sh(['ip', 'netns', 'del', ns(role)]);
      } catch {
        // already gone (a test deleted it on purpose)
      }
    }
    rmSync(bin, { recursive: true, force: true });
  };

  // /proc/sys/net shows the writer's namespace; tee (coreutils) rather than sysctl (procps,
  // absent from slim images). Each setting is "key=value" in sysctl's dotted notation.
  const sysctl = (role: Role, ...settings: string[]): void => {
    for (const setting of settings) {
      const [key, value] = setting.split('=') as [string, string];
      exec(role, ['tee', `/proc/sys/${key.replace(/\./g, '/')}`], value);
    }
  };
  const mkns = (role: Role): void => {
    sh(['ip', 'netns', 'add', ns(role)]);
    created.push(role);
    ip(role, 'link', 'set', 'lo', 'up');
    sysctl(role, 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0', 'net.ipv6.conf.all.accept_ra=0', 'net.ipv6.conf.default.accept_ra=0');
  };
  const veth = (a: Role, ifa: string, b: Role, ifb: string): void => {
    ip(a, 'link', 'add', ifa, 'type', 'veth', 'peer', 'name', ifb, 'netns', ns(b));
  };
  const addr = (role: Role, dev: string, ...cidrs: string[]): void => {
    for (const cidr of cidrs) ip(role, 'addr', 'add', cidr, 'dev', dev, ...(cidr.includes(':') ? ['nodad'] : []));
  };
  const up = (role: Role, dev: string): void => void ip(role, 'link', 'set', dev, 'up');
  const server = async (role: Role, name: string, ports: readonly number[], asRelay = false): Promise<void> => {
    const argv = ['nsenter', `--net=/run/netns/${ns(role)}`, '--'];
    if (asRelay) argv.push('setpriv', `--reuid=${RELAY_UID}`, `--regid=${RELAY_UID}`, '--clear-groups', join(bin, 'passt'));
    else argv.push(process.execPath);
    const child = spawn(argv[0]!, [...argv.slice(1), ECHO, 'serve', name, ports.join(',')], { stdio: ['ignore', 'pipe', 'pipe'] });
    servers.push(child);
    if (asRelay) relayPids[role] = child.pid!;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server ${name} in ${role} did not start`)), 10_000);
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && (clearTimeout(timer), resolve()));
      child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`server ${name} in ${role} exited (${code})`))));
    });
  };

  try {
    for (const role of ['node', 'peer', 'other'] as const) mkns(role);
    ip('node', 'link', 'add', 'cni0', 'type', 'bridge', 'mcast_snooping', '0');
    addr('node', 'cni0', '10.244.0.1/24', 'fd00:10:244::1/64');
    up('node', 'cni0');
    for (const [role, host, port] of [['peer', '20', 'vpeer'], ['other', '30', 'vother']] as const) {
      veth(role, 'eth0', 'node', port);
      ip('node', 'link', 'set', port, 'master', 'cni0', 'up');
      addr(role, 'eth0', `10.244.0.${host}/24`, `fd00:10:244::${host}/64`);
      up(role, 'eth0');
    }
    const vms: [Role, Role, string][] = [['launcher', 'guest', '10'], ['launcher2', 'guest2', '11']];
    for (const [launcher, guest, host] of vms) {
      mkns(launcher);
      const nodePort = `v${launcher}`.slice(0, 15);
      const podCidrs = [`10.244.0.${host}/24`, `fd00:10:244::${host}/64`];
      if (options.binding === 'bridge') {
        mkns(guest);
        ip(launcher, 'link', 'add', 'k6t-eth0', 'type', 'bridge', 'mcast_snooping', '0');
        addr(launcher, 'k6t-eth0', '169.254.75.10/32');
        up(launcher, 'k6t-eth0');
        veth(launcher, 'eth0-nic', 'node', nodePort);
        ip('node', 'link', 'set', nodePort, 'master', 'cni0', 'up');
        ip(launcher, 'link', 'set', 'eth0-nic', 'master', 'k6t-eth0', 'up');
        ip(launcher, 'link', 'set', 'eth0-nic', 'type', 'bridge_slave', 'learning', 'off');
        veth(launcher, 'tap0', guest, 'eth0');
        ip(launcher, 'link', 'set', 'tap0', 'master', 'k6t-eth0', 'up');
        // KubeVirt keeps the pod IP on a DOWN dummy eth0; no CONFIG_DUMMY here, a carrier-less tap stands in.
        ip(launcher, 'tuntap', 'add', 'dev', 'eth0', 'mode', 'tap');
        addr(launcher, 'eth0', podCidrs[0]!);
        addr(guest, 'eth0', ...podCidrs);
        up(guest, 'eth0');
        ip(guest, 'route', 'add', 'default', 'via', '10.244.0.1');
        const v = String(options.bridgeNfCall ?? 1);
        // arp_ignore=1 as KubeVirt sets it: otherwise the launcher answers ARP for the pod IP it
        // keeps on the dummy, racing the guest's own reply, and the peer may learn the wrong MAC.
        sysctl(launcher, `net.bridge.bridge-nf-call-iptables=${v}`, `net.bridge.bridge-nf-call-ip6tables=${v}`, 'net.ipv4.conf.all.arp_ignore=1');
        continue;
      }
      veth(launcher, 'eth0', 'node', nodePort);
      ip('node', 'link', 'set', nodePort, 'master', 'cni0', 'up');
      addr(launcher, 'eth0', ...podCidrs);
      up(launcher, 'eth0');
      ip(launcher, 'route', 'add', 'default', 'via', '10.244.0.1', 'dev', 'eth0');
      ip(launcher, '-6', 'route', 'add', 'default', 'via', 'fd00:10:244::1', 'dev', 'eth0');
      if (options.binding === 'passt') {
        sysctl(launcher, 'net.ipv4.ip_unprivileged_port_start=0');
        continue;
      }
      mkns(guest);
      ip(launcher, 'link', 'add', 'k6t-eth0', 'type', 'bridge', 'mcast_snooping', '0');
      addr(launcher, 'k6t-eth0', '10.0.2.1/24', 'fd10:0:2::1/120');
      up(launcher, 'k6t-eth0');
      veth(launcher, 'tap0', guest, 'eth0');
      ip(launcher, 'link', 'set', 'tap0', 'master', 'k6t-eth0', 'up');
      addr(guest, 'eth0', '10.0.2.2/24', 'fd10:0:2::2/120');
      up(guest, 'eth0');
      ip(guest, 'route', 'add', 'default', 'via', '10.0.2.1');
      ip(guest, '-6', 'route', 'add', 'default', 'via', 'fd10:0:2::1');
      sysctl(launcher, 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1');
      // KubeVirt's masquerade NAT, reduced to its effect: inbound to the pod IP goes to the guest,
      // the guest's outbound leaves with the pod IP.
      exec(launcher, ['nft', '-f', '-'], ['ip', 'ip6'].map((f) => {
        const guestIp = f === 'ip' ? '10.0.2.2' : 'fd10:0:2::2';
        return `table ${f} nat {
  chain prerouting { type nat hook prerouting priority dstnat; policy accept; iifname "eth0" counter dnat to ${guestIp}; }
  chain postrouting { type nat hook postrouting priority srcnat; policy accept; ${f} saddr ${guestIp} oifname "eth0" counter masquerade; }
}
`;
      }).join(''));
    }

    const starts: Promise<void>[] = [server('peer', 'peer', SERVER_PORTS), server('other', 'other', SERVER_PORTS)];
    for (const [launcher, guest] of vms) {
      const name = guest === 'guest' ? 'guest' : 'guest2';
      if (options.binding === 'passt') starts.push(server(launcher, name, SERVER_PORTS, true));
      else starts.push(server(guest, name, SERVER_PORTS));
    }
    // The launcher's own service the guest talks to (DHCP/DNS proxy stand-in, masquerade).
    if (options.binding === 'masquerade') starts.push(server('launcher', 'launcher', [53]));
    await Promise.all(starts);
  } catch (e) {
    await destroy();
    throw e;
  }
  return { binding: options.binding, tag, ns, path: (role) => `/run/netns/${ns(role)}`, exec, relayPids, destroy };
}
