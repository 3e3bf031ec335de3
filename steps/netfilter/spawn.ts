/**
 * The one way the node engine runs a program: an argv array (never a shell string), captured
 * output, a deadline, and a typed error that carries what a caller branches on.
 */
import { spawn } from 'node:child_process';
import process from 'node:process';

/** A program could not be started, was killed, or exited non-zero. */
export class SpawnError extends Error {
  constructor(
    /** The argv that was run. */
    readonly argv: readonly string[],
    /** Exit status, or null when the program was killed or never started. */
    readonly exitCode: number | null,
    /** Signal that ended the program, if any. */
    readonly signal: NodeJS.Signals | null,
    readonly stdout: string,
    readonly stderr: string,
    /** errno code when the program could not be started (ENOENT: not installed). */
    readonly code?: string,
  ) {
    const how = code
      ? `could not be started (${code})`
      : signal
        ? `was killed by ${signal}`
        : `exited with status ${exitCode}`;
    const detail = stderr.trim().split('\n').slice(0, 3).join(' | ');
    super(`${argv.join(' ')} ${how}${detail ? `: ${detail}` : ''}`);
  }
}
SpawnError.prototype.name = 'SpawnError';

/** Options of {@link runCommand}. */
export interface RunOptions {
  /** Written to the program's stdin, which is then closed. @default nothing (stdin closed) */
  readonly input?: string;
  /** Milliseconds before the program is killed with SIGKILL. @default 15000 */
  readonly timeoutMs?: number;
}

/** What a program printed. */
export interface RunOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `argv` and resolves with its output when it exits 0.
 *
 * The child gets its own process group (`detached`), so a SIGTERM sent to our group (a container
 * stop, Ctrl-C) does not kill an iptables-restore or nft in the middle of its transaction: the
 * caller decides, once the child is done, whether to keep or undo what it committed.
 * The locale is C so that messages we quote or match are stable.
 * @throws SpawnError when the program cannot start, times out or exits non-zero.
 */
export function runCommand(argv: readonly string[], options: RunOptions = {}): Promise<RunOutput> {
  const [file, ...args] = argv;
  if (file === undefined) throw new TypeError('runCommand: empty argv');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      // UTC: what nft lists as dates (meta time) and iptables parses must not follow the pod's TZ.
      env: { ...process.env, LC_ALL: 'C', LANG: 'C', TZ: 'UTC' },
    });
    let stdout = '';
    let stderr = '';
    let startError: NodeJS.ErrnoException | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (e: NodeJS.ErrnoException) => (startError = e));
    // EPIPE when the program exits without reading its input: its exit status tells the story.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      if (startError) reject(new SpawnError(argv, null, null, stdout, stderr, startError.code));
      else if (exitCode === 0) resolve({ stdout, stderr });
      else reject(new SpawnError(argv, exitCode, signal, stdout, stderr));
    });
  });
}
