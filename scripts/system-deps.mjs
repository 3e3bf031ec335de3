#!/usr/bin/env node
// Installs the Debian packages the tests drive for real (netfilter, network namespaces), when
// they are missing and we are root on a Debian-like machine. Run by `npm test` (pretest); with
// --engines also what the engine-test cluster runs on (containerd, runc, the CNI plugins, image
// tools), for `npm run test:engines`.
// Prints what it does; fails loudly when a needed tool is missing and cannot be installed.
import { spawnSync } from 'node:child_process';
import process from 'node:process';

const NEEDED = [
  // [command, Debian package]
  ['iptables', 'iptables'],
  ['ip6tables', 'iptables'],
  ['iptables-restore', 'iptables'],
  ['nft', 'nftables'],
  ['ip', 'iproute2'],
  ['ss', 'iproute2'],
  ['nsenter', 'util-linux'],
  ['setpriv', 'util-linux'],
  ['python3', 'python3'],
  // PyYAML, what krkn reads scenario files with: the differential test of our reading.
  ['python3:yaml', 'python3-yaml'],
];
const ENGINES = [
  ['containerd', 'containerd'],
  ['ctr', 'containerd'],
  ['runc', 'runc'],
  // The CNI plugins are not commands on PATH: an absolute path is checked as a file.
  ['/usr/lib/cni/bridge', 'containernetworking-plugins'],
  ['/usr/lib/cni/host-local', 'containernetworking-plugins'],
  ['openssl', 'openssl'],
  ['buildah', 'buildah'],
  ['podman', 'podman'],
  ['debootstrap', 'debootstrap'],
  ['tar', 'tar'],
  ['git', 'git'],
];
const wanted = process.argv.includes('--engines') ? [...NEEDED, ...ENGINES] : NEEDED;

const has = (command) => (command.startsWith('python3:')
  ? ['python3', '/usr/bin/python3'].some((p) => spawnSync(p, ['-c', `import ${command.slice(8)}`], { stdio: 'ignore' }).status === 0)
  : false)
  || (command.startsWith('/') ? spawnSync('test', ['-x', command]).status === 0 : false)
  || spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' }).status === 0
  || ['/usr/sbin/', '/sbin/'].some((dir) => spawnSync('test', ['-x', dir + command]).status === 0);
const missing = [...new Set(wanted.filter(([command]) => !has(command)).map(([, pkg]) => pkg))];
if (missing.length === 0) process.exit(0);

const isRoot = process.getuid?.() === 0;
if (!isRoot || !has('apt-get')) {
  console.error(`system-deps: missing Debian packages ${missing.join(' ')}; install them as root (apt-get install ${missing.join(' ')}).`);
  process.exit(1);
}
console.log(`system-deps: installing ${missing.join(' ')} with apt-get`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const argv of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', ...missing]]) {
  const r = spawnSync('apt-get', argv, { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`system-deps: apt-get ${argv.join(' ')} failed (exit ${r.status})`);
    process.exit(1);
  }
}
