import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root (where package.json, templates/ and schemas/ live), found by walking up
 * from this module: the same code runs compiled from dist/ and as source under the test runner.
 */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('vmi-network-filter: cannot find package.json above the program');
    dir = parent;
  }
  return dir;
}

export const PACKAGE_ROOT = findRoot();
