import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/vmi-network-filter.js');
const FIXTURES = 'test/fixtures/scenarios';

/** Runs the real, built CLI from the repository root with no krkn-hub environment. */
function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const NFT = "the kernel ends the rules by an nftables set timeout, and nft 1.0.6 (the step image's) refuses one of 100000 s or more";

describe('scenario files on the command line', () => {
  it.each([
    ['unclosed-quote.yaml', `${FIXTURES}/unclosed-quote.yaml:2: the double quote opened on this line is never closed\n1 problem found.\n`],
    ['tab-indent.yaml', `${FIXTURES}/tab-indent.yaml:3: tabs are not allowed for indentation; indent with spaces\n1 problem found.\n`],
    [
      'two-documents.yaml',
      `${FIXTURES}/two-documents.yaml:4: a second YAML document starts here; krkn reads a scenario file as one document: keep every scenario in one list, with no "---" between them\n1 problem found.\n`,
    ],
  ])('should refuse %s in our words, at its line, with exit 2', (name, stderr) => {
    expect(cli(['validate', '--scenario', `${FIXTURES}/${name}`])).toEqual({ code: 2, stdout: '', stderr });
  });

  it('should read yes/off as booleans, empty ports as all ports and 1:30 as 90, as krkn does', () => {
    const r = cli(['validate', '--scenario', `${FIXTURES}/yaml11-values.yaml`]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(parse(r.stdout, { version: '1.1' })[0]).toMatchObject({ ingress: true, egress: false, ports: [], test_duration: 90 });
  });

  it.each([['krkn-hub-vmi-network-filter.yml'], ['krkn-virt-network.yaml']])("should generate a workflow from krkn's own %s", (name) => {
    const r = cli(['generate', 'argo', '--scenario', `${FIXTURES}/${name}`]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(parse(r.stdout).kind).toBe('Workflow');
  });

  it('should refuse a test_duration whose deadline nft cannot carry, with exit 2', () => {
    expect(cli(['generate', 'argo', '--namespace', 'demo', '--chaos-duration', '99941'])).toEqual({
      code: 2,
      stdout: '',
      stderr: `flag --chaos-duration: test_duration: test_duration + expiry_grace must stay below 100000 s, not 99941 + 60 = 100001 s: ${NFT}; with this expiry_grace, test_duration may be at most 99939\n1 problem found.\n`,
    });
  });
});
