import { describe, expect, it } from 'vitest';
import { compileKrknRegex, ifnameProblem, matchesLabels, parseLabelSelector, parseTaint, tolerationsFor } from '../../scenario/index.js';
import { imageProblem, regexProblem, serviceAccountProblem } from '../../scenario/validators.js';

describe('krkn regex semantics (Python re.match)', () => {
  it('should anchor at the start but not at the end', () => {
    const r = compileKrknRegex('virt-');
    expect(r.match('virt-server-1')).toBe(true);
    expect(r.match('my-virt-server')).toBe(false);
  });

  it('should match everything with an empty pattern', () => {
    expect(compileKrknRegex('').match('anything')).toBe(true);
  });

  it('should keep alternations inside the anchor', () => {
    const r = compileKrknRegex('a|b');
    expect(['a1', 'b1', 'ca'].map((n) => r.match(n))).toEqual([true, true, false]);
  });

  it("should read Python-only syntax with Python's meaning", () => {
    expect(compileKrknRegex('(?P<p>web)-(?P=p)').match('web-web')).toBe(true);
    expect(compileKrknRegex('(?i)WEB').match('web-1')).toBe(true);
    expect(compileKrknRegex('web\\Z').match('web')).toBe(true);
    expect(compileKrknRegex('web\\Z').match('web-1')).toBe(false);
  });

  it("should explain a pattern Python refuses with Python's reason and position", () => {
    expect(regexProblem('a[')).toBe(`"a[" is not a valid Python regular expression (krkn uses Python's re): unterminated character set at position 1`);
    expect(regexProblem('v\\irt')).toBe(`"v\\irt" is not a valid Python regular expression (krkn uses Python's re): bad escape \\i at position 1`);
    expect(regexProblem('(?<n>web)')).toBe(`"(?<n>web)" is not a valid Python regular expression (krkn uses Python's re): unknown extension ?<n at position 1`);
  });

  it('should accept what Python accepts', () => {
    expect(['(?x) virt - .* # comment', '(?i:WEB)', 'a*+', '(?>a)', '[]1]', 'x{,3}', '\\N{DIGIT ONE}'].map(regexProblem)).toEqual([
      undefined, undefined, undefined, undefined, undefined, undefined, undefined,
    ]);
  });
});

describe('label selectors', () => {
  it('should parse every operator of the Kubernetes syntax', () => {
    expect(parseLabelSelector('app=web, tier==db,env!=prod,k in (a, b),j notin (c),has,!gone,n>3,m<7')).toEqual([
      { key: 'app', operator: '=', values: ['web'] },
      { key: 'tier', operator: '=', values: ['db'] },
      { key: 'env', operator: '!=', values: ['prod'] },
      { key: 'k', operator: 'in', values: ['a', 'b'] },
      { key: 'j', operator: 'notin', values: ['c'] },
      { key: 'has', operator: 'exists', values: [] },
      { key: 'gone', operator: '!exists', values: [] },
      { key: 'n', operator: 'gt', values: ['3'] },
      { key: 'm', operator: 'lt', values: ['7'] },
    ]);
    expect(parseLabelSelector('')).toEqual([]);
    expect(parseLabelSelector('kubevirt.io/domain=vm1')).toEqual([{ key: 'kubevirt.io/domain', operator: '=', values: ['vm1'] }]);
  });

  it.each([
    ['app=', undefined],
    ['app in (a,', 'expected "," or ")" in the value list of "app"'],
    ['app=web,', 'trailing ","'],
    ['app web', 'unexpected "web" after key "app"'],
    ['-app=1', `key "-app" must be 1-63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit`],
    ['Bad_Prefix/app=1', `key prefix "Bad_Prefix" must be a DNS subdomain (lowercase letters, digits, '-' and '.')`],
    ['app=a b', 'expected "," between requirements but found "b"'],
    ['n>x', '"x" after ">" must be an integer'],
  ])('should judge %j', (selector, reason) => {
    if (reason === undefined) expect(() => parseLabelSelector(selector)).not.toThrow();
    else expect(() => parseLabelSelector(selector)).toThrow(`invalid label selector "${selector}": ${reason}`);
  });

  it('should match labels as the API server does', () => {
    const sel = parseLabelSelector('app=web,env!=prod,!legacy');
    expect(matchesLabels(sel, { app: 'web' })).toBe(true);
    expect(matchesLabels(sel, { app: 'web', env: 'prod' })).toBe(false);
    expect(matchesLabels(sel, { app: 'web', legacy: '' })).toBe(false);
    expect(matchesLabels(sel, { app: 'db' })).toBe(false);
    expect(matchesLabels(parseLabelSelector('n>3'), { n: '4' })).toBe(true);
    expect(matchesLabels(parseLabelSelector('n>3'), { n: 'x' })).toBe(false);
  });
});

describe('interface names', () => {
  it.each([
    ['tap0', undefined],
    ['k6t-eth0', undefined],
    ['pod16367aadb6b', undefined],
    ['', 'an interface name must not be empty'],
    ['..', '".." is not a valid interface name'],
    ['eth0:1', `"eth0:1" is not a valid interface name (letters, digits, '-', '_' and '.' only, starting with a letter or digit)`],
    ['a b', `"a b" is not a valid interface name (letters, digits, '-', '_' and '.' only, starting with a letter or digit)`],
    ['abcdefghijklmnop', '"abcdefghijklmnop" is 16 characters; Linux interface names have at most 15'],
  ])('should judge %j', (name, problem) => {
    expect(ifnameProblem(name)).toBe(problem);
  });
});

describe('taints and tolerations', () => {
  it('should turn krkn taints into tolerations (Equal with a value, Exists without)', () => {
    expect(tolerationsFor(['node-role.kubernetes.io/master:NoSchedule', 'dedicated=chaos:NoExecute'])).toEqual([
      { key: 'node-role.kubernetes.io/master', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'dedicated', operator: 'Equal', value: 'chaos', effect: 'NoExecute' },
    ]);
  });

  it('should refuse a taint without an effect', () => {
    expect(parseTaint('dedicated=chaos')).toBe('"dedicated=chaos" has no effect; taints are written key[=value]:NoSchedule|PreferNoSchedule|NoExecute');
  });
});

describe('image references and service accounts', () => {
  it.each([
    'ghcr.io/vmi-network-filter/vmi-network-filter:0.1.0',
    'localhost:5000/x/y',
    'busybox',
    'registry.example.com/a/b@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  ])('should accept %s', (image) => expect(imageProblem(image)).toBeUndefined());

  it.each(['Bad Image', 'UPPER/case', 'a:tag:tag', 'x;rm'])('should refuse %s', (image) => {
    expect(imageProblem(image)).toMatch(/is not a valid image reference/);
  });

  it('should accept DNS-1123 service account names only', () => {
    expect(serviceAccountProblem('chaos-runner')).toBeUndefined();
    expect(serviceAccountProblem('')).toBeUndefined();
    expect(serviceAccountProblem('Chaos')).toMatch(/is not a valid service account name/);
  });
});
