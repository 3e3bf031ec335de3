/**
 * A proc tree for discovery tests: pid directories with a cgroup file, comm, status and an
 * ns/net symlink to a real namespace (/run/netns/… or /proc/1/ns/net), which is all the engine
 * reads. nsenter follows the symlink, so the steps really enter the namespace.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeProcess {
  readonly pid: number;
  /** Contents of /proc/<pid>/cgroup. */
  readonly cgroup: string;
  /** The namespace file ns/net points to. */
  readonly netns: string;
  readonly comm: string;
  /** @default 0 */
  readonly uid?: number;
}

/** A proc tree with the host's pid 1 and `processes`; remove it with rmSync(dir). */
export function fakeProc(processes: readonly FakeProcess[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'vnft-proc-'));
  const all: FakeProcess[] = [{ pid: 1, cgroup: '0::/init.scope\n', netns: '/proc/1/ns/net', comm: 'systemd' }, ...processes];
  for (const p of all) {
    const base = join(dir, String(p.pid));
    mkdirSync(join(base, 'ns'), { recursive: true });
    writeFileSync(join(base, 'cgroup'), p.cgroup);
    writeFileSync(join(base, 'comm'), `${p.comm}\n`);
    const uid = p.uid ?? 0;
    writeFileSync(join(base, 'status'), `Name:\t${p.comm}\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nGid:\t${uid}\t${uid}\t${uid}\t${uid}\n`);
    symlinkSync(p.netns, join(base, 'ns', 'net'));
  }
  return dir;
}

export function removeFakeProc(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A cgroup v2 file of a burstable pod's container, systemd driver (uid with underscores). */
export const systemdCgroup = (podUid: string): string =>
  `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${podUid.replace(/-/g, '_')}.slice/cri-containerd-4f1e0c2b9a.scope\n`;

/** A cgroup v1 file of a besteffort pod's container, cgroupfs driver. */
export const cgroupfsCgroup = (podUid: string): string =>
  [`12:pids:/kubepods/besteffort/pod${podUid}/9c3d`, `4:memory:/kubepods/besteffort/pod${podUid}/9c3d`, `1:name=systemd:/kubepods/besteffort/pod${podUid}/9c3d`, '0::/', ''].join('\n');
