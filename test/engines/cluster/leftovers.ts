/**
 * Leaving the machine as the cluster found it. A kubelet and containerd leave state outside their
 * own processes: containerd-shim processes, bind mounts (the kubelet's root, pod volumes, /dev/shm
 * of sandboxes), pinned network namespaces under /run/netns, and the iptables/nftables tables
 * the kubelet and kube-proxy create. We record what existed before the cluster started and remove
 * exactly what appeared since, and what lives under the cluster's own folder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { netnsId } from '../../../steps/netfilter/netns.js';

/** What existed before the cluster started. */
export interface HostSnapshot {
  readonly tables: ReadonlySet<string>;
  readonly netns: ReadonlySet<string>;
}

function nftTables(): Set<string> {
  try {
    return new Set(execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' }).split('\n').map((l) => l.trim()).filter((l) => l.startsWith('table ')));
  } catch {
    return new Set();
  }
}

const pinnedNetns = (): Set<string> => new Set(existsSync('/run/netns') ? readdirSync('/run/netns') : []);

/** Records the host's tables and pinned namespaces. */
export function snapshotHost(): HostSnapshot {
  return { tables: nftTables(), netns: pinnedNetns() };
}

/** SIGKILLs every process whose command line mentions `needle` (our cluster folder, our sockets). */
export function killProcessesMentioning(needle: string): number {
  let killed = 0;
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    if (Number(pid) === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!cmdline.includes(needle)) continue;
    try {
      process.kill(Number(pid), 'SIGKILL');
      killed++;
    } catch {
      // exited meanwhile
    }
  }
  return killed;
}

/** Lazily unmounts every mount point under `prefix`, deepest first. */
export function unmountUnder(prefix: string): void {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => p !== undefined && (p === prefix || p.startsWith(`${prefix}/`)))
    .sort((a, b) => b.length - a.length);
  for (const p of points) {
    try {
      execFileSync('umount', ['-l', p], { stdio: 'ignore' });
    } catch {
      // already gone with its parent
    }
  }
}

/**
 * Unpins the namespaces of /run/netns that `wanted` picks and no process is in any more: what a
 * killed cluster's containerds (`cni-*`) and VMI fixtures (`vnfe-*`) leave. A live sandbox always
 * holds its pause process, so nothing in use is touched. Left in place, a stale launcher
 * namespace carries the pod IP a new cluster hands out again, and the node steps (which find a
 * launcher by its pod IP among the pinned namespaces) rightly refuse to guess between the two.
 */
export function removeOrphanedPins(wanted: (name: string) => boolean): string[] {
  const used = new Set<string>();
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    const key = netnsId(`/proc/${pid}/ns/net`);
    if (key) used.add(key);
  }
  const removed: string[] = [];
  for (const name of [...pinnedNetns()].filter(wanted)) {
    const key = netnsId(join('/run/netns', name));
    if (key === undefined || used.has(key)) continue;
    try {
      execFileSync('umount', [join('/run/netns', name)], { stdio: 'ignore' });
    } catch {
      // a file whose namespace was unpinned already
    }
    rmSync(join('/run/netns', name), { force: true });
    removed.push(name);
  }
  return removed;
}

/** Removes the tables and pinned namespaces that appeared since `before`. */
export function restoreHost(before: HostSnapshot): void {
  removeOrphanedPins((name) => !before.netns.has(name));
  for (const table of nftTables()) {
    if (before.tables.has(table)) continue;
    try {
      execFileSync('nft', ['delete', ...table.split(/\s+/)], { stdio: 'ignore' });
    } catch {
      // removed meanwhile
    }
  }
  for (const name of pinnedNetns()) {
    if (before.netns.has(name)) continue;
    const path = join('/run/netns', name);
    try {
      execFileSync('umount', ['-l', path], { stdio: 'ignore' });
    } catch {
      // not mounted any more
    }
    rmSync(path, { force: true });
  }
}

/**
 * SIGKILLs the VMI fixtures' echo servers and relays (test/netns/helpers/echo.mjs) that lost
 * their test process: a killed run leaves them in its launcher namespaces, which then stay
 * alive with the run's pod IPs. A live run's have their vitest worker as parent.
 */
export function killOrphanedFixtures(): number {
  let killed = 0;
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('echo.mjs\0serve')) continue;
      if (!/^PPid:\s+1$/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) continue;
      process.kill(Number(pid), 'SIGKILL');
      killed++;
    } catch {
      // exited meanwhile
    }
  }
  return killed;
}

/** Marks `dir` as owned by this process (see {@link removeStaleClusters}). */
export function claimDir(dir: string): void {
  writeFileSync(join(dir, 'owner.pid'), `${process.pid}\n`);
}

/**
 * Removes the folders (and their processes and mounts) of earlier clusters under `parent` whose
 * owner process is gone: a test run that was killed never ran its teardown.
 */
export function removeStaleClusters(parent: string, prefix: string): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(parent).filter((n) => n.startsWith(prefix))) {
    const dir = join(parent, name);
    let owner = NaN;
    try {
      owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
    } catch {
      // no owner file: a cluster that never got far
    }
    if (Number.isInteger(owner) && existsSync(`/proc/${owner}`)) continue;
    killProcessesMentioning(dir);
    unmountUnder(dir);
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  if (removed.length > 0) {
    // SIGKILLed processes release their namespace as they exit: give them a moment.
    if (killOrphanedFixtures() > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    removeOrphanedPins((name) => /^(cni|vnfe)-/.test(name));
  }
  // kube-proxy's own tables (named after it; nothing else creates them) of those runs.
  if (removed.length > 0) {
    for (const family of ['ip', 'ip6']) {
      try {
        execFileSync('nft', ['delete', 'table', family, 'kube-proxy'], { stdio: 'ignore' });
      } catch {
        // not there
      }
    }
  }
  return removed;
}
