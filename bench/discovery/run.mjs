#!/usr/bin/env node
// How long finding a launcher among the pinned network namespaces takes as a node fills up
// (run as root: `npm run build && node bench/discovery/run.mjs [--reps N]`). For each node size
// (kubelet's default maxPods 110, OpenShift's 250) it creates that many network namespaces
// pinned in a scratch directory, as containerd pins them in /var/run/netns, each with a pod IP on
// a dummy eth0 (a tap: no CONFIG_DUMMY here); one of them is a masquerade launcher (k6t-eth0
// bridge, tap0 port) and one a passt launcher (a non-root process owning sockets). It times
// discoverPinned (dist/, what the node steps run) for each, median of --reps (default 5).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { discoverPinned } = await import(pathToFileURL(join(root, 'dist', 'steps', 'netfilter', 'index.js')).href);
const repsIndex = process.argv.indexOf('--reps');
const reps = repsIndex > 0 ? Number(process.argv[repsIndex + 1]) : 5;
const sh = (...argv) => execFileSync(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
const tag = `vnfb${process.pid.toString(36)}`;

async function measure(size) {
  const dir = mkdtempSync(join(tmpdir(), 'vnf-bench-pins-'));
  const names = [];
  let relay;
  try {
    for (let i = 0; i < size; i++) {
      const name = `${tag}-${i}`;
      sh('ip', 'netns', 'add', name);
      names.push(name);
      sh('ip', '-n', name, 'tuntap', 'add', 'dev', 'eth0', 'mode', 'tap');
      sh('ip', '-n', name, 'addr', 'add', `10.${100 + Math.floor(i / 250)}.${i % 250}.10/16`, 'dev', 'eth0');
      writeFileSync(join(dir, `cni-${i}`), '');
      sh('mount', '--bind', `/run/netns/${name}`, join(dir, `cni-${i}`));
    }
    const masq = names[Math.floor(size / 2)];
    sh('ip', '-n', masq, 'link', 'add', 'k6t-eth0', 'type', 'bridge');
    sh('ip', '-n', masq, 'tuntap', 'add', 'dev', 'tap0', 'mode', 'tap');
    sh('ip', '-n', masq, 'link', 'set', 'tap0', 'master', 'k6t-eth0');
    const passt = names[size - 1];
    sh('ip', '-n', passt, 'link', 'set', 'lo', 'up');
    relay = spawn('nsenter', [`--net=/run/netns/${passt}`, '--', 'setpriv', '--reuid=107', '--regid=107', '--clear-groups', process.execPath, '-e', "require('net').createServer().listen(8080, () => console.log('ready'))"], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => relay.stdout.once('data', resolve));
    const ipOf = (i) => `10.${100 + Math.floor(i / 250)}.${i % 250}.10`;
    const time = async (binding, i) => {
      const ms = [];
      for (let r = 0; r < reps; r++) {
        const t0 = process.hrtime.bigint();
        const found = await discoverPinned({ dir, podIps: [ipOf(i)], binding });
        ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (!found) throw new Error(`${binding} launcher not found`);
      }
      ms.sort((a, b) => a - b);
      return ms[Math.floor(ms.length / 2)];
    };
    return { size, masquerade: await time('masquerade', Math.floor(size / 2)), passt: await time('passt', size - 1) };
  } finally {
    relay?.kill('SIGKILL');
    for (let i = 0; i < names.length; i++) {
      try { sh('umount', join(dir, `cni-${i}`)); } catch { /* not mounted */ }
      sh('ip', 'netns', 'del', names[i]);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`discoverPinned, median of ${reps} (ms), ${new Date().toISOString()}`);
console.log('| pinned namespaces on the node | masquerade launcher | passt launcher |');
console.log('|---:|---:|---:|');
for (const size of [10, 110, 250]) {
  const r = await measure(size);
  console.log(`| ${r.size} | ${r.masquerade.toFixed(0)} | ${r.passt.toFixed(0)} |`);
}
