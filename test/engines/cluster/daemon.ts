/**
 * One long-running component of the test cluster (etcd, kube-apiserver, a kubelet, Argo's
 * controller, …): started as a child process with its output in a log file, waited for until a
 * readiness probe passes, stopped with SIGTERM and, after a grace, SIGKILL. A component that dies
 * while being waited for fails the start with the tail of its log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Options of {@link startDaemon}. */
export interface DaemonOptions {
  readonly name: string;
  readonly argv: readonly string[];
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Resolves true once the component serves. */
  readonly ready: () => Promise<boolean>;
  /** @default 120_000 */
  readonly readyTimeoutMs?: number;
}

/** A started component. */
export interface Daemon {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs` (default 10 s); resolves when it exited. */
  readonly stop: (graceMs?: number) => Promise<void>;
  /** The last `lines` lines of its log. */
  readonly tail: (lines?: number) => string;
}

/** The last lines of a log file ('' when it cannot be read). */
export function tailOf(logFile: string, lines = 40): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts a component and waits until it is ready.
 * @throws when it exits or is not ready in time (the component is stopped, its log tail quoted).
 */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const log = openSync(options.logFile, 'a');
  const child = spawn(options.argv[0]!, options.argv.slice(1), { stdio: ['ignore', log, log], env: options.env ?? process.env, cwd: options.cwd });
  closeSync(log);
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = signal ?? String(code);
      resolve();
    });
    child.once('error', (e) => {
      exited = e.message;
      resolve();
    });
  });
  const tail = (lines?: number): string => tailOf(options.logFile, lines);
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (exited !== undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exit;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  for (;;) {
    if (exited !== undefined) throw new Error(`${options.name} exited (${exited}) before it was ready; ${options.logFile}:\n${tail()}`);
    if (await options.ready().catch(() => false)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.name} was not ready within ${(options.readyTimeoutMs ?? 120_000) / 1000} s; ${options.logFile}:\n${tail()}`);
    }
    await sleep(250);
  }
  return { name: options.name, pid: child.pid!, logFile: options.logFile, child, stop, tail };
}
