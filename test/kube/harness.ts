/**
 * Test plumbing for test/kube and bench/select: kubeconfig files for the local API server, a
 * populated cluster, captured logs, and the real CLI run as a child process.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackTempDir } from '../setup/temp-dirs.js';
import type { FakeKubeApi } from './fake-api-server.js';
import { vmiObject, type VmiOptions } from './kubevirt-vmi.js';
import { launcherPodObject } from './virt-launcher-pod.js';

/** The repository root: the nearest directory above this file (or its compiled copy) with our package.json. */
export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

function findRepoRoot(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    try {
      if ((JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as { name?: string }).name === 'vmi-network-filter') return d;
    } catch {
      // no package.json here
    }
    if (dirname(d) === d) throw new Error(`no vmi-network-filter package.json above ${dir}`);
  }
}

/** A fresh temporary directory, removed after the test file (test/setup/remove-temp-dirs.ts). */
export function tempDir(prefix = 'vmi-kube-'): string {
  return trackTempDir(mkdtempSync(join(tmpdir(), prefix)));
}

/** Options of writeKubeconfig. */
export interface KubeconfigOptions {
  /** Bearer token of the user. @default 'test-token' */
  readonly token?: string;
  /** CA file; without it an http:// server gets insecure-skip-tls-verify. */
  readonly caFile?: string;
  /** Leave insecure-skip-tls-verify out even for http:// (a broken config). */
  readonly omitSkipTls?: boolean;
  /** Namespace of the current context (kubectl's default namespace). @default none */
  readonly namespace?: string;
  /** More contexts on the same cluster and user, by name → namespace. @default none */
  readonly otherContexts?: Readonly<Record<string, string>>;
}

/** Writes a kubeconfig for `server` into a temp directory and returns its path. */
export function writeKubeconfig(server: string, options: KubeconfigOptions = {}): string {
  const cluster: Record<string, unknown> = { server };
  if (options.caFile) cluster['certificate-authority'] = options.caFile;
  else if (!options.omitSkipTls) cluster['insecure-skip-tls-verify'] = true;
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'local', cluster }],
    users: [{ name: 'chaos', user: { token: options.token ?? 'test-token' } }],
    contexts: [
      { name: 'local', context: { cluster: 'local', user: 'chaos', ...(options.namespace ? { namespace: options.namespace } : {}) } },
      ...Object.entries(options.otherContexts ?? {}).map(([name, namespace]) => ({ name, context: { cluster: 'local', user: 'chaos', namespace } })),
    ],
    'current-context': 'local',
  };
  const file = join(tempDir(), 'kubeconfig');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** Options of populate. */
export interface PopulateOptions {
  readonly vmis: number;
  readonly namespaces: number;
  /** Namespace name for index i. @default `ns-${i}` (zero-padded to 3 digits) */
  readonly namespaceName?: (i: number) => string;
  /** Extra VMI options for VMI number i. */
  readonly vmi?: (i: number) => Partial<VmiOptions>;
  /** Nodes the VMIs are spread over, round-robin (`worker-N`). @default 20 */
  readonly nodes?: number;
}

/**
 * Fills the server with `vmis` Running VMIs spread round-robin over `namespaces` namespaces, each
 * with its Running virt-launcher pod on one of `nodes` (20) nodes.
 */
export function populate(api: FakeKubeApi, options: PopulateOptions): void {
  const nsName = options.namespaceName ?? ((i: number) => `ns-${String(i).padStart(3, '0')}`);
  for (let i = 0; i < options.vmis; i++) {
    const namespace = nsName(i % options.namespaces);
    const name = `vm-${String(i).padStart(5, '0')}`;
    const node = `worker-${i % (options.nodes ?? 20)}`;
    const extra = options.vmi?.(i) ?? {};
    api.put(vmiObject({ namespace, name, node, labels: { app: i % 2 === 0 ? 'web' : 'db' }, ...extra }));
    api.put(launcherPodObject({ namespace, vmiName: name, node }));
  }
}

/** Io capturing stdout and stderr, and the JSON log lines on stdout. */
export interface CapturedIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** The JSON lines logged on stdout, parsed. */
  readonly lines: () => Record<string, unknown>[];
}

/** An Io for in-process runs. */
export function captureIo(env: Readonly<Record<string, string | undefined>> = {}): CapturedIo {
  let stdout = '';
  let stderr = '';
  return {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    env,
    stdout: () => stdout,
    stderr: () => stderr,
    lines: () => parseLines(stdout),
  };
}

/** Parses JSON lines. */
export function parseLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The result of a CLI run. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built CLI (`bin/vmi-network-filter.js`, after `npm run build`) asynchronously, so the
 * API server in this process keeps answering. The environment is exactly `env` plus PATH.
 */
export function runCli(args: readonly string[], env: Readonly<Record<string, string>>, nodeArgs: readonly string[] = []): Promise<CliRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [...nodeArgs, join(REPO_ROOT, 'bin', 'vmi-network-filter.js'), ...args],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** A log call as the kube layer makes it. */
export interface LogEntry {
  readonly level: string;
  readonly msg: string;
  readonly fields: Record<string, unknown>;
}

/** A log function that records its calls. */
export function recordingLog(): { readonly log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void; readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return { entries, log: (level, msg, fields = {}) => void entries.push({ level, msg, fields }) };
}
