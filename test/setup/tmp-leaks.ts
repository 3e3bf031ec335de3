/**
 * Tests remove what they create in the temporary directory (issue 18): every run gets a
 * directory of its own as TMPDIR (so `os.tmpdir()` in the workers and in the CLI processes they
 * start points there, and other runs on the machine cannot interfere), and the teardown fails
 * the run, naming the leftovers, when anything is left in it.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';

/** Entries left in `dir`, sorted. */
export function leftovers(dir: string): string[] {
  return readdirSync(dir).sort();
}

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'vnf-test-run-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    const left = leftovers(dir);
    rmSync(dir, { recursive: true, force: true });
    if (left.length === 0) return;
    // vitest only logs an error thrown here ("error during close"): the exit code must say it.
    process.exitCode = 1;
    throw new Error(`the tests left ${left.length} entries in the temporary directory: ${left.join(', ')}`);
  };
}
