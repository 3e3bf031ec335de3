/**
 * Runs the real CLI (`bin/vmi-network-filter.js`, built into dist/ by `npm run build`) as a
 * separate process, the way the workflow's step container does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

export const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/vmi-network-filter.js');

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The JSON written to --out, when the step wrote one. */
  readonly result?: Record<string, unknown>;
  /** stdout's JSON log lines. */
  readonly logs: Record<string, unknown>[];
}

/** A child CLI process, with a promise of its outcome. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly done: Promise<CliRun>;
}

/**
 * Starts the CLI with `args`; when `withOut` is set, adds `--out <tmp file>` and reads it back.
 * The environment holds no krkn-hub variables (scenarios come from --scenario only) and no API
 * configuration, only PATH, NO_COLOR and `env`.
 */
export function startCli(args: readonly string[], withOut = true, env: Readonly<Record<string, string>> = {}, wrapper: readonly string[] = []): CliProcess {
  const dir = mkdtempSync(join(tmpdir(), 'vnft-cli-'));
  const out = join(dir, 'result.json');
  // `wrapper` runs the CLI under another program (unshare, setpriv: a container's limits).
  const argv = [...wrapper, process.execPath, BIN, ...args, ...(withOut ? [`--out=${out}`] : [])];
  const child = spawn(argv[0]!, argv.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', NO_COLOR: '1', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliRun>((resolvePromise) => {
    child.on('close', (code, signal) => {
      let result: Record<string, unknown> | undefined;
      try {
        result = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
      } catch {
        result = undefined;
      }
      rmSync(dir, { recursive: true, force: true });
      const logs = stdout.split('\n').flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
      resolvePromise({ code, signal, stdout, stderr, logs, ...(result ? { result } : {}) });
    });
  });
  return { child, done };
}

/** Runs the CLI to completion. */
export function runCli(args: readonly string[], withOut = true, env: Readonly<Record<string, string>> = {}, wrapper: readonly string[] = []): Promise<CliRun> {
  return startCli(args, withOut, env, wrapper).done;
}

/** A target JSON for a VMI of `binding` (launcherPodUid only when given). */
export function targetJson(binding: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    namespace: 'vnft',
    name: 'vm-a',
    uid: '6f1c1b7e-0000-4000-8000-00000000000a',
    node: 'node-1',
    launcherPod: 'virt-launcher-vm-a-x7k2p',
    binding,
    ...extra,
  });
}

/** An inline --scenario for `config`, with any further scenario keys in `extra`. */
export function scenarioJson(
  config: { ingress: boolean; egress: boolean; ports: readonly number[]; protocols: readonly string[]; interfaces?: readonly string[] },
  duration = 120,
  extra: Readonly<Record<string, unknown>> = {},
): string {
  const { ingress, egress, ports, protocols, interfaces } = config;
  return JSON.stringify({ namespace: 'vnft', test_duration: duration, ingress, egress, ports, protocols, ...(interfaces ? { interfaces } : {}), ...extra });
}

/** The args of a node step against `netns`. */
export function stepArgs(step: 'inject' | 'verify' | 'rollback', netns: string, runId: string, binding: string, scenario?: string, backend = 'auto'): string[] {
  return ['step', step, `--target=${targetJson(binding)}`, `--run-id=${runId}`, `--netns=${netns}`, `--backend=${backend}`, ...(scenario ? [`--scenario=${scenario}`] : [])];
}
