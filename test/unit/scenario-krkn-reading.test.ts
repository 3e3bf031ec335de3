import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_IMAGE, loadScenarios, type Scenario, type ScenarioSources } from '../../scenario/index.js';
import { problems } from './scenario-problems.js';

const fixture = (name: string) => ({ path: name, text: readFileSync(new URL(`../fixtures/scenarios/${name}`, import.meta.url), 'utf8') });

/** A one-item file: the id and a namespace, then `lines`. */
const file = (...lines: string[]) => ({ path: 's.yaml', text: ['- id: vmi_network_filter', '  namespace: ns', ...lines.map((l) => `  ${l}`), ''].join('\n') });

const load = (sources: ScenarioSources): Scenario => loadScenarios(sources)[0]!;

/** The formatted problem lines of a rejected input (without the count line). */

describe('booleans, as PyYAML (YAML 1.1) reads them', () => {
  it.each(['yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'])('should read ingress: %s as true', (word) => {
    expect(load({ file: file('ingress: false', `egress: ${word}`) }).egress).toBe(true);
  });

  it.each(['no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'])('should read egress: %s as false', (word) => {
    expect(load({ file: file(`egress: ${word}`) }).egress).toBe(false);
  });

  it.each(['y', 'Y', 'n', 'N', 'yEs', 'oN'])('should refuse %s, a string to PyYAML that krkn would take as true', (word) => {
    expect(problems({ file: file(`ingress: ${word}`) })).toEqual([
      `s.yaml:3: scenario[0].ingress: "${word}" is a string, not a boolean, as krkn reads YAML; krkn would take any non-empty string as true; write true or false (or yes/no, on/off) without quotes`,
    ]);
  });

  it('should refuse a quoted "false", which krkn would take as true', () => {
    expect(problems({ file: file('egress: "false"') })).toEqual([
      's.yaml:3: scenario[0].egress: "false" is a string, not a boolean, as krkn reads YAML; krkn would take any non-empty string as true; write false without quotes',
    ]);
  });
});

describe('integers, as PyYAML (YAML 1.1) reads them', () => {
  it('should read octal, hexadecimal, binary, sexagesimal and underscored integers as PyYAML does', () => {
    const s = load({ file: file('test_duration: 2:00', 'wait_duration: 010', 'instance_count: 0b11', 'ports: [0x35, 1_000]') });
    expect([s.test_duration, s.wait_duration, s.instance_count, s.ports]).toEqual([120, 8, 3, [53, 1000]]);
  });

  it.each([
    ['09', "09 is a string to krkn's YAML reader (YAML 1.1 reads a leading 0 as octal, and 8 and 9 are no octal digits), which krkn refuses (it wants an int); write 9"],
    ['0o10', 'must be an integer >= 1, not "0o10"'],
    ['1e3', 'must be an integer >= 1, not "1e3"'],
    ['120.0', 'must be an integer >= 1, not 120.0'],
    ['"120"', '"120" is written as a string (quoted or tagged), which krkn refuses (it wants an int); write 120 as a plain number'],
    ['!!str 120', '"120" is written as a string (quoted or tagged), which krkn refuses (it wants an int); write 120 as a plain number'],
  ])('should refuse test_duration: %s as krkn does', (text, message) => {
    expect(problems({ file: file(`test_duration: ${text}`) })).toEqual([`s.yaml:3: scenario[0].test_duration: ${message}`]);
  });

  it('should refuse a float port, which krkn would pass to iptables as "53.0"', () => {
    expect(problems({ file: file('ports: [53.0]') })).toEqual(['s.yaml:3: scenario[0].ports[0]: 53.0 is not a port; ports are integers from 1 to 65535']);
  });

  it('should refuse a date where krkn wants a string', () => {
    expect(problems({ file: { path: 's.yaml', text: '- id: vmi_network_filter\n  namespace: 2026-12-07\n' } })).toEqual([
      's.yaml:2: scenario[0].namespace: must be a string, not 2026-12-07 (a date, as YAML 1.1 reads it)',
    ]);
  });
});

describe('empty keys, as krkn reads them', () => {
  it('should read empty ports as all ports and empty protocols as tcp and udp', () => {
    const s = load({ file: file('ports:', 'protocols: ~') });
    expect([s.ports, s.protocols]).toEqual([[], ['tcp', 'udp']]);
  });

  it('should read an empty target, label_selector and service_account as none', () => {
    const s = load({ file: file('target:', 'label_selector: null', 'service_account: Null') });
    expect([s.target, s.label_selector, s.service_account]).toEqual(['', '', '']);
  });

  it('should read an empty direction as not filtered, as krkn tests its truth', () => {
    expect(load({ file: file('ingress:') })).toMatchObject({ ingress: false, egress: true });
    expect(problems({ file: file('ingress:', 'egress: ~') })).toEqual([
      's.yaml:4: scenario[0].ingress/egress: ingress and egress are both false, so nothing would be blocked; set at least one to true',
    ]);
  });

  it('should read our own keys left empty as their defaults', () => {
    expect(load({ file: file('expiry_grace:', 'onset:', 'arm_budget:') })).toMatchObject({ expiry_grace: 60, onset: 'immediate', arm_budget: 0 });
  });

  it('should refuse the empty keys krkn fails on, saying why', () => {
    const text = ['- id:', '  namespace:', '  image:', '  taints:', '  interfaces: ~', '  test_duration: null', '  wait_duration:', '  instance_count:', '  execution: NULL', ''].join('\n');
    expect(problems({ file: { path: 's.yaml', text } })).toEqual([
      's.yaml:1: scenario[0].id: is empty, which krkn stops with "network chaos id cannot be None": write "id: vmi_network_filter"',
      's.yaml:2: scenario[0].namespace: is empty, which krkn stops with "namespace not specified for VMI scenario": name the namespace (or a regex of namespaces) of the target VMIs',
      's.yaml:3: scenario[0].image: is empty, which krkn would start its pod with the image "None": name an image, or leave the key out for the default',
      's.yaml:4: scenario[0].taints: is empty, which krkn fails iterating it: write [] for none',
      's.yaml:5: scenario[0].interfaces: is empty, which krkn fails taking its length: write [] to detect the interface',
      's.yaml:6: scenario[0].test_duration: is empty, which krkn stops with "test_duration must be an int": give seconds, or leave the key out for the default 120',
      's.yaml:7: scenario[0].wait_duration: is empty, which krkn stops with "wait_duration must be an int": give seconds, or leave the key out for the default 300',
      's.yaml:8: scenario[0].instance_count: is empty, which krkn stops with "instance_count must be an int": give a count (0 = all), or leave the key out for the default 1',
      's.yaml:9: scenario[0].execution: is empty, which krkn stops with "execution cannot be None": write serial or parallel, or leave the key out for the default serial',
    ]);
  });

  it('should take an empty key from a flag or the environment, as krkn-hub fills the file', () => {
    const text = '- id: vmi_network_filter\n  namespace:\n';
    expect(load({ file: { path: 's.yaml', text }, flags: { namespace: 'from-flag' } }).namespace).toBe('from-flag');
    expect(load({ file: { path: 's.yaml', text }, env: { NAMESPACE: 'from-env' } }).namespace).toBe('from-env');
  });
});

describe('lists, as krkn reads them', () => {
  it('should refuse a string where krkn iterates a list', () => {
    expect(problems({ file: file('ports: "53,80"', 'protocols: tcp') })).toEqual([
      's.yaml:3: scenario[0].ports: must be a YAML list ("- item" lines, or [a, b]), not "53,80", and krkn would take a string character by character',
      's.yaml:4: scenario[0].protocols: must be a YAML list ("- item" lines, or [a, b]), not "tcp", and krkn would take a string character by character',
    ]);
    expect(problems({ file: file('ports: 53') })).toEqual(['s.yaml:3: scenario[0].ports: must be a YAML list ("- item" lines, or [a, b]), not 53']);
  });

  it("should report a bad list element at the element's line, not its key's", () => {
    expect(problems({ file: file('ports:', '  - 53', '  - 70000', 'interfaces:', '  - eth0', '  - a/b') })).toEqual([
      's.yaml:5: scenario[0].ports[1]: 70000 is not a port; ports are integers from 1 to 65535',
      `s.yaml:8: scenario[0].interfaces[1]: "a/b" is not a valid interface name (letters, digits, '-', '_' and '.' only, starting with a letter or digit)`,
    ]);
  });
});

describe('scenario ids, as krkn dispatches them', () => {
  it('should refuse an item without id, which krkn stops at', () => {
    expect(problems({ file: { path: 's.yaml', text: '- id: vmi_network_filter\n  namespace: a\n- namespace: b\n' } })).toEqual([
      's.yaml:3: scenario[1].id: is missing: krkn runs an item by its id and stops at one without; add "id: vmi_network_filter"',
    ]);
  });

  it('should refuse the other krkn network scenarios, and ids krkn does not know', () => {
    const text = '- id: pod_network_filter\n  namespace: a\n- id: vmi_network_filtre\n  namespace: b\n';
    expect(problems({ file: { path: 's.yaml', text } })).toEqual([
      's.yaml:1: scenario[0].id: "pod_network_filter" is another krkn scenario, which this tool does not run; it runs "vmi_network_filter" scenarios only (leave the others to krkn, in a file of their own)',
      's.yaml:3: scenario[1].id: unknown scenario id "vmi_network_filtre"; this tool runs "vmi_network_filter" scenarios only',
    ]);
  });

  it('should let inline JSON from the command line leave the id out, and be indented with tabs', () => {
    expect(load({ file: { path: 'inline --scenario', text: '[{"namespace": "ns"}]', inline: true } }).id).toBe('vmi_network_filter');
    expect(load({ file: { path: 'inline --scenario', text: '[{\n\t"namespace":\t"ns"\n}]', inline: true } }).namespace).toBe('ns');
  });
});

describe("krkn's own scenario files", () => {
  it("should validate krkn-hub's vmi-network-filter.yml with krkn's meaning", () => {
    expect(load({ file: fixture('krkn-hub-vmi-network-filter.yml') })).toEqual({
      id: 'vmi_network_filter',
      test_duration: 60,
      namespace: 'default',
      target: '',
      label_selector: '',
      instance_count: 1,
      execution: 'parallel',
      ingress: false,
      egress: true,
      interfaces: [],
      ports: [],
      protocols: ['tcp'],
      image: DEFAULT_IMAGE,
      taints: [],
      service_account: '',
      wait_duration: 0,
      expiry_grace: 60,
      onset: 'immediate',
      arm_budget: 0,
    });
  });

  it("should validate krkn's virt_network.yaml, its namespace filled in, with krkn's meaning", () => {
    expect(load({ file: fixture('krkn-virt-network.yaml') })).toMatchObject({
      namespace: 'virt-density-.*',
      target: '',
      execution: 'serial',
      ingress: true,
      egress: true,
      ports: [],
      protocols: ['tcp', 'udp'],
      image: DEFAULT_IMAGE,
      test_duration: 120,
      wait_duration: 300,
    });
  });

  it("should refuse krkn's virt_network.yaml as published, its namespace empty, unless one is given", () => {
    const published = fixture('krkn-virt-network.yaml');
    const text = published.text.replace('  namespace: "virt-density-.*"\n', '  namespace: \n');
    expect(problems({ file: { path: 'virt_network.yaml', text } })).toEqual([
      'virt_network.yaml:12: scenario[0].namespace: is empty, which krkn stops with "namespace not specified for VMI scenario": name the namespace (or a regex of namespaces) of the target VMIs',
    ]);
    expect(load({ file: { path: 'virt_network.yaml', text }, flags: { namespace: 'virt-density-.*' } }).namespace).toBe('virt-density-.*');
  });
});
