/**
 * Runs the real, built CLI (`npm run build` first) in its own process, with a clean krkn-hub
 * environment (PATH and NO_COLOR only, plus `env`) and optional standard input.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const BIN = join(ROOT, 'bin/vmi-network-filter.js');
export const FIXTURES = join(ROOT, 'test/fixtures/scenarios');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function cli(args: readonly string[], env: Readonly<Record<string, string>> = {}, input?: string): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    // HOME: no ~/.kube/config of the machine decides a default namespace.
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', HOME: join(ROOT, 'test/fixtures'), ...env },
    ...(input === undefined ? {} : { input }),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
