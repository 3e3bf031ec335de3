import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/vmi-network-filter.js');

/** Runs the real, built CLI (npm test builds first) with a clean krkn-hub environment. */
function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as any);

const tmp = mkdtempSync(join(tmpdir(), 'vnf-tekton-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('vmi-network-filter generate tekton', () => {
  it('should print the generic Tasks without any scenario', () => {
    const r = cli(['generate', 'tekton', '--kind', 'Tasks']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(docs(r.stdout).map((d) => d.metadata.name)).toEqual([
      'vmi-network-filter-select',
      'vmi-network-filter-inject',
      'vmi-network-filter-verify',
      'vmi-network-filter-rollback',
      'vmi-network-filter-hold',
      'vmi-network-filter-report',
    ]);
  });

  it('should print Tasks and Pipeline by default, and a PipelineRun of the same Pipeline with --kind PipelineRun', () => {
    const pipeline = docs(cli(['generate', 'tekton', '--namespace', 'demo', '--ports', '53']).stdout).at(-1);
    const run = docs(cli(['generate', 'tekton', '--namespace', 'demo', '--ports', '53', '--kind', 'PipelineRun']).stdout)[0];
    expect(pipeline.kind).toBe('Pipeline');
    expect([run.kind, run.spec.pipelineRef.name]).toEqual(['PipelineRun', pipeline.metadata.name]);
    const named = docs(cli(['generate', 'tekton', '--namespace', 'demo', '--kind', 'PipelineRun', '--name', 'dns-chaos']).stdout)[0];
    expect([named.metadata.generateName, named.spec.pipelineRef.name]).toEqual(['dns-chaos-', 'dns-chaos']);
  });

  it('should write to the --output-file file', () => {
    const file = join(tmp, 'out.yaml');
    expect(cli(['generate', 'tekton', '--namespace', 'demo', '--output-file', file])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(docs(readFileSync(file, 'utf8'))).toHaveLength(7);
  });

  it.each([
    [['--namespace', 'demo', '--serial-rounds', '51'], 'error: --serial-rounds "51" is not an integer from 0 to 50\n'],
    [['--namespace', 'demo', '--serial-rounds', '-1'], 'error: --serial-rounds "-1" is not an integer from 0 to 50\n'],
    [['--namespace', 'demo', '--name', 'Chaos_1'], `error: --name: "Chaos_1" is not a valid name: lowercase letters, digits and '-', at most 63 characters, starting and ending with a letter or digit\n`],
    [['--no-env'], 'command line: namespace: is required: name the namespace (or a regex of namespaces) of the target VMIs (--namespace, NAMESPACE)\n1 problem found.\n'],
  ])('should refuse %j with exit status 2', (args, stderr) => {
    expect(cli(['generate', 'tekton', ...args])).toEqual({ code: 2, stdout: '', stderr });
  });
});
