/**
 * Temporary directories the test helpers create, removed after each test file (registered as a
 * setup file): helpers that hand out directories (kube's tempDir) cannot know when their caller
 * is done with them, the end of the file can.
 */
import { rmSync } from 'node:fs';

const created: string[] = [];

/** Records `dir` for removal after the current test file; returns it. */
export function trackTempDir(dir: string): string {
  created.push(dir);
  return dir;
}

/** Removes every directory recorded so far. */
export function removeTrackedTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}
