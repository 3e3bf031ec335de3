import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_IMAGE, loadScenarios } from '../../scenario/index.js';
import { problems } from './scenario-problems.js';

const fixture = (name: string) => ({ path: name, text: readFileSync(new URL(`../fixtures/scenarios/${name}`, import.meta.url), 'utf8') });

/** The formatted problem lines of a rejected input (without the count line). */

describe('scenario defaults', () => {
  it('should apply the defaults of the krkn scenario documentation', () => {
    expect(loadScenarios({ flags: { namespace: 'demo' } })).toEqual([
      {
        id: 'vmi_network_filter',
        test_duration: 120,
        namespace: 'demo',
        target: '.*',
        label_selector: '',
        instance_count: 1,
        execution: 'serial',
        ingress: true,
        egress: true,
        interfaces: [],
        ports: [],
        protocols: ['tcp', 'udp'],
        image: DEFAULT_IMAGE,
        taints: [],
        service_account: '',
        wait_duration: 300,
        expiry_grace: 60,
        onset: 'immediate',
        arm_budget: 0,
      },
    ]);
  });

  it("should read krkn's documented example file and map krkn's default image to ours", () => {
    const [s] = loadScenarios({ file: fixture('dns-blackout.yaml') });
    expect(s).toMatchObject({ namespace: 'my-namespace', ports: [53], protocols: ['tcp', 'udp'], image: DEFAULT_IMAGE });
  });

  it('should load every scenario of a file, in order', () => {
    const scenarios = loadScenarios({ file: fixture('two-scenarios.yaml') });
    expect(scenarios.map((s) => [s.namespace, s.ports, s.execution, s.instance_count])).toEqual([
      ['virt-.*', [53], 'serial', 1],
      ['prod', [80, 443], 'parallel', 0],
    ]);
    expect(scenarios[1]!.taints).toEqual(['node-role.kubernetes.io/master:NoSchedule']);
  });
});

describe('precedence', () => {
  const file = { path: 's.yaml', text: '- id: vmi_network_filter\n  namespace: from-file\n  ports: [22]\n  test_duration: 10\n' };

  it('should let flags override the environment, and the environment the file', () => {
    const [s] = loadScenarios({
      file,
      env: { NAMESPACE: 'from-env', PORTS: '53', TOTAL_CHAOS_DURATION: '30' },
      flags: { namespace: 'from-flag' },
    });
    expect([s!.namespace, s!.ports, s!.test_duration]).toEqual(['from-flag', [53], 30]);
  });

  it('should apply flags and environment to every scenario of a file', () => {
    const scenarios = loadScenarios({ file: fixture('two-scenarios.yaml'), flags: { ports: '8080' } });
    expect(scenarios.map((s) => s.ports)).toEqual([[8080], [8080]]);
  });

  it('should treat an empty environment variable as unset, but an empty flag as a value', () => {
    expect(loadScenarios({ file, env: { PORTS: '' } })[0]!.ports).toEqual([22]);
    expect(loadScenarios({ file, flags: { ports: '' } })[0]!.ports).toEqual([]);
  });
});

describe('krknctl and krkn-hub string values', () => {
  it('should parse comma-separated lists, booleans in any case and integers', () => {
    const [s] = loadScenarios({
      env: { NAMESPACE: 'ns', PORTS: '22, 443,6443', PROTOCOLS: 'tcp', INGRESS: 'False', EGRESS: 'TRUE', INSTANCE_COUNT: '0', INTERFACES: 'tap0,tap1' },
    });
    expect(s).toMatchObject({ ports: [22, 443, 6443], protocols: ['tcp'], ingress: false, egress: true, instance_count: 0, interfaces: ['tap0', 'tap1'] });
  });

  it("should parse krkn-hub's list spelling of TAINTS", () => {
    const [s] = loadScenarios({ env: { NAMESPACE: 'ns', TAINTS: '["node-role.kubernetes.io/master:NoSchedule"]' } });
    expect(s!.taints).toEqual(['node-role.kubernetes.io/master:NoSchedule']);
    const [t] = loadScenarios({ env: { NAMESPACE: 'ns', TAINTS: "['a=b:NoExecute', 'c:PreferNoSchedule']" } });
    expect(t!.taints).toEqual(['a=b:NoExecute', 'c:PreferNoSchedule']);
  });

  it('should drop duplicate ports and protocols, keeping their order', () => {
    const [s] = loadScenarios({ flags: { namespace: 'ns', ports: '443,53,443', protocols: 'udp,tcp,udp' } });
    expect([s!.ports, s!.protocols]).toEqual([[443, 53], ['udp', 'tcp']]);
  });
});

describe('rejections', () => {
  it('should report every defect of every scenario with file, line, scenario and key', () => {
    expect(problems({ file: fixture('every-defect.yaml') })).toEqual([
      `every-defect.yaml:2: scenario[0].namespace: "virt-(" is not a valid Python regular expression (krkn uses Python's re): missing ), unterminated subpattern at position 5`,
      'every-defect.yaml:3: scenario[0].ports[1]: 70000 is not a port; ports are integers from 1 to 65535',
      'every-defect.yaml:3: scenario[0].ports[2]: "x" is not a port; ports are integers from 1 to 65535',
      'every-defect.yaml:3: scenario[0].ports[3]: 1.5 is not a port; ports are integers from 1 to 65535',
      'every-defect.yaml:4: scenario[0].protocols[0]: "icmp" is not a protocol; use tcp, udp or tcp,udp',
      'every-defect.yaml:5: scenario[0].execution: must be serial or parallel, not "sometimes"',
      'every-defect.yaml:6: scenario[0].test_duration: must be an integer >= 1, not 0',
      'every-defect.yaml:7: scenario[0].egress: "no" is a string, not a boolean, as krkn reads YAML; krkn would take any non-empty string as true; write no without quotes',
      `every-defect.yaml:8: scenario[0].interfaces[0]: "tap0;rm -rf /" is not a valid interface name (letters, digits, '-', '_' and '.' only, starting with a letter or digit)`,
      "every-defect.yaml:8: scenario[0].interfaces[1]: is 21 characters long; the most is 15 (IFNAMSIZ - 1, Linux's limit)",
      `every-defect.yaml:8: scenario[0].interfaces[2]: "a/b" is not a valid interface name (letters, digits, '-', '_' and '.' only, starting with a letter or digit)`,
      'every-defect.yaml:9: scenario[0].taints[0]: "foo:Sometimes" has effect "Sometimes"; taints are written key[=value]:NoSchedule|PreferNoSchedule|NoExecute',
      `every-defect.yaml:9: scenario[0].taints[1]: "bad key:NoSchedule": key "bad key" must be 1-63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
      'every-defect.yaml:10: scenario[0].label_selector: invalid label selector "app in (a,": expected "," or ")" in the value list of "app"',
      'every-defect.yaml:11: scenario[0].image: "Bad Image" is not a valid image reference (e.g. registry.example.com/team/image:tag or image@sha256:…)',
      `every-defect.yaml:12: scenario[0].service_account: "Bad_SA" is not a valid service account name (lowercase letters, digits, '-' and '.', at most 253 characters, starting and ending with a letter or digit)`,
      'every-defect.yaml:13: scenario[0].instance_count: must be an integer >= 0, not -1',
      'every-defect.yaml:14: scenario[0].wait_duration: must be an integer >= 0, not -5',
      'every-defect.yaml:15: scenario[0].prots: unknown key; did you mean "ports"?',
      'every-defect.yaml:16: scenario[1].id: "pod_network_chaos" is another krkn scenario, which this tool does not run; it runs "vmi_network_filter" scenarios only (leave the others to krkn, in a file of their own)',
      'every-defect.yaml:17: scenario[1].namespace: "{{workflow.name}}" contains "{{", which Argo Workflows would evaluate as a template expression',
      'every-defect.yaml:18: scenario[1].target: "$(params.x)" contains "$(", which Tekton would evaluate as a variable reference',
      'every-defect.yaml:19: scenario[2]: each scenario must be a mapping of keys, not 42',
      'every-defect.yaml:20: scenario[3].id: is missing: krkn runs an item by its id and stops at one without; add "id: vmi_network_filter"',
      'every-defect.yaml:22: scenario[3].ingress/egress: ingress and egress are both false, so nothing would be blocked; set at least one to true',
      'every-defect.yaml:23: scenario[3].chaos_duration: unknown key; did you mean "test_duration"?',
    ]);
  });

  it('should reject files that are not scenario lists', () => {
    expect(problems({ file: fixture('empty.yaml') })).toEqual([
      'empty.yaml: the scenario file is empty; it must be a YAML list of "- id: vmi_network_filter" items',
    ]);
    expect(problems({ file: fixture('mapping-not-list.yaml') })).toEqual([
      'mapping-not-list.yaml:1: the scenario file must be a YAML list of scenarios ("- id: vmi_network_filter" items), as krkn reads it',
    ]);
    expect(problems({ file: fixture('yaml-syntax-error.yaml') })).toEqual([
      'yaml-syntax-error.yaml:2: the list opened with "[" on this line is never closed with "]"',
    ]);
    expect(problems({ file: fixture('duplicate-key.yaml') })).toEqual([
      'duplicate-key.yaml:3: duplicate key "namespace" (first on line 2): krkn would silently keep only the last value; remove one',
    ]);
    expect(problems({ file: { path: 'x.yaml', text: '[]' } })).toEqual(['x.yaml:1: the scenario list is empty']);
  });

  it('should require a namespace and say how to give one', () => {
    expect(problems({})).toEqual([
      'command line: namespace: is required: name the namespace (or a regex of namespaces) of the target VMIs (--namespace, NAMESPACE)',
    ]);
    expect(problems({ flags: { namespace: ' ' } })).toEqual([
      'flag --namespace: namespace: must not be empty: name the namespace (or a regex of namespaces) of the target VMIs',
    ]);
  });

  it('should name the flag or environment variable a bad value came from', () => {
    expect(problems({ env: { NAMESPACE: 'ns', PROTOCOLS: 'tcp,sctp' }, flags: { ports: '0', ingress: 'yes' } })).toEqual([
      'flag --ingress: ingress: must be true or false, not "yes"',
      'flag --ports: ports[0]: 0 is not a port; ports are integers from 1 to 65535',
      'env PROTOCOLS: protocols[1]: "sctp" is not a protocol; use tcp, udp or tcp,udp',
    ]);
  });

  it('should reject a target regex that does not compile', () => {
    expect(problems({ flags: { namespace: 'ns', target: 'web-(' } })).toEqual([
      `flag --target: target: "web-(" is not a valid Python regular expression (krkn uses Python's re): missing ), unterminated subpattern at position 4`,
    ]);
  });

  it('should reject an empty protocol list', () => {
    expect(problems({ flags: { namespace: 'ns', protocols: '' } })).toEqual([
      'flag --protocols: protocols: must name at least one protocol: tcp, udp or tcp,udp',
    ]);
  });

  it('should reject integers that are not integers', () => {
    expect(problems({ flags: { namespace: 'ns', 'test_duration': '1.5' } })).toEqual([
      'flag --chaos-duration: test_duration: must be an integer >= 1, not "1.5"',
    ]);
  });
});
