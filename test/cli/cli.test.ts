import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/vmi-network-filter.js');
const FIXTURES = join(ROOT, 'test/fixtures/scenarios');

/** Runs the real, built CLI (npm test builds first) with a clean krkn-hub environment. */
function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'vnf-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('vmi-network-filter CLI', () => {
  it('should print its version', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(cli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it.each([[[]], [['validate']], [['generate']], [['generate', 'argo']], [['generate', 'rbac']], [['step']], [['step', 'report']]])(
    'should print help for %j',
    (args) => {
      const r = cli([...args, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: vmi-network-filter${args.length ? ` ${args.join(' ')}` : ''} `));
    },
  );

  it('should list every krknctl flag with its env variable in the help of generate argo', () => {
    const help = cli(['generate', 'argo', '--help']).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('--chaos-duration <value> seconds the rules are held (integer >= 1) (default: 120) [env TOTAL_CHAOS_DURATION, file key test_duration]');
    expect(help).toContain('--target <value> regex on VMI names, anchored at the start; empty = all (default: .*) [env VMI_NAME, file key target]');
    expect(help).toContain('--wait-duration <value> seconds to wait before the next scenario of the same file (default: 300) [env WAIT_DURATION, file key wait_duration]');
  });

  it('should generate a workflow from the defaults and a namespace (the main job)', () => {
    const r = cli(['generate', 'argo', '--namespace', 'demo']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const wf = parse(r.stdout);
    expect(wf.kind).toBe('Workflow');
    expect(wf.spec.arguments.parameters.find((p: { name: string }) => p.name === 'namespace').value).toBe('demo');
  });

  it('should take the scenario from krkn-hub environment variables unless --no-env', () => {
    const r = cli(['generate', 'argo', '--ports', '53'], { NAMESPACE: 'from-env', PORTS: '22' });
    const params = Object.fromEntries(parse(r.stdout).spec.arguments.parameters.map((p: { name: string; value: string }) => [p.name, p.value]));
    expect([params.namespace, params.ports]).toEqual(['from-env', '53']);
    const ignored = cli(['validate', '--no-env'], { NAMESPACE: 'from-env' });
    expect(ignored.code).toBe(2);
    expect(ignored.stderr).toBe(
      'command line: namespace: is required: name the namespace (or a regex of namespaces) of the target VMIs (--namespace, NAMESPACE)\n1 problem found.\n',
    );
  });

  it('should report every problem of a bad scenario file, exit 2 and print no stack trace', () => {
    const r = cli(['validate', '--scenario', join(FIXTURES, 'every-defect.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(27);
    expect(r.stderr).toMatch(/\n26 problems found\.\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("should refuse, with exit 2, the file and line, regexes Python's re refuses (krkn would)", () => {
    const file = join(FIXTURES, 'regex-python-refuses.yaml');
    const r = cli(['validate', '--scenario', file]);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(
      [
        `${file}:3: scenario[0].namespace: "(?<ns>prod)" is not a valid Python regular expression (krkn uses Python's re): unknown extension ?<n at position 1`,
        `${file}:4: scenario[0].target: "v\\irt" is not a valid Python regular expression (krkn uses Python's re): bad escape \\i at position 1`,
        `${file}:7: scenario[1].target: "[^]" is not a valid Python regular expression (krkn uses Python's re): unterminated character set at position 0`,
        `${file}:10: scenario[2].target: "(?P<n>web)-\\k<n>" is not a valid Python regular expression (krkn uses Python's re): bad escape \\k at position 11`,
        '4 problems found.',
        '',
      ].join('\n'),
    );
  });

  it("should accept regexes only Python's re reads: verbose mode, {,3}, \\N{…}, ] first in a set, scoped flags, possessive and atomic", () => {
    const target = 'virt-density-\\N{DIGIT ONE}{,3}$|[]1]|(?i:WEB)|a*+|(?>b)';
    const r = cli(['validate', '--no-env', '--namespace', '(?x) prod  # the namespace', '--target', target]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(parse(r.stdout).map((s: { namespace: string; target: string }) => [s.namespace, s.target])).toEqual([['(?x) prod  # the namespace', target]]);
  });

  it('should print the normalized scenarios of a valid file', () => {
    const r = cli(['validate', '--scenario', join(FIXTURES, 'two-scenarios.yaml')]);
    expect(r.code).toBe(0);
    expect(parse(r.stdout).map((s: { namespace: string; ports: number[] }) => [s.namespace, s.ports])).toEqual([
      ['virt-.*', [53]],
      ['prod', [80, 443]],
    ]);
  });

  it.each([
    [['generate', 'argo', '--namespace', 'demo', '--kind', 'CronWorkflow'], 'error: --kind CronWorkflow needs --schedule, e.g. --schedule "0 3 * * 1" or --schedule @daily\n'],
    [['generate', 'argo', '--namespace', 'demo', '--schedule', '* * * * *'], 'error: --schedule applies to --kind CronWorkflow only\n'],
    [['generate', 'argo', '--namespace', 'demo', '--kind', 'CronWorkflow', '--schedule', 'hourly'], 'error: --schedule "hourly": has 1 field; a cron schedule has five (minute hour day-of-month month day-of-week), or is a descriptor such as @daily\n'],
    [['generate', 'argo', '--namespace', 'demo', '--name', 'Bad_Name'], `error: --name: "Bad_Name" is not a valid generateName prefix: lowercase letters, digits and '-', at most 58 characters, starting and ending with a letter or digit\n`],
    [['validate', '--scenario', 'no-such.yaml'], 'error: cannot read scenario file no-such.yaml: no such file\n'],
    [['generate', 'argo', '--namespace', 'demo', '--onset', 'synchronized'], 'flag --onset: onset: synchronized starts every VMI at one instant, which needs execution: parallel (serial faults one VMI at a time); set execution to parallel, or onset to immediate\n1 problem found.\n'],
    [['generate', 'tekton', '--namespace', 'demo', '--execution', 'parallel', '--arm-budget', '600'], 'flag --arm-budget: arm_budget: must be at most 300 (seconds from select to the start), not 600\n1 problem found.\n'],
    [['generate', 'argo', '--namespace', '{{workflow.name}}'], 'flag --namespace: namespace: "{{workflow.name}}" contains "{{", which Argo Workflows would evaluate as a template expression\n1 problem found.\n'],
  ])('should refuse %j with exit 2', (args, stderr) => {
    expect(cli(args)).toEqual({ code: 2, stdout: '', stderr });
  });

  it('should refuse unknown options and commands with exit 2', () => {
    const r = cli(['generate', 'argo', '--namespace', 'demo', '--prots', 'tcp']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown option '--prots'/);
    expect(cli(['generat']).code).toBe(2);
  });

  it('should write to --output-file FILE instead of stdout', () => {
    const file = join(tmp, 'wf.yaml');
    const r = cli(['generate', 'argo', '--namespace', 'demo', '--kind', 'WorkflowTemplate', '--name', 'dns', '--output-file', file]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '', '']);
    expect(parse(readFileSync(file, 'utf8')).metadata.name).toBe('dns');
  });

  it('should generate RBAC for the namespace workflows run in', () => {
    const r = cli(['generate', 'rbac', '--namespace-of-workflow', 'chaos']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('---\n').map((d) => parse(d).kind)).toEqual(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
    // Each rule's reason is printed with it, as a comment.
    expect(r.stdout).toContain("  # The fan-outs create one node pod per node (privileged, pinned to it, under this account)\n  # and delete them once done;");
    // JSON has no comments: the same objects.
    const json = cli(['generate', 'rbac', '--namespace-of-workflow', 'chaos', '-o', 'json']);
    expect(JSON.parse(json.stdout).items).toEqual(r.stdout.split('---\n').map((d) => parse(d)));
  });

  it.each(['argo', 'tekton'])('should lead the %s RBAC with the kubectl label line that lets the node pods run in its namespace, emitting no Namespace', (engine) => {
    const r = cli(['generate', 'rbac', '--engine', engine, '-n', 'team-a']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\n').slice(0, 4)).toEqual([
      '# Pod Security: the node pods mount a host path and add capabilities as root, which only the',
      '# "privileged" level allows in the namespace where they run. Label it (not done by this file):',
      '#   kubectl label ns team-a pod-security.kubernetes.io/enforce=privileged --overwrite',
      'apiVersion: v1',
    ]);
    const json = cli(['generate', 'rbac', '--engine', engine, '-n', 'team-a', '-o', 'json']);
    expect(json.stdout).not.toContain('pod-security');
    expect(JSON.parse(json.stdout).items.map((o: { kind: string }) => o.kind)).toEqual(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
  });

  it("should fail a VMI's branch whose verify failed, naming the VMI and the statuses", () => {
    const target = JSON.stringify({ namespace: 'shop', name: 'web-1' });
    const failed = cli(['step', 'verdict', `--target=${target}`, '--inject=Succeeded', '--verify=Failed']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe('error: the fault on shop/web-1 did not hold (inject Succeeded, verify Failed); its rules were rolled back\n');
    expect(JSON.parse(failed.stdout)).toMatchObject({ level: 'error', step: 'verdict', vmi: 'shop/web-1', inject: 'Succeeded', verify: 'Failed' });
    expect(cli(['step', 'verdict', `--target=${target}`, '--inject=Failed', '--verify=Omitted']).code).toBe(1);
    expect(cli(['step', 'verdict', `--target=${target}`, '--inject=Succeeded', '--verify=Succeeded']).code).toBe(0);
  });

  it('should log the report step as one JSON line', () => {
    const r = cli(['step', 'report', '--status', 'Failed', '--workflow', 'wf-1', '--run-id', 'u-1']);
    expect(r.code).toBe(0);
    const line = JSON.parse(r.stdout);
    expect(line).toMatchObject({ level: 'warn', step: 'report', status: 'Failed', workflow: 'wf-1', runId: 'u-1', succeeded: false });
  });
});
