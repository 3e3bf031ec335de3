/**
 * `-o/--output` is a format (yaml, json, name), as in kubectl and argo; `--output-file` writes a
 * file; the old `-o FILE` is refused with a message naming the new option.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cli } from './run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vnf-output-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('-o/--output FORMAT', () => {
  it('should print the same object as YAML (the default) and as JSON', () => {
    const args = ['generate', 'argo', '--namespace', 'demo', '--kind', 'WorkflowTemplate', '--name', 'dns-blackout'];
    const yaml = cli(args);
    const json = cli([...args, '-o', 'json']);
    expect([yaml.code, yaml.stderr, json.code, json.stderr]).toEqual([0, '', 0, '']);
    expect(JSON.parse(json.stdout)).toEqual(parse(yaml.stdout));
    expect(cli([...args, '--output', 'yaml']).stdout).toBe(yaml.stdout);
  });

  it("should print kubectl's kind.group/name of each object with -o name", () => {
    expect(cli(['generate', 'argo', '--namespace', 'demo', '--kind', 'WorkflowTemplate', '--name', 'dns-blackout', '-o', 'name'])).toEqual({
      code: 0,
      stdout: 'workflowtemplate.argoproj.io/dns-blackout\n',
      stderr: '',
    });
    const tekton = cli(['generate', 'tekton', '--namespace', 'demo', '--name', 'dns-blackout', '-o', 'name']);
    expect([tekton.code, tekton.stdout.split('\n').at(-2)]).toEqual([0, 'pipeline.tekton.dev/dns-blackout']);
    const rbac = cli(['generate', 'rbac', '-n', 'chaos', '-o', 'name']);
    expect(rbac).toEqual({
      code: 0,
      stdout: [
        'serviceaccount/vmi-network-filter',
        'clusterrole.rbac.authorization.k8s.io/vmi-network-filter',
        'clusterrolebinding.rbac.authorization.k8s.io/vmi-network-filter-chaos',
        'role.rbac.authorization.k8s.io/vmi-network-filter',
        'rolebinding.rbac.authorization.k8s.io/vmi-network-filter',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it("should print several objects as kubectl's List in JSON", () => {
    const r = cli(['generate', 'tekton', '--kind', 'Tasks', '-o', 'json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const list = JSON.parse(r.stdout);
    expect([list.apiVersion, list.kind, list.items.length]).toEqual(['v1', 'List', 6]);
  });

  it.each([
    [['generate', 'argo', '--namespace', 'demo', '-o', 'wf.yaml'], 'error: -o/--output is the output format (yaml, json, name), not "wf.yaml"; write to a file with --output-file FILE\n'],
    [['generate', 'tekton', '--namespace', 'demo', '-o', 'out.yaml'], 'error: -o/--output is the output format (yaml, json, name), not "out.yaml"; write to a file with --output-file FILE\n'],
    [['generate', 'rbac', '-n', 'argo', '-o', 'rbac.yaml'], 'error: -o/--output is the output format (yaml, json, name), not "rbac.yaml"; write to a file with --output-file FILE\n'],
    [['generate', 'argo', '--namespace', 'demo', '-o', 'name'], 'error: -o name needs named objects; a Workflow with generateName "vmi-network-filter-" is named by the API server when it is created\n'],
    [['submit', '--namespace', 'demo', '--watch', '--output', 'junit', 'report.xml'], 'error: -o/--output is the output format (yaml, json, name), not "junit"; write the report with --report-junit FILE or --report-json FILE\n'],
    [['watch', 'wf-1', '--output', 'junit', 'report.xml'], 'error: watch prints the live view and the report; write the report with --report-junit FILE or --report-json FILE\n'],
  ])('should refuse %j with exit 2, naming the option that writes files', (args, stderr) => {
    expect(cli(args)).toEqual({ code: 2, stdout: '', stderr });
  });

  it('should print the Workflow of submit --dry-run client as JSON with -o json', () => {
    const r = cli(['submit', '--namespace', 'demo', '--dry-run', 'client', '-o', 'json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout).metadata.generateName).toBe('vmi-network-filter-');
  });
});

describe('--output-file FILE', () => {
  it.each([
    [['generate', 'argo', '--namespace', 'demo', '--kind', 'WorkflowTemplate', '--name', 'dns-blackout'], 'WorkflowTemplate'],
    [['generate', 'rbac', '-n', 'argo'], 'ServiceAccount'],
  ])('should write %j to the file, in the -o format, and nothing to stdout', (args, kind) => {
    const file = join(tmp, `${kind}.json`);
    expect(cli([...args, '-o', 'json', '--output-file', file])).toEqual({ code: 0, stdout: '', stderr: '' });
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(written.kind === 'List' ? written.items[0].kind : written.kind).toBe(kind);
  });
});
