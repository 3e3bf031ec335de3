/**
 * The built CLI as a child process that a test can talk to while it runs: wait for output,
 * send it signals, and collect its exit status, stdout and stderr. (harness.runCli waits for
 * the end only.)
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT, type CliRun } from '../kube/harness.js';

/** A running CLI. */
export interface CliProcess {
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Sends `signal` to the process. */
  readonly kill: (signal: NodeJS.Signals) => void;
  /** Resolves with the run once the process has exited. */
  readonly done: Promise<CliRun>;
}

/** Starts `vmi-network-filter ...args` with exactly `env` plus PATH. */
export function startCli(args: readonly string[], env: Readonly<Record<string, string>>): CliProcess {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'vmi-network-filter.js'), ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, cwd: REPO_ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const done = new Promise<CliRun>((resolve) => child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr })));
  return { stdout: () => stdout, stderr: () => stderr, kill: (signal) => void child.kill(signal), done };
}

/**
 * Polls `condition` every 10 ms until it holds.
 * @throws Error naming `what` after `timeoutMs`.
 */
export async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
