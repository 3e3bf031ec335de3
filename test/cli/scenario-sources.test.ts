/**
 * Where a scenario comes from on the command line: several `--scenario` files (run in the order
 * given), standard input, `-p key=value`, krknctl's `--vmi-name`, and the environment, which is
 * announced key by key. The real bin, exit code and stderr asserted.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cli, FIXTURES } from './run-cli.js';

const TWO = join(FIXTURES, 'two-scenarios.yaml');
const DNS = join(FIXTURES, 'dns-blackout.yaml');
const BAD_SECOND = join(FIXTURES, 'unknown-key-second-item.yaml');

type Parameter = { name: string; value: string };
const parameters = (yaml: string): Record<string, string> =>
  Object.fromEntries((parse(yaml).spec.arguments.parameters as Parameter[]).map((p) => [p.name, p.value]));

describe('--scenario given several times', () => {
  it('should run the scenarios of every file in the order given, as one numbered list', () => {
    const r = cli(['validate', '--scenario', TWO, '--scenario', DNS]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect((parse(r.stdout) as { namespace: string }[]).map((s) => s.namespace)).toEqual(['virt-.*', 'prod', 'my-namespace']);
  });

  it('should render them as one workflow with the parameters of scenario 3 numbered after the first file', () => {
    const r = cli(['generate', 'argo', '--scenario', TWO, '--scenario', DNS]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const values = parameters(r.stdout);
    expect([values['namespace-1'], values['namespace-2'], values['namespace-3'], values['ports-3']]).toEqual(['virt-.*', 'prod', 'my-namespace', '53']);
  });

  it('should number a problem across the files', () => {
    const r = cli(['validate', '--scenario', TWO, '--scenario', BAD_SECOND]);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(`${BAD_SECOND}:6: scenario[3].portz: unknown key; did you mean "ports"?\n1 problem found.\n`);
    expect(cli(['validate', '--scenario', BAD_SECOND]).stderr).toBe(`${BAD_SECOND}:6: scenario[1].portz: unknown key; did you mean "ports"?\n1 problem found.\n`);
  });
});

describe('--scenario -', () => {
  it('should read the scenario file from standard input', () => {
    const r = cli(['generate', 'argo', '--scenario', '-'], {}, '- id: vmi_network_filter\n  namespace: from-stdin\n  ports: [53]\n');
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect([parameters(r.stdout).namespace, parameters(r.stdout).ports]).toEqual(['from-stdin', '53']);
  });

  it('should name standard input in messages, and refuse reading it twice', () => {
    const r = cli(['validate', '--scenario', '-'], {}, '- id: vmi_network_filter\n  namespace: a\n  test_duration: 0\n');
    expect([r.code, r.stderr]).toEqual([2, 'standard input:3: scenario[0].test_duration: must be an integer >= 1, not 0\n1 problem found.\n']);
    expect(cli(['validate', '--scenario', '-', '--scenario', '-'], {}, '')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: --scenario - reads standard input, which can be read once; give it once\n',
    });
  });
});

describe('-p key=value', () => {
  it.each([[['generate', 'argo']], [['generate', 'tekton', '--kind', 'PipelineRun']], [['submit', '--dry-run', 'client']]])(
    'should set scenario keys by their file names on %j',
    (command) => {
      const r = cli([...command, '-p', 'namespace=shop', '-p', 'ports=53,853', '-p', 'test_duration=60']);
      expect([r.code, r.stderr]).toEqual([0, '']);
      const doc = parse(r.stdout.split(/^---$/m).at(-1)!);
      const values = Object.fromEntries(((doc.spec.arguments?.parameters ?? doc.spec.params) as Parameter[]).map((p) => [p.name, p.value]));
      expect([values.namespace, values.ports, values.test_duration]).toEqual(['shop', '53,853', '60']);
    },
  );

  it('should validate -p values like any source, with every problem and a did-you-mean for an unknown key', () => {
    const r = cli(['generate', 'argo', '-p', 'namespace=shop', '-p', 'portz=53', '-p', 'test_duration=0']);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe('-p: portz: unknown key; did you mean "ports"?\n-p: test_duration: must be an integer >= 1, not 0\n2 problems found.\n');
  });

  it.each([
    [['-p', 'ports'], 'error: -p "ports" must be key=value, with a scenario-file key, e.g. -p ports=53\n'],
    [['-p', 'ports=53', '-p', 'ports=80'], 'error: -p ports is given twice ("53", "80"); give it once\n'],
    [['-p', 'ports=53', '--ports', '80'], 'error: -p ports and --ports both set ports; give one\n'],
  ])('should refuse %j with exit 2', (args, stderr) => {
    expect(cli(['submit', '--namespace', 'demo', '--dry-run', 'client', ...args])).toEqual({ code: 2, stdout: '', stderr });
  });

  it('should let -p override the environment, which is then not announced', () => {
    const r = cli(['generate', 'argo', '-p', 'namespace=shop'], { NAMESPACE: 'kube-system' });
    expect([r.code, r.stderr, parameters(r.stdout).namespace]).toEqual([0, '', 'shop']);
  });
});

describe('--vmi-name (krknctl) and --target (the seed)', () => {
  it('should take either spelling for the VMI name regex', () => {
    for (const flag of ['--vmi-name', '--target']) {
      const r = cli(['generate', 'argo', '--namespace', 'demo', flag, 'web-.*']);
      expect([r.code, r.stderr, parameters(r.stdout).target]).toEqual([0, '', 'web-.*']);
    }
  });

  it('should refuse both spellings with different values', () => {
    expect(cli(['validate', '--namespace', 'demo', '--vmi-name', 'a', '--target', 'b'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: --vmi-name "a" and --target "b" name the same key (target); give one\n',
    });
  });

  it('should validate --vmi-name as the target key', () => {
    const r = cli(['validate', '--namespace', 'demo', '--vmi-name', '{{x}}']);
    expect([r.code, r.stderr]).toEqual([2, 'flag --target: target: "{{x}}" contains "{{", which Argo Workflows would evaluate as a template expression\n1 problem found.\n']);
  });
});

describe('keys taken from the environment', () => {
  it('should say each one on stderr before anything is generated, and not the keys a flag overrides', () => {
    const r = cli(['generate', 'argo', '--ports', '443'], { NAMESPACE: 'kube-system', PORTS: '22', IMAGE: 'registry.local/vnf:1' });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('NAMESPACE=kube-system sets namespace (environment)\nIMAGE=registry.local/vnf:1 sets image (environment)\n');
    expect([parameters(r.stdout).namespace, parameters(r.stdout).ports]).toEqual(['kube-system', '443']);
  });

  it('should say them before a problem too, and nothing with --no-env', () => {
    const r = cli(['validate', '--scenario', DNS], { NAMESPACE: 'kube-system', TOTAL_CHAOS_DURATION: 'soon' });
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(
      'TOTAL_CHAOS_DURATION=soon sets test_duration (environment)\nNAMESPACE=kube-system sets namespace (environment)\nenv TOTAL_CHAOS_DURATION: scenario[0].test_duration: must be an integer >= 1, not "soon"\n1 problem found.\n',
    );
    const ignored = cli(['validate', '--scenario', DNS, '--no-env'], { NAMESPACE: 'kube-system' });
    expect([ignored.code, ignored.stderr, parse(ignored.stdout)[0].namespace]).toEqual([0, '', 'my-namespace']);
  });

  it('should say them on submit before the workflow is printed or sent', () => {
    const r = cli(['submit', '--dry-run', 'client'], { NAMESPACE: 'kube-system' });
    expect([r.code, r.stderr]).toEqual([0, 'NAMESPACE=kube-system sets namespace (environment)\n']);
  });
});
