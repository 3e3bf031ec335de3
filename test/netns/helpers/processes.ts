/**
 * The processes of ours around a launcher: what must be gone for the kernel alone to end a
 * fault. Read from /proc, so nothing is assumed about how a step was started.
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import process from 'node:process';
import { ECHO, type Topology } from './topology.js';

function read(pid: string): { cmdline: string; netns: string } | undefined {
  try {
    return { cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '), netns: readlinkSync(`/proc/${pid}/ns/net`) };
  } catch {
    return undefined; // exited meanwhile
  }
}

/**
 * Pids of processes of ours for `t`'s launcher: any whose command line names one of `runIds`
 * (a step of these runs), and any inside the launcher's network namespace except the
 * topology's own servers (echo.mjs: the emulated passt relay, the launcher's DNS stand-in);
 * nft, iptables-restore and nsenter of a step would be there.
 */
export function ourProcesses(t: Topology, runIds: readonly string[]): number[] {
  const launcher = `net:[${statSync(t.path('launcher')).ino}]`;
  return readdirSync('/proc')
    .filter((name) => /^[0-9]+$/.test(name) && Number(name) !== process.pid)
    .flatMap((pid) => {
      const info = read(pid);
      if (info === undefined || info.cmdline === '') return [];
      const step = runIds.some((id) => info.cmdline.includes(id));
      const inLauncher = info.netns === launcher && !info.cmdline.includes(ECHO);
      return step || inLauncher ? [Number(pid)] : [];
    });
}

/** Sends SIGKILL to every process of ours for `t` (see ourProcesses); the pids it found. */
export function killOurProcesses(t: Topology, runIds: readonly string[]): number[] {
  const pids = ourProcesses(t, runIds);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}
