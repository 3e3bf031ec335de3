/**
 * After the README's set-up, its later commands work as written: every `vmi-network-filter`
 * command of the README that renders (generate, validate, plan) runs with the package's bin
 * and exits 0 with nothing on stderr; the README says how the bin gets on PATH.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from './run-cli.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The README's shell lines (continuations joined), as argv before the first pipe. */
function commands(): string[][] {
  const blocks = [...README.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.replace(/\\\n\s*/g, ''));
  return blocks
    .flatMap((b) => b.split('\n'))
    .map((line) => line.split(' | ')[0]!.replace(/\s+#.*$/, '').trim())
    .filter((line) => /^vmi-network-filter (generate|validate|plan) /.test(line))
    .map((line) => [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!).slice(1));
}

describe('the README', () => {
  it('should say how vmi-network-filter gets on PATH after the set-up, keeping two set-up commands', () => {
    expect(README).toContain('`npx vmi-network-filter …`');
    expect(README).toContain('`npm link`');
    const setUp = /## Set up[\s\S]*?```sh\n([\s\S]*?)```/.exec(README)![1]!;
    expect(setUp.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'))).toHaveLength(2);
  });

  const found = commands();
  it('should have rendering commands to check', () => expect(found.length).toBeGreaterThanOrEqual(8));

  it.each(found.map((argv) => [argv.join(' '), argv]))('should run "%s" as written', (_, argv) => {
    const r = cli(argv as string[]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).not.toBe('');
  });
});
