/**
 * Runs one generated container as a local process, the way a kubelet would run it on an
 * emulated node: `command` + `args` + `env` exactly as rendered, the command found on PATH
 * (`vmi-network-filter` is the repository's bin), the user of `securityContext.runAsUser`, and
 * the volumes mounted. A process cannot get a mount namespace of its own cheaply here, so a
 * volume is emulated by translating paths: a value that starts with a mount path (or has it
 * right after `=`, as in `--proc=/host/proc`) is rewritten to the directory backing the volume
 * (emptyDir: a fresh directory per pod; hostPath: that path on the emulated node). That is the
 * only change made to what the YAML says.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';

/** A node of the emulated cluster: its name and what its host paths are here. */
export interface EmulatedNode {
  readonly name: string;
  /** Host path on the node → directory on this machine (e.g. '/proc' → a fake proc tree). */
  readonly hostPaths: Readonly<Record<string, string>>;
}

/** A mounted volume: where the container sees it and the directory backing it. */
export interface Mount {
  readonly mountPath: string;
  readonly hostDir: string;
  /** An emptyDir: removed when the pod is gone. */
  readonly ephemeral?: boolean;
}

/** What every pod of the emulated cluster gets besides its own env (the kubelet's part). */
export interface PodEnvironment {
  /** Directory holding a `vmi-network-filter` executable; first on PATH. */
  readonly binDir: string;
  /** Stands in for the pod's service account: the API access every pod has in a cluster. */
  readonly kubeconfig: string;
}

/** One container to run. */
export interface PodSpec {
  readonly command: readonly string[];
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly mounts: readonly Mount[];
  /** securityContext.runAsUser. @default 0 */
  readonly runAsUser?: number;
}

/** The outcome of a pod. */
export interface PodRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The argv that ran, after path translation. */
  readonly argv: readonly string[];
}

/** A volume the pod runner does not know how to back. */
export class UnsupportedVolumeError extends Error {
  constructor(readonly volume: string, readonly why: string) {
    super(`volume "${volume}": ${why}`);
  }
}
UnsupportedVolumeError.prototype.name = 'UnsupportedVolumeError';

/**
 * The directory backing a volume on `node`: a fresh one for an emptyDir (owned by `uid`), the
 * node's directory for a hostPath.
 * @throws UnsupportedVolumeError for other volume types, or a hostPath the node does not have
 */
export function backVolume(volume: Record<string, unknown>, node: EmulatedNode | undefined, uid: number): Omit<Mount, 'mountPath'> {
  const name = String(volume.name);
  const kinds = Object.keys(volume).filter((k) => k !== 'name');
  if (kinds.length !== 1) throw new UnsupportedVolumeError(name, `expected one volume source, got ${kinds.join(', ') || 'none'}`);
  if (kinds[0] === 'emptyDir') {
    const dir = mkdtempSync(join(tmpdir(), 'vnfe-empty-'));
    chownSync(dir, uid, uid);
    chmodSync(dir, 0o700);
    return { hostDir: dir, ephemeral: true };
  }
  if (kinds[0] === 'hostPath') {
    const path = (volume.hostPath as { path: string }).path;
    if (node === undefined) throw new UnsupportedVolumeError(name, `hostPath ${path} in a pod that is not pinned to a node: which node's ${path}?`);
    const dir = node.hostPaths[path];
    if (dir === undefined) throw new UnsupportedVolumeError(name, `node ${node.name} has no emulated host path ${path}`);
    return { hostDir: dir };
  }
  throw new UnsupportedVolumeError(name, `${kinds[0]} volumes are not emulated`);
}

/** `value` with a leading mount path (or one right after `=`) replaced by its backing directory. */
export function translatePath(value: string, mounts: readonly Mount[]): string {
  // Longest mount path first, so /host/proc wins over a hypothetical /host.
  for (const m of [...mounts].sort((a, b) => b.mountPath.length - a.mountPath.length)) {
    const escaped = m.mountPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = new RegExp(`(^|=)${escaped}(?=/|$)`);
    if (re.test(value)) return value.replace(re, (_all, lead: string) => `${lead}${m.hostDir}`);
  }
  return value;
}

/** Starts the container as a process; `done` settles when it exits. */
export function startPod(spec: PodSpec, environment: PodEnvironment): { readonly child: ChildProcess; readonly done: Promise<PodRun> } {
  const argv = [...spec.command, ...spec.args].map((a) => translatePath(a, spec.mounts));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.env)) env[k] = translatePath(v, spec.mounts);
  env.PATH = `${environment.binDir}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`;
  env.KUBECONFIG = environment.kubeconfig;
  const uid = spec.runAsUser ?? 0;
  // Its own process group, so a stop can signal the pod's whole tree as the kubelet would.
  const child = spawn(argv[0]!, argv.slice(1), { env, uid, gid: uid, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<PodRun>((resolve) => {
    child.on('error', (e) => resolve({ code: 127, signal: null, stdout, stderr: `${stderr}${e.message}\n`, argv }));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, argv }));
  });
  return { child, done };
}
