/**
 * Inputs are bounded (issue 18): the size of scenario files, the number of scenarios, the length
 * of every value, YAML aliases, control characters, UTF-8, and the --templates folder. Each is
 * refused in our words, naming the limit, with exit 2. The real bin, on files written to a
 * temporary folder removed afterwards.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cli } from './run-cli.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vmi-bounded-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes `content` as `name` in the temporary folder and returns its path. */
function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const ITEM = '- id: vmi_network_filter\n  namespace: demo1\n';
const COUNT_REASON = 'each adds about 15 KB to the workflow, and the API server stores an object of at most 1.5 MiB';

describe('the size of scenario files', () => {
  it('should refuse a file larger than 512 KiB, naming the limit', () => {
    const big = file('big.yaml', `${ITEM}${'# padding\n'.repeat(52_500)}`);
    expect(cli(['validate', '--scenario', big])).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: cannot read scenario file ${big}: it holds more than 524288 bytes (512 KiB), the most a scenario file may hold\n`,
    });
  });

  it('should refuse standard input larger than 512 KiB', () => {
    const r = cli(['validate', '--scenario', '-'], {}, `${ITEM}${'# padding\n'.repeat(52_500)}`);
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'error: cannot read the scenario from standard input: it holds more than 524288 bytes (512 KiB), the most a scenario file may hold\n' });
  });

  it('should refuse files that hold more than 1 MiB together', () => {
    const padding = `${ITEM}${'# padding\n'.repeat(40_000)}`;
    const [a, b, c] = ['a.yaml', 'b.yaml', 'c.yaml'].map((name) => file(name, padding));
    expect(cli(['validate', '--scenario', a!, '--scenario', b!, '--scenario', c!])).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: cannot read scenario file ${c}: the --scenario files hold more than 1048576 bytes (1 MiB) together, the most one command reads\n`,
    });
  });
});

describe('the number of scenarios', () => {
  it('should refuse the 430 KB file of 10,000 scenarios at once, naming the limit', () => {
    const many = file('many.yaml', ITEM.repeat(10_000));
    expect(cli(['generate', 'argo', '--scenario', many])).toEqual({
      code: 2,
      stdout: '',
      stderr: `${many}:1: the file holds 10000 scenarios; one workflow runs at most 100 (${COUNT_REASON})\n1 problem found.\n`,
    });
  });

  it('should count the scenarios of every file together', () => {
    const sixty = file('sixty.yaml', ITEM.repeat(60));
    expect(cli(['validate', '--scenario', sixty, '--scenario', sixty])).toEqual({
      code: 2,
      stdout: '',
      stderr: `${sixty}:1: the file holds 60 scenarios, which make 120 with the 60 before; one workflow runs at most 100 (${COUNT_REASON})\n1 problem found.\n`,
    });
  });

  it('should accept 100 scenarios', () => {
    const r = cli(['validate', '--scenario', file('hundred.yaml', ITEM.repeat(100))]);
    expect([r.code, r.stderr, (parse(r.stdout) as unknown[]).length]).toEqual([0, '', 100]);
  });
});

describe('the length of values', () => {
  it('should refuse a huge namespace without printing it (the longest argument Linux passes)', () => {
    const r = cli(['generate', 'argo', '--namespace', 'a'.repeat(131_000)]);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: 'flag --namespace: namespace: is 131000 characters long; the most is 1024 (a regex of namespace names, which have at most 63 characters)\n1 problem found.\n',
    });
  });

  it.each([
    ['target', 'x'.repeat(1025), 'is 1025 characters long; the most is 1024 (a regex of VMI names, which have at most 253 characters)'],
    ['label_selector', `app in (${'a,'.repeat(1100)}b)`, 'is 2210 characters long; the most is 2048 (it travels in the URL of the list request, which proxies commonly cap at 8 KiB)'],
    ['image', `registry.example.com/${'a'.repeat(1100)}:1`, 'is 1123 characters long; the most is 1024 (a 255-character name, a 128-character tag and a sha512 digest fit)'],
    ['service_account', 's'.repeat(254), 'is 254 characters long; the most is 253 (a DNS-1123 subdomain)'],
  ])('should refuse a %s longer than its limit, naming it', (key, value, message) => {
    const path = file(`long-${key}.yaml`, `- id: vmi_network_filter\n  namespace: demo\n  ${key}: "${value}"\n`);
    expect(cli(['validate', '--scenario', path])).toEqual({ code: 2, stdout: '', stderr: `${path}:3: scenario[0].${key}: ${message}\n1 problem found.\n` });
  });

  it('should refuse list items and lists over their limits', () => {
    const path = file(
      'long-lists.yaml',
      `- id: vmi_network_filter\n  namespace: demo\n  interfaces: [eth0, "${'e'.repeat(20)}"]\n  ports: [${Array.from({ length: 1025 }, (_, i) => i + 1).join(', ')}]\n`,
    );
    expect(cli(['validate', '--scenario', path])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        `${path}:3: scenario[0].interfaces[1]: is 20 characters long; the most is 15 (IFNAMSIZ - 1, Linux's limit)\n` +
        `${path}:4: scenario[0].ports: has 1025 items; the most is 1024\n2 problems found.\n`,
    });
  });

  it('should refuse an over-long comma-separated flag before splitting it', () => {
    expect(cli(['validate', '--namespace', 'demo', '--ports', '53,'.repeat(30_000)])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'flag --ports: ports: is 90000 characters long; the most is 66560 (1024 items of at most 64 characters, with commas)\n1 problem found.\n',
    });
  });
});

describe('control characters and UTF-8', () => {
  it.each([
    ['NUL', '"de\\0mo"', 'namespace', 'U+0000', 3],
    ['a newline', '"de\\nmo"', 'namespace', 'U+000A', 3],
    ['a tab', '"demo\\t"', 'namespace', 'U+0009', 5],
    ['DEL', '"d\\x7fe"', 'namespace', 'U+007F', 2],
    ['a C1 control', '"d\\x85e"', 'namespace', 'U+0085', 2],
  ])('should refuse %s in a value, naming the key and the character', (_, value, key, code, at) => {
    const path = file(`control-${code}.yaml`, `- id: vmi_network_filter\n  ${key}: ${value}\n`);
    expect(cli(['validate', '--scenario', path])).toEqual({
      code: 2,
      stdout: '',
      stderr: `${path}:2: scenario[0].${key}: contains the control character ${code} at character ${at}; scenario values must be printable text\n1 problem found.\n`,
    });
  });

  it('should refuse a control character in a list item and in a flag', () => {
    const path = file('control-taint.yaml', '- id: vmi_network_filter\n  namespace: demo\n  taints: ["a:NoSchedule", "b\\r:NoSchedule"]\n');
    expect(cli(['validate', '--scenario', path, '--target', 'vm\u001b[31m'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'flag --target: scenario[0].target: contains the control character U+001B at character 3; scenario values must be printable text\n' +
        `${path}:3: scenario[0].taints[1]: contains the control character U+000D at character 2; scenario values must be printable text\n2 problems found.\n`,
    });
  });

  it('should show the control characters of an unknown key escaped', () => {
    const path = file('control-key.yaml', '- id: vmi_network_filter\n  namespace: demo\n  "por\\0ts\\e[2J": 53\n');
    expect(cli(['validate', '--scenario', path])).toEqual({
      code: 2,
      stdout: '',
      stderr: `${path}:3: scenario[0].por\\u0000ts\\u001B[2J: unknown key\n1 problem found.\n`,
    });
  });

  it('should refuse invalid UTF-8, naming the byte, its offset and line', () => {
    const path = file('latin1.yaml', Buffer.concat([Buffer.from('- id: vmi_network_filter\n  namespace: "de'), Buffer.from([0xff]), Buffer.from('mo"\n')]));
    expect(cli(['validate', '--scenario', path])).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: cannot read scenario file ${path}: it is not UTF-8: the byte 0xFF at offset 41 (line 2) does not decode; save the file as UTF-8\n`,
    });
  });

  it('should refuse a truncated UTF-8 sequence at the end of a file', () => {
    const path = file('truncated.yaml', Buffer.concat([Buffer.from('- id: vmi_network_filter\n  namespace: demo\n# caf'), Buffer.from([0xc3])]));
    expect(cli(['validate', '--scenario', path]).stderr).toBe(
      `error: cannot read scenario file ${path}: it is not UTF-8: the byte 0xC3 at offset 48 (line 3) does not decode; save the file as UTF-8\n`,
    );
  });
});

describe('nesting', () => {
  it('should refuse lists nested thousands deep at their line, in our words rather than a stack overflow', () => {
    const path = file('deep.yaml', `- id: vmi_network_filter\n  namespace: demo\n  ports: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`);
    expect(cli(['validate', '--scenario', path])).toEqual({
      code: 2,
      stdout: '',
      stderr: `${path}:3: lists and mappings nest more than 32 deep here; a scenario needs 3 (the list of scenarios, a scenario, a list value)\n1 problem found.\n`,
    });
  });
});

describe('YAML aliases', () => {
  it('should refuse an alias bomb in our words, naming the limit', () => {
    const levels = Array.from({ length: 9 }, (_, i) => `  l${i + 1}: &l${i + 1} [${Array(9).fill(`*l${i}`).join(', ')}]\n`).join('');
    const path = file('alias-bomb.yaml', `- id: vmi_network_filter\n  namespace: demo\n  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n${levels}`);
    expect(cli(['validate', '--scenario', path])).toEqual({
      code: 2,
      stdout: '',
      stderr: `${path}: aliases (*name) expand the file to more than 262144 values, as many as the largest scenario file could write out (an alias bomb?)\n1 problem found.\n`,
    });
  });

  it('should refuse more than 10,000 aliases at once (each is resolved by a pass over the ones before it)', () => {
    const path = file('aliases-20000.yaml', `- id: vmi_network_filter\n  namespace: &ns demo\n  x: [${Array(20_000).fill('*ns').join(',')}]\n`);
    expect(cli(['validate', '--scenario', path])).toEqual({
      code: 2,
      stdout: '',
      stderr: `${path}: the file uses 20000 aliases (*name); the most is 10000 (each is resolved by a pass over the ones before it): write the values out\n1 problem found.\n`,
    });
  });

  it('should accept 150 ordinary aliases', () => {
    const path = file('aliases-150.yaml', `- id: vmi_network_filter\n  namespace: demo\n  interfaces: [&i eth0]\n${'- id: vmi_network_filter\n  namespace: demo\n  interfaces: [*i, *i]\n'.repeat(75)}`);
    const r = cli(['validate', '--scenario', path]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const scenarios = parse(r.stdout) as { interfaces: string[] }[];
    expect([scenarios.length, scenarios[75]!.interfaces]).toEqual([76, ['eth0']]);
  });

  it('should accept a whole scenario repeated by an alias (- *name) and a UTF-8 byte order mark', () => {
    const path = file('alias-items.yaml', '\ufeff- &dns\n  id: vmi_network_filter\n  namespace: demo\n  ports: [53]\n- *dns\n');
    const r = cli(['validate', '--scenario', path]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect((parse(r.stdout) as { ports: number[] }[]).map((s) => s.ports)).toEqual([[53], [53]]);
  });
});

describe('--templates', () => {
  it.each([
    ['argo', '--namespace'],
    ['tekton', '--namespace'],
    ['rbac', '--namespace-of-workflow'],
  ])('should refuse a folder that does not exist (generate %s)', (group, namespace) => {
    const missing = join(dir, 'no-such-templates');
    expect(cli(['generate', group, namespace, 'demo', '--templates', missing])).toEqual({ code: 2, stdout: '', stderr: `error: --templates ${missing}: no such folder\n` });
  });

  it('should refuse a file given as the folder', () => {
    const path = file('not-a-folder', 'x');
    expect(cli(['generate', 'argo', '--namespace', 'demo', '--templates', path])).toEqual({ code: 2, stdout: '', stderr: `error: --templates ${path}: not a folder\n` });
  });

  it('should refuse a folder that holds no template of the command', () => {
    const templates = join(dir, 'tekton-only');
    mkdirSync(join(templates, 'tekton'), { recursive: true });
    writeFileSync(join(templates, 'tekton', 'pipeline.yaml.hbs'), '');
    expect(cli(['generate', 'argo', '--namespace', 'demo', '--templates', templates])).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: --templates ${templates}: holds no template of generate argo; it overrides the built-in templates file by file, at their paths (argo/workflow.yaml.hbs, argo/partials/<name>.hbs)\n`,
    });
  });

  it('should refuse a template file that replaces no built-in one', () => {
    const templates = join(dir, 'misnamed');
    mkdirSync(join(templates, 'argo'), { recursive: true });
    writeFileSync(join(templates, 'argo', 'workflow.yml.hbs'), '');
    expect(cli(['generate', 'argo', '--namespace', 'demo', '--templates', templates])).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: --templates ${templates}: argo/workflow.yml.hbs replaces no built-in template (argo/workflow.yaml.hbs, argo/partials/<name>.hbs)\n`,
    });
  });
});
