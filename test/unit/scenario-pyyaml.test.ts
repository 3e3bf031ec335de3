/**
 * Differential: our reading of scenario files against PyYAML's own (`yaml.safe_load`, what
 * krkn calls), on the machine's python3. PyYAML is a test dependency (Debian's python3-yaml,
 * installed by scripts/system-deps.mjs): without it these tests fail, they never skip.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { loadScenarios, ScenarioError } from '../../scenario/index.js';
import { PYYAML_SAFE_TAGS, Yaml11Float, Yaml11Timestamp } from '../../scenario/pyyaml-tags.js';

/** The first python3 that imports PyYAML: the one on PATH (maybe a pyenv one), else Debian's. */
const PYTHON: string = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0)
  ?? fail('PyYAML is missing: neither python3 nor /usr/bin/python3 imports yaml (apt-get install python3-yaml; scripts/system-deps.mjs does)');

function fail(message: string): never {
  throw new Error(message);
}

/** Runs `script` under python3 with `input` on stdin (JSON unless a string); returns its JSON stdout. */
function python<T>(script: string, input: unknown): T {
  const r = spawnSync(PYTHON, ['-c', script], { input: typeof input === 'string' ? input : JSON.stringify(input), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** A scalar as "type:value", the way both sides print it. */
function ours(text: string): string {
  const doc = parseDocument(`v: ${text}\n`, { schema: 'failsafe', customTags: PYYAML_SAFE_TAGS });
  if (doc.errors.length > 0) return 'error';
  const v = (doc.toJS() as { v: unknown }).v;
  if (v instanceof Yaml11Float) return `float:${v.value}`;
  if (v instanceof Yaml11Timestamp) return 'timestamp';
  if (v === null) return 'null';
  return `${typeof v === 'number' ? 'int' : typeof v}:${String(v)}`;
}

const PY_SCALARS = `
import yaml, json, sys, math, datetime
out = []
for s in json.load(sys.stdin):
    try:
        v = yaml.safe_load('v: ' + s + '\\n')['v']
    except Exception:
        out.append('error'); continue
    if isinstance(v, bool): out.append('boolean:' + str(v).lower())
    elif isinstance(v, int): out.append('int:' + str(v))
    elif isinstance(v, float): out.append('float:' + ('NaN' if math.isnan(v) else 'Infinity' if v == math.inf else '-Infinity' if v == -math.inf else repr(v)))
    elif isinstance(v, datetime.date): out.append('timestamp')
    elif v is None: out.append('null')
    else: out.append('string:' + v)
print(json.dumps(out))
`;

const SCALARS = [
  ...['yes', 'Yes', 'YES', 'yEs', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'tRue', 'false', 'False', 'FALSE'],
  ...['on', 'On', 'ON', 'oN', 'off', 'Off', 'OFF', 'y', 'Y', 'n', 'N', '~', 'null', 'Null', 'NULL', 'nUll', ''],
  ...['0', '00', '010', '08', '09', '0o10', '0x1F', '0x_', '0b101', '0b_', '1_000', '+12', '-12', '-0', '1:30', '2:00', '1:60', '190:20:30'],
  ...['1.5', '120.0', '1.', '.5', '-.5', '1e3', '1.0e3', '1.0e+3', '.inf', '-.inf', '.NaN', '1:30.5', '53', '65535', '99999', '0.0.0'],
  ...['2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-1-1', '=', '"yes"', "'010'", 'virt-.*', 'tcp'],
];

describe("scalars, against PyYAML's safe_load", () => {
  it('should give every scalar the type and value PyYAML gives it', () => {
    const theirs = python<string[]>(PY_SCALARS, SCALARS);
    const differences = SCALARS.map((s, i) => [s, ours(s), theirs[i]!] as const).filter(([, a, b]) => {
      if (a.startsWith('float:') && b.startsWith('float:')) return Number(a.slice(6)) !== Number(b.slice(6)) && !(Number.isNaN(Number(a.slice(6))) && b === 'float:NaN');
      return a !== b;
    });
    expect(differences).toEqual([]);
  });
});

const PY_REFUSES = `
import yaml, json, sys
out = []
for text in json.load(sys.stdin):
    try:
        yaml.safe_load(text); out.append(False)
    except yaml.YAMLError:
        out.append(True)
print(json.dumps(out))
`;

const HEAD = '- id: vmi_network_filter\n  namespace: ns\n';
const DOCUMENTS = [
  `${HEAD}  target: "web\n  ports: [53]\n`,
  `${HEAD}  ports: [53\n`,
  `${HEAD}\ttarget: x\n`,
  `${HEAD}  target:\tx\n`,
  `${HEAD}  target: x\ty\n`,
  `${HEAD}  target: x\t# c\n`,
  `${HEAD}  target: "x\ty"\n`,
  `${HEAD}  # a\tcomment\n`,
  `${HEAD}  ports:\n    - 53\n   - 80\n`,
  `${HEAD}---\n${HEAD}`,
  `${HEAD}---\n`,
  `---\n${HEAD}`,
  `${HEAD}  target: a: b\n`,
  `${HEAD}  target: !foo a\n`,
  `${HEAD}  target: *x\n`,
  `${HEAD}  target: &x a\n  label_selector: *x\n`,
  `${HEAD}  target: "a\\qb"\n`,
  `${HEAD}  target: @a\n`,
  `${HEAD}  : a\n`,
  `${HEAD}  target x\n  ports: [1]\n`,
  `${HEAD}ports: [1]\n`,
  `\ufeff${HEAD}`,
  `${HEAD}  ports: [53,\n  - 80]\n`,
];

describe("whole files, against PyYAML's safe_load", () => {
  it('should refuse as YAML exactly the files PyYAML refuses', () => {
    const theirs = python<boolean[]>(PY_REFUSES, DOCUMENTS);
    const refusedAsYaml = (text: string): boolean => {
      try {
        loadScenarios({ file: { path: 's.yaml', text } });
        return false;
      } catch (e) {
        // A problem without a scenario index is the file's, not an item's value.
        return (e as ScenarioError).problems.some((p) => p.index === undefined);
      }
    };
    expect(DOCUMENTS.map(refusedAsYaml)).toEqual(theirs);
  });

  it('should refuse a duplicate key, which PyYAML alone accepts (keeping the last value)', () => {
    const text = `${HEAD}  namespace: other\n`;
    expect(python<boolean[]>(PY_REFUSES, [text])).toEqual([false]);
    expect(() => loadScenarios({ file: { path: 's.yaml', text } })).toThrow('s.yaml:3: duplicate key "namespace" (first on line 2)');
  });
});

describe("krkn's own scenario files, against PyYAML's safe_load", () => {
  it.each([['krkn-hub-vmi-network-filter.yml'], ['krkn-virt-network.yaml']])('should read every key of %s as PyYAML does', (name) => {
    const text = readFileSync(new URL(`../fixtures/scenarios/${name}`, import.meta.url), 'utf8');
    const [theirs] = python<Record<string, unknown>[]>('import yaml, json, sys; print(json.dumps(yaml.safe_load(sys.stdin.read())))', text);
    const [scenario] = loadScenarios({ file: { path: name, text } });
    // krkn's default image stands for ours; every other key keeps PyYAML's value.
    const { image, ...rest } = theirs!;
    expect(image).toBe('quay.io/krkn-chaos/krkn-network-chaos:latest');
    expect(scenario).toMatchObject(rest);
  });
});

describe("aliases and a byte order mark, against PyYAML's safe_load", () => {
  const PY_LOAD = 'import yaml, json, sys\nprint(json.dumps(yaml.safe_load(sys.stdin.buffer)))';
  const FILES: [string, string][] = [
    ['150 aliases of one anchor', `- id: vmi_network_filter\n  namespace: demo\n  interfaces: [&i eth0]\n${'- id: vmi_network_filter\n  namespace: demo\n  interfaces: [*i, *i]\n'.repeat(75)}`],
    ['a whole item as an alias', '- &dns\n  id: vmi_network_filter\n  namespace: demo\n  ports: [53]\n- *dns\n'],
    ['a byte order mark', '\ufeff- id: vmi_network_filter\n  namespace: demo\n'],
  ];

  it.each(FILES)('should read %s as PyYAML does', (_, text) => {
    const theirs = python<{ namespace: string; interfaces?: string[]; ports?: number[] }[]>(PY_LOAD, text);
    const scenarios = loadScenarios({ file: { path: 'f.yaml', text } });
    expect(scenarios.map((s) => [s.namespace, s.interfaces, s.ports])).toEqual(
      theirs.map((t) => [t.namespace, [...new Set(t.interfaces ?? [])], t.ports ?? []]),
    );
  });
});
