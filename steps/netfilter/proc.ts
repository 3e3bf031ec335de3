/**
 * Reading processes from a proc tree: the host's /proc, or a hostPath mount of it such as
 * /host/proc (`--proc`). Every read tolerates a process that exits while we look at it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { podUidFromCgroup } from './cgroup.js';
import { netnsId, type NetnsId } from './netns.js';

/** What we need to know of one process. */
export interface ProcessInfo {
  readonly pid: number;
  /** `<proc>/<pid>/ns/net`: the path nsenter opens to enter its namespace. */
  readonly netnsPath: string;
  readonly netns: NetnsId | undefined;
}

/** The proc root is unusable: not mounted, or not a proc tree at all. */
export class ProcTreeError extends Error {
  constructor(readonly proc: string, readonly reason: string) {
    super(`${proc} is not a usable proc tree: ${reason} (mount the host's /proc there, e.g. --proc /host/proc)`);
  }
}
ProcTreeError.prototype.name = 'ProcTreeError';

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The numeric entries of `proc`.
 * @throws ProcTreeError when `proc` cannot be listed or has no process 1 (an empty directory
 *   where a hostPath mount was expected must not read as "the pod is gone").
 */
export function listPids(proc: string): number[] {
  let names: string[];
  try {
    names = readdirSync(proc);
  } catch (e) {
    throw new ProcTreeError(proc, (e as NodeJS.ErrnoException).code ?? String(e));
  }
  const pids = names.filter((n) => /^[0-9]+$/.test(n)).map(Number);
  if (!pids.includes(1)) throw new ProcTreeError(proc, 'it has no process 1');
  return pids.sort((a, b) => a - b);
}

/** `proc`'s process `pid`. */
export function processInfo(proc: string, pid: number): ProcessInfo {
  const netnsPath = join(proc, String(pid), 'ns', 'net');
  return { pid, netnsPath, netns: netnsId(netnsPath) };
}

/** The pod UID of process `pid` from its cgroup file, or undefined (no pod, or exited). */
export function podUidOf(proc: string, pid: number): string | undefined {
  const text = readText(join(proc, String(pid), 'cgroup'));
  return text === undefined ? undefined : podUidFromCgroup(text);
}

/** The command name (`comm`) of `pid`, or undefined when it exited. */
export function commOf(proc: string, pid: number): string | undefined {
  return readText(join(proc, String(pid), 'comm'))?.trim();
}

/**
 * The filesystem uid of `pid` (4th field of the Uid: line): the uid the kernel stamps on the
 * sockets it creates, i.e. what `meta skuid` and `-m owner --uid-owner` compare.
 */
export function fsUidOf(proc: string, pid: number): number | undefined {
  const status = readText(join(proc, String(pid), 'status'));
  const fields = status?.match(/^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m);
  return fields?.[4] === undefined ? undefined : Number(fields[4]);
}

/** Processes of `proc` whose network namespace is `netns`. */
export function processesInNetns(proc: string, netns: NetnsId): ProcessInfo[] {
  return listPids(proc)
    .map((pid) => processInfo(proc, pid))
    .filter((p) => p.netns === netns);
}
