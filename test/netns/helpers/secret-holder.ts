/**
 * Another process's private files, as a node step must never reach them: a uid-107 process
 * (qemu's uid in a launcher) with a tmpfs in its own mount namespace holding `secret` (mode
 * 0644). From the host's mount namespace the folder is empty; only `/proc/PID/root` reaches it,
 * which is what issue 18 showed a node step with the host's /proc and SYS_PTRACE could do.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';

export interface SecretHolder {
  readonly pid: number;
  /** The folder, as its own mount namespace sees it (empty from the host's). */
  readonly dir: string;
  /** `secret` of `dir` through the holder's root: what an intruder would open. */
  readonly through: (proc: string, file?: string) => string;
  readonly stop: () => void;
}

/** Starts the holder; resolves once its secret is written and it runs as uid 107. */
export async function startSecretHolder(prefix: string): Promise<SecretHolder> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const script = `
    require('node:child_process').execFileSync('mount', ['-t', 'tmpfs', '-o', 'mode=755', 'vnf-secret-holder', ${JSON.stringify(dir)}]);
    require('node:fs').writeFileSync(${JSON.stringify(join(dir, 'secret'))}, 's3cret', { mode: 0o644 });
    process.setgid(107); process.setuid(107);
    console.log('ready'); setInterval(() => {}, 1000);`;
  const child = spawn('unshare', ['--mount', '--propagation', 'private', '--', process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = (): void => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await new Promise((resolve, reject) => {
      child.stdout!.once('data', resolve);
      child.once('exit', (code) => reject(new Error(`secret holder exited (${code})`)));
    });
  } catch (e) {
    stop();
    throw e;
  }
  return { pid: child.pid!, dir, through: (proc, file = 'secret') => `${proc}/${child.pid}/root${dir}/${file}`, stop };
}
